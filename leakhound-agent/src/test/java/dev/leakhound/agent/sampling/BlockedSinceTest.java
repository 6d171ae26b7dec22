package dev.leakhound.agent.sampling;

import dev.leakhound.agent.capture.ThreadSource;
import dev.leakhound.analysis.StackGroup;
import dev.leakhound.analysis.ThreadGrouping;
import dev.leakhound.model.DumpFormat;
import dev.leakhound.model.StackFrame;
import dev.leakhound.model.ThreadDump;
import dev.leakhound.model.ThreadSnapshot;
import dev.leakhound.testing.BlockedThreads;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
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

    /**
     * The longest wait of a group, read once per group, equals the largest of its threads' own ({@link
     * BlockedSince#blockedFor}, as the views read it before): on real captures of this JVM, threads seen by the
     * first capture and threads started after it in the same groups, and a thread of a group seen elsewhere before.
     */
    @Test
    void theLongestWaitOfAGroupIsTheLargestOfItsThreads() throws Exception {
        AtomicLong now = new AtomicLong();
        BlockedSince b = new BlockedSince(now::get);
        ThreadSource source = ThreadSource.jdkDump();
        try (BlockedThreads early = new BlockedThreads("longest-early-", 3)) {
            ThreadDump first = source.capture();
            b.observe(first);
            try (BlockedThreads late = new BlockedThreads("longest-late-", 2)) {
                ThreadDump second = source.capture();
                b.observe(second);
                Instant at = second.capturedAt().plusSeconds(5);
                List<StackGroup> groups = ThreadGrouping.group(second.threads());
                StackGroup both = groups.stream().filter(g -> g.threads().stream()
                        .anyMatch(t -> t.name().equals("longest-early-0"))).findFirst().orElseThrow();
                assertThat(both.threads()).extracting(ThreadSnapshot::name).as("early and late wait at one place")
                        .contains("longest-late-0");
                assertThat(b.longestBlockedFor(both.threads(), at)).as("the early threads' wait")
                        .isEqualTo(Duration.between(first.capturedAt(), at));
                for (StackGroup g : groups) {
                    assertThat(b.longestBlockedFor(g.threads(), at)).as(g.toString())
                            .isEqualTo(largestOfEach(b, g.threads(), at));
                }
                ThreadSnapshot some = both.threads().get(0);
                ThreadSnapshot elsewhere = thread(some.id(), some.state(), TAKE);
                assertThat(b.longestBlockedFor(List.of(elsewhere), at)).as("seen at another stack").isNull();
                assertThat(b.longestBlockedFor(List.of(elsewhere, some), at)).isEqualTo(b.blockedFor(some, at));
            }
        }
    }

    /** The views' reading before: each thread's own wait, the largest. */
    private static Duration largestOfEach(BlockedSince b, List<ThreadSnapshot> threads, Instant at) {
        Duration longest = null;
        for (ThreadSnapshot t : threads) {
            Duration d = b.blockedFor(t, at);
            if (d != null && (longest == null || d.compareTo(longest) > 0)) {
                longest = d;
            }
        }
        return longest;
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
