package dev.leakhound.agent.http;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The request line and headers of an HTTP/1.x request, as the debug server needs them: the method, the raw path
 * and query of an origin-form target ({@code /path?query}), and the first value of each header. The body, if any,
 * is never read.
 *
 * @param method   e.g. {@code GET}, as sent (case-sensitive, RFC 9110)
 * @param rawPath  the target's path, still percent-encoded
 * @param rawQuery the target's query, still percent-encoded, or {@code null}
 * @param headers  lower-case name to its first value
 */
record HttpRequestHead(String method, String rawPath, String rawQuery, Map<String, String> headers) {

    /** A head the server cannot take: answered with {@link #status} and one line, then the connection is closed. */
    static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;

        Malformed(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    HttpRequestHead {
        headers = Map.copyOf(headers);
    }

    /** The first value of a header, or {@code null}. */
    String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /**
     * The end of the head in {@code buf[0..len)}: the index just after its empty line ({@code CRLF CRLF}, or bare
     * {@code LF LF}), or -1 while it has not come. {@code from} is where the last search stopped (bytes before it
     * were searched already).
     */
    static int end(byte[] buf, int from, int len) {
        for (int i = Math.max(0, from - 3); i < len; i++) {
            if (buf[i] != '\n') {
                continue;
            }
            if (i + 1 < len && buf[i + 1] == '\n') {
                return i + 2;
            }
            if (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n') {
                return i + 3;
            }
        }
        return -1;
    }

    /** Parses {@code buf[0..len)}, a whole head (its end found by {@link #end}). */
    static HttpRequestHead parse(byte[] buf, int len) throws Malformed {
        String text = new String(buf, 0, len, StandardCharsets.ISO_8859_1);
        String[] lines = text.split("\r?\n", -1);
        String[] first = lines[0].split(" ", -1);
        if (first.length != 3 || !isToken(first[0])) {
            throw new Malformed(400, "bad request: malformed request line");
        }
        String version = first[2];
        if (!version.equals("HTTP/1.1") && !version.equals("HTTP/1.0")) {
            throw new Malformed(version.startsWith("HTTP/") ? 505 : 400, "bad request: HTTP/1.1 or HTTP/1.0 only");
        }
        String target = first[1];
        if (!target.startsWith("/")) {
            throw new Malformed(400, "bad request: the target must be a path (/...)");
        }
        URI uri;
        try {
            uri = new URI(target);
        } catch (URISyntaxException e) {
            throw new Malformed(400, "bad request: malformed target");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (line.isEmpty()) {
                break;                                         // the empty line that ends the head
            }
            int colon = line.indexOf(':');
            if (colon <= 0 || !isToken(line.substring(0, colon))) {
                // also a line folded onto the previous one (starts with a space): obsolete, refused (RFC 9112 5.2)
                throw new Malformed(400, "bad request: malformed header line");
            }
            String name = line.substring(0, colon).toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).strip();
            if (headers.putIfAbsent(name, value) != null && name.equals("host")) {
                throw new Malformed(400, "bad request: more than one Host header");
            }
        }
        return new HttpRequestHead(first[0], uri.getRawPath(), uri.getRawQuery(), headers);
    }

    /** An RFC 9110 token: what a method or a header name is made of. */
    private static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
