package dev.leakhound.agent.sampling;

import dev.leakhound.model.DumpFormat;
import dev.leakhound.model.StackFrame;
import dev.leakhound.model.ThreadDump;
import dev.leakhound.model.ThreadSnapshot;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class BlockedSinceTest {
    private static final List<StackFrame> PUT = List.of(
            new StackFrame("java.base", "java.util.concurrent.SynchronousQueue", "put", "SynchronousQueue.java", 266),
            new StackFrame(null, "com.example.Worker", "run", "Worker.java", 12));
    private static final List<StackFrame> TAKE = List.of(
            new StackFrame("java.base", "java.util.concurrent.LinkedBlockingQueue", "take", "LinkedBlockingQueue.java", 435),
            new StackFrame(null, "com.example.Worker", "run", "Worker.java", 20));

    private static ThreadSnapshot thread(long id, Thread.State state, List<StackFrame> stack) {
        return new ThreadSnapshot(id, "t" + id, true, null, state, stack, null, List.of(), "<root>", null, null);
    }

    private static ThreadDump dump(ThreadSnapshot... threads) {
        return new ThreadDump(null, "test", DumpFormat.LIVE, 1L, "25", List.of(threads));
    }

    @Test
    void aThreadWaitsSinceTheFirstCaptureThatSawItWhereItIs() {
        AtomicLong now = new AtomicLong();
        BlockedSince b = new BlockedSince(now::get);
        ThreadSnapshot put = thread(1, Thread.State.WAITING, PUT);
        ThreadSnapshot running = thread(2, Thread.State.RUNNABLE, PUT);
        b.observe(dump(put, running));
        now.set(Duration.ofMinutes(7).plusSeconds(3).toNanos());
        b.observe(dump(put, running));

        assertThat(b.waitingFor(put)).isEqualTo(Duration.ofMinutes(7).plusSeconds(3));
        assertThat(b.waitingFor(running)).as("running threads are not tracked").isNull();
        assertThat(BlockedSince.describe(b.waitingFor(put))).isEqualTo("7 minutes");

        ThreadSnapshot moved = thread(1, Thread.State.WAITING, TAKE);
        assertThat(b.waitingFor(moved)).as("not seen there yet").isNull();
        b.observe(dump(moved));
        now.addAndGet(Duration.ofSeconds(12).toNanos());
        assertThat(b.waitingFor(moved)).isEqualTo(Duration.ofSeconds(12));

        b.observe(dump());
        assertThat(b.size()).as("gone threads are forgotten").isZero();
        assertThat(b.waitingFor(moved)).isNull();
    }

    @Test
    void describesDurationsAsGoDoesWithSecondsBelowAMinute() {
        assertThat(BlockedSince.describe(Duration.ofMillis(999))).isEqualTo("under a second");
        assertThat(BlockedSince.describe(Duration.ofSeconds(1))).isEqualTo("1 second");
        assertThat(BlockedSince.describe(Duration.ofMillis(59_999))).isEqualTo("59 seconds");
        assertThat(BlockedSince.describe(Duration.ofSeconds(61))).isEqualTo("1 minute");
        assertThat(BlockedSince.describe(Duration.ofHours(26))).isEqualTo("1560 minutes");
    }
}
