package dev.leakhound.cli;

import dev.leakhound.analysis.LeakPattern;

import dev.leakhound.testing.Json;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code leakhound threads} on real dumps of this JVM, taken with jcmd while two threads of it are leaked
 * ({@link LeakedThreads}): in every format the leaked thread must be among the suspects, at the right line.
 */
@Timeout(300)
class ThreadsCommandTest {

    @TempDir
    static Path dir;

    private static LeakedThreads leaked;
    /** A pool never shut down: its workers idle in LinkedBlockingQueue.take. */
    private static ExecutorService pool;
    private static final List<Thread> poolThreads = new CopyOnWriteArrayList<>();
    private static Path json;
    private static Path text;
    private static Path jstack;
    private static final long PID = ProcessHandle.current().pid();

    @BeforeAll
    static void leakThreadsAndDumpThem() throws Exception {
        leaked = new LeakedThreads();
        ThreadFactory factory = Executors.defaultThreadFactory();
        pool = Executors.newFixedThreadPool(3, r -> {
            Thread t = factory.newThread(r);
            poolThreads.add(t);
            return t;
        });
        for (int i = 0; i < 3; i++) {
            pool.execute(() -> { });
        }
        await().atMost(Duration.ofSeconds(120)).until(() -> poolThreads.size() == 3
                && poolThreads.stream().allMatch(t -> t.getState() == Thread.State.WAITING));
        json = Jcmd.dumpToFile(dir.resolve("threads.json"), true);
        text = Jcmd.dumpToFile(dir.resolve("threads.txt"), false);
        jstack = Jcmd.threadPrint(dir.resolve("threads.jstack"));
    }

    @AfterAll
    static void endTheLeakedThreads() throws InterruptedException {
        if (leaked != null) {
            leaked.close();
        }
        if (pool != null) {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        }
    }

    // ------------------------------------------------------------------ the leaked thread is a suspect

    @Test
    void jsonDumpHasTheLeakedVirtualThreadAmongTheSuspects() {
        Cli.Result r = Cli.run("threads", json.toString());

        assertThat(r.status()).as(r.toString()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).startsWith("thread dump " + json + "\n")
                .contains("  format       JDK JSON thread dump\n")
                .contains("  process      pid " + PID + ", JDK " + Runtime.version() + "\n")
                .containsPattern("  threads      \\d+: \\d+ platform, \\d+ virtual\n")
                .containsPattern("    virtual    .*WAITING \\d+");
        assertSuspect(r.out(), "virtual", leaked.virtualBlockedAt());
        assertSuspect(r.out(), "platform", leaked.platformBlockedAt());
    }

    @Test
    void plainTextDumpHasTheLeakedVirtualThreadAmongTheSuspects() {
        Cli.Result r = Cli.run("threads", text.toString());

        assertThat(r.status()).as(r.toString()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).contains("  format       JDK plain-text thread dump\n")
                .contains("  process      pid " + PID + ", JDK " + Runtime.version() + "\n");
        assertSuspect(r.out(), "virtual", leaked.virtualBlockedAt());
        assertSuspect(r.out(), "platform", leaked.platformBlockedAt());
    }

    @Test
    void threadPrintHasTheLeakedPlatformThreadAmongTheSuspectsButNoVirtualThread() {
        Cli.Result r = Cli.run("threads", jstack.toString());

        assertThat(r.status()).as(r.toString()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).contains("  format       jstack / Thread.print\n")
                .containsPattern("  threads      \\d+: \\d+ platform, 0 virtual\n")
                .doesNotContain(LeakedThreads.VIRTUAL_NAME);
        assertSuspect(r.out(), "platform", leaked.platformBlockedAt());
    }

    /** jstack / Thread.print hides every virtual thread: the report says so and how to get them. */
    @Test
    void threadPrintSaysItListsPlatformThreadsOnlyAndHowToGetTheJsonDump() throws IOException {
        Cli.Result r = Cli.run("threads", jstack.toString());
        assertThat(r.out()).contains("  note         (this format lists platform threads only, no virtual thread;"
                + " for every thread take the JSON dump: jcmd " + PID + " Thread.dump_to_file -format=json FILE)\n");

        Map<String, Object> summary = Json.object(Json.object(Json.parse(
                Cli.run("threads", "--json", jstack.toString()).out())).get("summary"));
        assertThat(summary).containsEntry("platformThreadsOnly", true);
        assertThat((String) summary.get("note")).contains("platform threads only")
                .contains("jcmd " + PID + " Thread.dump_to_file -format=json FILE");

        assertThat(Cli.run("threads", json.toString()).out()).doesNotContain("platform threads only");
        assertThat(Json.object(Json.object(Json.parse(Cli.run("threads", "--json", json.toString()).out()))
                .get("summary"))).doesNotContainKey("platformThreadsOnly");
    }

    /** The help's first example is the JSON dump, which has the virtual threads; jstack comes last, with its limit. */
    @Test
    void helpExamplesLeadWithTheJsonDump() {
        String help = Cli.run("threads", "--help").out();
        String examples = help.substring(help.indexOf("Examples:"));
        assertThat(examples.lines().skip(1).findFirst().orElseThrow())
                .isEqualTo("  jcmd <pid> Thread.dump_to_file -format=json threads.json");
        assertThat(examples).contains("jstack <pid> | leakhound threads -      (platform threads only)");
        String top = Cli.run("--help").out();
        assertThat(top.substring(top.indexOf("Examples:")).lines().skip(1).findFirst().orElseThrow())
                .isEqualTo("  jcmd <pid> Thread.dump_to_file -format=json threads.json");
        assertThat(top).doesNotContain("Thread.print |");
    }

    // ------------------------------------------------------------------ default ignores, exit status

    /** The Finalizer is blocked with no timeout in every JVM: ignored like the leak check does, and counted. */
    @Test
    void theDefaultIgnoresOfTheLeakCheckApplyAndAreCounted() throws IOException {
        Cli.Result r = Cli.run("threads", json.toString());
        assertThat(r.out()).containsPattern("  ignored      \\d+ threads? a leak check ignores by default"
                + " \\(the JDK's own, carriers, \\.\\.\\.\\): --all lists them\n")
                .doesNotContain("\"Finalizer\"").doesNotContain("\"Reference Handler\"");

        Cli.Result all = Cli.run("threads", "--all", json.toString());
        assertThat(all.out()).doesNotContain("  ignored ").contains("\"Finalizer\"");
        String apart = all.out().substring(all.out().indexOf("\n== set apart, not suspects: "));
        assertThat(apart).contains("JDK daemon: 1 platform thread WAITING in Object.wait"); // the Finalizer's

        Map<String, Object> summary = Json.object(Json.object(Json.parse(
                Cli.run("threads", "--json", json.toString()).out())).get("summary"));
        assertThat((Long) summary.get("ignoredThreads")).isPositive();
        assertThat(Cli.run("threads", "--help").out()).contains("--all");
    }

    /**
     * Each group names its pattern and fix, in every format; the suspects are ranked (a matched pattern first), the
     * head says how many match, and the idle pool is set apart.
     */
    @Test
    void suspectsNameTheirPatternAndTheFixMatchedFirstAndIdlePoolsApart() throws IOException {
        for (Path dump : List.of(json, text, jstack)) {
            String out = Cli.run("threads", dump.toString()).out();
            assertThat(out).as(dump.toString())
                    .containsPattern("  suspects     \\d+ groups?, \\d+ threads? blocked with no timeout; [1-9]\\d* of them"
                            + " match(es)? a leak pattern\n")
                    .containsPattern("  idle pools   1 group, 3 threads \\(idle pool workers, JDK daemons\\): not suspects")
                    .contains("      blocked at " + leaked.platformBlockedAt() + "\n"
                            + "      pattern abandoned-senders (likely: 1 thread in SynchronousQueue.put on one"
                            + " SynchronousQueue$Transferer, 0 takers in the dump)\n"
                            + "      fix     " + LeakPattern.ABANDONED_SENDERS.fix() + "\n")
                    .contains("  blocked at  " + leaked.platformBlockedAt() + "\n"
                            + "  pattern     abandoned-senders (likely: ");
        }
        Map<String, Object> doc = Json.object(Json.parse(Cli.run("threads", "--json", json.toString()).out()));
        List<Map<String, Object>> suspects = Json.objects(doc.get("suspects"));
        List<String> ids = suspects.stream().map(g -> (String) Json.object(g.get("pattern")).get("id")).toList();
        assertThat(ids.subList(0, 2)).containsOnly("abandoned-senders");       // both leaked threads, ranked first
        assertThat(Json.object(suspects.get(0).get("pattern"))).containsEntry("certainty", "likely")
                .containsEntry("fix", LeakPattern.ABANDONED_SENDERS.fix());
        assertThat(Json.object(doc.get("summary"))).containsEntry("idleGroups", 1L).containsEntry("idleThreads", 3L)
                .containsEntry("suspectsMatchingPattern", ids.stream().filter(i -> !i.equals("unclassified")).count());
        assertThat(Json.objects(doc.get("groups"))).allSatisfy(g -> assertThat(g).containsKey("pattern"));
    }

    /** Suspects alone are no failure (a viewer); with --fail-on-suspects they are: exit status 1. */
    @Test
    void failOnSuspectsExitsWithOneWhenThereIsASuspect() {
        assertThat(Cli.run("threads", json.toString()).status()).isZero();
        Cli.Result r = Cli.run("threads", "--fail-on-suspects", "--suspects-only", json.toString());
        assertThat(r.status()).as(r.toString()).isEqualTo(1);
        assertSuspect(r.out(), "virtual", leaked.virtualBlockedAt());
        assertThat(Cli.run("threads", "--fail-on-suspects", "--json", jstack.toString()).status()).isEqualTo(1);
    }

    /** A pool never shut down, without the agent: its container, class and thread names say whose workers. */
    @Test
    void anIdlePoolIsNamedByItsContainerClassAndThreadNames() throws IOException {
        Cli.Result r = Cli.run("threads", json.toString());
        assertThat(r.out()).containsPattern("\\[\\d+] idle pool: 3 platform threads WAITING in LinkedBlockingQueue\\.take, .*\n"
                + "      idle workers of pool java\\.util\\.concurrent\\.ThreadPoolExecutor@\\w+ \\(class"
                + " ThreadPoolExecutor\\), threads pool-\\d+-thread-N\n");
        assertThat(r.out()).containsPattern("  container   java\\.util\\.concurrent\\.ThreadPoolExecutor@\\w+"
                + " \\(class ThreadPoolExecutor\\), threads pool-\\d+-thread-N\n"
                + "  idle        workers waiting for a task: they end only when the pool is shut down");

        // jstack has no containers: the thread names still say it is an executor's
        assertThat(Cli.run("threads", jstack.toString()).out()).containsPattern(
                "      idle workers of pool threads pool-\\d+-thread-N \\(Executors' default thread factory\\)\n");

        Map<String, Object> doc = Json.object(Json.parse(Cli.run("threads", "--json", json.toString()).out()));
        assertThat(Json.objects(doc.get("suspects"))).noneMatch(g -> "LinkedBlockingQueue.take".equals(g.get("waitingIn")));
        Map<String, Object> idle = Json.objects(doc.get("idle")).stream()
                .filter(i -> "LinkedBlockingQueue.take".equals(Json.object(i.get("group")).get("waitingIn")))
                .findFirst().orElseThrow();
        assertThat(idle).containsEntry("what", "idle pool");
        Map<String, Object> group = Json.object(idle.get("group"));
        assertThat(Json.object(group.get("pattern"))).containsEntry("id", "unclassified");
        assertThat(group).containsEntry("idlePoolWorkers", true);
        Map<String, Object> p = Json.objects(group.get("pools")).get(0);
        assertThat(p).containsEntry("class", "java.util.concurrent.ThreadPoolExecutor").containsEntry("threads", 3L);
        assertThat((String) p.get("threadNames")).matches("pool-\\d+-thread-N");
        assertThat((String) p.get("container")).startsWith("java.util.concurrent.ThreadPoolExecutor@");
    }

    /**
     * In the suspects section: a group headed "[n] 1 KIND thread WAITING in SynchronousQueue.put, parked on
     * ...SynchronousQueue$Transferer@..." followed by "blocked at FRAME" (a short entry pointing to the group
     * above, or the group in full with --suspects-only).
     */
    private static void assertSuspect(String out, String kind, String blockedAt) {
        int at = out.indexOf("\n== suspects: ");
        assertThat(at).as("suspects section in\n" + out).isPositive();
        List<String> lines = out.substring(at + 1).lines().toList();
        Pattern headline = Pattern.compile("\\[\\d+] 1 " + kind
                + " thread WAITING in SynchronousQueue\\.put, parked on java\\.util\\.concurrent\\.SynchronousQueue\\$Transferer@\\w+");
        boolean found = false;
        for (int i = 0; i + 1 < lines.size() && !found; i++) {
            String next = lines.get(i + 1);
            found = headline.matcher(lines.get(i)).matches()
                    && (next.equals("      blocked at " + blockedAt) || next.equals("  blocked at  " + blockedAt));
        }
        assertThat(found).as("suspect %s thread blocked at %s in\n%s", kind, blockedAt, out).isTrue();
    }

    // ------------------------------------------------------------------ options

    @Test
    void jsonOutputIsOneDocumentWithSummaryGroupsAndSuspects() throws IOException {
        Cli.Result r = Cli.run("threads", "--json", json.toString());

        assertThat(r.status()).as(r.toString()).isZero();
        assertThat(r.err()).isEmpty();
        Map<String, Object> doc = Json.object(Json.parse(r.out()));
        assertThat(doc).containsOnlyKeys("summary", "deadlocks", "groups", "suspects", "idle");

        Map<String, Object> summary = Json.object(doc.get("summary"));
        assertThat(summary).containsEntry("source", json.toString())
                .containsEntry("format", "JDK_JSON")
                .containsEntry("formatDescription", "JDK JSON thread dump")
                .containsEntry("processId", PID)
                .containsEntry("runtimeVersion", Runtime.version().toString())
                .containsKey("time");
        long threads = (Long) summary.get("threads");
        assertThat((Long) summary.get("platformThreads") + (Long) summary.get("virtualThreads")).isEqualTo(threads);
        assertThat((Long) summary.get("virtualThreads")).isPositive();
        Map<String, Object> states = Json.object(summary.get("states"));
        long byState = states.values().stream().map(Json::object)
                .flatMap(m -> m.values().stream()).mapToLong(v -> (Long) v).sum();
        assertThat(byState).isEqualTo(threads);

        List<Map<String, Object>> groups = Json.objects(doc.get("groups"));
        assertThat(groups).hasSize(((Long) summary.get("groups")).intValue());
        assertThat(groups.stream().mapToLong(g -> (Long) g.get("count")).sum() + (Long) summary.get("ignoredThreads"))
                .isEqualTo(threads);
        assertThat(groups).extracting(g -> (Long) g.get("count")).isSortedAccordingTo((a, b) -> Long.compare(b, a));

        List<Map<String, Object>> suspects = Json.objects(doc.get("suspects"));
        assertThat(suspects).hasSize(((Long) summary.get("suspectGroups")).intValue())
                .allSatisfy(g -> assertThat(g).containsEntry("blockedWithoutTimeout", true));
        assertThat(suspects.stream().mapToLong(g -> (Long) g.get("count")).sum())
                .isEqualTo((Long) summary.get("suspectThreads"));
        Map<String, Object> suspect = suspects.stream()
                .filter(g -> leaked.virtualBlockedAt().equals(g.get("blockedAt"))).findFirst().orElseThrow();
        assertThat(suspect).containsEntry("count", 1L).containsEntry("virtualCount", 1L)
                .containsEntry("state", "WAITING").containsEntry("waitingIn", "SynchronousQueue.put");
        assertThat(Json.object(suspect.get("blocker")))
                .containsEntry("kind", "PARKED_ON")
                .containsEntry("class", "java.util.concurrent.SynchronousQueue$Transferer");
        Map<String, Object> thread = Json.objects(suspect.get("threads")).get(0);
        assertThat(thread).containsEntry("name", LeakedThreads.VIRTUAL_NAME).containsEntry("virtual", true)
                .containsEntry("id", leaked.virtual.threadId());
        assertThat(Json.array(suspect.get("stack"))).contains(leaked.virtualBlockedAt());
    }

    @Test
    void suspectsOnlyLeavesOutTheOtherGroups() throws IOException {
        Cli.Result r = Cli.run("threads", "--suspects-only", "--all", json.toString());

        assertThat(r.status()).as(r.toString()).isZero();
        assertThat(r.out()).doesNotContainPattern("== \\d+ groups?, largest first ==")
                .contains("\n== suspects: ")
                .doesNotContain("\"Signal Dispatcher\"");          // RUNNABLE: in the groups, not a suspect
        assertSuspect(r.out(), "virtual", leaked.virtualBlockedAt());

        Cli.Result all = Cli.run("threads", "--all", json.toString());
        assertThat(all.out()).containsPattern("== \\d+ groups, largest first ==").contains("\"Signal Dispatcher\"");

        Map<String, Object> doc = Json.object(Json.parse(Cli.run("threads", "--json", "--suspects-only", json.toString()).out()));
        assertThat(doc).containsOnlyKeys("summary", "deadlocks", "suspects", "idle");
    }

    @Test
    void allFramesListsTheJdkFramesThatAreFoldedOtherwise() {
        String folded = Cli.run("threads", json.toString()).out();
        String full = Cli.run("threads", "--all-frames", json.toString()).out();

        assertThat(folded).contains(" JDK frames\n").doesNotContain("jdk.internal.misc.Unsafe.park(Native Method)");
        assertThat(full).contains("    jdk.internal.misc.Unsafe.park(Native Method)\n")
                .contains("    java.util.concurrent.SynchronousQueue$Transferer.xferLifo(")
                .doesNotContain(" JDK frames\n");
    }

    @Test
    void readsStandardInputForDash() throws IOException {
        Cli.Result r = Cli.run(Files.readAllBytes(text), "threads", "-");

        assertThat(r.status()).as(r.toString()).isZero();
        assertThat(r.out()).startsWith("thread dump <stdin>\n").contains("JDK plain-text thread dump");
        assertSuspect(r.out(), "virtual", leaked.virtualBlockedAt());
    }

    @Test
    void readsGzipCompressedDumps() throws IOException {
        Path gz = dir.resolve("threads.json.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            Files.copy(json, out);
        }
        Cli.Result r = Cli.run("threads", gz.toString());

        assertThat(r.status()).as(r.toString()).isZero();
        assertSuspect(r.out(), "virtual", leaked.virtualBlockedAt());
    }

    // ------------------------------------------------------------------ bad input: exit 2, one line

    @ParameterizedTest
    @ValueSource(strings = {"missing", "empty", "blank", "truncated JSON", "garbage", "binary", "directory",
            "truncated gzip"})
    void badInputExitsWithTwoAndOneLineNamingTheFile(String kind) throws IOException {
        Path file = badInput(kind);

        Cli.Result r = Cli.run("threads", file.toString());

        assertThat(r.status()).as(r.toString()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.errLines()).as(r.toString()).hasSize(1);
        assertThat(r.err()).startsWith("leakhound: " + file + ":")
                .doesNotContain("Exception").doesNotContain("\tat ");
        if (kind.equals("truncated JSON")) {
            assertThat(r.err()).matches("leakhound: " + Pattern.quote(file.toString()) + ":\\d+:\\d+: .*truncated.*\n");
        }
    }

    private static Path badInput(String kind) throws IOException {
        Path file = dir.resolve("bad-" + kind.replace(' ', '-'));
        byte[] dump = Files.readAllBytes(json);
        switch (kind) {
            case "missing" -> {
                return file;
            }
            case "empty" -> Files.write(file, new byte[0]);
            case "blank" -> Files.writeString(file, "\n  \n\n");
            case "truncated JSON" -> Files.write(file, java.util.Arrays.copyOf(dump, dump.length / 2));
            case "garbage" -> Files.writeString(file, "this is not a thread dump\nat all\n");
            case "binary" -> Files.write(file, new byte[] {0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 1, 2, 3});
            case "directory" -> Files.createDirectories(file);
            case "truncated gzip" -> {
                Path gz = dir.resolve("whole.gz");
                try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
                    out.write(dump);
                }
                byte[] zipped = Files.readAllBytes(gz);
                Files.write(file, java.util.Arrays.copyOf(zipped, zipped.length / 2));
            }
            default -> throw new IllegalArgumentException(kind);
        }
        return file;
    }

    @Test
    void truncatedStandardInputNamesStdinAndTheLine() throws IOException {
        byte[] dump = Files.readAllBytes(json);
        Cli.Result r = Cli.run(java.util.Arrays.copyOf(dump, dump.length / 3), "threads", "-");

        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).matches("leakhound: <stdin>:\\d+:\\d+: .*\n");
    }

    @Test
    void debugAddsTheStackTrace() throws IOException {
        Path file = badInput("garbage");
        Cli.Result r = Cli.run("threads", "--debug", file.toString());

        assertThat(r.status()).isEqualTo(2);
        assertThat(r.errLines().get(0)).startsWith("leakhound: " + file + ":1: unknown format");
        assertThat(r.err()).contains("ThreadDumpParseException").contains("\tat ");
    }

    @Test
    void unknownOptionOrMissingFileIsAUsageError() {
        Cli.Result unknown = Cli.run("threads", "--bogus", json.toString());
        assertThat(unknown.status()).isEqualTo(2);
        assertThat(unknown.out()).isEmpty();
        assertThat(unknown.err()).isEqualTo("leakhound: Unknown option: '--bogus' (see 'leakhound threads --help')\n");

        Cli.Result missing = Cli.run("threads");
        assertThat(missing.status()).isEqualTo(2);
        assertThat(missing.errLines()).containsExactly(
                "leakhound: Missing required parameter: 'FILE' (see 'leakhound threads --help')");
    }

    @Test
    void helpDocumentsTheExitStatus() {
        Cli.Result r = Cli.run("threads", "--help");

        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("Usage: leakhound threads", "--json", "--all-frames", "--suspects-only",
                "--fail-on-suspects", "Exit status:", "  0   nothing found", "  1   found: threads: a deadlock",
                "  2   bad input or usage", "  3   an error inside Leakhound itself");
    }
}
