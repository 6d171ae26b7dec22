package dev.leakhound.report;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Leakhound's pages, made of the same assets ({@code dev/leakhound/report/web/}: {@code leakhound.js},
 * {@code leakhound.css} and the vendored uPlot): the CLI's self-contained {@code --html} files
 * ({@link #selfContained}) and the agent's live {@code /debug/} page ({@link #live}), which loads the assets from
 * its server. The script reads what to show from {@code <body data-view>}; a file carries its data as the JSON of
 * the command's {@code --json} in {@code <script type="application/json" id="leakhound-data">}.
 *
 * <p>Safety: every text of the data reaches the page as text (the script sets {@code textContent}); the JSON is
 * embedded with every {@code <}, {@code >}, {@code &} and line separator escaped as {@code \}{@code uXXXX}, so that
 * no thread name ({@code </script>...}) can end the element. A file's Content-Security-Policy allows its inline
 * scripts and styles by their SHA-256 hashes only (no {@code 'unsafe-inline'}) and no request at all.
 */
public final class HtmlPage {
    /** Where the assets are, on the class path. */
    public static final String RESOURCES = "/dev/leakhound/report/web/";

    /** The assets by the name they are served under, in the order a page loads them: file name to resource path. */
    public static final Map<String, String> ASSETS = assets();

    /** The views of {@code <body data-view>}. */
    public enum View {
        LIVE, THREADS, HEAP, GC;

        String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private static final Map<String, byte[]> CACHE = new ConcurrentHashMap<>();

    /** An empty icon of the page's own, so that the browser asks for no {@code /favicon.ico}. */
    static final String NO_ICON = "<link rel=\"icon\" href=\"data:,\">\n";

    private HtmlPage() {
    }

    private static Map<String, String> assets() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("uPlot.min.css", "uplot/uPlot.min.css");
        m.put("leakhound.css", "leakhound.css");
        m.put("uPlot.iife.min.js", "uplot/uPlot.iife.min.js");
        m.put("leakhound.js", "leakhound.js");
        return java.util.Collections.unmodifiableMap(m);
    }

    /** An asset's bytes by its served name ({@link #ASSETS}); read once from the class path. */
    public static byte[] asset(String name) {
        String path = ASSETS.get(name);
        if (path == null) {
            throw new IllegalArgumentException("no such asset: " + name);
        }
        return CACHE.computeIfAbsent(name, n -> {
            try (InputStream in = HtmlPage.class.getResourceAsStream(RESOURCES + path)) {
                if (in == null) {
                    throw new IllegalStateException("asset missing from the class path: " + RESOURCES + path);
                }
                return in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).clone();
    }

    /** The {@code Content-Type} of an asset. */
    public static String contentType(String name) {
        return name.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8";
    }

    /**
     * A page that needs nothing else: the assets inlined, {@code json} (one JSON document: the command's
     * {@code --json}) embedded, and a Content-Security-Policy meta tag that allows exactly these inline scripts and
     * styles and no request.
     */
    public static String selfContained(View view, String title, String json) {
        if (view == View.LIVE) {
            throw new IllegalArgumentException("the live page loads its data: use live()");
        }
        List<String> styles = List.of(text("uPlot.min.css"), text("leakhound.css"));
        List<String> scripts = List.of(text("uPlot.iife.min.js"), text("leakhound.js"));
        StringBuilder csp = new StringBuilder("default-src 'none'; script-src");
        for (String s : scripts) {
            csp.append(" 'sha256-").append(sha256(s)).append('\'');
        }
        csp.append("; style-src");
        for (String s : styles) {
            csp.append(" 'sha256-").append(sha256(s)).append('\'');
        }
        csp.append("; img-src data:; base-uri 'none'; form-action 'none'");
        StringBuilder h = new StringBuilder(json.length() + 64 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
         .append("<meta http-equiv=\"Content-Security-Policy\" content=\"").append(csp).append("\">\n")
         .append("<meta name=\"referrer\" content=\"no-referrer\">\n")
         .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
         .append(NO_ICON)
         .append("<title>").append(escape(title)).append("</title>\n");
        for (String s : styles) {
            h.append("<style>").append(inline(s, "style")).append("</style>\n");
        }
        h.append("</head>\n");
        body(h, view, title, "a file written by the leakhound CLI: it makes no request", false, Map.of());
        h.append("<script type=\"application/json\" id=\"leakhound-data\">").append(embedJson(json)).append("</script>\n");
        for (String s : scripts) {
            h.append("<script>").append(inline(s, "script")).append("</script>\n");
        }
        h.append("</body>\n</html>\n");
        return h.toString();
    }

    /**
     * The live page: no data of its own (it fetches the JSON endpoints with the token the user gives, sent as a
     * header), the assets loaded from {@code assetsPath} ({@code /debug/assets/}); the links (path to description)
     * listed at the end, so that the endpoints stay one click away.
     */
    public static String live(String title, String assetsPath, Map<String, String> links) {
        return live(title, assetsPath, links, false);
    }

    /**
     * As above; {@code tokenRequired}: the server wants a token (said in {@code <body data-token="required">}), so that
     * the page asks for it before its first request instead of after a 401. Whether a token is set is no secret: every
     * data endpoint says so with its 401.
     */
    public static String live(String title, String assetsPath, Map<String, String> links, boolean tokenRequired) {
        StringBuilder h = new StringBuilder(4096);
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
         .append("<meta name=\"referrer\" content=\"no-referrer\">\n")
         .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
         .append(NO_ICON)
         .append("<title>").append(escape(title)).append("</title>\n");
        for (String name : ASSETS.keySet()) {
            if (name.endsWith(".css")) {
                h.append("<link rel=\"stylesheet\" href=\"").append(escape(assetsPath + name)).append("\">\n");
            }
        }
        h.append("</head>\n");
        body(h, View.LIVE, title, "live from this JVM's agent; refreshed every 5 s", tokenRequired, links);
        for (String name : ASSETS.keySet()) {
            if (name.endsWith(".js")) {
                h.append("<script src=\"").append(escape(assetsPath + name)).append("\"></script>\n");
            }
        }
        h.append("</body>\n</html>\n");
        return h.toString();
    }

    private static void body(StringBuilder h, View view, String title, String subtitle, boolean tokenRequired,
                             Map<String, String> links) {
        h.append("<body data-view=\"").append(view.id()).append('"').append(tokenRequired ? " data-token=\"required\"" : "")
         .append(">\n<header><h1>").append(escape(title))
         .append("</h1><p>").append(escape(subtitle)).append("</p><p id=\"status\"></p></header>\n")
         .append("<div id=\"error\" role=\"alert\" hidden></div>\n");
        if (view == View.LIVE) {
            h.append("<form id=\"token-form\" hidden autocomplete=\"off\"><label for=\"token\">This server wants a token"
                    + " (kept in this tab's session storage, sent as a header, never in a URL):</label>"
                    + "<input id=\"token\" type=\"password\" autocomplete=\"off\"><button type=\"submit\">Use it</button>"
                    + "</form>\n");
        }
        h.append("<main id=\"main\"></main>\n");
        if (!links.isEmpty()) {
            h.append("<section id=\"endpoints\"><h2>Endpoints</h2><dl>\n");
            for (Map.Entry<String, String> e : links.entrySet()) {
                h.append("<dt><a href=\"").append(escape(e.getKey())).append("\">").append(escape(e.getKey()))
                 .append("</a></dt><dd>").append(escape(e.getValue())).append("</dd>\n");
            }
            h.append("</dl></section>\n");
        }
    }

    /**
     * JSON made safe inside {@code <script type="application/json">}: {@code <}, {@code >} and {@code &} (which can
     * only occur inside JSON strings) and U+2028/U+2029 become {@code \}{@code uXXXX} escapes; {@code JSON.parse}
     * gives back the same values.
     */
    public static String embedJson(String json) {
        StringBuilder sb = new StringBuilder(json.length() + 64);
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            switch (c) {
                case '<' -> sb.append("\\u003c");
                case '>' -> sb.append("\\u003e");
                case '&' -> sb.append("\\u0026");
                case '\u2028' -> sb.append("\\u2028");
                case '\u2029' -> sb.append("\\u2029");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    /** Text for HTML content and attribute values. */
    public static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    /** The base64 SHA-256 of a text's UTF-8 bytes, as a CSP hash source wants it. */
    public static String sha256(String text) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String text(String asset) {
        return new String(asset(asset), StandardCharsets.UTF_8);
    }

    /** An asset as the content of an inline element: refused if it could end the element early. */
    private static String inline(String content, String element) {
        String lower = content.toLowerCase(java.util.Locale.ROOT);
        if (lower.contains("</" + element) || lower.contains("<!--")) {
            throw new IllegalStateException("an asset cannot be inlined: it holds </" + element + " or <!--");
        }
        return content;
    }
}
