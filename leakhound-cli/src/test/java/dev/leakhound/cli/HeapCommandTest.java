package dev.leakhound.cli;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.leakhound.proof.MonitorScenario;
import dev.leakhound.testing.Json;
import dev.leakhound.testing.ThreadsAt;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code leakhound heap} on two real dumps of this JVM: one before, one after it made 5000 {@link Grown}s.
 */
@Timeout(300)
class HeapCommandTest {

    static final int GROWN = 5000;
    static final List<Grown> KEPT = new ArrayList<>();

    /** Instances made between the two dumps. */
    static final class Grown {
        final long[] payload = new long[4];
    }

    @org.junit.jupiter.api.AfterAll
    static void endTheLeak() throws InterruptedException {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("heap-test-leak")) {
                t.interrupt();
                t.join();
            }
        }
    }

    @TempDir
    static Path dir;
    static Path older;
    static Path newer;

    @BeforeAll
    static void twoDumps() throws Exception {
        HotSpotDiagnosticMXBean bean = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        older = dir.resolve("older.hprof");
        bean.dumpHeap(older.toString(), true);
        for (int i = 0; i < GROWN; i++) {
            KEPT.add(new Grown());
        }
        // A leak for the proof: a thread blocked on a queue only it knows. Not held here: the test finds it again
        // by name to end it.
        Thread leaker = Thread.ofPlatform().name("heap-test-leak").daemon(true).start(() -> {
            java.util.concurrent.SynchronousQueue<String> nobodyTakes = new java.util.concurrent.SynchronousQueue<>();
            try {
                nobodyTakes.put("never taken");
            } catch (InterruptedException ignored) {
                // the test ends it
            }
        });
        // in put, where the dump must show it (not merely WAITING somewhere on its way)
        ThreadsAt.await(leaker, Thread.State.WAITING, "java.util.concurrent.SynchronousQueue.put");
        leaker = null;
        newer = dir.resolve("newer.hprof");
        bean.dumpHeap(newer.toString(), true);
    }

    @Test
    void histogramOfADump() {
        Cli.Result r = Cli.run("heap", newer.toString(), "--top", "5");

        assertThat(r.status()).as(r.toString()).isEqualTo(Main.EXIT_FOUND);
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).startsWith("heap dump " + newer + "\n")
                .contains("  format       JAVA PROFILE 1.0.2, 8-byte ids\n")
                .containsPattern("  objects      \\d+: \\d+ instances, \\d+ object arrays, \\d+ primitive arrays, \\d+ classes\n")
                .containsPattern("== top 5 of \\d+ classes by shallow size ==\n")
                .containsPattern("\n +1 +\\d+ +\\d+  \\S+\n")
                .doesNotContain("baseline");
    }

    @Test
    void theProofNamesTheLeakedThreadAndWhyOthersMayStillWake() {
        Cli.Result r = Cli.run("heap", newer.toString(), "--top", "3");

        assertThat(r.status()).as(r.toString()).isEqualTo(Main.EXIT_FOUND);
        assertThat(r.out()).containsPattern("== leaked threads: [1-9]\\d* proven leaked, of \\d+ blocked with no timeout")
                .containsPattern("\\[\\d+\\] 1 platform thread parked with no timeout, and nothing that runs can reach")
                .contains("  threads      \"heap-test-leak\"")
                .contains("java.util.concurrent.SynchronousQueue.put(SynchronousQueue.java:")
                .contains("== blocked with no timeout, but not provably leaked ==");
        assertThat(Cli.run("heap", newer.toString(), "--no-proof").out()).doesNotContain("leaked threads");
    }

    @Test
    void growthAgainstABaseline() {
        Cli.Result r = Cli.run("heap", newer.toString(), "--baseline", older.toString());

        assertThat(r.status()).as(r.toString()).isEqualTo(Main.EXIT_FOUND);
        assertThat(r.out()).contains("\nbaseline " + older + "\n")
                .containsPattern("== \\d+ class(es)? grew since the baseline")
                .containsPattern("\\+" + GROWN + " +\\+" + (GROWN * (16 + 8)) + " +" + GROWN + " +\\d+  "
                        + Grown.class.getName().replace("$", "\\$") + "  \\(new\\)\n");
    }

    @Test
    void jsonForMachines() throws Exception {
        Cli.Result r = Cli.run("heap", newer.toString(), "--baseline", older.toString(), "--json", "--top", "50");

        assertThat(r.status()).as(r.toString()).isEqualTo(Main.EXIT_FOUND);
        assertThat(r.err()).isEmpty();
        Map<String, Object> doc = Json.object(Json.parse(r.out()));
        Map<String, Object> dump = Json.object(doc.get("dump"));
        assertThat(dump).containsEntry("source", newer.toString()).containsEntry("idSize", 8L)
                .containsEntry("fileBytes", Files.size(newer));
        assertThat(Json.objects(doc.get("top"))).hasSize(50);
        Map<String, Object> proof = Json.object(doc.get("proof"));
        assertThat(Json.objects(proof.get("leaked"))).anySatisfy(l -> {
            assertThat(l).containsEntry("count", 1L).containsEntry("wait", "PARKED").containsEntry("virtual", false);
            // every thread with its id and name
            assertThat(Json.objects(l.get("threads"))).singleElement().satisfies(t -> assertThat(t)
                    .containsEntry("name", "heap-test-leak").containsKey("tid"));
            assertThat(((Number) Json.objects(l.get("threads")).get(0).get("tid")).longValue()).isPositive();
            assertThat(Json.object(l.get("pattern"))).containsEntry("id", "abandoned-senders")
                    .containsEntry("certainty", "proven")
                    .containsEntry("evidence", "1 putter (SynchronousQueue.put), 0 takers reachable")
                    .containsKey("fix");
            assertThat(((Number) l.get("retainedBytes")).longValue()).isPositive();
        });
        assertThat(Json.objects(proof.get("notProven"))).allSatisfy(n -> {
            assertThat((String) n.get("why")).isNotBlank();
            assertThat(Json.object(n.get("pattern"))).containsEntry("id", "unclassified")
                    .containsEntry("certainty", "likely").doesNotContainKey("fix");
        });
        assertThat(Json.objects(doc.get("growth")))
                .filteredOn(g -> g.get("className").equals(Grown.class.getName()))
                .singleElement()
                .satisfies(g -> {
                    assertThat(((Number) g.get("instancesDelta")).longValue()).isEqualTo(GROWN);
                    assertThat(g).containsEntry("new", true);
                });
    }

    @Test
    void exitStatusOneWhenALeakedThreadIsProvenZeroOnACleanDumpTextAndJson() throws Exception {
        Path clean = dir.resolve("clean.hprof");
        Path out = dir.resolve("clean-out.txt");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
                "-cp", System.getProperty("java.class.path"), CleanDump.class.getName(), clean.toString())
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            assertThat(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)).as("the child dumped and ended").isTrue();
        } finally {
            p.destroyForcibly();
        }
        assertThat(Files.readString(out)).contains("dumped");

        Cli.Result leak = Cli.run("heap", newer.toString(), "--top", "1");
        Cli.Result leakJson = Cli.run("heap", newer.toString(), "--top", "1", "--json");
        Cli.Result none = Cli.run("heap", clean.toString(), "--top", "1");
        Cli.Result noneJson = Cli.run("heap", clean.toString(), "--top", "1", "--json");

        assertThat(leak.status()).as(leak.toString()).isEqualTo(Main.EXIT_FOUND);
        assertThat(leakJson.status()).as(leakJson.toString()).isEqualTo(Main.EXIT_FOUND);
        assertThat(none.status()).as(none.toString()).isEqualTo(Main.EXIT_OK);
        assertThat(none.out()).contains("== leaked threads: 0 proven leaked")
                // the most common case: what holds the blocked threads is a static field, said as such
                .contains("  none: every blocked thread may still be woken: " + CleanDump.TAKERS + " are reachable"
                        + " from the static field dev.leakhound.cli.CleanDump.QUEUE")
                .contains("      reachable from the static field dev.leakhound.cli.CleanDump.QUEUE"
                        + " -> java.util.concurrent.LinkedBlockingQueue\n")
                .doesNotContain("by a running thread", "more steps from something live");
        assertThat(noneJson.status()).as(noneJson.toString()).isEqualTo(Main.EXIT_OK);
        assertThat(Json.object(Json.object(Json.parse(noneJson.out())).get("proof"))).containsEntry("leakedThreads", 0L);
        assertThat(Cli.run("heap", newer.toString(), "--no-proof").status()).as("nothing proven without the proof")
                .isEqualTo(Main.EXIT_OK);
    }

    @Test
    void withAThreadDumpTakenWithItAMonitorDeadlockIsProven() throws Exception {
        Path monitors = dir.resolve("monitors.hprof");
        Path threads = dir.resolve("monitors-threads.json");
        Path out = dir.resolve("monitors-out.txt");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), MonitorScenario.class.getName(), monitors.toString(),
                threads.toString()).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            assertThat(p.waitFor(300, java.util.concurrent.TimeUnit.SECONDS)).as("the child dumped and ended").isTrue();
        } finally {
            p.destroyForcibly();
        }
        assertThat(Files.readString(out)).contains("dumped");

        Cli.Result alone = Cli.run("heap", monitors.toString(), "--top", "1");
        Cli.Result text = Cli.run("heap", monitors.toString(), "--top", "1", "--threads", threads.toString());
        Cli.Result json = Cli.run("heap", monitors.toString(), "--top", "1", "--threads", threads.toString(), "--json");

        assertThat(alone.out()).as(alone.toString()).contains("(a thread dump taken with it can show a deadlock:"
                + " --threads)").doesNotContain("\"leak-sync-platform-a\", \"leak-sync-platform-b\"");
        assertThat(text.status()).as(text.toString()).isEqualTo(Main.EXIT_FOUND);
        assertThat(text.out()).contains("  threads      \"leak-sync-platform-a\", \"leak-sync-platform-b\"\n",
                "  pattern      deadlock (proven: a cycle of 2 threads: \"leak-sync-virtual-",
                "  fix          take the locks in one order, or tryLock with a timeout\n",
                "  pattern      orphan-wait (proven: 1 thread in Object.wait()");
        List<Map<String, Object>> leaked = Json.objects(Json.object(Json.object(Json.parse(json.out())).get("proof"))
                .get("leaked"));
        assertThat(leaked).filteredOn(g -> Json.object(g.get("pattern")).get("id").equals("deadlock")).hasSize(4)
                .allSatisfy(g -> assertThat(Json.objects(g.get("threads"))).hasSize(2)
                        .allSatisfy(t -> assertThat(((Number) t.get("tid")).longValue()).isPositive()));
        // an unnamed virtual thread: its name is "", its id says which it is
        assertThat(leaked).flatExtracting(g -> Json.objects(g.get("threads")))
                .anySatisfy(t -> assertThat(t.get("name")).isEqualTo(""));

        Cli.Result notJson = Cli.run("heap", monitors.toString(), "--threads", out.toString());
        assertThat(notJson.status()).as(notJson.toString()).isEqualTo(Main.EXIT_USAGE);
        assertThat(notJson.err()).startsWith("leakhound: ");
        Cli.Result missing = Cli.run("heap", monitors.toString(), "--threads", dir.resolve("none.json").toString());
        assertThat(missing.status()).isEqualTo(Main.EXIT_USAGE);
        assertThat(missing.err()).contains("none.json: no such file");
        Cli.Result noProof = Cli.run("heap", monitors.toString(), "--no-proof", "--threads", threads.toString());
        assertThat(noProof.status()).isEqualTo(Main.EXIT_USAGE);
        assertThat(noProof.err()).contains("--threads is for the proof");
    }

    @Test
    void helpSaysTheExitStatusAndKeepsEverySentenceOnItsLinesAt80Columns() {
        Cli.Result r = Cli.run("heap", "--help");

        assertThat(r.status()).isZero();
        assertThat(r.out().lines()).as(r.out()).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(80));
        var usage = Main.commandLine(System.in).getSubcommands().get("heap").getCommandSpec().usageMessage();
        List<String> lines = r.out().lines().map(String::strip).toList();
        for (String l : concat(usage.description(), usage.footer())) {
            assertThat(lines).as("a line of heap's help, whole, in\n" + r.out()).contains(l.strip());
        }
        assertThat(r.out()).contains("  1   found:", "heap exits 1 when it proves a leaked thread");
    }

    @Test
    void versionOfTheHeapCommand() {
        Cli.Result r = Cli.run("heap", "--version");

        assertThat(r.status()).as(r.toString()).isZero();
        assertThat(r.out()).startsWith("leakhound ").contains("Java ");
    }

    private static List<String> concat(String[] a, String[] b) {
        List<String> all = new ArrayList<>(Arrays.asList(a));
        all.addAll(Arrays.asList(b));
        return all;
    }

    @Test
    void aTruncatedDumpIsOneLineWithTheFileAndTheOffset() throws Exception {
        byte[] b = Files.readAllBytes(newer);
        Path cut = Files.write(dir.resolve("cut.hprof"), Arrays.copyOf(b, b.length / 3));

        Cli.Result r = Cli.run("heap", cut.toString());

        assertThat(r.status()).as(r.toString()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.errLines()).singleElement().asString()
                .matches("leakhound: " + java.util.regex.Pattern.quote(cut.toString())
                        + ": at byte \\d+: .*truncated dump.*");     // the words depend on where the cut falls
    }

    @Test
    void notADumpMissingFilesAndBadOptions() throws Exception {
        Path text = Files.writeString(dir.resolve("notes.txt"), "hello\n");
        Cli.Result r = Cli.run("heap", text.toString());
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.errLines()).containsExactly("leakhound: " + text + ": at byte 5: not an HPROF heap dump:"
                + " the file does not start with \"JAVA PROFILE 1.0.x\"");

        r = Cli.run("heap", newer.toString(), "--baseline", dir.resolve("nope.hprof").toString());
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.errLines()).containsExactly("leakhound: " + dir.resolve("nope.hprof") + ": no such file");

        r = Cli.run("heap", newer.toString(), "--top", "0");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.errLines()).containsExactly("leakhound: --top must be 1 or more: 0");
    }
}
