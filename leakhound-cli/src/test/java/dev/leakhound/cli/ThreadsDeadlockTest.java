package dev.leakhound.cli;

import dev.leakhound.testing.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A real deadlock in this JVM (two threads, each holding one ReentrantLock and waiting for the other's,
 * interruptibly so that the test can end them), dumped with {@code jcmd PID Thread.print}: the JVM's own
 * "Found one Java-level deadlock" section is reported as a deadlock, and {@code threads} exits 1.
 */
@Timeout(300)
class ThreadsDeadlockTest {
    private static final String A = "cli-test-deadlock-a";
    private static final String B = "cli-test-deadlock-b";

    @TempDir
    static Path dir;

    private static Thread a;
    private static Thread b;
    private static Path jstack;
    private static Path json;

    @BeforeAll
    static void deadlockTwoThreadsAndDumpThem() throws Exception {
        ReentrantLock first = new ReentrantLock();
        ReentrantLock second = new ReentrantLock();
        CountDownLatch bothHoldOne = new CountDownLatch(2);
        a = Thread.ofPlatform().name(A).daemon().start(() -> lockBoth(first, second, bothHoldOne));
        b = Thread.ofPlatform().name(B).daemon().start(() -> lockBoth(second, first, bothHoldOne));
        await().atMost(Duration.ofSeconds(120)).until(() -> second.hasQueuedThread(a) && first.hasQueuedThread(b));
        jstack = Jcmd.threadPrint(dir.resolve("deadlock.jstack"));
        json = Jcmd.dumpToFile(dir.resolve("deadlock.json"), true);
    }

    private static void lockBoth(ReentrantLock mine, ReentrantLock theirs, CountDownLatch bothHoldOne) {
        mine.lock();
        try {
            bothHoldOne.countDown();
            bothHoldOne.await();
            theirs.lockInterruptibly();
            theirs.unlock();
        } catch (InterruptedException e) {
            // the clean-up: the thread ends
        } finally {
            mine.unlock();
        }
    }

    @AfterAll
    static void endTheDeadlock() throws InterruptedException {
        for (Thread t : new Thread[] {a, b}) {
            if (t != null) {
                t.interrupt();
                assertThat(t.join(Duration.ofSeconds(60))).as(t + " ended").isTrue();
            }
        }
    }

    @Test
    void aDeadlockTheJvmReportedIsShownAndExitsWithOne() {
        Cli.Result r = Cli.run("threads", jstack.toString());

        assertThat(r.status()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).contains("  deadlocks    1 (2 threads), exit status 1\n")
                .contains("\n\n== deadlock 1 of 1: 2 threads, each holding a lock the next one wants (the JVM reported it"
                        + " too) ==\n")
                .containsPattern("  \"" + A + "\" \\(platform thread\\)\n    holds java\\.util\\.concurrent\\.locks\\."
                        + "ReentrantLock\\$NonfairSync@0x\\w+, taken at a line not recorded\n    wants java\\.util\\.concurrent\\.locks\\.ReentrantLock"
                        + "\\$NonfairSync@0x\\w+\n")
                .containsPattern("  \"" + B + "\" \\(platform thread\\)\n")
                .contains("  pattern: deadlock (likely: 2 threads, each holding a java.util.concurrent lock the next wants;"
                        + " the JVM reported it too)\n");
        assertThat(Cli.run("threads", "--suspects-only", jstack.toString()).out()).contains("== deadlock 1 of 1");
    }

    @Test
    void jsonListsTheDeadlockAndExitsWithOne() throws IOException {
        Cli.Result r = Cli.run("threads", "--json", jstack.toString());

        assertThat(r.status()).as(r.toString()).isEqualTo(1);
        Map<String, Object> doc = Json.object(Json.parse(r.out()));
        assertThat(Json.object(doc.get("summary"))).containsEntry("deadlocks", 1L);
        List<Map<String, Object>> threads = Json.objects(Json.objects(doc.get("deadlocks")).get(0).get("threads"));
        assertThat(threads).extracting(t -> t.get("name")).containsExactlyInAnyOrder(A, B);
        assertThat(threads.get(0).get("wants")).isEqualTo(threads.get(1).get("holds"));
        assertThat(threads.get(1).get("wants")).isEqualTo(threads.get(0).get("holds"));
        assertThat((String) threads.get(0).get("wants")).startsWith("java.util.concurrent.locks.ReentrantLock$NonfairSync@0x");
    }

    /**
     * JDK 25's JSON dump gives no owner of a ReentrantLock (and no deadlock section): nothing is claimed, exit 0 (its
     * threads are suspects).
     */
    @Test
    void theJsonDumpReportsNoDeadlock() throws IOException {
        Cli.Result r = Cli.run("threads", "--json", json.toString());
        assertThat(r.status()).as(r.toString()).isZero();
        assertThat(Json.object(Json.object(Json.parse(r.out())).get("summary"))).containsEntry("deadlocks", 0L);
    }
}
