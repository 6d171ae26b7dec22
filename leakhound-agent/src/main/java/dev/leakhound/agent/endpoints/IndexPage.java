package dev.leakhound.agent.endpoints;

import dev.leakhound.agent.http.Endpoint;
import dev.leakhound.agent.http.Query;
import dev.leakhound.agent.http.Response;
import dev.leakhound.report.HtmlPage;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code /debug/}: for a browser ({@code Accept: text/html}), the live page ({@link HtmlPage#live}: charts and the
 * grouped threads, fetched from the JSON endpoints with the token the user types, sent as a header); for any other
 * client (curl), the endpoints, one line each, as before.
 *
 * <p>The page holds no data of the host, only the endpoints' paths and descriptions, so it is served without the
 * token, like its assets ({@link #assets}); the data endpoints still want it. It is sent with a strict
 * Content-Security-Policy (scripts, styles and requests from this server only; no inline script or style, no frame,
 * no form target), {@code X-Content-Type-Options: nosniff} and {@code Referrer-Policy: no-referrer}.
 */
public final class IndexPage {
    /** The path the assets are served under. */
    public static final String ASSETS = "/debug/assets/";

    /** The page's Content-Security-Policy. */
    public static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    static final String HTML = "text/html; charset=utf-8";

    private IndexPage() {
    }

    /** The headers of the page and its assets. */
    static Map<String, String> pageHeaders() {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Content-Security-Policy", CSP);
        h.put("X-Content-Type-Options", "nosniff");
        h.put("Referrer-Policy", "no-referrer");
        h.put("Cross-Origin-Resource-Policy", "same-origin");
        return h;
    }

    static boolean wantsHtml(String accept) {
        return accept != null && accept.toLowerCase(Locale.ROOT).contains("text/html");
    }

    /** {@code /debug/} for these routes (the assets and the page itself left out of the list). */
    public static Endpoint endpoint(Map<String, Endpoint> routes) {
        return endpoint(routes, false);
    }

    /**
     * As above; {@code tokenRequired}: the server wants a token, which the page asks for before its first request
     * (rather than after a 401 that a browser would log as an error).
     */
    public static Endpoint endpoint(Map<String, Endpoint> routes, boolean tokenRequired) {
        return new Endpoint() {
            private volatile byte[] page;          // made once, on the first request: the routes are complete then

            @Override
            public Response handle(Query q) {
                if (wantsHtml(q.accept())) {
                    return new Response(200, HTML, page(), pageHeaders());
                }
                StringBuilder sb = new StringBuilder("leakhound debug server (GET only, but POST where it says so)\n\n");
                for (Map.Entry<String, String> e : listed().entrySet()) {
                    sb.append(e.getKey()).append('\n').append("    ").append(e.getValue()).append('\n');
                }
                return Response.text(sb.toString());
            }

            private Map<String, String> listed() {
                Map<String, String> out = new LinkedHashMap<>();
                for (Map.Entry<String, Endpoint> e : routes.entrySet()) {
                    if (e.getValue() != this && !e.getKey().startsWith(ASSETS)) {
                        out.put(e.getKey(), e.getValue().description());
                    }
                }
                return out;
            }

            private byte[] page() {
                byte[] p = page;
                if (p == null) {
                    p = HtmlPage.live("leakhound", ASSETS, listed(), tokenRequired).getBytes(StandardCharsets.UTF_8);
                    page = p;
                }
                return p;
            }

            @Override
            public boolean open(String accept) {
                return wantsHtml(accept);
            }

            @Override
            public String contentType(Query q) {
                return wantsHtml(q.accept()) ? HTML : Response.TEXT;
            }

            @Override
            public Map<String, String> headers(Query q) {
                return wantsHtml(q.accept()) ? pageHeaders() : Map.of();
            }

            @Override
            public String description() {
                return "this list; in a browser, the live page: charts of the threads, the suspect sites, heap after GC"
                        + " and GC pauses, and the threads grouped by stack";
            }
        };
    }

    /**
     * {@code /debug/assets/NAME}, one route each: the page's scripts and styles ({@link HtmlPage#ASSETS}), read from
     * the jar once (some 60 KB in all) and served without the token: they hold no data.
     */
    public static Map<String, Endpoint> assets() {
        Map<String, Endpoint> out = new LinkedHashMap<>();
        for (String name : HtmlPage.ASSETS.keySet()) {
            byte[] body = HtmlPage.asset(name);
            String type = HtmlPage.contentType(name);
            out.put(ASSETS + name, new Endpoint() {
                @Override
                public Response handle(Query q) {
                    return new Response(200, type, body, pageHeaders());
                }

                @Override
                public boolean open(String accept) {
                    return true;
                }

                @Override
                public String contentType(Query q) {
                    return type;
                }

                @Override
                public Map<String, String> headers(Query q) {
                    return pageHeaders();
                }

                @Override
                public String description() {
                    return "an asset of the page";
                }
            });
        }
        return out;
    }
}
