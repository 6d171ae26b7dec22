package dev.leakhound.analysis;

import dev.leakhound.capture.LiveThreads;
import dev.leakhound.model.Blocker;
import dev.leakhound.model.StackFrame;
import dev.leakhound.model.ThreadDump;
import dev.leakhound.model.ThreadSnapshot;
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
            PatternMatch m = patternOf(p);
            assertPattern(m, LeakPattern.ABANDONED_SENDERS, "3 threads in SynchronousQueue.put on 3 distinct");
            assertThat(m.evidence()).matches(".*, (0 takers in the dump|\\d+ takers? in the dump, waiting on other"
                    + " queues)");                           // other tests' threads may take from queues of their own
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

    // ---------------------------------------------------------------- ranking

    @Test
    void suspectsRankAMatchedPatternFirstAndSetIdlePoolsApart() throws Exception {
        try (PatternPrograms.Program watchers = PatternPrograms.watchersOfSharedMonitor(false, 4);
             PatternPrograms.Program senders = PatternPrograms.abandonedSenders(true, 2);
             PatternPrograms.Program pool = PatternPrograms.idlePool(2)) {
            ThreadDump dump = LiveThreads.capture();
            Suspects s = Suspects.of(ThreadGrouping.group(dump.threads()), Patterns.of(dump.threads()));
            // A group lists its threads in capture order: find each program's group by any of its threads.
            List<List<Long>> members = s.suspects().stream()
                    .map(x -> x.group().threads().stream().map(ThreadSnapshot::id).toList()).toList();
            int sender = indexOfGroupWith(members, senders.threads.get(0).threadId());
            int watcher = indexOfGroupWith(members, watchers.threads.get(0).threadId());
            assertThat(sender).as("the senders are a suspect").isNotNegative();
            assertThat(watcher).as("the watchers are a suspect").isNotNegative();
            assertThat(sender).as("the senders (a pattern, 2 private blockers) before the 4 watchers")
                    .isLessThan(watcher);
            assertThat(s.suspects().get(sender).score()).isEqualTo(7);
            assertThat(s.suspects().get(watcher).matched()).isFalse();
            assertThat(s.matching()).isPositive().isLessThan(s.suspects().size());
            long worker = pool.threads.get(0).threadId();
            assertThat(indexOfGroupWith(members, worker)).as("an idle pool worker is no suspect").isNegative();
            assertThat(s.idle()).anySatisfy(i -> {
                assertThat(i.what()).isEqualTo("idle pool");
                assertThat(i.group().threads()).extracting(ThreadSnapshot::id).contains(worker);
            });
        }
    }

    private static int indexOfGroupWith(List<List<Long>> members, long id) {
        for (int i = 0; i < members.size(); i++) {
            if (members.get(i).contains(id)) {
                return i;
            }
        }
        return -1;
    }

    // ---------------------------------------------------------------- lock owners the dump names (later JDKs)

    private static ThreadSnapshot parkedOnLock(long id, Long owner) {
        return new ThreadSnapshot(id, "t" + id, false, null, Thread.State.WAITING, List.of(
                StackFrame.parse("java.base/java.util.concurrent.locks.LockSupport.park(LockSupport.java:221)"),
                StackFrame.parse("java.base/java.util.concurrent.locks.ReentrantLock.lock(ReentrantLock.java:323)"),
                StackFrame.parse("com.example.Ledger.post(Ledger.java:" + (10 + id) + ")")),
                Blocker.parse(Blocker.Kind.PARKED_ON, "java.util.concurrent.locks.ReentrantLock$NonfairSync@" + id, owner),
                List.of(), null, null, null);
    }

    private static PatternMatch classifyFirst(List<ThreadSnapshot> threads) {
        return Patterns.of(threads).classify(ThreadGrouping.group(threads.subList(0, 1)).get(0));
    }

    @Test
    void aLockWhoseOwnerEndedIsLockNeverReleased() {
        assertPattern(classifyFirst(List.of(parkedOnLock(1, 99L))), LeakPattern.LOCK_NEVER_RELEASED,
                "its owner #99 is not in the dump: it ended holding the lock");
    }

    @Test
    void ownersThatComeBackAreADeadlock() {
        assertPattern(classifyFirst(List.of(parkedOnLock(1, 2L), parkedOnLock(2, 1L))), LeakPattern.DEADLOCK,
                "a cycle of owners: #1 \"t1\" -> #2 \"t2\" -> #1 \"t1\"");
    }

    @Test
    void aLockWhoseOwnerRunsIsNoLeakPattern() {
        ThreadSnapshot running = new ThreadSnapshot(2, "busy", false, null, Thread.State.RUNNABLE,
                List.of(StackFrame.parse("com.example.Report.build(Report.java:5)")), null, List.of(), null, null, null);
        assertPattern(classifyFirst(List.of(parkedOnLock(1, 2L), running)), LeakPattern.UNCLASSIFIED,
                "held by #2 \"busy\", which is not blocked");
    }
}
