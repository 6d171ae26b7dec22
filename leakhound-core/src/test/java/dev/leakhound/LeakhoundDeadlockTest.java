package dev.leakhound;

import dev.leakhound.model.Deadlock;
import dev.leakhound.testing.DeadlockedJvm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A check that finds deadlocked threads says "deadlock" and shows the cycle: ReentrantLock deadlocks in this JVM
 * (interruptible, so the test ends them), synchronized ones in a child JVM (they cannot be ended).
 */
@Timeout(600)
class LeakhoundDeadlockTest {
    private final List<Thread> started = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void endThreads() throws InterruptedException {
        for (Thread t : started) {
            t.interrupt();
        }
        for (Thread t : started) {
            assertThat(t.join(Duration.ofSeconds(60))).as(t + " ended").isTrue();
        }
    }

    /** Two threads each holding one ReentrantLock and waiting for the other's, until interrupted. */
    private void deadlock(Thread.Builder builder, String prefix, ReentrantLock first, ReentrantLock second) {
        CountDownLatch both = new CountDownLatch(2);
        started.add(builder.name(prefix + "-1").start(() -> lockBoth(first, second, both)));
        started.add(builder.name(prefix + "-2").start(() -> lockBoth(second, first, both)));
        await().atMost(Duration.ofSeconds(120))
                .until(() -> second.hasQueuedThread(started.get(0)) && first.hasQueuedThread(started.get(1)));
    }

    private static void lockBoth(ReentrantLock mine, ReentrantLock theirs, CountDownLatch both) {
        mine.lock();
        try {
            both.countDown();
            both.await();
            theirs.lockInterruptibly();
            theirs.unlock();
        } catch (InterruptedException e) {
            // the test ends the deadlock
        } finally {
            mine.unlock();
        }
    }

    @Test
    void platformThreadsDeadlockedOnReentrantLocksAreToldDeadlock() {
        deadlock(Thread.ofPlatform().daemon(), "check-lock", new ReentrantLock(), new ReentrantLock());

        assertThatThrownBy(() -> Leakhound.verifyNone(LeakOptions.builder().retryFor(Duration.ofMillis(100)).build()))
                .isInstanceOfSatisfying(LeakedThreadsError.class, e -> {
                    assertThat(e.report().deadlocks()).hasSize(1);
                    Deadlock d = e.report().deadlocks().get(0);
                    assertThat(d.links()).extracting(Deadlock.Link::name)
                            .containsExactlyInAnyOrder("check-lock-1", "check-lock-2");
                    assertThat(e.getMessage())
                            .contains("leaked threads in ")
                            .contains(", 2 of them in a deadlock (still there after")
                            .contains("== deadlock 1 of 1: 2 threads, each holding a lock the next one wants ==")
                            .containsPattern("#\\d+ \"check-lock-1\" \\(platform thread\\)\n    holds java\\.util\\."
                                    + "concurrent\\.locks\\.ReentrantLock\\$NonfairSync@\\w+, taken at a line not"
                                    + " recorded\n    wants java\\.util\\.concurrent\\.locks\\.ReentrantLock\\$NonfairSync"
                                    + "@\\w+, waiting at dev\\.leakhound\\.LeakhoundDeadlockTest\\.lockBoth\\(")
                            .contains("  pattern: deadlock (likely: 2 threads, each holding a java.util.concurrent lock"
                                    + " the next wants)\n  fix:     take the locks in one order, or tryLock with a timeout");
                });
    }

    /** Without the agent the owner of a virtual thread's lock is unknown: said in a note, no failure of the check. */
    @Test
    void virtualThreadsOnReentrantLocksWithoutTheAgentGetANote() {
        deadlock(Thread.ofVirtual(), "check-vlock", new ReentrantLock(), new ReentrantLock());

        LeakReport report = Leakhound.find(LeakOptions.builder().retryFor(Duration.ofMillis(100)).build());
        assertThat(report.count()).isEqualTo(2);
        assertThat(report.deadlocks()).isEmpty();
        assertThat(report.notes()).contains(Leakhound.OWNERS_UNKNOWN);
    }

    /** With java.base opened as the agent opens it, the owners are read and the virtual deadlock is found. */
    @Test
    void virtualThreadsOnReentrantLocksWithTheLocksOpen() throws Exception {
        String report = DeadlockedJvm.leakCheck(dir, "lock", "virtual",
                "--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED",
                "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");
        assertThat(report).contains("2 of them in a deadlock")
                .containsPattern("#\\d+ \"dl-lock-1\" \\(virtual thread\\)\n")
                .containsPattern("#\\d+ \"dl-lock-2\" \\(virtual thread\\)\n")
                .contains("pattern: deadlock (likely: 2 threads, each holding a java.util.concurrent lock the next wants)")
                .doesNotContain(Leakhound.OWNERS_UNKNOWN);
    }

    @Test
    void synchronizedDeadlocksInAChildJvm() throws Exception {
        for (String kind : List.of("platform", "virtual")) {
            String report = DeadlockedJvm.leakCheck(dir, "sync", kind);
            assertThat(report).as(report).contains("2 of them in a deadlock")
                    .containsPattern("#\\d+ \"dl-sync-1\" \\(" + kind + " thread\\)\n    holds java\\.lang\\.Object@\\w+,"
                            + " taken at dev\\.leakhound\\.testing\\.DeadlockProgram\\.monitors\\(DeadlockProgram\\.java:\\d+\\)\n"
                            + "    wants java\\.lang\\.Object@\\w+, waiting at dev\\.leakhound\\.testing\\.DeadlockProgram"
                            + "\\.monitors\\(")
                    .contains("pattern: deadlock (likely: 2 threads, each holding a monitor the next wants)");
        }
        String ring = DeadlockedJvm.leakCheck(dir, "sync3", "platform");
        assertThat(ring).contains("3 of them in a deadlock").contains("== deadlock 1 of 1: 3 threads");
        String lookalike = DeadlockedJvm.leakCheck(dir, "lookalike", "virtual");
        assertThat(lookalike).contains("found 4 leaked threads").doesNotContain("== deadlock", "in a deadlock")
                .contains(Leakhound.OWNERS_UNKNOWN);
        String opened = DeadlockedJvm.leakCheck(dir, "lookalike", "virtual",
                "--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED",
                "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");
        assertThat(opened).contains("found 4 leaked threads").doesNotContain("deadlock");
    }
}
