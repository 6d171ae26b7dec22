package dev.leakhound.report;

import dev.leakhound.analysis.StackGroup;
import dev.leakhound.model.Blocker;
import dev.leakhound.model.StackFrame;
import dev.leakhound.model.ThreadSnapshot;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Naming a group's pool from what a dump gives: the container, its class, the threads' names. */
class ThreadPoolsTest {
    private static final List<StackFrame> IDLE = List.of(
            StackFrame.of(new StackTraceElement("java.util.concurrent.LinkedBlockingQueue", "take", "LinkedBlockingQueue.java", 435)),
            StackFrame.of(new StackTraceElement("java.util.concurrent.ThreadPoolExecutor", "getTask", "ThreadPoolExecutor.java", 1070)));
    private static final List<StackFrame> APP = List.of(
            StackFrame.of(new StackTraceElement("com.example.Lock", "run", "Lock.java", 8)));

    private static ThreadSnapshot thread(long id, String name, String container, List<StackFrame> stack) {
        return new ThreadSnapshot(id, name, false, false, Thread.State.WAITING, stack,
                new Blocker(Blocker.Kind.PARKED_ON, "java.lang.Object", "0x1", null), List.of(), container, null, null);
    }

    private static StackGroup group(ThreadSnapshot... threads) {
        return new StackGroup(Thread.State.WAITING, Blocker.Kind.PARKED_ON, "java.lang.Object", threads[0].stack(),
                List.of(threads));
    }

    @Test
    void aContainerGivesThePoolItsClassAndTheThreadsNamePattern() {
        StackGroup g = group(thread(1, "pool-3-thread-1", "java.util.concurrent.ThreadPoolExecutor@1a2b", IDLE),
                thread(2, "pool-3-thread-2", "java.util.concurrent.ThreadPoolExecutor@1a2b", IDLE));
        assertThat(ThreadPools.of(g)).containsExactly(new ThreadPools.Pool("java.util.concurrent.ThreadPoolExecutor@1a2b",
                "java.util.concurrent.ThreadPoolExecutor", "pool-3-thread-N", 2));
        assertThat(ThreadPools.text(g))
                .isEqualTo("java.util.concurrent.ThreadPoolExecutor@1a2b (class ThreadPoolExecutor), threads pool-3-thread-N");
        assertThat(g.idlePoolWorkers()).isTrue();
        assertThat(TextReport.group(g, false)).contains(
                "\n  container   java.util.concurrent.ThreadPoolExecutor@1a2b (class ThreadPoolExecutor), threads pool-3-thread-N\n"
                        + "  idle        workers waiting for a task: they end only when the pool is shut down");
    }

    @Test
    void withoutAContainerTheNamesSayItWhenTheyAreAPoolsNames() {
        StackGroup jstack = group(thread(1, "pool-1-thread-1", null, IDLE));
        assertThat(ThreadPools.text(jstack)).isEqualTo("threads pool-1-thread-N (Executors' default thread factory)");
        assertThat(TextReport.group(jstack, false)).contains("\n  pool        threads pool-1-thread-N");

        assertThat(ThreadPools.of(group(thread(1, "dead-1", null, APP)))).as("a lone numbered thread").isEmpty();
        assertThat(ThreadPools.of(group(thread(1, "Thread-3", null, APP), thread(2, "Thread-4", null, APP)))).isEmpty();
        assertThat(ThreadPools.of(group(thread(1, "main", "<root>", APP)))).isEmpty();
        assertThat(ThreadPools.text(group(thread(1, "worker-1", null, APP), thread(2, "worker-2", null, APP))))
                .isEqualTo("threads worker-N");
        assertThat(group(thread(1, "worker-1", null, APP)).idlePoolWorkers()).isFalse();
    }
}
