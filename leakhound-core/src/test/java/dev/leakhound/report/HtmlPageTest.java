package dev.leakhound.report;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The pages' HTML: self-contained, hashed CSP, hostile data kept as data. */
class HtmlPageTest {
    private static final Pattern INLINE = Pattern.compile("<(script|style)([^>]*)>(.*?)</\\1>", Pattern.DOTALL);
    private static final Pattern CSP = Pattern.compile(
            "<meta http-equiv=\"Content-Security-Policy\" content=\"([^\"]*)\">");

    @Test
    void aFileIsSelfContainedAndItsCspAllowsExactlyItsInlineScriptsAndStyles() {
        String page = HtmlPage.selfContained(HtmlPage.View.GC, "gc <log>", "{\"cycles\":[]}");
        assertThat(page).startsWith("<!DOCTYPE html>").contains("<body data-view=\"gc\">", "<title>gc &lt;log&gt;</title>")
                .contains("<link rel=\"icon\" href=\"data:,\">");   // an empty icon: no /favicon.ico asked for
        assertThat(page.replace("<link rel=\"icon\" href=\"data:,\">", ""))
                .doesNotContainPattern("(src|href|action)\\s*=") // nothing loaded, no link, no form target
                .doesNotContainPattern("url\\(\\s*['\"]?(https?:)?//")       // nor by a style
                .doesNotContain("@import", "unsafe-inline", "unsafe-eval");
        Matcher m = CSP.matcher(page);
        assertThat(m.find()).isTrue();
        String csp = m.group(1);
        assertThat(csp).startsWith("default-src 'none'; script-src 'sha256-").contains("; img-src data:; base-uri 'none';"
                + " form-action 'none'");
        List<String> scripts = new ArrayList<>();
        List<String> styles = new ArrayList<>();
        Matcher in = INLINE.matcher(page);
        while (in.find()) {
            if (in.group(1).equals("style")) {
                styles.add("'sha256-" + HtmlPage.sha256(in.group(3)) + "'");
            } else if (!in.group(2).contains("application/json")) {
                scripts.add("'sha256-" + HtmlPage.sha256(in.group(3)) + "'");
            }
        }
        assertThat(scripts).hasSize(2);
        assertThat(styles).hasSize(2);
        assertThat(csp).contains("script-src " + String.join(" ", scripts) + ";")
                .contains("style-src " + String.join(" ", styles) + ";");
        // the scripts are the assets, unchanged
        assertThat(page).contains(new String(HtmlPage.asset("leakhound.js"), java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void hostileTextInTheDataCannotEndTheDataElement() {
        String name = "</script><script>alert(1)</script><!-- & \u2028";
        String json = "{\"groups\":[{\"threads\":[{\"name\":\"" + name.replace("\u2028", "\\u2028") + "\"}]}]}";
        String page = HtmlPage.selfContained(HtmlPage.View.THREADS, "t", json);
        int start = page.indexOf("<script type=\"application/json\" id=\"leakhound-data\">");
        int end = page.indexOf("</script>", start);
        String data = page.substring(start, end);
        assertThat(data).doesNotContain("</script", "<script>", "<!--", "&", "\u2028")
                .contains("\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e\\u003c!-- \\u0026");
        // no script beyond the two assets and the data
        assertThat(Pattern.compile("<script").matcher(page).results().count()).isEqualTo(3);
        assertThat(HtmlPage.embedJson("\"a<b>&\u2029\"")).isEqualTo("\"a\\u003cb\\u003e\\u0026\\u2029\"");
    }

    @Test
    void theLivePageLoadsItsAssetsFromItsServerAndHasNoInlineCode() {
        String page = HtmlPage.live("leakhound", "/debug/assets/", Map.of("/debug/<x>", "a \"list\" & more"));
        assertThat(page).contains("<body data-view=\"live\">", "<form id=\"token-form\" hidden",
                "<input id=\"token\" type=\"password\"", "<link rel=\"stylesheet\" href=\"/debug/assets/leakhound.css\">",
                "<script src=\"/debug/assets/uPlot.iife.min.js\"></script>",
                "<script src=\"/debug/assets/leakhound.js\"></script>",
                "<a href=\"/debug/&lt;x&gt;\">/debug/&lt;x&gt;</a>", "a &quot;list&quot; &amp; more")
                .doesNotContain("<script>", "<style", "leakhound-data", "http://", "https://");
        assertThat(page.indexOf("uPlot.iife.min.js")).isLessThan(page.indexOf("leakhound.js"));
        // an icon of its own (none), so that the browser asks the server for no /favicon.ico
        assertThat(page).contains("<link rel=\"icon\" href=\"data:,\">").doesNotContain("data-token");
        assertThat(HtmlPage.live("leakhound", "/debug/assets/", Map.of(), true))
                .contains("<body data-view=\"live\" data-token=\"required\">");
    }

    @Test
    void unknownAssetsAndLiveFilesAreRefused() {
        assertThatThrownBy(() -> HtmlPage.asset("../x.js")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HtmlPage.selfContained(HtmlPage.View.LIVE, "t", "{}"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
