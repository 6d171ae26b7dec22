package dev.leakhound.agent.http;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The parameters of a request, checked against what the endpoint accepts. Every problem is a
 * {@link BadRequest} with a one-line message (answered with 400): an unknown or repeated parameter, a value
 * that is not allowed, a query longer than {@value #MAX_LENGTH} characters.
 */
public final class Query {
    static final int MAX_LENGTH = 1024;

    private final Map<String, String> params;
    private final String accept;

    private Query(Map<String, String> params) {
        this(params, null);
    }

    private Query(Map<String, String> params, String accept) {
        this.params = params;
        this.accept = accept;
    }

    /** The same parameters with the request's {@code Accept} header ({@code null} for none). */
    public Query withAccept(String accept) {
        return new Query(params, accept);
    }

    /** The request's {@code Accept} header, or {@code null}: for the endpoints that answer in more than one format. */
    public String accept() {
        return accept;
    }

    /** A request the endpoint cannot answer as asked: 400 with this message. */
    public static final class BadRequest extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public BadRequest(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Parses a raw query ({@code a=1&b}), allowing only the names in {@code allowed}.
     *
     * @throws BadRequest on anything else
     */
    public static Query parse(String rawQuery, Set<String> allowed) {
        Map<String, String> out = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return new Query(out);
        }
        if (rawQuery.length() > MAX_LENGTH) {
            throw new BadRequest("query longer than " + MAX_LENGTH + " characters");
        }
        for (String part : rawQuery.split("&", -1)) {
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            String name;
            String value;
            try {
                name = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
                value = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new BadRequest("badly encoded query parameter");
            }
            if (!allowed.contains(name)) {
                throw new BadRequest("unknown parameter '" + printable(name) + "'"
                        + (allowed.isEmpty() ? ": this endpoint takes none" : " (accepted: " + String.join(", ", sorted(allowed)) + ")"));
            }
            if (out.containsKey(name)) {
                throw new BadRequest("parameter '" + name + "' given twice");
            }
            out.put(name, value);
        }
        return new Query(out);
    }

    private static java.util.List<String> sorted(Set<String> s) {
        return s.stream().sorted().toList();
    }

    public boolean has(String name) {
        return params.containsKey(name);
    }

    /** The value, or {@code null} when absent; {@code ""} for {@code ?name} without a value. */
    public String get(String name) {
        return params.get(name);
    }

    public Map<String, String> asMap() {
        return Collections.unmodifiableMap(params);
    }

    /** An integer from {@code min} to {@code max}, or {@code dflt} when absent. */
    public int intParam(String name, int dflt, int min, int max) {
        String v = params.get(name);
        if (v == null) {
            return dflt;
        }
        int n;
        try {
            n = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new BadRequest(name + "=" + printable(v) + ": expected a number from " + min + " to " + max);
        }
        if (n < min || n > max) {
            throw new BadRequest(name + "=" + n + ": expected a number from " + min + " to " + max);
        }
        return n;
    }

    /** One of {@code choices}, or {@code dflt} when absent. */
    public String choice(String name, String dflt, String... choices) {
        String v = params.get(name);
        if (v == null) {
            return dflt;
        }
        for (String c : choices) {
            if (c.equals(v)) {
                return c;
            }
        }
        throw new BadRequest(name + "=" + printable(v) + ": expected " + String.join(" or ", choices));
    }

    /** A flag: absent, empty, {@code 1} or {@code true} is set; {@code 0} or {@code false} is not. */
    public boolean flag(String name) {
        String v = params.get(name);
        if (v == null) {
            return false;
        }
        return switch (v) {
            case "", "1", "true" -> true;
            case "0", "false" -> false;
            default -> throw new BadRequest(name + "=" + printable(v) + ": expected nothing, 1, true, 0 or false");
        };
    }

    static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && sb.length() < 40; i++) {
            char c = s.charAt(i);
            sb.append(c >= ' ' && c < 127 ? c : '?');
        }
        if (s.length() > 40) {
            sb.append("...");
        }
        return sb.toString();
    }
}
