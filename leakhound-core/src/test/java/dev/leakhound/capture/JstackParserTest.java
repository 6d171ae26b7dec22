package dev.leakhound.capture;

import dev.leakhound.model.Blocker;
import dev.leakhound.model.Deadlock;
import dev.leakhound.model.DumpFormat;
import dev.leakhound.model.HeldMonitor;
import dev.leakhound.model.StackFrame;
import dev.leakhound.model.ThreadDump;
import dev.leakhound.model.ThreadSnapshot;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import static dev.leakhound.capture.Dumps.thread;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** {@code jstack} / {@code jcmd Thread.print} output of JDK 8 (hand-written), 17 and 25 (real). */
class JstackParserTest {

    private static ThreadDump parse(String text) throws IOException {
        return JstackParser.parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "jstack.txt");
    }

    private static ThreadDump fixture(String name) throws IOException {
        try (InputStream in = Dumps.stream(name)) {
            return JstackParser.parse(in, name);
        }
    }

    /** Real output of {@code jcmd PID Thread.print} on Temurin 25.0.3, same process as {@code jdk25.json}. */
    @Test
    void jdk25ThreadPrint() throws Exception {
        ThreadDump dump = fixture("jdk25-thread-print.txt");
        assertThat(dump.format()).isEqualTo(DumpFormat.JSTACK);
        assertThat(dump.processId()).isEqualTo(3398L);                // the "3398:" line of jcmd
        assertThat(dump.runtimeVersion()).isEqualTo("25.0.3+9-LTS");
        assertThat(dump.capturedAt()).isNull();                        // local time of unknown zone
        assertThat(dump.virtualCount()).isZero();
        // Java threads only: no "VM Thread", "GC Thread#0", "G1 Conc#0", ...
        assertThat(dump.threads()).extracting(ThreadSnapshot::name)
                .doesNotContain("VM Thread", "GC Thread#0", "G1 Conc#0", "VM Periodic Task Thread")
                .contains("main", "Reference Handler", "waiter", "holder", "blocked", "C2 CompilerThread0");
        assertThat(dump.threads()).hasSize(16);

        ThreadSnapshot main = thread(dump, 3);
        assertThat(main.name()).isEqualTo("main");
        assertThat(main.daemon()).isFalse();
        assertThat(main.state()).isEqualTo(Thread.State.TIMED_WAITING);
        assertThat(main.stack()).containsExactly(
                new StackFrame("java.base", "java.lang.Thread", "sleepNanos0", null, StackFrame.NATIVE),
                new StackFrame("java.base", "java.lang.Thread", "sleepNanos", "Thread.java", 509),
                new StackFrame("java.base", "java.lang.Thread", "sleep", "Thread.java", 540),
                new StackFrame(null, "Sample", "main", "Sample.java", 17));
        assertThat(thread(dump, "Reference Handler").daemon()).isTrue();

        ThreadSnapshot waiter = thread(dump, "waiter");
        assertThat(waiter.state()).isEqualTo(Thread.State.WAITING);
        assertThat(waiter.blocker()).isEqualTo(
                new Blocker(Blocker.Kind.WAITING_ON, "java.lang.Object", "0x000000069ec18130", null));
        assertThat(waiter.heldMonitors()).containsExactly(new HeldMonitor(3, "java.lang.Object", "0x000000069ec18130"));
        // jstack shows frames the JDK's own dumps hide: the lambda proxy and Thread.runWith
        assertThat(waiter.stack()).extracting(StackFrame::shortName)
                .containsExactly("Object.wait0", "Object.wait", "Object.wait", "Sample.lambda$main$1",
                        "Sample$$Lambda/0x0000000074040440.run", "Thread.runWith", "Thread.run");

        ThreadSnapshot blocked = thread(dump, "blocked");
        assertThat(blocked.daemon()).isTrue();
        assertThat(blocked.state()).isEqualTo(Thread.State.BLOCKED);
        assertThat(blocked.blocker()).isEqualTo(
                new Blocker(Blocker.Kind.ENTERING, "java.lang.Object", "0x000000069ec18120", null));
        assertThat(thread(dump, "ForkJoinPool-1-worker-1").blocker()).isEqualTo(
                new Blocker(Blocker.Kind.PARKED_ON, "java.util.concurrent.ForkJoinPool", "0x000000069ecadd80", null));
        assertThat(thread(dump, "C2 CompilerThread0").stack()).isEmpty();
    }

    /** Real {@code jstack -l -e} output (extra header fields, "Locked ownable synchronizers") on Temurin 25. */
    @Test
    void jdk25WithLocksAndExtendedInfoGivesTheSameThreads() throws Exception {
        ThreadDump plain = fixture("jdk25-thread-print.txt");
        ThreadDump extended = fixture("jdk25-jstack-l-e.txt");
        assertThat(extended.processId()).isNull();
        assertThat(extended.threads()).hasSameSizeAs(plain.threads());
        for (ThreadSnapshot t : plain.threads()) {
            ThreadSnapshot e = thread(extended, t.id());
            if (t.name().equals("Attach Listener")) {
                continue;
            }
            assertThat(e.name()).isEqualTo(t.name());
            assertThat(e.daemon()).isEqualTo(t.daemon());
            assertThat(e.state()).isEqualTo(t.state());
            assertThat(e.stack()).isEqualTo(t.stack());
            assertThat(e.blocker()).isEqualTo(t.blocker());
            assertThat(e.heldMonitors()).isEqualTo(t.heldMonitors());
        }
    }

    /** Real {@code jstack -l} of OpenJDK 17 with a deadlock: its report must not add threads or frames. */
    @Test
    void jdk17WithDeadlockReport() throws Exception {
        ThreadDump dump = fixture("jdk17-jstack-l-deadlock.txt");
        assertThat(dump.runtimeVersion()).isEqualTo("17.0.15+6-Debian-1deb12u1");
        assertThat(dump.threads()).extracting(ThreadSnapshot::name).doesNotHaveDuplicates();
        ThreadSnapshot main = thread(dump, 1);
        assertThat(main.state()).isEqualTo(Thread.State.TIMED_WAITING);
        assertThat(main.heldMonitors()).containsExactly(new HeldMonitor(-1,       // an ownable synchronizer (-l)
                "java.util.concurrent.locks.ReentrantLock$NonfairSync", "0x000000069ec2f240", true));
        ThreadSnapshot dead1 = thread(dump, "dead-1");
        assertThat(dead1.state()).isEqualTo(Thread.State.BLOCKED);
        assertThat(dead1.blocker()).isEqualTo(
                new Blocker(Blocker.Kind.ENTERING, "java.lang.Object", "0x000000069ec36090", null));
        assertThat(dead1.heldMonitors()).containsExactly(new HeldMonitor(0, "java.lang.Object", "0x000000069ec36080"));
        assertThat(dead1.stack()).extracting(StackFrame::shortName).containsExactly(
                "Sample17.lambda$main$4", "Sample17$$Lambda$5/0x00007fd7b8001448.run", "Thread.run");
        ThreadSnapshot rl = thread(dump, "rl");
        assertThat(rl.blocker()).isEqualTo(new Blocker(Blocker.Kind.PARKED_ON,
                "java.util.concurrent.locks.ReentrantLock$NonfairSync", "0x000000069ec2f240", null));
        assertThat(rl.daemon()).isTrue();
    }

    /**
     * The JVM's own deadlock report becomes the dump's deadlocks: each thread, the object it waits for, and the one
     * it holds (what the thread before it in the cycle waits for).
     */
    @Test
    void jdk17DeadlockReportIsParsedIntoTheModel() throws Exception {
        ThreadDump dump = fixture("jdk17-jstack-l-deadlock.txt");
        assertThat(dump.deadlocks()).containsExactly(new Deadlock(java.util.List.of(
                new Deadlock.Link(null, "dead-1", false, "java.lang.Object@0x000000069ec36080",
                        "java.lang.Object@0x000000069ec36090", null, null),
                new Deadlock.Link(null, "dead-2", false, "java.lang.Object@0x000000069ec36090",
                        "java.lang.Object@0x000000069ec36080", null, null)), true));
        assertThat(fixture("jdk8-jstack.txt").deadlocks()).isEmpty();
    }

    /**
     * {@code jdk8-jstack.txt} is hand-written in the JDK 8 form ({@code nid=0x...}, no cpu/elapsed, frames
     * without modules, "JNI global references", a heap summary after it, eliminated locks, a Class monitor).
     */
    @Test
    void jdk8Form() throws Exception {
        ThreadDump dump = fixture("jdk8-jstack.txt");
        assertThat(dump.runtimeVersion()).isNull();                   // "25.312-b07" is HotSpot's, not Java's
        assertThat(dump.threads()).extracting(ThreadSnapshot::id).containsExactly(9L, 8L, 3L, 1L);
        ThreadSnapshot pool = thread(dump, 8);
        assertThat(pool.daemon()).isFalse();
        assertThat(pool.state()).isEqualTo(Thread.State.WAITING);
        assertThat(pool.blocker()).isEqualTo(new Blocker(Blocker.Kind.PARKED_ON,
                "java.util.concurrent.locks.AbstractQueuedSynchronizer$ConditionObject", "0x000000076ab6a9d8", null));
        assertThat(pool.stack().get(0)).isEqualTo(new StackFrame(null, "sun.misc.Unsafe", "park", null, StackFrame.NATIVE));
        ThreadSnapshot main = thread(dump, 1);
        assertThat(main.blocker()).isEqualTo(
                new Blocker(Blocker.Kind.ENTERING, "java.lang.Class", "0x000000076ab62208", null));
        assertThat(main.heldMonitors()).containsExactly(new HeldMonitor(1, "java.lang.Object", "0x000000076ab62300"));
        assertThat(thread(dump, 3).heldMonitors()).containsExactly(
                new HeldMonitor(1, "java.lang.ref.ReferenceQueue$Lock", "0x000000076ab08ed8"));
    }

    @Test
    void timeIsKeptOnlyWhenTheZoneIsGiven() throws Exception {
        byte[] bytes = Dumps.bytes("jdk8-jstack.txt");
        ThreadDump utc = JstackParser.parse(new ByteArrayInputStream(bytes), "x", ZoneOffset.UTC);
        assertThat(utc.capturedAt()).isEqualTo(Instant.parse("2024-03-01T10:15:30Z"));
        ThreadDump paris = JstackParser.parse(new ByteArrayInputStream(bytes), "x", ZoneId.of("Europe/Paris"));
        assertThat(paris.capturedAt()).isEqualTo(Instant.parse("2024-03-01T09:15:30Z"));
        assertThat(JstackParser.parse(new ByteArrayInputStream(bytes), "x").capturedAt()).isNull();
    }

    @Test
    void carrierOfAVirtualThreadHasNoState() throws Exception {
        ThreadDump dump = parse("""
                "ForkJoinPool-1-worker-1" #25 [4012] daemon prio=5 os_prio=0 cpu=5.1ms elapsed=2.0s tid=0x00007f1 nid=4012 runnable  [0x00007f2]
                   Carrying virtual thread #24
                \tat Foo.spin(Foo.java:5)
                \tat java.lang.VirtualThread.run(java.base@21.0.2/VirtualThread.java:309)
                \tat jdk.internal.vm.Continuation.enterSpecial(java.base@21.0.2/Native Method)

                """);
        ThreadSnapshot carrier = dump.threads().get(0);
        assertThat(carrier.id()).isEqualTo(25);
        assertThat(carrier.daemon()).isTrue();
        assertThat(carrier.state()).isNull();
        assertThat(carrier.virtual()).isFalse();
        assertThat(carrier.stack()).hasSize(3);
    }

    @Test
    void lockLinesOfEveryKind() throws Exception {
        ThreadDump dump = parse("""
                "a" #11 prio=5 os_prio=0 tid=0x1 nid=0x2 in Object.wait() [0x3]
                   java.lang.Thread.State: WAITING (on object monitor)
                \tat java.lang.Object.wait(Native Method)
                \t- waiting on <no object reference available>
                \tat Foo.a(Foo.java:1)

                "b" #12 prio=5 os_prio=0 tid=0x1 nid=0x2 waiting for monitor entry [0x3]
                   java.lang.Thread.State: BLOCKED (on object monitor)
                \tat java.lang.Object.wait(java.base@17/Native Method)
                \t- waiting to re-lock in wait() <0x0000000712345678> (a java.lang.Object)
                \tat Foo.b(Foo.java:2)
                \t- locked <0x0000000712345678> (a java.lang.Object)

                "c" #13 prio=5 os_prio=0 tid=0x1 nid=0x2 waiting on condition [0x3]
                   java.lang.Thread.State: WAITING (on object monitor)
                \tat Foo.c(Foo.java:3)
                \t- waiting on the Class initialization monitor for Bar

                "with "quotes" #9" #14 daemon prio=5 os_prio=0 tid=0x1 nid=0x2 runnable [0x3]
                   java.lang.Thread.State: RUNNABLE

                "two
                lines" #15 prio=5 os_prio=0 tid=0x1 nid=0x2 runnable [0x3]
                   java.lang.Thread.State: RUNNABLE

                JNI global refs: 1, weak refs: 0
                """);
        assertThat(thread(dump, 11).blocker()).isNull();
        assertThat(thread(dump, 11).state()).isEqualTo(Thread.State.WAITING);
        assertThat(thread(dump, 12).blocker()).isEqualTo(
                new Blocker(Blocker.Kind.ENTERING, "java.lang.Object", "0x0000000712345678", null));
        assertThat(thread(dump, 12).heldMonitors()).containsExactly(
                new HeldMonitor(1, "java.lang.Object", "0x0000000712345678"));
        assertThat(thread(dump, 13).blocker()).isNull();
        assertThat(thread(dump, 14).name()).isEqualTo("with \"quotes\" #9");
        assertThat(thread(dump, 14).daemon()).isTrue();
        assertThat(thread(dump, 15).name()).isEqualTo("two\nlines");
    }

    @Test
    void aFragmentWithoutHeaderIsAccepted() throws Exception {
        ThreadDump dump = parse("""
                "main" #1 prio=5 os_prio=0 tid=0x1 nid=0x2 runnable [0x3]
                   java.lang.Thread.State: RUNNABLE
                \tat Foo.main(Foo.java:1)""");                       // not even a final newline
        assertThat(dump.threads()).hasSize(1);
        assertThat(dump.threads().get(0).stack()).hasSize(1);
    }

    @Test
    void logLinesAroundASigquitDumpAreSkipped() throws Exception {
        String log = "12:00:00.000 INFO starting\n" + new String(Dumps.bytes("jdk8-jstack.txt"), StandardCharsets.UTF_8)
                + "12:00:01.000 INFO still running\n";
        assertThat(parse(log).threads()).hasSize(4);
    }

    @Test
    void truncatedDumps() {
        String whole = new String(Dumps.bytes("jdk25-thread-print.txt"), StandardCharsets.UTF_8);
        String atLineEnd = whole.substring(0, whole.indexOf("\"blocked\""));
        assertThatThrownBy(() -> parse(atLineEnd))
                .isInstanceOf(ThreadDumpParseException.class)
                .hasMessageStartingWith("jstack.txt:" + atLineEnd.lines().count() + ": truncated");
        String midLine = "\"main\" #1 prio=5 os_prio=0 tid=0x1 nid=0x2 runnable [0x3]\n"
                + "   java.lang.Thread.State: RUNNABLE\n\tat Foo.main(Foo.ja";
        assertThatThrownBy(() -> parse(midLine))
                .isInstanceOf(ThreadDumpParseException.class)
                .hasMessageStartingWith("jstack.txt:3: truncated");
    }

    @Test
    void twoDumpsInOneFileAreRefused() {
        String one = new String(Dumps.bytes("jdk8-jstack.txt"), StandardCharsets.UTF_8);
        assertThatThrownBy(() -> parse(one + one))
                .isInstanceOf(ThreadDumpParseException.class)
                .hasMessageContaining("a second thread dump");
    }

    @Test
    void noJavaThreadsIsAnError() {
        assertThatThrownBy(() -> parse("\"VM Thread\" os_prio=0 tid=0x1 nid=0x2 runnable\n"))
                .isInstanceOf(ThreadDumpParseException.class)
                .hasMessageContaining("no Java threads");
    }

    @Test
    void corruptFrame() {
        assertThatThrownBy(() -> parse("\"main\" #1 prio=5 tid=0x1 nid=0x2 runnable\n\tat ???\n"))
                .isInstanceOf(ThreadDumpParseException.class)
                .hasMessageStartingWith("jstack.txt:2: not a stack frame");
    }

    /** Only a guard against hangs: each of these parses in well under a second. */
    private static final Duration HANG_GUARD = Duration.ofSeconds(10);

    /** Just under the longest line accepted ({@link ThreadDumpReader#MAX_LINE_CHARS}). */
    private static final int LONG = ThreadDumpReader.MAX_LINE_CHARS - 100;

    private static final String MAIN = "\"main\" #1 prio=5 os_prio=0 tid=0x1 nid=0x2 waiting on condition [0x3]\n";

    /**
     * Lines built to make a backtracking regex take quadratic time (a lock line without its closing
     * parenthesis took 11 s at 64k characters): each must be read in linear time.
     */
    @Test
    void pathologicalLinesOfAMebibyteAreReadInLinearTime() {
        String b = "b".repeat(LONG);
        String[] lines = {
                "\t- parking to wait for  <0x1> (a " + b,                          // no closing parenthesis
                "\t- locked <0x1> (a " + "b ".repeat(LONG / 2),
                "\t- waiting to lock <0x1> (a b" + " ".repeat(LONG),
                "\t- waiting on <" + b,                                             // no closing '>'
                "\t- eliminated <0x1> (a " + "(".repeat(LONG),
                "   java.lang.Thread.State: " + "W".repeat(LONG / 2) + "\r" + "x".repeat(LONG / 2),
                "   java.lang.Thread.State: " + "W".repeat(LONG / 2) + "\u2028" + "x".repeat(LONG / 2),
                "   java.lang.Thread.State: " + " ".repeat(LONG),
                "\tat " + "a".repeat(LONG) + "(",
                "\tat a.b(" + "/".repeat(LONG) + ")",
                "\tat a.b(" + "x@".repeat(LONG / 2) + "/X.java:1)"};
        for (String line : lines) {
            String text = MAIN + "   java.lang.Thread.State: WAITING (parking)\n" + line + "\n";
            readsOrFails(text);
        }
        String[] headers = {
                "\"" + "\" #1".repeat(LONG / 3) + "x",
                "\"a\" #" + "1".repeat(LONG) + "x",
                "\"a\" #1" + " ".repeat(LONG) + "x",
                "\"" + "\"".repeat(LONG),
                "\"" + "a".repeat(LONG)};
        for (String header : headers) {
            readsOrFails(header + "\n" + MAIN);
        }
        // a header line without its closing quote, and then eight long lines the name may take
        readsOrFails("\"" + "a".repeat(LONG) + ("\n" + "a".repeat(LONG)).repeat(8) + "\n" + MAIN);
    }

    private static void readsOrFails(String text) {
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            try {
                parse(text);
            } catch (ThreadDumpParseException expected) {
                assertThat(expected.line()).isPositive();
            }
        }, () -> "too slow on a line starting " + text.substring(0, 120).replace("\n", "\\n"));
    }

    /**
     * Log output before a {@code SIGQUIT} dump may start with a quote that is never closed: it must not take
     * the next thread header into a name.
     */
    @Test
    void anUnclosedQuoteDoesNotSwallowTheNextThreadHeader() throws Exception {
        ThreadDump dump = parse("""
                "GET /index.html HTTP/1.1 200
                "main" #1 prio=5 os_prio=0 tid=0x1 nid=0x2 waiting on condition [0x3]
                   java.lang.Thread.State: TIMED_WAITING (sleeping)
                \tat java.lang.Thread.sleep(Native Method)

                "Thread-0" #12 daemon prio=5 os_prio=0 tid=0x1 nid=0x2 runnable [0x3]
                   java.lang.Thread.State: RUNNABLE
                \tat Foo.run(Foo.java:1)

                "an unclosed quote in a log line
                Full thread dump OpenJDK 64-Bit Server VM (21.0.2+13-LTS mixed mode):
                "
                JNI global refs: 1, weak refs: 0
                """);
        assertThat(dump.threads()).extracting(ThreadSnapshot::name).containsExactly("main", "Thread-0");
        assertThat(thread(dump, 1).stack()).hasSize(1);
        assertThat(thread(dump, 1).state()).isEqualTo(Thread.State.TIMED_WAITING);
        assertThat(thread(dump, 12).daemon()).isTrue();
        assertThat(dump.runtimeVersion()).isEqualTo("21.0.2+13-LTS");   // the "Full thread dump" line was read
        // a name with line breaks still works
        assertThat(parse("\"two\nlines\" #15 prio=5 tid=0x1 nid=0x2 runnable\n").threads().get(0).name())
                .isEqualTo("two\nlines");
    }

    @Test
    void tooManyThreadsOrFramesAreRefused() throws Exception {
        ThreadDumpReader.Limits limits = new ThreadDumpReader.Limits(3, 2);
        String thread = "\"t\" #%d prio=5 tid=0x1 nid=0x2 runnable\n\tat Foo.a(Foo.java:1)\n\tat Foo.b(Foo.java:2)\n\n";
        String three = String.format(thread.repeat(3), 1, 2, 3);
        assertThat(parse(three, limits).threads()).hasSize(3);
        assertThatThrownBy(() -> parse(three + String.format(thread, 4), limits))
                .isInstanceOf(ThreadDumpParseException.class)
                .hasMessageStartingWith("jstack.txt:13: more than 3 threads");
        String two = String.format(thread.repeat(2), 1, 2);
        assertThatThrownBy(() -> parse(two + "\"t\" #3 prio=5 tid=0x1 nid=0x2 runnable\n\tat A.a(A.java:1)\n"
                + "\tat A.a(A.java:1)\n\tat A.a(A.java:1)\n", limits))
                .isInstanceOf(ThreadDumpParseException.class)
                .hasMessageStartingWith("jstack.txt:12: more than 2 frames in thread #3");
        assertThat(ThreadDumpReader.Limits.DEFAULT)
                .isEqualTo(new ThreadDumpReader.Limits(ThreadDumpReader.MAX_THREADS, ThreadDumpReader.MAX_FRAMES));
    }

    private static ThreadDump parse(String text, ThreadDumpReader.Limits limits) throws IOException {
        return JstackParser.parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "jstack.txt",
                null, limits);
    }
}
