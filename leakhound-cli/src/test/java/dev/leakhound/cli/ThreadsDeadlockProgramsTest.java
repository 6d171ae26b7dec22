package dev.leakhound.cli;

import dev.leakhound.testing.DeadlockedJvm;
import dev.leakhound.testing.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Deadlock programs ({@code testing.DeadlockProgram}) in child JVMs, dumped with the real {@code jcmd}: {@code
 * threads} names each deadlock (the cycle, each thread's lock held and wanted with the application lines, pattern and
 * fix) and exits 1, from every dump that shows the locks, and names none in a look-alike.
 *
 * <p>What JDK 25's dumps show (measured): the JSON and plain-text dumps give monitors held and entered, for
 * platform and virtual threads, but no owner of a {@code java.util.concurrent} lock; {@code Thread.print -l} gives
 * held ownable synchronizers (platform threads only); {@code Thread.print} lists no virtual thread.
 */
@Timeout(600)
class ThreadsDeadlockProgramsTest {
    @TempDir
    Path dir;

    @Test
    void synchronizedPlatformThreadsInEveryDumpFormat() throws Exception {
        try (DeadlockedJvm jvm = DeadlockedJvm.start(dir, "sync", "platform")) {
            for (Path dump : List.of(jvm.jsonDump(), jvm.plainDump(), jvm.threadPrint(false))) {
                Cli.Result r = Cli.run("threads", dump.toString());
                assertThat(r.status()).as(r.toString()).isEqualTo(1);
                assertTwoThreadCycle(r.out(), "dl-sync-1", "dl-sync-2", "platform", "java.lang.Object@");
            }
            Cli.Result printed = Cli.run("threads", jvm.threadPrint(false).toString());
            assertThat(printed.out()).contains("each holding a lock the next one wants (the JVM reported it too)")
                    .contains("  deadlocks    1 (2 threads), exit status 1\n")
                    .containsOnlyOnce("== deadlock ");
        }
    }

    @Test
    void synchronizedVirtualThreads() throws Exception {
        try (DeadlockedJvm jvm = DeadlockedJvm.start(dir, "sync", "virtual")) {
            for (Path dump : List.of(jvm.jsonDump(), jvm.plainDump())) {
                Cli.Result r = Cli.run("threads", dump.toString());
                assertThat(r.status()).as(r.toString()).isEqualTo(1);
                assertTwoThreadCycle(r.out(), "dl-sync-1", "dl-sync-2", "virtual", "java.lang.Object@");
            }
        }
    }

    @Test
    void reentrantLocksOfPlatformThreadsFromThreadPrintWithSynchronizers() throws Exception {
        try (DeadlockedJvm jvm = DeadlockedJvm.start(dir, "lock", "platform")) {
            Cli.Result r = Cli.run("threads", jvm.threadPrint(true).toString());
            assertThat(r.status()).as(r.toString()).isEqualTo(1);
            assertThat(r.out()).containsOnlyOnce("== deadlock ")
                    .contains("(the JVM reported it too)")
                    .containsPattern("holds java\\.util\\.concurrent\\.locks\\.ReentrantLock\\$NonfairSync@0x\\w+, taken"
                            + " at a line not recorded\n")
                    .containsPattern("wants java\\.util\\.concurrent\\.locks\\.ReentrantLock\\$NonfairSync@0x\\w+,"
                            + " waiting at dev\\.leakhound\\.testing\\.DeadlockProgram\\.locks\\(DeadlockProgram\\.java:\\d+\\)")
                    .contains("pattern: deadlock (likely: 2 threads, each holding a java.util.concurrent lock the next"
                            + " wants; the JVM reported it too)");

            // Without -l only the JVM's own report tells: it is shown, with the locks it names.
            Cli.Result plain = Cli.run("threads", "--json", jvm.threadPrint(false).toString());
            assertThat(plain.status()).as(plain.toString()).isEqualTo(1);
            Map<String, Object> d = Json.objects(Json.object(Json.parse(plain.out())).get("deadlocks")).get(0);
            assertThat(d.get("printedByJvm")).isEqualTo(true);
            assertThat(Json.objects(d.get("threads"))).extracting(t -> t.get("name"))
                    .containsExactlyInAnyOrder("dl-lock-1", "dl-lock-2");
            assertThat(Json.objects(d.get("threads"))).allSatisfy(t -> assertThat((String) t.get("holds"))
                    .matches("java\\.util\\.concurrent\\.locks\\.ReentrantLock\\$NonfairSync@0x\\w+"));
        }
    }

    @Test
    void threeThreadCycleInJson() throws Exception {
        try (DeadlockedJvm jvm = DeadlockedJvm.start(dir, "sync3", "platform")) {
            Cli.Result r = Cli.run("threads", "--json", jvm.jsonDump().toString());
            assertThat(r.status()).as(r.toString()).isEqualTo(1);
            Map<String, Object> doc = Json.object(Json.parse(r.out()));
            assertThat(Json.object(doc.get("summary"))).containsEntry("deadlocks", 1L);
            Map<String, Object> d = Json.objects(doc.get("deadlocks")).get(0);
            assertThat(Json.object(d.get("pattern"))).containsEntry("id", "deadlock").containsEntry("certainty", "likely")
                    .containsEntry("fix", "take the locks in one order, or tryLock with a timeout");
            List<Map<String, Object>> threads = Json.objects(d.get("threads"));
            assertThat(threads).extracting(t -> t.get("name"))
                    .containsExactlyInAnyOrder("dl-ring-1", "dl-ring-2", "dl-ring-3");
            for (int i = 0; i < 3; i++) {
                Map<String, Object> t = threads.get(i);
                Map<String, Object> next = threads.get((i + 1) % 3);
                assertThat(t.get("wants")).as("each wants what the next holds").isEqualTo(next.get("holds"));
                assertThat(t.get("tid")).isInstanceOf(Long.class);
                assertThat(t.get("virtual")).isEqualTo(false);
                assertThat((String) t.get("heldAt")).startsWith("dev.leakhound.testing.DeadlockProgram.monitors(");
                assertThat((String) t.get("wantsAt")).startsWith("dev.leakhound.testing.DeadlockProgram.monitors(");
            }
        }
    }

    /** Threads wait for locks others hold, but those wait for a latch: no cycle, no deadlock, exit 0. */
    @Test
    void aLookAlikeIsNoDeadlock() throws Exception {
        for (String kind : List.of("platform", "virtual")) {
            try (DeadlockedJvm jvm = DeadlockedJvm.start(dir, "lookalike", kind)) {
                List<Path> dumps = kind.equals("platform")
                        ? List.of(jvm.jsonDump(), jvm.plainDump(), jvm.threadPrint(true))
                        : List.of(jvm.jsonDump(), jvm.plainDump());
                for (Path dump : dumps) {
                    Cli.Result r = Cli.run("threads", dump.toString());
                    assertThat(r.status()).as(r.toString()).isZero();
                    assertThat(r.out()).contains("  deadlocks    none\n").doesNotContain("== deadlock");
                }
            }
        }
    }

    private static void assertTwoThreadCycle(String out, String a, String b, String kind, String lockPrefix) {
        assertThat(out).as(out).contains("  deadlocks    1 (2 threads), exit status 1\n")
                .containsOnlyOnce("== deadlock 1 of 1: 2 threads, each holding a lock the next one wants")
                .containsPattern("#\\d+ \"" + a + "\" \\(" + kind + " thread\\)\n")
                .containsPattern("#\\d+ \"" + b + "\" \\(" + kind + " thread\\)\n")
                .containsPattern("    holds " + java.util.regex.Pattern.quote(lockPrefix)
                        + "\\w+, taken at dev\\.leakhound\\.testing\\.DeadlockProgram\\.monitors\\(DeadlockProgram\\.java:\\d+\\)\n")
                .containsPattern("    wants " + java.util.regex.Pattern.quote(lockPrefix)
                        + "\\w+, waiting at dev\\.leakhound\\.testing\\.DeadlockProgram\\.monitors\\(DeadlockProgram\\.java:\\d+\\)\n")
                .contains("  pattern: deadlock (likely: 2 threads, each holding a monitor the next wants")
                .contains("  fix:     take the locks in one order, or tryLock with a timeout\n");
    }
}
