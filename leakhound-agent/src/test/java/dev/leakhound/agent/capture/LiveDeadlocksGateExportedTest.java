package dev.leakhound.agent.capture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The live deadlock search takes the JDK's thread dump (which JDK 25.0.3 can crash a JVM with, JDK-8364343) only
 * for threads that stayed blocked from one search to the next: the first search after a deadlock forms dumps
 * nothing and names none; a later one names it. Runs where {@code jdk.internal.vm} is exported (the cheap check).
 */
class LiveDeadlocksGateExportedTest {
    private final List<Thread> started = new ArrayList<>();

    @AfterEach
    void end() throws InterruptedException {
        for (Thread t : started) {
            t.interrupt();                       // lockInterruptibly: the cycle breaks
        }
        for (Thread t : started) {
            t.join();
        }
    }

    @Test
    void aDeadlockIsNamedOnlyOnceItsThreadsStayedBlocked() {
        ContainerThreads containers = ContainerThreads.open();
        assertThat(containers.isAvailable()).as(containers.unavailableReason()).isTrue();
        AtomicLong clock = new AtomicLong();
        LiveDeadlocks search = new LiveDeadlocks(containers, clock::get);
        assertThat(search.recent().deadlocks()).as("no deadlock yet").isEmpty();

        ReentrantLock a = new ReentrantLock();
        ReentrantLock b = new ReentrantLock();
        CountDownLatch bothHeld = new CountDownLatch(2);
        started.add(Thread.ofPlatform().name("gate-a").start(() -> crossLock(a, b, bothHeld)));
        started.add(Thread.ofPlatform().name("gate-b").start(() -> crossLock(b, a, bothHeld)));
        await().atMost(Duration.ofSeconds(30)).until(() -> started.stream()
                .allMatch(t -> t.getState() == Thread.State.WAITING && a.isLocked() && b.isLocked()
                        && a.hasQueuedThreads() && b.hasQueuedThreads()));

        assertFoundBySecondSearch(search, clock, "gate-a", "gate-b");
    }

    /**
     * Past the reuse time of the last answer (on the search's clock), the first search that sees the cycle blocked
     * takes no dump; the next one finds it, with exactly those threads.
     */
    private static void assertFoundBySecondSearch(LiveDeadlocks search, AtomicLong clock, String... names) {
        clock.addAndGet(Duration.ofSeconds(30).toNanos());
        assertThat(search.recent().deadlocks()).as("the first search that sees them blocked takes no dump").isEmpty();
        clock.addAndGet(Duration.ofSeconds(30).toNanos());
        LiveDeadlocks.Result second = search.recent();
        assertThat(second.deadlocks()).hasSize(1);
        assertThat(second.deadlocks().get(0).links()).extracting(l -> l.name()).containsExactlyInAnyOrder(names);
    }

    /**
     * Threads parked on a lock without an owner (a latch: a service may have 100k of them) close no cycle: however long
     * they wait, no search takes a dump for them (it took two JSON dumps of every thread per search before). A cycle of
     * virtual threads on owned locks is still found, with them waiting beside it.
     */
    @Test
    void threadsParkedOnALatchTakeNoDumpAndACycleBesideThemIsFound() {
        ContainerThreads containers = ContainerThreads.open();
        assertThat(containers.isAvailable()).as(containers.unavailableReason()).isTrue();
        AtomicLong clock = new AtomicLong();
        LiveDeadlocks search = new LiveDeadlocks(containers, clock::get);
        CountDownLatch never = new CountDownLatch(1);
        for (int i = 0; i < 3; i++) {
            started.add(Thread.ofVirtual().name("latch-" + i).start(() -> awaitQuietly(never)));
            started.add(Thread.ofPlatform().name("latch-p" + i).start(() -> awaitQuietly(never)));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> started.stream()
                .allMatch(t -> t.getState() == Thread.State.WAITING));
        for (int i = 0; i < 3; i++) {
            clock.addAndGet(Duration.ofSeconds(30).toNanos());
            assertThat(search.recent().deadlocks()).isEmpty();
        }
        assertThat(search.dumps()).as("no dump for threads on a latch").isZero();

        ReentrantLock a = new ReentrantLock();
        ReentrantLock b = new ReentrantLock();
        CountDownLatch bothHeld = new CountDownLatch(2);
        List<Thread> cycle = List.of(Thread.ofVirtual().name("cycle-a").start(() -> crossLock(a, b, bothHeld)),
                Thread.ofVirtual().name("cycle-b").start(() -> crossLock(b, a, bothHeld)));
        started.addAll(cycle);
        await().atMost(Duration.ofSeconds(30)).until(() -> cycle.stream()
                .allMatch(t -> t.getState() == Thread.State.WAITING && a.hasQueuedThreads() && b.hasQueuedThreads()));
        assertFoundBySecondSearch(search, clock, "cycle-a", "cycle-b");
        assertThat(search.dumps()).isPositive();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            // ended by the test
        }
    }

    private static void crossLock(ReentrantLock first, ReentrantLock second, CountDownLatch bothHeld) {
        try {
            first.lockInterruptibly();
            try {
                bothHeld.countDown();
                bothHeld.await();
                second.lockInterruptibly();
                second.unlock();
            } finally {
                first.unlock();
            }
        } catch (InterruptedException e) {
            // ended by the test
        }
    }
}
