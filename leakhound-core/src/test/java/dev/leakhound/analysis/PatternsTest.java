package dev.leakhound.analysis;

import dev.leakhound.capture.LiveThreads;
import dev.leakhound.model.ThreadDump;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each pattern named from a real JSON thread dump of this JVM ({@link LiveThreads}) of real threads, platform and
 * virtual, left where a leak leaves them; and look-alikes that are no leak, which must not be named one.
 */
class PatternsTest {

    /** The dump now, and the group of the program's threads with its pattern. */
    private static PatternMatch patternOf(PatternPrograms.Program p) {
        ThreadDump dump = LiveThreads.capture();
        Set<Long> ids = p.threads.stream().map(Thread::threadId).collect(Collectors.toSet());
        List<StackGroup> groups = ThreadGrouping.group(dump.threads());
        StackGroup ours = groups.stream().filter(g -> ids.contains(g.threads().get(0).id())).findFirst().orElseThrow();
        assertThat(ours.count()).as("the program's threads are one group").isEqualTo(ids.size());
        return Patterns.of(dump.threads()).classify(ours);
    }

    private static void assertPattern(PatternMatch m, LeakPattern expected, String... evidence) {
        assertThat(m.pattern()).as(m.text()).isEqualTo(expected);
        assertThat(m.certainty()).isEqualTo(PatternMatch.Certainty.LIKELY);
        assertThat(m.evidence()).contains(evidence);
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void sendersOfChannelsNobodyReceivesFromAreAbandonedSenders(boolean virtual) throws Exception {
        try (PatternPrograms.Program p = PatternPrograms.abandonedSenders(virtual, 3)) {
            assertPattern(patternOf(p), LeakPattern.ABANDONED_SENDERS,
                    "3 threads in SynchronousQueue.put on 3 distinct", "0 takers in the dump");
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void receiversOfQueuesNobodyFeedsAreAbandonedReceivers(boolean virtual) throws Exception {
        try (PatternPrograms.Program p = PatternPrograms.abandonedReceiver(virtual, 2)) {
            assertPattern(patternOf(p), LeakPattern.ABANDONED_RECEIVER, "2 threads in LinkedBlockingQueue.take");
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void aTaskWhoseCallerTimedOutIsAbandonedAfterTimeout(boolean virtual) throws Exception {
        try (PatternPrograms.Program p = PatternPrograms.abandonedAfterTimeout(virtual)) {
            assertPattern(patternOf(p), LeakPattern.ABANDONED_AFTER_TIMEOUT, "a task of a future",
                    "no thread of the dump waits on a future");
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void waitersOnFuturesNobodyCompletesAreLostFutures(boolean virtual) throws Exception {
        try (PatternPrograms.Program p = PatternPrograms.lostFuture(virtual, 2)) {
            assertPattern(patternOf(p), LeakPattern.LOST_FUTURE, "2 threads in CompletableFuture.get");
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void awaitingLatchesNobodyCountsDownIsLatchNeverReleased(boolean virtual) throws Exception {
        try (PatternPrograms.Program p = PatternPrograms.latch(virtual, 2)) {
            assertPattern(patternOf(p), LeakPattern.LATCH_NEVER_RELEASED,
                    "2 threads in CountDownLatch.await on 2 distinct CountDownLatch$Sync");
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void enteringAMonitorWhoseHolderBlocksForeverIsLockNeverReleased(boolean virtual) throws Exception {
        try (PatternPrograms.Program p = PatternPrograms.monitorNeverReleased(virtual, 2)) {
            assertPattern(patternOf(p), LeakPattern.LOCK_NEVER_RELEASED, "2 threads in synchronized",
                    "held by #" + p.others.get(0).threadId(), "itself blocked with no timeout in CountDownLatch.await");
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void waitingOnPrivateMonitorsIsOrphanWait(boolean virtual) throws Exception {
        try (PatternPrograms.Program p = PatternPrograms.orphanWait(virtual, 2)) {
            assertPattern(patternOf(p), LeakPattern.ORPHAN_WAIT, "2 threads in Object.wait on 2 distinct",
                    "no thread holds them");
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void awaitingConditionsOfPrivateLocksIsOrphanWait(boolean virtual) throws Exception {
        try (PatternPrograms.Program p = PatternPrograms.orphanCondition(virtual, 2)) {
            assertPattern(patternOf(p), LeakPattern.ORPHAN_WAIT, "2 threads in AbstractQueuedSynchronizer$ConditionObject.await");
        }
    }

    // ---------------------------------------------------------------- look-alikes

    @Test
    void anIdlePoolIsNoLeakPattern() throws Exception {
        try (PatternPrograms.Program p = PatternPrograms.idlePool(2)) {
            assertPattern(patternOf(p), LeakPattern.UNCLASSIFIED, "2 idle pool workers",
                    "a forgotten pool is proven from a heap dump only");
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void aLatchWaiterWhoseReleaserIsAliveIsNoLeakPattern(boolean virtual) throws Exception {
        try (PatternPrograms.Program p = PatternPrograms.latchWithLiveReleaser(virtual)) {
            assertPattern(patternOf(p), LeakPattern.UNCLASSIFIED, "#" + p.others.get(0).threadId(),
                    "not blocked, runs the same code (" + PatternPrograms.class.getName() + ")", "may release it");
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void aConsumerWithALiveProducerIsNoLeakPattern(boolean virtual) throws Exception {
        try (PatternPrograms.Program p = PatternPrograms.consumerWithLiveProducer(virtual)) {
            assertPattern(patternOf(p), LeakPattern.UNCLASSIFIED, "#" + p.others.get(0).threadId(), "may still put");
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void watchersOfASharedMonitorAreNoLeakPattern(boolean virtual) throws Exception {
        try (PatternPrograms.Program p = PatternPrograms.watchersOfSharedMonitor(virtual, 3)) {
            assertPattern(patternOf(p), LeakPattern.UNCLASSIFIED, "3 threads share one monitor");
        }
    }
}
