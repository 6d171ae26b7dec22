package dev.leakhound.capture;

import dev.leakhound.model.Blocker;
import dev.leakhound.model.DumpFormat;
import dev.leakhound.model.HeldMonitor;
import dev.leakhound.model.StackFrame;
import dev.leakhound.model.ThreadDump;
import dev.leakhound.model.ThreadSnapshot;
import org.junit.jupiter.api.Test;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

import static dev.leakhound.capture.Dumps.thread;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** The JDK's plain-text thread dump, in its JDK 25 and JDK 21-24 forms. */
class JdkTextDumpParserTest {

    private static ThreadDump parse(String text) throws IOException {
        return JdkTextDumpParser.parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "test.txt");
    }

    /** A real dump written by {@code jcmd PID Thread.dump_to_file FILE} of Temurin 25.0.3. */
    @Test
    void jdk25RealDumpEqualsTheJsonDumpOfTheSameProcess() throws Exception {
        ThreadDump text;
        try (InputStream in = Dumps.stream("jdk25-plain.txt")) {
            text = JdkTextDumpParser.parse(in, "jdk25-plain.txt");
        }
        assertThat(text.format()).isEqualTo(DumpFormat.JDK_TEXT);
        assertThat(text.processId()).isEqualTo(3398L);
        assertThat(text.capturedAt()).isEqualTo(Instant.parse("2026-11-27T14:35:03.433891198Z"));
        assertThat(text.runtimeVersion()).isEqualTo("25.0.3+9-LTS");

        ThreadSnapshot vq = thread(text, 22);
        assertThat(vq.name()).isEqualTo("vq");
        assertThat(vq.virtual()).isTrue();
        assertThat(vq.state()).isEqualTo(Thread.State.WAITING);
        assertThat(vq.blocker()).isEqualTo(new Blocker(Blocker.Kind.PARKED_ON,
                "java.util.concurrent.SynchronousQueue$Transferer", "21a88f3", null));
        assertThat(vq.stack().get(0)).isEqualTo(
                new StackFrame("java.base", "java.lang.VirtualThread", "park", "VirtualThread.java", 742));
        assertThat(vq.container()).isNull();                          // the text format does not say
        assertThat(thread(text, "waiter").blocker().kind()).isEqualTo(Blocker.Kind.WAITING_ON);
        assertThat(thread(text, "waiter").heldMonitors())
                .containsExactly(new HeldMonitor(3, "java.lang.Object", "4272d928"));
        assertThat(thread(text, "blocked").blocker()).isEqualTo(
                Blocker.parse(Blocker.Kind.ENTERING, "java.lang.Object@5c72fe6f", null));
        assertThat(thread(text, 28).name()).isEmpty();
        assertThat(thread(text, 28).state()).isEqualTo(Thread.State.BLOCKED);
        assertThat(thread(text, "Signal Dispatcher").stack()).isEmpty();

        // The JSON dump taken a moment later from the same process: same threads, stacks, blockers.
        ThreadDump json;
        try (InputStream in = Dumps.stream("jdk25.json")) {
            json = JsonThreadDumpParser.parse(in, "jdk25.json");
        }
        assertThat(text.threads()).extracting(ThreadSnapshot::id)
                .containsExactlyInAnyOrderElementsOf(json.threads().stream().map(ThreadSnapshot::id).toList());
        for (ThreadSnapshot t : text.threads()) {
            if (t.name().equals("Attach Listener")) {
                continue;                                             // it was writing the dump
            }
            ThreadSnapshot j = thread(json, t.id());
            assertThat(t.name()).isEqualTo(j.name());
            assertThat(t.virtual()).isEqualTo(j.virtual());
            assertThat(t.state()).as("state of %s", t.label()).isEqualTo(j.state());
            assertThat(t.stack()).as("stack of %s", t.label()).isEqualTo(j.stack());
            assertThat(t.blocker()).as("blocker of %s", t.label()).isEqualTo(j.blocker());
            assertThat(t.heldMonitors()).as("monitors of %s", t.label()).isEqualTo(j.heldMonitors());
        }
    }

    /**
     * {@code jdk21-plain.txt} is hand-written after the JDK 21 source of {@code jdk.internal.vm.ThreadDumper}
     * ({@code dumpThread(Thread, PrintStream)}): header {@code #id "name"} plus {@code  virtual}, frames as
     * {@link StackTraceElement#toString()} indented by six spaces, a blank line after each thread.
     */
    @Test
    void jdk21Form() throws Exception {
        ThreadDump dump;
        try (InputStream in = Dumps.stream("jdk21-plain.txt")) {
            dump = JdkTextDumpParser.parse(in, "jdk21-plain.txt");
        }
        assertThat(dump.processId()).isEqualTo(4242L);
        assertThat(dump.runtimeVersion()).isEqualTo("21.0.2+13-LTS");
        assertThat(dump.threads()).extracting(ThreadSnapshot::id).containsExactly(1L, 9L, 21L, 23L);
        ThreadSnapshot main = thread(dump, 1);
        assertThat(main.virtual()).isFalse();
        assertThat(main.state()).isNull();
        assertThat(main.stack()).containsExactly(
                new StackFrame("java.base", "java.lang.Thread", "sleep0", null, StackFrame.NATIVE),
                new StackFrame("java.base", "java.lang.Thread", "sleep", "Thread.java", 509),
                new StackFrame(null, "com.example.Main", "main", "Main.java", 12));
        assertThat(thread(dump, 9).stack()).isEmpty();
        ThreadSnapshot vq = thread(dump, 21);
        assertThat(vq.virtual()).isTrue();
        assertThat(vq.state()).isNull();
        assertThat(vq.blocker()).isNull();
        assertThat(vq.stack()).hasSize(12);
        assertThat(thread(dump, 23).name()).isEmpty();
        assertThat(thread(dump, 23).virtual()).isTrue();

        // the same threads as the JSON form of JDK 21
        ThreadDump json;
        try (InputStream in = Dumps.stream("jdk21.json")) {
            json = JsonThreadDumpParser.parse(in, "jdk21.json");
        }
        assertThat(thread(json, 21).stack()).isEqualTo(vq.stack());
        assertThat(thread(json, 1).stack()).isEqualTo(main.stack());
    }

    @Test
    void sharesEqualStacks() throws Exception {
        String text = """
                1
                2026-01-01T00:00:00Z
                25

                #30 "" virtual WAITING 2026-01-01T00:00:00Z
                    at java.base/java.lang.VirtualThread.park(VirtualThread.java:742)
                    at Foo.run(Foo.java:1)

                #31 "" virtual WAITING 2026-01-01T00:00:00Z
                    at java.base/java.lang.VirtualThread.park(VirtualThread.java:742)
                    at Foo.run(Foo.java:1)

                """;
        ThreadDump dump = parse(text);
        assertThat(dump.threads().get(0).stack()).isSameAs(dump.threads().get(1).stack());
    }

    @Test
    void toleratesExtraTokensCrLfNamesWithQuotesAndLineBreaksAndUnknownLockLines() throws Exception {
        String text = String.join("\r\n",
                "77",
                "2026-01-01T00:00:00Z",
                "25.0.3+9-LTS",
                "",
                "#5 \"say \"hi\"\" WAITING 2026-01-01T00:00:00Z carrier=#3 somethingNew",
                "    at java.base/java.lang.Object.wait0(Native Method)",
                "    - waiting on <java.lang.Object@1>",
                "    - something a later JDK prints <x@1>",
                "    - lock is eliminated",
                "    at Foo.run(Foo.java:3)",
                "    - locked <java.lang.Object@1>",
                "    - locked <java.lang.Class@2>",
                "",
                "#6 \"two",
                "lines\" virtual RUNNABLE 2026-01-01T00:00:00Z",
                "    at Foo.run(Foo.java:3)",
                "",
                "");
        ThreadDump dump = parse(text);
        assertThat(dump.processId()).isEqualTo(77L);
        ThreadSnapshot t5 = thread(dump, 5);
        assertThat(t5.name()).isEqualTo("say \"hi\"");
        assertThat(t5.state()).isEqualTo(Thread.State.WAITING);
        assertThat(t5.blocker()).isEqualTo(new Blocker(Blocker.Kind.WAITING_ON, "java.lang.Object", "1", null));
        assertThat(t5.stack()).hasSize(2);
        assertThat(t5.heldMonitors()).containsExactly(
                new HeldMonitor(1, "java.lang.Object", "1"), new HeldMonitor(1, "java.lang.Class", "2"));
        ThreadSnapshot t6 = thread(dump, 6);
        assertThat(t6.name()).isEqualTo("two\nlines");
        assertThat(t6.virtual()).isTrue();
        assertThat(t6.state()).isEqualTo(Thread.State.RUNNABLE);
    }

    @Test
    void jcmdPrefixLineAndUnknownPidAreAccepted() throws Exception {
        ThreadDump dump = parse("""
                4242:
                -1
                2026-01-01T00:00:00Z
                25

                #1 "main" RUNNABLE 2026-01-01T00:00:00Z

                """);
        assertThat(dump.processId()).isNull();
        assertThat(dump.threads()).hasSize(1);
    }

    @Test
    void truncatedInsideALine() {
        String whole = new String(Dumps.bytes("jdk25-plain.txt"), StandardCharsets.UTF_8);
        String cut = whole.substring(0, whole.indexOf("SynchronousQueue.xfer(") + 10);
        long line = cut.lines().count();
        assertThatThrownBy(() -> parse(cut))
                .isInstanceOf(ThreadDumpParseException.class)
                .hasMessageStartingWith("test.txt:" + line + ": truncated");
    }

    @Test
    void truncatedAtTheEndOfALine() {
        String whole = new String(Dumps.bytes("jdk25-plain.txt"), StandardCharsets.UTF_8);
        int at = whole.indexOf("SynchronousQueue.xfer(");
        String cut = whole.substring(0, whole.indexOf('\n', at) + 1);
        assertThatThrownBy(() -> parse(cut))
                .isInstanceOf(ThreadDumpParseException.class)
                .hasMessageContaining("test.txt:" + cut.lines().count() + ": truncated")
                .hasMessageContaining("#22");
    }

    @Test
    void preambleOnlyIsTruncated() {
        assertThatThrownBy(() -> parse("1\n2026-01-01T00:00:00Z\n25\n\n"))
                .isInstanceOf(ThreadDumpParseException.class)
                .hasMessageContaining("no threads");
    }

    @Test
    void corruptLinesAreReportedWithTheirLine() {
        assertThatThrownBy(() -> parse("1\n2026-01-01T00:00:00Z\n25\n\n#1 \"main\" RUNNABLE\n    at nonsense\n\n"))
                .isInstanceOf(ThreadDumpParseException.class)
                .hasMessageStartingWith("test.txt:6: not a stack frame");
        assertThatThrownBy(() -> parse("1\n2026-01-01T00:00:00Z\n25\n\n#1 \"main\" RUNNABLE\n\nsome log line\n"))
                .isInstanceOf(ThreadDumpParseException.class)
                .hasMessageStartingWith("test.txt:7: unexpected line");
        assertThatThrownBy(() -> parse("1\nyesterday\n"))
                .isInstanceOf(ThreadDumpParseException.class)
                .hasMessageStartingWith("test.txt:2: not a JDK plain-text thread dump");
        assertThatThrownBy(() -> parse("1\n2026-01-01T00:00:00Z\n25\n\n#1 \"main\" RUNNABLE\n    at A.b(A.java:1)\u0000x\n\n"))
                .isInstanceOf(ThreadDumpParseException.class)
                .hasMessageStartingWith("test.txt:6:")
                .hasMessageContaining("binary");
    }

    private static final String PREAMBLE = "1\n2026-01-01T00:00:00Z\n25\n\n";
    private static final int LONG = ThreadDumpReader.MAX_LINE_CHARS - 100;

    /** Lines built to make a backtracking regex slow: each must be read (or refused) in linear time. */
    @Test
    void pathologicalLinesOfAMebibyteAreReadInLinearTime() {
        String[] bodies = {
                "    - locked <" + "x".repeat(LONG),
                "    - parking to wait for <" + ">".repeat(LONG) + "x",
                "    - waiting on <" + "<".repeat(LONG) + "\r>",
                "    at a.b(" + "a@b/".repeat(LONG / 4) + ")",
                "    " + "a.".repeat(LONG / 2) + "(",
        };
        for (String body : bodies) {
            readsOrFails(PREAMBLE + "#1 \"main\" RUNNABLE\n" + body + "\n\n");
        }
        String[] headers = {
                "#1 \"" + "\"".repeat(LONG),
                "#1 \"" + "a".repeat(LONG),
                "#" + "1".repeat(LONG) + " \"",
                "#1 \"a\"" + " ".repeat(LONG) + "x",
        };
        for (String header : headers) {
            readsOrFails(PREAMBLE + header + "\n\n");
        }
        readsOrFails(PREAMBLE + "#1 \"" + ("a".repeat(LONG) + "\n").repeat(9) + "\n");
    }

    private static void readsOrFails(String text) {
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            try {
                parse(text);
            } catch (ThreadDumpParseException expected) {
                assertThat(expected.line()).isPositive();
            }
        }, () -> "too slow on " + text.substring(0, 120).replace("\n", "\\n"));
    }

    /** A header whose name is never closed must not take the next thread's header into its name. */
    @Test
    void anUnclosedQuoteDoesNotSwallowTheNextThreadHeader() {
        assertThatThrownBy(() -> parse(PREAMBLE + """
                #5 "unclosed RUNNABLE 2026-01-01T00:00:00Z
                    at Foo.run(Foo.java:3)

                #6 "main" RUNNABLE 2026-01-01T00:00:00Z
                    at Foo.run(Foo.java:3)

                """))
                .isInstanceOf(ThreadDumpParseException.class)
                .hasMessageStartingWith("test.txt:5: ")
                .hasMessageContaining("no closing quote")
                .hasMessageContaining("#5 \"unclosed");
    }

    @Test
    void tooManyThreadsOrFramesAreRefused() throws Exception {
        ThreadDumpReader.Limits limits = new ThreadDumpReader.Limits(3, 2);
        String thread = "#%d \"t\" RUNNABLE\n    at Foo.a(Foo.java:1)\n    at Foo.b(Foo.java:2)\n\n";
        String three = PREAMBLE + String.format(thread.repeat(3), 1, 2, 3);
        assertThat(parse(three, limits).threads()).hasSize(3);
        assertThatThrownBy(() -> parse(three + String.format(thread, 4), limits))
                .isInstanceOf(ThreadDumpParseException.class)
                .hasMessageStartingWith("test.txt:17: more than 3 threads");
        String two = PREAMBLE + String.format(thread.repeat(2), 1, 2);
        assertThatThrownBy(() -> parse(two + "#3 \"t\"\n    at A.a(A.java:1)\n    at A.a(A.java:1)\n"
                + "    at A.a(A.java:1)\n\n", limits))
                .isInstanceOf(ThreadDumpParseException.class)
                .hasMessageStartingWith("test.txt:16: more than 2 frames in thread #3");
    }

    private static ThreadDump parse(String text, ThreadDumpReader.Limits limits) throws IOException {
        return JdkTextDumpParser.parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "test.txt",
                limits);
    }

    /** A whole dump trimmed of its final blank line (an editor, a paste) is read; its last thread is kept. */
    @ParameterizedTest
    @ValueSource(strings = {"jdk25-plain.txt", "jdk21-real-plain.txt"})
    void aWholeDumpWithoutItsFinalBlankLineIsRead(String name) throws IOException {
        String whole = new String(Dumps.bytes(name), StandardCharsets.UTF_8);
        ThreadDump expected = parse(whole);
        String trimmed = whole.stripTrailing() + "\n";
        assertThat(trimmed).isNotEqualTo(whole);
        ThreadDump dump = parse(trimmed);
        assertThat(dump.threads()).isEqualTo(expected.threads());
        assertThat(parse(whole.stripTrailing()).threads()).isEqualTo(expected.threads());  // no final line break either
    }

    /** Cut after a frame that is not where a thread starts, or after a header: still truncated. */
    @Test
    void aDumpCutAfterAHeaderIsTruncated() {
        String whole = new String(Dumps.bytes("jdk25-plain.txt"), StandardCharsets.UTF_8);
        int header = whole.lastIndexOf("\n#") + 1;
        String cut = whole.substring(0, whole.indexOf('\n', header) + 1);
        assertThatThrownBy(() -> parse(cut))
                .isInstanceOf(ThreadDumpParseException.class)
                .hasMessageContaining("truncated")
                .hasMessageContaining("has no frames");
    }
}
