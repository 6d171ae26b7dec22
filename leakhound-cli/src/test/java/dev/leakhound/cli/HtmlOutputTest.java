package dev.leakhound.cli;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.leakhound.report.HtmlPage;
import dev.leakhound.testing.Json;
import dev.leakhound.testing.ThreadsAt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code threads|heap|gc FILE --html OUT}: one self-contained page each, whose embedded data is the document of
 * {@code --json}, with a hostile thread name kept as data; an OUT that cannot be written is exit 2 and one line.
 * (What the pages show in a browser is the browser tests'.)
 */
@Timeout(300)
class HtmlOutputTest {
    /** A thread name that would run a script if a page put it into its HTML as markup. */
    static final String HOSTILE = "</script><script>alert(1)</script><!-- html-output-test";
    private static final Pattern DATA = Pattern.compile(
            "<script type=\"application/json\" id=\"leakhound-data\">(.*?)</script>", Pattern.DOTALL);
    private static final Pattern INLINE = Pattern.compile("<(script|style)([^>]*)>(.*?)</\\1>", Pattern.DOTALL);

    /** A G1 log of JDK 21's unified logging, four young collections. */
    static final String GC_LOG = """
            [0.614s][info][gc,start    ] GC(0) Pause Young (Normal) (G1 Evacuation Pause)
            [0.725s][info][gc          ] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 7M->3M(64M) 110.839ms
            [0.815s][info][gc,start    ] GC(1) Pause Young (Normal) (G1 Evacuation Pause)
            [0.846s][info][gc          ] GC(1) Pause Young (Normal) (G1 Evacuation Pause) 6M->3M(64M) 31.000ms
            [1.054s][info][gc,start    ] GC(2) Pause Young (Normal) (G1 Evacuation Pause)
            [1.062s][info][gc          ] GC(2) Pause Young (Normal) (G1 Evacuation Pause) 14M->5M(64M) 8.066ms
            [1.253s][info][gc,start    ] GC(3) Pause Young (Normal) (G1 Evacuation Pause)
            [1.263s][info][gc          ] GC(3) Pause Young (Normal) (G1 Evacuation Pause) 39M->13M(64M) 10.060ms
            """;

    @TempDir
    static Path dir;

    private static final CountDownLatch END = new CountDownLatch(1);
    private static Thread hostile;
    private static Path threads;
    private static Path heap;

    @BeforeAll
    static void dumps() throws Exception {
        hostile = Thread.ofPlatform().name(HOSTILE).daemon(true).start(() -> {
            try {
                END.await();
            } catch (InterruptedException ignored) {
                // ends
            }
        });
        ThreadsAt.await(hostile, Thread.State.WAITING, "java.util.concurrent.CountDownLatch.await");
        threads = Jcmd.dumpToFile(dir.resolve("threads.json"), true);
        heap = dir.resolve("heap.hprof");
        ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).dumpHeap(heap.toString(), true);
    }

    @AfterAll
    static void end() throws InterruptedException {
        END.countDown();
        if (hostile != null) {
            hostile.join(10_000);
        }
    }

    /** The page's embedded document, parsed; and checks that the page needs nothing else. */
    private static Object selfContained(Path page) throws Exception {
        String html = Files.readString(page);
        assertThat(html).startsWith("<!DOCTYPE html>")
                .contains("<link rel=\"icon\" href=\"data:,\">");   // an empty icon: no /favicon.ico asked for
        assertThat(html.replace("<link rel=\"icon\" href=\"data:,\">", ""))
                .doesNotContainPattern("(src|href|action)\\s*=")
                .doesNotContain("unsafe-inline");
        Matcher csp = Pattern.compile("<meta http-equiv=\"Content-Security-Policy\" content=\"([^\"]*)\">").matcher(html);
        assertThat(csp.find()).isTrue();
        List<String> hashes = new ArrayList<>();
        Matcher in = INLINE.matcher(html);
        while (in.find()) {
            if (!in.group(2).contains("application/json")) {
                hashes.add("'sha256-" + HtmlPage.sha256(in.group(3)) + "'");
            }
        }
        assertThat(hashes).hasSize(4);
        for (String h : hashes) {
            assertThat(csp.group(1)).contains(h);
        }
        assertThat(csp.group(1)).startsWith("default-src 'none';").doesNotContain("connect-src", "http");
        Matcher data = DATA.matcher(html);
        assertThat(data.find()).isTrue();
        assertThat(data.group(1)).doesNotContain("<", ">");
        return Json.parse(data.group(1));
    }

    @Test
    void threadsWritesTheGroupsWithTheHostileNameAsData() throws Exception {
        Path out = dir.resolve("threads.html");
        Cli.Result r = Cli.run("threads", threads.toString(), "--html", out.toString());
        assertThat(r.status()).as(r.err()).isIn(0, 1);
        assertThat(r.out()).startsWith("thread dump ");                // the text report, as without --html
        Object embedded = selfContained(out);
        Object json = Json.parse(Cli.run("threads", "--json", threads.toString()).out());
        assertThat(embedded).isEqualTo(json);
        String html = Files.readString(out);
        assertThat(html).doesNotContain(HOSTILE).doesNotContain("<script>alert")
                .contains("\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e");
        assertThat(html).contains("<body data-view=\"threads\">");
        assertThat(Json.objects(Json.object(embedded).get("groups")))
                .anySatisfy(g -> assertThat(Json.objects(g.get("threads"))).anySatisfy(t ->
                        assertThat(t.get("name")).isEqualTo(HOSTILE)));
    }

    @Test
    void gcWritesInteractiveChartsOfTheJsonAndKeepsTheSvg() throws Exception {
        Path log = Files.writeString(dir.resolve("gc.log"), GC_LOG);
        Path out = dir.resolve("gc.html");
        Path svg = dir.resolve("gc.svg");
        Cli.Result r = Cli.run("gc", log.toString(), "--html", out.toString(), "--plot", svg.toString());
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(Files.readString(svg)).contains("<svg");
        Object embedded = selfContained(out);
        assertThat(embedded).isEqualTo(Json.parse(Cli.run("gc", "--json", log.toString()).out()));
        assertThat(Json.objects(Json.object(embedded).get("cycles"))).hasSize(4);
        assertThat(Files.readString(out)).contains("<body data-view=\"gc\">");
    }

    @Test
    void heapWritesTheProofOfTheJson() throws Exception {
        Path out = dir.resolve("heap.html");
        Cli.Result r = Cli.run("heap", heap.toString(), "--top", "3", "--html", out.toString());
        assertThat(r.status()).as(r.err()).isIn(0, 1);
        Object embedded = selfContained(out);
        Map<String, Object> json = Json.object(Json.parse(Cli.run("heap", "--json", "--top", "3", heap.toString()).out()));
        assertThat(embedded).isEqualTo(json);
        assertThat(json).containsKeys("dump", "proof", "top");
        assertThat(Files.readString(out)).contains("<body data-view=\"heap\">").doesNotContain(HOSTILE);
    }

    @Test
    void anOutThatCannotBeWrittenIsExitTwoAndOneLine() throws Exception {
        Path log = Files.writeString(dir.resolve("gc-for-bad-out.log"), GC_LOG);
        Path missing = dir.resolve("no-such-dir").resolve("out.html");
        Cli.Result r = Cli.run("gc", log.toString(), "--html", missing.toString());
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("leakhound: --html " + missing + ": cannot write: no such directory\n");
        assertThat(r.out()).isEmpty();
        Path aDirectory = Files.createDirectories(dir.resolve("a-directory.html"));
        Cli.Result d = Cli.run("threads", threads.toString(), "--html", aDirectory.toString());
        assertThat(d.status()).isEqualTo(2);
        assertThat(d.err()).startsWith("leakhound: --html " + aDirectory + ": cannot write: ").hasLineCount(1);
    }
}
