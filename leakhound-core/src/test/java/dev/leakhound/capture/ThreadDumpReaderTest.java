package dev.leakhound.capture;

import dev.leakhound.model.DumpFormat;
import dev.leakhound.model.ThreadDump;
import dev.leakhound.testing.GeneratedInput;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** Format detection, gzip, and every kind of bad input: a clear error naming file and line, never a hang. */
class ThreadDumpReaderTest {

    /** Only a guard against hangs: each of these takes well under a second. */
    private static final Duration HANG_GUARD = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private Path write(String name, byte[] bytes) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, bytes);
        return file;
    }

    private Path write(String name, String text) throws IOException {
        return write(name, text.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }

    /**
     * The gzip bomb of the text formats: a real dump's head, then newlines (10 GB of them gzip to 10 MB), or lines of
     * spaces. The read stops soon after the limit, saying where the run started, instead of reading it all.
     */
    @ParameterizedTest
    @CsvSource({"jdk25-plain.txt, '\n'", "jdk25-jstack-l-e.txt, '\n'", "jdk25-thread-print.txt, '   \r\n'"})
    void aRunOfBlankLinesStopsTheReadSoonAfterItsLimit(String name, String blank) throws IOException {
        String head = Files.readString(Dumps.path(name));
        String line = blank.replace("\\n", "\n").replace("\\r", "\r");
        long times = 20L * ThreadDumpReader.MAX_BLANK_LINES;
        GeneratedInput in = GeneratedInput.repeated(head, line, times);

        ThreadDumpParseException e = assertThrows(ThreadDumpParseException.class,
                () -> ThreadDumpReader.read(in, name + "+blank"));

        assertThat(e.getMessage()).startsWith(name + "+blank:")
                .contains((ThreadDumpReader.MAX_BLANK_LINES + 1) + " blank lines in a row (from line ");
        // read up to the limit and the reader's buffers, not the 20 times as many lines that follow
        assertThat(in.bytesRead()).isLessThan(head.length() + 2L * ThreadDumpReader.MAX_BLANK_LINES * line.length()
                + (1 << 20));
    }

    @ParameterizedTest
    @CsvSource({"jdk25.json", "jdk21.json", "jdk25-plain.txt", "jdk21-plain.txt", "jdk25-thread-print.txt",
            "jdk25-jstack-l-e.txt", "jdk8-jstack.txt"})
    void streamingHandsOverWhatReadingKeeps(String name) throws IOException {
        ThreadDump read = ThreadDumpReader.read(Dumps.path(name));
        java.util.List<dev.leakhound.model.ThreadSnapshot> handed = new java.util.ArrayList<>();
        ThreadDump.Header header = ThreadDumpReader.stream(Dumps.path(name), handed::add);

        assertThat(header).isEqualTo(read.header());
        assertThat(handed).isEqualTo(read.threads());
    }

    /** Reads the file expecting a parse error whose message is {@code file:line[:column]: reason}. */
    private static ThreadDumpParseException failure(Path file) {
        return failure(file.toString(), () -> ThreadDumpReader.read(file));
    }

    private static ThreadDumpParseException failure(String origin, Executable read) {
        ThreadDumpParseException e = assertTimeoutPreemptively(HANG_GUARD,
                () -> assertThrows(ThreadDumpParseException.class, read));
        assertThat(e.getMessage()).matches(Pattern.quote(origin) + ":[1-9]\\d*(:[1-9]\\d*)?: .+");
        assertThat(e.origin()).isEqualTo(origin);
        assertThat(e.line()).isPositive();
        return e;
    }

    @ParameterizedTest
    @CsvSource({
            "jdk25.json, JDK_JSON, 15",
            "jdk21.json, JDK_JSON, 3",
            "jdk27-style.json, JDK_JSON, 2",
            "jdk25-plain.txt, JDK_TEXT, 15",
            "jdk21-plain.txt, JDK_TEXT, 4",
            "jdk25-thread-print.txt, JSTACK, 16",
            "jdk25-jstack-l-e.txt, JSTACK, 16",
            "jdk17-jstack-l-deadlock.txt, JSTACK, 18",
            "jdk8-jstack.txt, JSTACK, 4"})
    void detectsTheFormatPlainAndGzipped(String fixture, DumpFormat format, int threads) throws Exception {
        ThreadDump plain = ThreadDumpReader.read(Dumps.path(fixture));
        assertThat(plain.format()).isEqualTo(format);
        assertThat(plain.threads()).hasSize(threads);
        assertThat(plain.origin()).isEqualTo(Dumps.path(fixture).toString());

        Path gz = write(fixture + ".gz", gzip(Dumps.bytes(fixture)));
        ThreadDump unzipped = ThreadDumpReader.read(gz);
        assertThat(unzipped.format()).isEqualTo(format);
        assertThat(unzipped.threads()).isEqualTo(plain.threads());

        // from a stream (stdin), with a byte order mark and blank lines before it
        byte[] bom = {(byte) 0xef, (byte) 0xbb, (byte) 0xbf, '\n', ' ', '\n'};
        byte[] body = Dumps.bytes(fixture);
        byte[] both = Arrays.copyOf(bom, bom.length + body.length);
        System.arraycopy(body, 0, both, bom.length, body.length);
        ThreadDump fromStdin = ThreadDumpReader.read(new ByteArrayInputStream(both), "<stdin>");
        assertThat(fromStdin.origin()).isEqualTo("<stdin>");
        assertThat(fromStdin.threads()).isEqualTo(plain.threads());
    }

    @Test
    void missingFile() {
        Path missing = dir.resolve("nope.json");
        ThreadDumpParseException e = assertThrows(ThreadDumpParseException.class, () -> ThreadDumpReader.read(missing));
        assertThat(e.getMessage()).isEqualTo(missing + ": no such file");   // no line: there is no file
        assertThat(assertThrows(ThreadDumpParseException.class, () -> ThreadDumpReader.read(dir)).getMessage())
                .contains("is a directory");
    }

    @Test
    void emptyAndBlankFiles() throws Exception {
        assertThat(failure(write("empty.txt", "")).getMessage()).endsWith(":1: empty file: no thread dump in it");
        assertThat(failure(write("blank.txt", "\n  \n\t\n")).reason()).contains("only blank lines");
        assertThat(failure(write("empty.gz", gzip(new byte[0]))).reason()).contains("empty");
    }

    @Test
    void unknownFormat() throws Exception {
        ThreadDumpParseException e = failure(write("notes.txt", "\n\nDear diary,\ntoday a thread leaked.\n"));
        assertThat(e.line()).isEqualTo(3);
        assertThat(e.reason()).contains("unknown format").contains("Dear diary");
        assertThat(failure(write("xml.txt", "<threads/>\n")).reason()).contains("unknown format");
    }

    @Test
    void binaryGarbage() throws Exception {
        byte[] garbage = new byte[4096];
        new Random(42).nextBytes(garbage);
        garbage[0] = 'x';                                    // not gzip's magic by chance
        garbage[100] = 0;
        assertThat(failure(write("garbage.bin", garbage)).reason()).contains("binary data");
        assertThat(failure(write("zip.zip", new byte[] {'P', 'K', 3, 4, 20, 0, 0, 0})).reason()).contains("binary");
        // a valid start, then binary data further on
        byte[] head = "1\n2026-01-01T00:00:00Z\n25\n\n#1 \"main\" RUNNABLE\n".getBytes(StandardCharsets.UTF_8);
        byte[] mixed = Arrays.copyOf(head, PEEK + 100_000);
        for (int i = head.length; i < mixed.length; i++) {
            mixed[i] = (byte) (i % 7 == 0 ? 0 : 'a' + i % 26);
        }
        assertThat(failure(write("mixed.txt", mixed)).reason()).contains("binary");
        // gzip of garbage, and garbage that starts like gzip
        assertThat(failure(write("garbage.gz", gzip(garbage))).reason()).contains("binary data");
        byte[] fakeGzip = Arrays.copyOf(garbage, garbage.length);
        fakeGzip[0] = 0x1f;
        fakeGzip[1] = (byte) 0x8b;
        assertThat(failure(write("fake.gz", fakeGzip)).reason()).contains("gzip");
    }

    private static final int PEEK = 64 * 1024;

    @Test
    void truncatedJson() throws Exception {
        byte[] whole = Dumps.bytes("jdk25.json");
        Path cut = write("cut.json", Arrays.copyOf(whole, whole.length / 2));
        ThreadDumpParseException e = failure(cut);
        assertThat(e.reason()).contains("truncated");
        assertThat(e.column()).isPositive();                 // file:line:column for JSON
        Path cutGz = write("cut.json.gz", gzip(Arrays.copyOf(whole, whole.length / 2)));
        assertThat(failure(cutGz).reason()).contains("truncated");
    }

    @Test
    void truncatedText() throws Exception {
        byte[] whole = Dumps.bytes("jdk25-plain.txt");
        ThreadDumpParseException e = failure(write("cut.txt", Arrays.copyOf(whole, whole.length / 2)));
        assertThat(e.reason()).contains("truncated");
        byte[] print = Dumps.bytes("jdk25-thread-print.txt");
        assertThat(failure(write("cut-print.txt", Arrays.copyOf(print, print.length / 2))).reason())
                .contains("truncated");
    }

    @Test
    void truncatedGzip() throws Exception {
        byte[] gz = gzip(Dumps.bytes("jdk25-plain.txt"));
        ThreadDumpParseException e = failure(write("cut.txt.gz", Arrays.copyOf(gz, gz.length / 2)));
        assertThat(e.reason()).contains("truncated gzip data");
        assertThat(e.line()).isGreaterThan(1);
        assertThat(failure(write("header-only.gz", new byte[] {0x1f, (byte) 0x8b})).reason()).contains("gzip");
    }

    @Test
    void deeplyNestedJson() throws Exception {
        String deep = "{\"threadDump\": {\"extra\": " + "[".repeat(100_000) + "]".repeat(100_000) + "}}";
        ThreadDumpParseException e = failure(write("deep.json", deep));
        assertThat(e.reason()).contains("deep");
        assertThat(e.line()).isEqualTo(1);
        String deepThreads = "{\"threadDump\": {\"threadContainers\": [{\"threads\": [{\"tid\": 1, \"stack\": "
                + "[".repeat(10_000);
        assertThat(failure(write("deep2.json", deepThreads)).getMessage()).contains("deep2.json:1");
    }

    @Test
    void enormousLinesAreRefusedEarly() throws Exception {
        long size = 200L << 20;                               // 200 MB, generated, never held
        CountingInput noNewline = new CountingInput(size, null, 'a');
        assertThat(failure("<stdin>", () -> ThreadDumpReader.read(noNewline, "<stdin>")).reason())
                .contains("unknown format");
        assertThat(noNewline.consumed).isLessThan(4L << 20);

        byte[] textHead = "1\n2026-01-01T00:00:00Z\n25\n\n#1 \"main\" RUNNABLE\n    at ".getBytes(StandardCharsets.UTF_8);
        CountingInput text = new CountingInput(size, textHead, 'a');
        ThreadDumpParseException e = failure("<stdin>", () -> ThreadDumpReader.read(text, "<stdin>"));
        assertThat(e.reason()).contains("longer than");
        assertThat(e.line()).isEqualTo(6);
        assertThat(text.consumed).isLessThan(8L << 20);

        byte[] jstackHead = "\"main\" #1 prio=5 tid=0x1 nid=0x2 runnable\n\tat ".getBytes(StandardCharsets.UTF_8);
        CountingInput jstack = new CountingInput(size, jstackHead, 'a');
        assertThat(failure("<stdin>", () -> ThreadDumpReader.read(jstack, "<stdin>")).line()).isEqualTo(2);
        assertThat(jstack.consumed).isLessThan(8L << 20);

        byte[] jsonHead = "{\"threadDump\": {\"threadContainers\": [{\"threads\": [{\"tid\": 1, \"name\": \""
                .getBytes(StandardCharsets.UTF_8);
        CountingInput json = new CountingInput(size, jsonHead, 'a');
        ThreadDumpParseException je = failure("<stdin>", () -> ThreadDumpReader.read(json, "<stdin>"));
        assertThat(je.reason()).contains("maximum");
        assertThat(je.line()).isEqualTo(1);
        assertThat(json.consumed).isLessThan(8L << 20);

        // and from a file, so that the message names it
        byte[] big = Arrays.copyOf(textHead, textHead.length + (3 << 20));
        Arrays.fill(big, textHead.length, big.length, (byte) 'b');
        Path file = write("big-line.txt", big);
        assertThat(failure(file).getMessage()).startsWith(file + ":6: line longer than");
    }

    @Test
    void aBigValidDumpStreamsFine() throws Exception {
        // 20,000 virtual threads parked at the same place: one shared stack, read in well under the guard
        StringBuilder sb = new StringBuilder("1\n2026-01-01T00:00:00Z\n25\n\n");
        for (int i = 0; i < 20_000; i++) {
            sb.append("#").append(100 + i).append(" \"\" virtual WAITING 2026-01-01T00:00:00Z\n")
                    .append("    at java.base/java.lang.VirtualThread.park(VirtualThread.java:742)\n")
                    .append("    - parking to wait for <java.util.concurrent.CountDownLatch$Sync@18d602b>\n")
                    .append("    at com.example.Foo.run(Foo.java:1)\n\n");
        }
        Path file = write("many.txt.gz", gzip(sb.toString().getBytes(StandardCharsets.UTF_8)));
        ThreadDump dump = assertTimeoutPreemptively(HANG_GUARD, () -> ThreadDumpReader.read(file));
        assertThat(dump.threads()).hasSize(20_000);
        assertThat(dump.threads().get(0).stack()).isSameAs(dump.threads().get(19_999).stack());
    }

    /** {@code head} then {@code filler} bytes up to {@code size}, generated as read; counts what was read. */
    private static final class CountingInput extends InputStream {
        private final long size;
        private final byte[] head;
        private final byte filler;
        long consumed;

        CountingInput(long size, byte[] head, char filler) {
            this.size = size;
            this.head = head == null ? new byte[0] : head;
            this.filler = (byte) filler;
        }

        @Override
        public int read() {
            if (consumed >= size) {
                return -1;
            }
            long i = consumed++;
            return i < head.length ? head[(int) i] & 0xff : filler;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (consumed >= size) {
                return -1;
            }
            int n = (int) Math.min(len, size - consumed);
            for (int k = 0; k < n; k++) {
                long i = consumed + k;
                b[off + k] = i < head.length ? head[(int) i] : filler;
            }
            consumed += n;
            return n;
        }
    }

    /** jstack's time line has no zone: the reader takes it in this JVM's zone rather than dropping it. */
    @ParameterizedTest
    @CsvSource({"jdk8-jstack.txt, 2024-03-01T10:15:30", "jdk21-thread-print.txt, ", "jdk25-thread-print.txt, "})
    void theTimeLineOfAJstackDumpIsItsTakenTime(String name, String expected) throws IOException {
        String first = Files.readAllLines(Dumps.path(name)).stream()
                .filter(l -> l.matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d")).findFirst().orElseThrow();
        if (expected != null) {
            assertThat(first.replace(' ', 'T')).isEqualTo(expected);
        }
        ThreadDump dump = ThreadDumpReader.read(Dumps.path(name));
        assertThat(dump.capturedAt()).isEqualTo(java.time.LocalDateTime.parse(first.replace(' ', 'T'))
                .atZone(java.time.ZoneId.systemDefault()).toInstant());
    }
}
