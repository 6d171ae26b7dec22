package dev.leakhound.cli.demo;

import dev.leakhound.LeakOptions;
import dev.leakhound.Leakhound;
import dev.leakhound.cli.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code leakhound demo} in this JVM: leaks where the examples plant them, each with its fix, none elsewhere, nothing left behind. */
@Timeout(300)
class DemoCommandTest {

    @Test
    void byDefaultRunsStepsOneToFiveWithAFixLineAfterEveryLeakAndCleansUp() {
        LeakOptions before = LeakOptions.builder().ignoreCurrent().retryFor(java.time.Duration.ofSeconds(60)).build();

        Cli.Result r = Cli.run("demo", "--rounds", "3", "--period-ms", "250");

        assertThat(r.status()).as(r.toString()).isZero();
        assertThat(r.err()).isEmpty();
        String out = r.out();
        List<Integer> growth = assertStepsOneToFive(out, "Afterwards:");
        assertThat(out).doesNotContain("6. SentinelAgent LIVE", "7. Post-mortem", "debug server: http", "NOT as expected")
                .contains("More: ./leakhound demo --all also runs");
        // exactly one fix line per leak shown: steps 1 and 4
        assertThat(out.lines().filter(l -> l.strip().startsWith("fix: ")).toList())
                .containsExactly("   " + DemoCommand.FIX_MULTI_QUERY, "   " + DemoCommand.FIX_SENTINEL);
        assertThat(section(out, "Afterwards:", "demo: ")).contains("leakhound: no leaked threads");
        String arrows = growth.stream().map(String::valueOf).collect(Collectors.joining(" -> "));
        assertThat(out.lines().toList().getLast()).startsWith("demo: as expected (")
                .endsWith("MultiQuery leaky leaked 2 virtual threads in SynchronousQueue.put, buffered none, "
                        + "cancelling none; SentinelAgent buggy leaked " + arrows + " checker threads over 3 rounds, "
                        + "fixed none");
        Leakhound.verifyNone(before);
    }

    @Test
    void helpDocumentsAllAndTheFixLines() {
        Cli.Result r = Cli.run("demo", "--help");

        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("--all", "With --all, also:", "6. SentinelAgent LIVE", "7. Post-mortem",
                "a 'fix:' line after every leak").doesNotContain("seed");
    }

    @Test
    void allAddsTheLiveStepAndThePostMortemEachWithItsFixLine() {
        // what the demo stopped (its threads, the agent's) may still be ending: the final check waits as long as that takes
        LeakOptions before = LeakOptions.builder().ignoreCurrent().retryFor(java.time.Duration.ofSeconds(60)).build();
        List<String> tempBefore = demoTempDirs();

        // Rounds 250 ms apart: the post-mortem's GC verdict is a line through the rounds' collections in time; with a
        // period far above a round's work, a busy machine's stalls shift no round (at 20 ms, a round's own work, slowed
        // by the load, spaced them unevenly).
        Cli.Result r = Cli.run("demo", "--all", "--rounds", "3", "--period-ms", "250");

        assertThat(r.status()).as(r.toString()).isZero();
        assertThat(r.err()).isEmpty();
        String out = r.out();
        List<Integer> growth = assertStepsOneToFive(out, "6. SentinelAgent LIVE");
        String live = section(out, "6. SentinelAgent LIVE, buggy", "7. Post-mortem");
        String postMortem = section(out, "7. Post-mortem", "Afterwards:");
        assertThat(out).doesNotContain("More: ./leakhound demo --all");

        // live, with the agent and its server: the count from /debug/threads/count rises every round, and
        // the detector names the done.put(1) line within 3 rounds of the first leak
        int firstLeakRound = growth.indexOf(growth.stream().filter(n -> n > 0).findFirst().orElseThrow()) + 1;
        List<Integer> liveCounts = liveCounts(live);
        assertThat(liveCounts).hasSize(3);
        for (int i = 1; i < liveCounts.size(); i++) {
            assertThat(liveCounts.get(i)).as("live count of round %d in\n%s", i + 1, live).isGreaterThan(liveCounts.get(i - 1));
        }
        int suspectRound = suspectRound(live);
        assertThat(suspectRound).as(live).isPositive();
        assertThat(suspectRound - firstLeakRound).as(live).isBetween(0, 3);
        assertThat(live).contains("SUSPECT from the leak detector: ")
                .contains("virtual threads WAITING in ArrayBlockingQueue.put")
                .contains("blocked at  dev.leakhound.examples.SentinelAgent.runCheck(SentinelAgent.java:" + donePutLine() + ")")
                .containsPattern("growth      \\+3\\.0 threads per round \\(counts over the window: 0 -> 3 -> 6\\)")
                .containsPattern("wait site   WAITING in java\\.util\\.concurrent\\.ArrayBlockingQueue\\.put\\(")
                .containsPattern("pattern     abandoned-senders \\(likely: \\d+ threads in ArrayBlockingQueue\\.put on 3"
                        + " distinct AbstractQueuedSynchronizer\\$ConditionObject, \\d+ takers? in the dump[^)]*\\)\n")
                .contains("fix         " + dev.leakhound.analysis.LeakPattern.ABANDONED_SENDERS.fix() + "\n")
                .contains("started at  not recorded yet (creation sites come with the agent's instrumentation)")
                .contains("=> as expected: the live thread count rises every round (")
                .endsWith("   " + DemoCommand.FIX_SENTINEL_AGAIN + "\n\n")
                .doesNotContain("NOT as expected");
        assertServedAndReleased(live, liveCounts);

        // post-mortem of another JVM: 6 rounds (at least), 3 checkers leaked per round after the first; the
        // GC log's live heap grows, and the dump proves exactly those 15 leaked, each keeping its buffer alive
        assertThat(postMortem).contains("6 rounds")
                .containsPattern("gc \\d+ @\\d+\\.\\d+s .*Pause Full \\(System\\.gc\\(\\)\\)")
                .contains("heap after GC growing")
                // beside the histogram, the JFR recording names the line that allocated the leaked buffers
                .containsPattern("what the heap holds, by class[^\n]*\n[^\n]*instances[^\n]*\n(.*\n){0,2} +\\d+ +\\d+  \\[B\n")
                .containsPattern("\n +[0-9.]+ [kM]B +[0-9.]+% +[0-9.]+% +\\d+  dev\\.leakhound\\.cli\\.demo\\.PostMortemDemo"
                        + "\\.checkBuffer:\\d+\n +byte\\[\\]; oldest [0-9.]+ m?s; virtual threads")
                .containsPattern("=> the leaked checkers' buffers, by the line that allocated them: "
                        + "dev\\.leakhound\\.cli\\.demo\\.PostMortemDemo\\.checkBuffer:\\d+, \\d+% of the sampled live bytes");
        if (Runtime.version().feature() < 23) {               // JDK 21 and 22 dump no unmounted virtual threads
            assertThat(postMortem).contains("=> as expected for a dump of this JDK: nothing proven")
                    .doesNotContain("fix: ");
        } else {
            assertPostMortemProof(postMortem);
            assertThat(postMortem).endsWith("   " + DemoCommand.FIX_SENTINEL_AGAIN + "\n\n");
        }
        assertThat(demoTempDirs()).as("the dump's directory is deleted").isEqualTo(tempBefore);

        assertThat(section(out, "Afterwards:", "demo: ")).contains("leakhound: no leaked threads");

        String arrows = growth.stream().map(String::valueOf).collect(Collectors.joining(" -> "));
        assertThat(out.lines().toList().getLast()).startsWith("demo: as expected (")
                .contains("MultiQuery leaky leaked 2 virtual threads in SynchronousQueue.put, buffered none, "
                        + "cancelling none; SentinelAgent buggy leaked " + arrows + " checker threads over 3 rounds, "
                        + "fixed none; live buggy: thread count "
                        + liveCounts.stream().map(String::valueOf).collect(Collectors.joining(" -> "))
                        + ", suspect in round " + suspectRound + "; post-mortem: GC log GROWING, ");
        assertThat(out).doesNotContain("NOT as expected");

        // The demo interrupted what it leaked: nothing of it is left in this JVM.
        Leakhound.verifyNone(before);
    }

    /**
     * Steps 1 to 5 of a run with 3 rounds, up to the heading {@code next}: the leaks where the examples plant them,
     * each followed by its fix line, none elsewhere. Returns the leaked checker threads per round of step 4.
     */
    private static List<Integer> assertStepsOneToFive(String out, String next) {
        String multiQueryLeaky = section(out, "1. MultiQuery LEAKY", "2. MultiQuery BUFFERED");
        String buffered = section(out, "2. MultiQuery BUFFERED", "3. MultiQuery CANCELLING");
        String cancelling = section(out, "3. MultiQuery CANCELLING", "4. SentinelAgent LEAKY");
        String sentinelLeaky = section(out, "4. SentinelAgent LEAKY", "5. SentinelAgent FIXED");
        String sentinelFixed = section(out, "5. SentinelAgent FIXED", next);

        // (a) the two slower queries, blocked forever in SynchronousQueue.put at the example's line; the fix
        assertThat(multiQueryLeaky)
                .contains("leakhound: found 2 leaked threads in 1 group")
                .containsPattern("2 virtual threads WAITING in SynchronousQueue\\.put, parked on "
                        + "java\\.util\\.concurrent\\.SynchronousQueue\\$Transferer@")
                .containsPattern("blocked at  dev\\.leakhound\\.examples\\.MultiQuery\\.lambda\\$firstAnswer\\$\\d+"
                        + "\\(MultiQuery\\.java:\\d+\\)")
                .contains("=> as expected: the 2 slower queries block forever in SynchronousQueue.put at MultiQuery.java:")
                .contains("; 1 of 1 group matches a leak pattern")
                .contains("  pattern     abandoned-senders (likely: 2 threads in SynchronousQueue.put on one"
                        + " SynchronousQueue$Transferer, 0 takers in the dump)\n")
                .contains("\n   " + DemoCommand.PATTERN_MULTI_QUERY + "\n   fix: ")
                .contains("\n   fix: give the channel a buffer of 3, one slot per server (step 2: new ArrayBlockingQueue<>(3),"
                        + " Go: make(chan string, 3)), or cancel the losers once the first answer is in (step 3: "
                        + "invokeAny interrupts them)\n")
                .contains("clean-up: interrupted the 2 blocked threads; all ended");
        // (b) no leak with a buffer, nor when the slower queries are cancelled: no fix to give
        for (String noLeak : List.of(buffered, cancelling)) {
            assertThat(noLeak).contains("leakhound: no leaked threads", "=> as expected: no leak")
                    .doesNotContain("leaked thread ", "fix:");
        }
        // (c) the checkers stuck on the done queues: more every round, one more per check; the fix
        List<Integer> growth = leakedPerRound(sentinelLeaky);
        assertThat(growth).hasSize(3);
        assertThat(growth.get(1) - growth.get(0)).isEqualTo(3);
        assertThat(growth.get(2) - growth.get(1)).isEqualTo(3);
        int stuck = growth.getLast();
        String arrows = growth.stream().map(String::valueOf).collect(Collectors.joining(" -> "));
        assertThat(sentinelLeaky)
                .contains("leakhound: found " + stuck + " leaked threads in 1 group")
                .contains(stuck + " virtual threads WAITING in ArrayBlockingQueue.put")
                .containsPattern("blocked at  dev\\.leakhound\\.examples\\.SentinelAgent\\.runCheck\\(SentinelAgent\\.java:\\d+\\)")
                .contains("=> as expected: the leaked checker threads grow every round (" + arrows + ", one more per check)")
                .contains("  pattern     abandoned-senders (likely: " + stuck + " threads in ArrayBlockingQueue.put on 3"
                        + " distinct AbstractQueuedSynchronizer$ConditionObject, 0 takers in the dump)\n")
                .contains("\n   " + DemoCommand.PATTERN_SENTINEL + "\n   fix: ")
                .contains("\n   fix: drain or close the done queue: nothing reads it any more, so remove it, as the "
                        + "report's fix did (step 5: a checker ends when its check is done)\n")
                .contains("clean-up: interrupted the " + stuck + " blocked threads; all ended");
        // (d) fixed: none in any round
        assertThat(leakedPerRound(sentinelFixed)).containsExactly(0, 0, 0);
        assertThat(sentinelFixed).contains("leakhound: no leaked threads", "=> as expected: no leak in any round")
                .doesNotContain("fix:");
        return growth;
    }

    @Test
    void fixedShowsAFlatCountAndNoSuspect() {
        // what the demo stopped (its threads, the agent's) may still be ending: the final check waits as long as that takes
        LeakOptions before = LeakOptions.builder().ignoreCurrent().retryFor(java.time.Duration.ofSeconds(60)).build();

        Cli.Result r = Cli.run("demo", "--all", "--fixed", "--rounds", "4", "--period-ms", "20");

        assertThat(r.status()).as(r.toString()).isZero();
        String live = section(r.out(), "6. SentinelAgent LIVE, fixed", "7. Post-mortem");
        List<Integer> liveCounts = liveCounts(live);
        assertThat(liveCounts).as(live).hasSize(4);
        assertThat(liveCounts.stream().distinct().toList()).as(live).hasSize(1);
        assertThat(live).doesNotContain("SUSPECT", "suspect again", "NOT as expected")
                .contains("=> as expected: the live thread count is flat (")
                .doesNotContain("fix:");
        assertServedAndReleased(live, liveCounts);
        assertThat(r.out().lines().toList().getLast()).startsWith("demo: as expected (")
                .contains("live fixed: thread count "
                        + liveCounts.stream().map(String::valueOf).collect(Collectors.joining(" -> ")) + ", no suspect; ");
        Leakhound.verifyNone(before);
    }

    /** The dump proves exactly the 15 blocked checkers leaked, one group, each keeping its buffer alive. */
    private static void assertPostMortemProof(String postMortem) {
        assertThat(postMortem).contains("== leaked threads: 15 proven leaked, of ")
                .contains("[1] 15 virtual threads parked with no timeout")
                .contains("blocked at   dev.leakhound.examples.SentinelAgent.runCheck(SentinelAgent.java:" + donePutLine() + ")")
                .contains("=> as expected: the live heap grows every round")
                // a second group would be a line "[2] ..."; a JFR path may hold "Node[][2]" (an array index)
                .doesNotContainPattern("(?m)^\\s*\\[2\\] ");
        Matcher retained = Pattern.compile("retained     ([0-9.]+) MB \\((\\d+) bytes\\)").matcher(postMortem);
        assertThat(retained.find()).as(postMortem).isTrue();
        assertThat(Long.parseLong(retained.group(2))).isGreaterThanOrEqualTo(15L * PostMortemDemo.BUFFER_BYTES);
    }

    /** The post-mortem's private directories in the temporary directory. */
    private static List<String> demoTempDirs() {
        try (var files = java.nio.file.Files.list(java.nio.file.Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("leakhound-demo-")).sorted().toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The round-1 count came from the server over HTTP, every URL answered 200, and the port is closed now. */
    private static void assertServedAndReleased(String live, List<Integer> liveCounts) {
        Matcher url = Pattern.compile("Leakhound's agent and debug server: http://127\\.0\\.0\\.1:(\\d+)/").matcher(live);
        assertThat(url.find()).as(live).isTrue();
        int port = Integer.parseInt(url.group(1));
        assertThat(live).contains("round 1: live threads " + liveCounts.getFirst()
                        + "   (curl 127.0.0.1:" + port + "/debug/threads/count answered " + liveCounts.getFirst() + ")")
                .containsPattern("curl 127\\.0\\.0\\.1:" + port + "/debug/threads/count +-> 200, ")
                .containsPattern("curl '127\\.0\\.0\\.1:" + port + "/debug/threads/dump\\?debug=1' +-> 200, ")
                .containsPattern("curl 127\\.0\\.0\\.1:" + port + "/debug/leaks +-> 200, ")
                .containsPattern("curl 127\\.0\\.0\\.1:" + port + "/debug/gc +-> 200, ")
                .containsPattern("curl 127\\.0\\.0\\.1:" + port + "/metrics +-> 200, ")
                .contains("stopped the agent and its server (http://127.0.0.1:" + port + "/ is closed)");
        assertThatThrownBy(() -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            }
        }).as("connecting to port %d after the demo", port).isInstanceOf(ConnectException.class);
    }

    private static List<Integer> liveCounts(String live) {
        Matcher m = Pattern.compile("round \\d+: live threads (\\d+)").matcher(live);
        List<Integer> counts = new java.util.ArrayList<>();
        while (m.find()) {
            counts.add(Integer.parseInt(m.group(1)));
        }
        return counts;
    }

    /** The round whose line comes right before the first SUSPECT line, or 0. */
    private static int suspectRound(String live) {
        int round = 0;
        for (String line : live.lines().toList()) {
            Matcher m = Pattern.compile("round (\\d+): live threads").matcher(line);
            if (m.find()) {
                round = Integer.parseInt(m.group(1));
            } else if (line.contains("SUSPECT from the leak detector")) {
                return round;
            }
        }
        return 0;
    }

    /** The line of SentinelAgent's {@code done.put(1)}, read from the example's source. */
    private static int donePutLine() {
        try {
            List<String> lines = Files.readAllLines(Path.of("..", "leakhound-examples", "src", "main", "java",
                    "dev", "leakhound", "examples", "SentinelAgent.java"));
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).strip().startsWith("done.put(1);")) {
                    return i + 1;
                }
            }
            throw new AssertionError("no done.put(1) in SentinelAgent.java");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String section(String out, String from, String to) {
        int start = out.indexOf(from);
        int end = out.indexOf(to, Math.max(start, 0));
        assertThat(start).as("'%s' in\n%s", from, out).isNotNegative();
        assertThat(end).as("'%s' after '%s' in\n%s", to, from, out).isGreaterThan(start);
        return out.substring(start, end);
    }

    private static List<Integer> leakedPerRound(String section) {
        Matcher m = Pattern.compile("round \\d+: (\\d+) leaked checker threads?").matcher(section);
        List<Integer> counts = new java.util.ArrayList<>();
        while (m.find()) {
            counts.add(Integer.parseInt(m.group(1)));
        }
        return counts;
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--rounds=1       | leakhound: --rounds must be from 2 to 100, not 1 (see 'leakhound demo --help')",
            "--rounds=many    | leakhound: Invalid value for option '--rounds': 'many' is not an int (see 'leakhound demo --help')",
            "--period-ms=0    | leakhound: --period-ms must be from 1 to 10000, not 0 (see 'leakhound demo --help')",
            "--bogus          | leakhound: Unknown option: '--bogus' (see 'leakhound demo --help')",
            "--fixed          | leakhound: --fixed changes step 6, which runs with --all only (see 'leakhound demo --help')"})
    void badOptionsAreUsageErrors(String option, String message) {
        Cli.Result r = Cli.run("demo", option);

        assertThat(r.status()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo(message + "\n");
    }
}
