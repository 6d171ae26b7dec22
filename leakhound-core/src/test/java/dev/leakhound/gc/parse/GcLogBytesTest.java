package dev.leakhound.gc.parse;

import dev.leakhound.gc.GcLog;
import dev.leakhound.testing.gc.GcLogRuns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * The byte reader ({@link GcLogBytes}, {@link Decorations}, {@link GcEvent#parseQuickly}, the lines skipped by their
 * tags) gives exactly what the reader of strings and regular expressions gave ({@link GcLogParser#parseByStrings}):
 * on every GC log under {@code src/test/resources/gc}, on each of them altered (CRLF, a byte order mark, non-ASCII
 * and tabs in some lines, cut at odd places), on real JVMs' {@code -Xlog:gc*} with several collectors and
 * decorations, and on lines made to sit at the edges of each hand-written check.
 */
class GcLogBytesTest {

    @TempDir
    Path tmp;

    /** The same log or the same error, both ways. */
    private static void same(byte[] log, String what) throws IOException {
        Object fast = read(log, true);
        Object slow = read(log, false);
        assertThat(fast).as(what).isEqualTo(slow);
    }

    private static Object read(byte[] log, boolean bytes) throws IOException {
        try (InputStream in = new ByteArrayInputStream(log)) {
            return bytes ? GcLogParser.parse(in, "log") : GcLogParser.parseByStrings(in, "log");
        } catch (GcLogParseException e) {
            return "error: " + e.getMessage();
        }
    }

    private static List<Path> resourceLogs() throws IOException, URISyntaxException {
        URL url = Objects.requireNonNull(GcLogBytesTest.class.getResource("/gc"));
        try (Stream<Path> files = Files.walk(Path.of(url.toURI()))) {
            return files.filter(Files::isRegularFile).sorted().toList();
        }
    }

    private static byte[] text(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] raw = in.readAllBytes();
            return file.toString().endsWith(".gz") ? new GZIPInputStream(new ByteArrayInputStream(raw)).readAllBytes()
                    : raw;
        }
    }

    @Test
    void everyTestLogReadsTheSameBothWays() throws Exception {
        List<Path> logs = resourceLogs();
        assertThat(logs).hasSizeGreaterThanOrEqualTo(20);
        for (Path p : logs) {
            byte[] raw = Files.readAllBytes(p);
            Object fast = read(raw, true);
            assertThat(fast).as(p.toString()).isInstanceOf(GcLog.class);          // the fixtures are good logs
            assertThat(fast).as(p.toString()).isEqualTo(read(raw, false));
        }
    }

    @Test
    void alteredTestLogsReadTheSameBothWays() throws Exception {
        for (Path p : resourceLogs()) {
            String text = new String(text(p), StandardCharsets.UTF_8);
            String name = p.getFileName().toString();
            same(text.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8), name + " CRLF");
            same(("\uFEFF" + text).getBytes(StandardCharsets.UTF_8), name + " BOM");
            same(everyNth(text, 5, l -> l + " \u00e9t\u00e9").getBytes(StandardCharsets.UTF_8), name + " non-ASCII");
            same(everyNth(text, 3, l -> l.replace("] ", "]\t")).getBytes(StandardCharsets.UTF_8), name + " tabs");
            same(everyNth(text, 4, l -> l.replace("]", "]\u00a0")).getBytes(StandardCharsets.UTF_8), name + " nbsp");
            same(everyNth(text, 2, l -> l.replace(".", ",")).getBytes(StandardCharsets.UTF_8), name + " commas");
            same(everyNth(text, 6, l -> l.replace("[", "[ ")).getBytes(StandardCharsets.UTF_8), name + " padded");
            // CRLF beside another special byte on the same line: the \r alone does not make a line special
            same(everyNth(text, 3, l -> l.replace("] ", "]\t")).replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8),
                    name + " tabs and CRLF");
            same(everyNth(text, 5, l -> l + " \u00e9").replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8),
                    name + " non-ASCII and CRLF");
            byte[] b = text.getBytes(StandardCharsets.UTF_8);
            for (int cut : new int[] {b.length / 3, b.length / 2 + 7, b.length - 5}) {
                same(java.util.Arrays.copyOf(b, cut), name + " cut at " + cut);
            }
            byte[] latin1 = everyNth(text, 9, l -> l + " \u00e9").getBytes(StandardCharsets.ISO_8859_1);
            same(latin1, name + " malformed UTF-8");
        }
    }

    private static String everyNth(String text, int n, java.util.function.UnaryOperator<String> change) {
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i += n) {
            lines[i] = change.apply(lines[i]);
        }
        return String.join("\n", lines);
    }

    @Test
    void realJvmsWithEveryDecorationReadTheSameBothWays() throws Exception {
        String[] decorations = {"time,uptime,level,tags", "utctime,uptimemillis,pid,tid,level,tags",
                "timemillis,uptimenanos,hostname,level,tags", "uptime", "timenanos,tags", "none"};
        int i = 0;
        int runs = 0;
        for (GcLogRuns.Collector c : GcLogRuns.collectors()) {
            if (!GcLogRuns.available(c)) {
                continue;
            }
            for (int k = 0; k < 2; k++) {
                String deco = decorations[i++ % decorations.length];
                Path dir = Files.createDirectories(tmp.resolve(c.name() + k));
                Path file = dir.resolve("gc.log");
                GcLogRuns.run(dir, c, k == 0, List.of("-Xlog:gc*:file=" + file + ":" + deco));
                byte[] log = Files.readAllBytes(file);
                Object fast = read(log, true);
                assertThat(fast).as(c.name() + " " + deco).isInstanceOf(GcLog.class);
                assertThat(fast).as(c.name() + " " + deco).isEqualTo(read(log, false));
                runs++;
            }
        }
        assertThat(runs).isGreaterThanOrEqualTo(8);
    }

    @Test
    void decorationsAreReadAsLogLineReadsThem() throws Exception {
        List<String> lines = new ArrayList<>();
        for (Path p : resourceLogs()) {
            lines.addAll(new String(text(p), StandardCharsets.UTF_8).lines().toList());
        }
        String msg = "][gc] GC(1) Pause Young (Normal) (G1 Evacuation Pause) 24M->4M(256M) 3.456ms";
        for (String d : new String[] {"2024-02-29T23:59:59.999+0000", "2023-02-29T12:00:00.000+0000",
                "2026-04-31T00:00:00.000+0000", "2026-12-07T24:00:00.000+0000", "2026-12-07T18:36:49.123-0530",
                "2026-12-07T18:36:49.123+1800", "2026-12-07T18:36:49.123+1759", "2026-12-07T18:36:49.123Z",
                "2026-12-07T18:36:49+0000", "2026-12-07T18:36:49.1234567891+0000", "1969-12-31T23:59:59.000+0000",
                "0000-01-01T00:00:00.000+0000", "9999-12-31T23:59:59.999-1700", "2026-13-01T00:00:00.000+0000",
                "2026-12-07T18:60:00.000+0000", "2026-12-07T18:36:49.123+00:00", "1.5s", "12,345s", "123456789012.1s",
                "1234567890123.1s", "1.1234567891s", "99999999999ms", "100000000000ms", "1234567890123456789ms",
                "999999999999999999ns", "1234567890123456789", "12345678901234567890", "12s", "1.5ms", "7",
                "info", "info ", "warning", "gc,heap  ", "gc", "jit", "myhost", "gc,", "Gc,heap", "a b", ""}) {
            lines.add("[" + d + msg);
            lines.add("[0.1s][" + d + "][info" + msg);
        }
        // lines alike but for a byte, one after another: the caches of the last decorations must not carry over
        for (String l : new String[] {"[0.100s][info][gc] GC(0) x", "[0.100s][info][gc]GC(0) x", "[0.100s][info][gc]",
                "[0.100s][info][gc] ", "[0.100s][info][gc,heap] GC(0) x", "[0.101s][info][gc,heap] GC(0) x",
                "[0.101s][info][gc,heap][7] GC(0) x", "[0.101s][info][gc,heap][0.2s] GC(0) x",
                "[0.101s][info][gc,heap][0.3s] GC(0) x", "[0.102s][info][gc,heap][0.3s] GC(0) x",
                "[0.102s][info][gc,heap] [x] GC(0) x", "[0.102s][info][gc,heap] [x]GC(0) x",
                "[0.102s][info][safepoint] GC(0) x", "[0.102s][5][info][gc] GC(0) x", "[0.102s][6][info][gc] GC(0) x",
                "[0.102s][info][gc][myhost] GC(0) x", "[0.102s][info][gc] [myhost] GC(0) x", "[info][gc] GC(0) x",
                "[info][gc] GC(0) x", "[gc] GC(0) x", "[2026-12-07T18:36:49.123+0000][info][gc] GC(0) x",
                "[2026-12-07T18:36:49.124+0000][info][gc] GC(0) x", "[2026-12-07T18:36:49.124+0000][info][gc] GC(0) x",
                "[2026-12-07T18:36:49.124+0100][info][gc] GC(0) x", "[0.102s][debug][gc] x", "[0.102s][debug][gc] x"}) {
            lines.add(l);
        }
        Decorations deco = new Decorations();
        int read = 0;
        for (String line : lines) {
            byte[] b = line.getBytes(StandardCharsets.UTF_8);
            if (!GcEvent.plain(line) || !deco.parse(b, 0, b.length)) {
                continue;                                               // the slow way reads it
            }
            LogLine l = LogLine.parse(line);
            String tags = deco.tagsFrom < 0 ? null : line.substring(deco.tagsFrom, deco.tagsTo);
            if (deco.knownTags != null) {
                assertThat(deco.knownTags).as(line).isEqualTo(tags);   // what the caller read of the same bytes
            }
            deco.tagsRead(tags);
            assertThat(new LogLine(deco.uptimeNanos, deco.epochNanos, tags, line.substring(deco.message)))
                    .as(line).isEqualTo(l);
            read++;
        }
        assertThat(read).isGreaterThan(lines.size() / 2);
    }

    @Test
    void eventsAreReadAsTheRegularExpressionsReadThem() throws Exception {
        List<String> texts = new ArrayList<>();
        for (Path p : resourceLogs()) {
            for (String line : new String(text(p), StandardCharsets.UTF_8).lines().toList()) {
                int at = line.indexOf("GC(");
                int text = at < 0 ? -1 : GcLogParser.gcIdText(line.substring(at));
                if (text > 0) {
                    texts.add(line.substring(at + text));
                }
            }
        }
        for (String end : new String[] {"3.456ms", "3,456ms", "3ms", "3.ms", "3.4567890123ms", "3.456789012ms",
                "1234567890123456ms", "123456789012345ms", "1.5s", "2us", "17ns", "3.456 ms", "3.456xs", "3.456m",
                "0.0000001ms", "999999999999999.999999999s", "24M->4M(256M)", "24M->4M(256M) 1ms", "24,5M->4.25M(256M)",
                "24K->4B(1T) 2s", "24M->4M(256M", "24M->4M256M)", "24X->4M(256M)", "1234567890123456M->1M(1M)",
                "1.1234567M->1M(1M)", "120M(12%)->40M(4%)", "120M(12%)->40M(4%) 2ms", "120M(1234%)->40M(4%)",
                "120M(12%)->40M", "(0.246s, 1.169s) 922.681ms", "24M->4M(256M) (0.246s, 1.169s) 922.681ms",
                "(0.246s)", "(0.246s, 1.169)", "(0,246s, 1,169s)", "(1234567890123.1s)", " 24M->4M(256M)  "}) {
            texts.add("Pause Young (Normal) (G1 Evacuation Pause) " + end);
            texts.add("Pause Full " + end);
            texts.add("y: Pause Mark Start " + end);
        }
        assertThat(texts).hasSizeGreaterThan(1000);
        java.util.Map<String, GcEvent> shapes = new java.util.HashMap<>();
        for (int pass = 0; pass < 2; pass++) {                   // the second pass takes every shape from the map
            for (String t : texts) {
                assertThat(GcEvent.plain(t)).as(t).isTrue();
                GcEvent expected = GcEvent.parseByRegex(t);
                assertThat(GcEvent.parseQuickly(t)).as(t).isEqualTo(expected);
                assertThat(GcEvent.parseQuickly(t, shapes)).as(t).isEqualTo(expected);
            }
        }
        assertThat(shapes).isNotEmpty();
        for (String name : new String[] {"Pause Mark Start", "y: Pause Mark End", "O: Pause Relocate Start 1",
                "Y: Pause Mark Startx", "Pause Mark", "X: Pause Mark Start", "Y:Pause Mark Start", "Pause Young",
                "o: Pause Relocate Start", "Y: "}) {
            assertThat(GcLogParser.zgcPause(name)).as(name)
                    .isEqualTo(name.matches("(?:[YyOo]: )?Pause (?:Mark Start|Mark End|Relocate Start)(?: .*)?"));
        }
    }

    @Test
    void badInputFailsTheSameBothWays() throws Exception {
        String good = "[0.010s][info][gc] Using G1\n[0.100s][info][gc] GC(0) Pause Young (Normal) (G1 Evacuation Pause)"
                + " 24M->4M(256M) 3.456ms\n";
        ByteArrayOutputStream binary = new ByteArrayOutputStream();
        binary.writeBytes(good.getBytes(StandardCharsets.US_ASCII));
        binary.writeBytes(new byte[] {'[', '0', 0x01, 0x02, '\n'});
        same(binary.toByteArray(), "binary data");
        same((good + "x".repeat(GcLogParser.MAX_LINE_CHARS + 1) + "\n" + good).getBytes(StandardCharsets.US_ASCII),
                "too long");
        same((good + "x".repeat(GcLogParser.MAX_LINE_CHARS) + "\n" + good).getBytes(StandardCharsets.US_ASCII),
                "just long enough");
        same((good + "x".repeat(GcLogParser.MAX_LINE_CHARS) + "\r\n" + good).getBytes(StandardCharsets.US_ASCII),
                "too long with its CR");
        same((good + "\u00e9".repeat(GcLogParser.MAX_LINE_CHARS / 2 + 1) + "\n").getBytes(StandardCharsets.UTF_8),
                "two-byte characters, short enough in characters");
        same((good + "\u00e9".repeat(GcLogParser.MAX_LINE_CHARS + 1) + "\n").getBytes(StandardCharsets.UTF_8),
                "two-byte characters, too many");
        same(new byte[0], "empty");
        same("\n\n\n".getBytes(StandardCharsets.US_ASCII), "blank lines");
        same("\uFEFF".getBytes(StandardCharsets.UTF_8), "a byte order mark only");
        same(("[0.1s][info][gc] GC(0) Pause Young 1M->0M(2M) 1ms\r").getBytes(StandardCharsets.US_ASCII), "final CR");
    }

    @Test
    void aBigRealLogRepeatedReadsTheSameBothWays() throws Exception {
        // many cycles: the bound on cycles kept, the shared texts and the clock are exercised as in a long log
        Path g1 = resourceLogs().stream().filter(p -> p.toString().endsWith("jdk21/G1-leak.log.gz")).findFirst()
                .orElseThrow();
        String text = new String(text(g1), StandardCharsets.UTF_8);
        assumeThat(text).contains("GC(");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            sb.append(text);                  // uptime goes back: each repetition is a new run, the last one kept
        }
        same(sb.toString().getBytes(StandardCharsets.UTF_8), "G1 twenty times");
    }
}
