package dev.leakhound.capture;

import dev.leakhound.model.Blocker;
import dev.leakhound.model.DumpFormat;
import dev.leakhound.model.HeldMonitor;
import dev.leakhound.model.StackFrame;
import dev.leakhound.model.ThreadDump;
import dev.leakhound.model.ThreadSnapshot;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static dev.leakhound.capture.Dumps.thread;
import static org.assertj.core.api.Assertions.assertThat;

/** The JSON thread dump of every JDK that wrote one: 21-24, 25, and the later form with real numbers. */
class JsonThreadDumpParserTest {

    /**
     * {@code jdk21.json} is hand-written after the JDK 21 source of {@code jdk.internal.vm.ThreadDumper}
     * ({@code dumpThreadToJson}): per thread only {@code tid}, {@code name} and {@code stack}, every number a
     * string, {@code /} escaped as {@code \/}. No JDK 21 was at hand to produce a real one.
     */
    @Test
    void jdk21FormatHasOnlyIdNameAndStack() throws Exception {
        ThreadDump dump;
        try (InputStream in = Dumps.stream("jdk21.json")) {
            dump = JsonThreadDumpParser.parse(in, "jdk21.json");
        }
        assertThat(dump.format()).isEqualTo(DumpFormat.JDK_JSON);
        assertThat(dump.processId()).isEqualTo(4242L);
        assertThat(dump.runtimeVersion()).isEqualTo("21.0.2+13-LTS");
        assertThat(dump.capturedAt()).isEqualTo(Instant.parse("2024-03-01T10:15:30.123456789Z"));
        assertThat(dump.threads()).extracting(ThreadSnapshot::id).containsExactly(1L, 21L, 23L);

        ThreadSnapshot main = thread(dump, 1);
        assertThat(main.name()).isEqualTo("main");
        assertThat(main.stack()).containsExactly(
                new StackFrame("java.base", "java.lang.Thread", "sleep0", null, StackFrame.NATIVE),
                new StackFrame("java.base", "java.lang.Thread", "sleep", "Thread.java", 509),
                new StackFrame(null, "com.example.Main", "main", "Main.java", 12));
        // what the format does not say stays unknown
        for (ThreadSnapshot t : dump.threads()) {
            assertThat(t.state()).isNull();
            assertThat(t.blocker()).isNull();
            assertThat(t.carrierId()).isNull();
            assertThat(t.heldMonitors()).isEmpty();
        }
        assertThat(main.daemon()).isNull();
        // no "virtual" field before JDK 25: a stack based on VirtualThread.run tells it
        assertThat(main.virtual()).isFalse();
        assertThat(thread(dump, 21).virtual()).isTrue();
        assertThat(thread(dump, 23).virtual()).isTrue();
        assertThat(thread(dump, 21).daemon()).isTrue();
        assertThat(thread(dump, 21).stack()).hasSize(12);
        assertThat(thread(dump, 21).stack().get(9).shortName()).isEqualTo("SynchronousQueue.put");
        assertThat(thread(dump, 23).name()).isEmpty();
        assertThat(thread(dump, 23).container()).isEqualTo("java.util.concurrent.ThreadPerTaskExecutor@5e9f23b4");
        assertThat(main.container()).isEqualTo("<root>");
    }

    /** A real dump written by {@code jcmd PID Thread.dump_to_file -format=json} of Temurin 25.0.3. */
    @Test
    void jdk25RealDump() throws Exception {
        ThreadDump dump;
        try (InputStream in = Dumps.stream("jdk25.json")) {
            dump = JsonThreadDumpParser.parse(in, "jdk25.json");
        }
        assertThat(dump.processId()).isEqualTo(3398L);
        assertThat(dump.runtimeVersion()).isEqualTo("25.0.3+9-LTS");
        assertThat(dump.threads()).hasSize(15);
        assertThat(dump.virtualCount()).isEqualTo(3);

        ThreadSnapshot vq = thread(dump, 22);
        assertThat(vq.name()).isEqualTo("vq");
        assertThat(vq.virtual()).isTrue();
        assertThat(vq.daemon()).isTrue();
        assertThat(vq.state()).isEqualTo(Thread.State.WAITING);
        assertThat(vq.blocker()).isEqualTo(new Blocker(Blocker.Kind.PARKED_ON,
                "java.util.concurrent.SynchronousQueue$Transferer", "21a88f3", null));
        assertThat(vq.stack().get(6).shortName()).isEqualTo("SynchronousQueue.put");
        assertThat(vq.container()).isEqualTo("<root>");

        ThreadSnapshot waiter = thread(dump, "waiter");
        assertThat(waiter.virtual()).isFalse();
        assertThat(waiter.daemon()).isNull();                       // the JSON does not say
        assertThat(waiter.blocker()).isEqualTo(Blocker.parse(Blocker.Kind.WAITING_ON, "java.lang.Object@4272d928", null));
        assertThat(waiter.heldMonitors()).containsExactly(new HeldMonitor(3, "java.lang.Object", "4272d928"));

        assertThat(thread(dump, "blocked").blocker()).isEqualTo(
                Blocker.parse(Blocker.Kind.ENTERING, "java.lang.Object@5c72fe6f", null));
        assertThat(thread(dump, "blocked").state()).isEqualTo(Thread.State.BLOCKED);

        ThreadSnapshot inExecutor = thread(dump, 27);
        assertThat(inExecutor.container()).isEqualTo("java.util.concurrent.ThreadPerTaskExecutor@384c9285");
        assertThat(inExecutor.blocker().className()).isEqualTo("java.util.concurrent.CountDownLatch$Sync");
        assertThat(thread(dump, "ForkJoinPool-1-worker-1").container())
                .isEqualTo("ForkJoinPool-1/jdk.internal.vm.SharedThreadContainer@6db3d035");
        assertThat(thread(dump, "Signal Dispatcher").stack()).isEmpty();
    }

    /**
     * Hand-written in the form later JDKs write (per the project's notes): {@code formatVersion: 2}, numbers as
     * JSON numbers, {@code parkBlocker.owner}, {@code carrier}, and an unknown nested field, which is skipped.
     */
    @Test
    void laterFormatWithRealNumbersAndOwner() throws Exception {
        ThreadDump dump;
        try (InputStream in = Dumps.stream("jdk27-style.json")) {
            dump = JsonThreadDumpParser.parse(in, "jdk27-style.json");
        }
        assertThat(dump.processId()).isEqualTo(4343L);
        assertThat(dump.runtimeVersion()).isEqualTo("27-ea+5");
        ThreadSnapshot main = thread(dump, 1);
        assertThat(main.state()).isEqualTo(Thread.State.WAITING);
        assertThat(main.blocker()).isEqualTo(new Blocker(Blocker.Kind.PARKED_ON,
                "java.util.concurrent.locks.ReentrantLock$NonfairSync", "6d06d69c", 31L));
        ThreadSnapshot holder = thread(dump, 31);
        assertThat(holder.virtual()).isTrue();
        assertThat(holder.carrierId()).isEqualTo(24L);
        assertThat(holder.heldMonitors()).containsExactly(new HeldMonitor(0, "java.lang.Object", "1b6d3586"));
    }

    @Test
    void minimalDocumentLeavesEverythingUnknown() throws Exception {
        String json = """
                {"threadDump": {"threadContainers": [{"threads": [{"tid": "7", "stack": []}]}]}}
                """;
        ThreadDump dump = JsonThreadDumpParser.parse(
                new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "minimal");
        assertThat(dump.capturedAt()).isNull();
        assertThat(dump.processId()).isNull();
        assertThat(dump.runtimeVersion()).isNull();
        ThreadSnapshot t = dump.threads().get(0);
        assertThat(t.id()).isEqualTo(7);
        assertThat(t.name()).isEmpty();
        assertThat(t.state()).isNull();
        assertThat(t.container()).isNull();
        assertThat(t.stack()).isEmpty();
    }

    /**
     * JDK 25's ThreadDumper writes {@code null} into {@code monitorsOwned[].locks} for a lock the JIT eliminated
     * ({@code ThreadSnapshot.ownedMonitorsAt} maps it to null, {@code JsonWriter.writeProperty} prints
     * {@code null}); the text dump prints {@code - lock is eliminated} for it. The parser currently refuses
     * the document ("expected ']' in locks but found null"). Enable once {@code monitors()} skips nulls.
     */
    @Test
    void eliminatedLockIsNullInLocks() throws Exception {
        String json = """
                {"threadDump": {"threadContainers": [{"container": "<root>", "threads": [
                  {"tid": "7", "name": "t", "state": "RUNNABLE", "stack": ["Foo.bar(Foo.java:1)"],
                   "monitorsOwned": [{"depth": 0, "locks": ["java.lang.Object@1", null]}]}]}]}}
                """;
        ThreadDump dump = JsonThreadDumpParser.parse(
                new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "eliminated");
        assertThat(dump.threads().get(0).heldMonitors()).containsExactly(new HeldMonitor(0, "java.lang.Object", "1"));
    }
}
