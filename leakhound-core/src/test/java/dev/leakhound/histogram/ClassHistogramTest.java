package dev.leakhound.histogram;

import org.junit.jupiter.api.Test;

import javax.management.ObjectName;
import java.io.IOException;
import java.io.StringReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClassHistogramTest {

    /** Instances the test keeps alive between two histograms. */
    record Retained(long a, long b) {
    }

    private static final String SMALL = """
            4242:
             num     #instances         #bytes  class name (module)
            -------------------------------------------------------
               1:           100           4000  [B (java.base@25.0.3)
               2:            50           1200  java.lang.String (java.base@25.0.3)
               3:             2           1600  com.example.Big
               4:             3             72  com.example.Foo$$Lambda/0x000000002e0a1b48
            Total           155           6872
            """;

    /**
     * {@code jcmd <own pid> GC.class_histogram}, with the jcmd of the JDK running the test. Its output goes to a
     * file, never to a pipe read by this JVM: since JDK 24 jcmd streams the histogram while the JVM is at a
     * safepoint, where a thread of this JVM reading a pipe would stop, and both would wait for ever.
     */
    static String jcmdHistogram() throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        assertThat(Files.isExecutable(jcmd)).as("jcmd in " + jcmd).isTrue();
        Path output = Files.createTempFile("leakhound-histogram-", ".txt");
        try {
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(ProcessHandle.current().pid()),
                    "GC.class_histogram").redirectErrorStream(true).redirectOutput(output.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("jcmd did not finish in 120 s");
            }
            String text = Files.readString(output, StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as(text).isZero();
            return text;
        } finally {
            Files.deleteIfExists(output);
        }
    }

    @Test
    void parsesSmallHistogram() throws Exception {
        ClassHistogram h = ClassHistogram.parse(SMALL);
        assertThat(h.size()).isEqualTo(4);
        assertThat(h.totalInstances()).isEqualTo(155);
        assertThat(h.totalBytes()).isEqualTo(6872);
        assertThat(h.rows().get(0)).isEqualTo(new ClassHistogram.Row(1, 100, 4000, "[B", "java.base@25.0.3"));
        assertThat(h.rows().get(2)).isEqualTo(new ClassHistogram.Row(3, 2, 1600, "com.example.Big", null));
        assertThat(h.rows().get(3).className()).isEqualTo("com.example.Foo$$Lambda/0x000000002e0a1b48");
        assertThat(h.top(2)).extracting(ClassHistogram.Row::className).containsExactly("[B", "com.example.Big");
        assertThat(h.top(10)).hasSize(4);
        assertThat(h.top(0)).isEmpty();
        assertThatThrownBy(() -> h.top(-1)).isInstanceOf(IllegalArgumentException.class);
        // CRLF, no pid line, no dashes
        String crlf = SMALL.lines().filter(l -> !l.equals("4242:") && !l.startsWith("---"))
                .reduce("", (a, b) -> a + b + "\r\n");
        assertThat(ClassHistogram.parse(crlf)).isEqualTo(h);
        assertThat(ClassHistogram.parse(new StringReader(SMALL.replace("\n", "\r")), "cr")).isEqualTo(h);
    }

    @Test
    void parsesRealJcmdOutput() throws Exception {
        String text = jcmdHistogram();
        assertThat(text).startsWith(ProcessHandle.current().pid() + ":");
        ClassHistogram h = ClassHistogram.parse(text, "jcmd");
        assertThat(h.size()).isGreaterThan(100);
        for (int i = 0; i < h.size(); i++) {
            assertThat(h.rows().get(i).rank()).isEqualTo(i + 1);
        }
        assertThat(h.rows()).anySatisfy(r -> {
            assertThat(r.className()).isEqualTo("java.lang.String");
            assertThat(r.module()).startsWith("java.base@");
            assertThat(r.instances()).isPositive();
        });
        // test classes are in the unnamed module
        assertThat(h.rows()).anySatisfy(r -> {
            assertThat(r.className()).isEqualTo(ClassHistogramTest.class.getName());
            assertThat(r.module()).isNull();
        });
        assertThat(h.totalBytes()).isEqualTo(h.rows().stream().mapToLong(ClassHistogram.Row::bytes).sum());
        List<ClassHistogram.Row> top = h.top(5);
        assertThat(top).hasSize(5);
        assertThat(top).isSortedAccordingTo((a, b) -> Long.compare(b.bytes(), a.bytes()));
        assertThat(top.get(0).bytes()).isEqualTo(h.rows().stream().mapToLong(ClassHistogram.Row::bytes).max().orElseThrow());
    }

    @Test
    void parsesTheDiagnosticCommandMBeanOutput() throws Exception {
        String text = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[]{new String[0]}, new String[]{String[].class.getName()});
        ClassHistogram h = ClassHistogram.parse(text, "gcClassHistogram");
        assertThat(h.size()).isGreaterThan(100);
        assertThat(h.totalInstances()).isPositive();
    }

    @Test
    void diffOfRealHistogramsShowsTheRetainedInstances() throws Exception {
        int n = 40_000;
        ClassHistogram before = ClassHistogram.parse(jcmdHistogram());
        List<Retained> keep = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            keep.add(new Retained(i, -i));
        }
        ClassHistogram after = ClassHistogram.parse(jcmdHistogram());
        assertThat(keep).hasSize(n);

        List<ClassGrowth> grown = after.diff(before);
        ClassGrowth retained = grown.stream().filter(g -> g.className().equals(Retained.class.getName()))
                .findFirst().orElseThrow();
        assertThat(retained.instancesDelta()).isEqualTo(n);
        assertThat(retained.instances()).isEqualTo(n);
        assertThat(retained.bytesDelta()).isEqualTo(retained.bytes()).isGreaterThanOrEqualTo(16L * n);
        assertThat(retained.isNew()).isTrue();
        assertThat(retained.module()).isNull();
        assertThat(grown).isSortedAccordingTo((a, b) -> Long.compare(b.bytesDelta(), a.bytesDelta()));
        assertThat(grown).allMatch(g -> g.bytesDelta() > 0 || g.instancesDelta() > 0);
    }

    @Test
    void diffAddsUpClassLoadersAndLeavesOutWhatShrank() throws Exception {
        ClassHistogram older = ClassHistogram.parse("""
                 num     #instances         #bytes  class name (module)
                   1:           100           4000  [B (java.base@25.0.3)
                   2:            10            240  com.example.Foo
                   3:             5            120  com.example.Foo
                   4:             9            900  com.example.Gone
                Total           124           5260
                """);
        ClassHistogram newer = ClassHistogram.parse("""
                 num     #instances         #bytes  class name (module)
                   1:           200           9000  [B (java.base@25.0.3)
                   2:            20            480  com.example.Foo
                   3:             5            120  com.example.Foo
                   4:             1             16  com.example.New
                   5:            90           1000  [B
                Total           316          10616
                """);
        List<ClassGrowth> grown = newer.diff(older);
        assertThat(grown).containsExactly(
                new ClassGrowth("[B", "java.base@25.0.3", 200, 9000, 100, 5000),
                new ClassGrowth("[B", null, 90, 1000, 90, 1000),
                new ClassGrowth("com.example.Foo", null, 25, 600, 10, 240),
                new ClassGrowth("com.example.New", null, 1, 16, 1, 16));
        assertThat(grown.get(0).isNew()).isFalse();
        assertThat(grown.get(3).isNew()).isTrue();
        assertThat(older.diff(newer)).containsExactly(new ClassGrowth("com.example.Gone", null, 9, 900, 9, 900));
        assertThat(newer.diff(newer)).isEmpty();
    }

    private static HistogramParseException parseError(String text) {
        try {
            ClassHistogram.parse(text, "h.txt");
        } catch (HistogramParseException e) {
            return e;
        }
        throw new AssertionError("parsed: " + text);
    }

    @Test
    void truncatedRealOutputFailsWithTheLine() throws Exception {
        String text = jcmdHistogram();
        List<String> lines = text.lines().toList();
        // cut at a line boundary: no Total line
        String half = String.join("\n", lines.subList(0, lines.size() / 2)) + "\n";
        HistogramParseException e = parseError(half);
        assertThat(e.reason()).startsWith("truncated: no \"Total\" line after");
        assertThat(e.line()).isEqualTo(lines.size() / 2);
        assertThat(e.getMessage()).startsWith("h.txt:" + (lines.size() / 2) + ": truncated");
        // cut inside a row
        String row = lines.get(5);
        String cut = String.join("\n", lines.subList(0, 5)) + "\n" + row.substring(0, row.indexOf(':') + 8);
        e = parseError(cut);
        assertThat(e.line()).isEqualTo(6);
        assertThat(e.reason()).startsWith("not a histogram row");
        // a row dropped from the middle
        List<String> gap = new ArrayList<>(lines);
        gap.remove(10);
        e = parseError(String.join("\n", gap));
        assertThat(e.line()).isEqualTo(11);                    // row 9, now on line 11, where row 8 was due
        assertThat(e.reason()).contains("out of order");
    }

    @Test
    void garbageFailsWithTheLine() {
        assertThat(parseError("").reason()).isEqualTo("empty: not a class histogram");
        assertThat(parseError("").line()).isZero();
        assertThat(parseError("123:\n\n").reason()).startsWith("no histogram header");
        HistogramParseException e = parseError("123:\nhello world\n");
        assertThat(e.line()).isEqualTo(2);
        assertThat(e.reason()).contains("hello world");
        assertThat(parseError("{\"threadDump\": {}}").line()).isEqualTo(1);
        assertThat(parseError(SMALL.replace("Total           155", "Total           156")).reason())
                .contains("is not the sum of the rows");
        assertThat(parseError(SMALL + "more\n").reason()).startsWith("unexpected text after the Total line");
        assertThat(parseError(SMALL.replace("   2:", "   7:")).reason()).isEqualTo("row 7 out of order: expected row 2");
        assertThat(parseError(SMALL.replace("   1:           100", "   1:  99999999999999999999")).reason())
                .startsWith("number too large");
        assertThat(parseError(SMALL.replace("   3:             2           1600  com.example.Big", "   3: x"))
                .line()).isEqualTo(6);
        String longLine = " num     #instances         #bytes  class name\n   1: 1 1 " + "x".repeat(70_000) + "\nTotal 1 1\n";
        e = parseError(longLine);
        assertThat(e.line()).isEqualTo(2);
        assertThat(e.reason()).startsWith("line longer than");
    }
}
