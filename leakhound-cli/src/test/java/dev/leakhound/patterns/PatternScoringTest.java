package dev.leakhound.patterns;

import dev.leakhound.patterns.PatternCorpusTest.Found;
import dev.leakhound.patterns.PatternCorpusTest.Verdict;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The corpus's scoring on hand-made report groups: what counts as right, wrong, unclassified and not found. */
class PatternScoringTest {
    private static final Scenario SENDERS = scenario("first-replica-wins");
    private static final Scenario POOL = scenario("fixed-pool-per-request");
    private static final Scenario DEADLOCK = scenario("transfer-both-ways");
    private static final Scenario CONTROL = scenario("latch-with-live-releaser");

    private static final String SENDER_STACK_TOP = "java.util.concurrent.SynchronousQueue.put(SynchronousQueue.java:1)";
    private static final String SENDER_FRAME =
            Senders.FirstReplicaWins.class.getName() + ".lambda$fastest$0(Senders.java:30)";

    @Test
    void theExpectedPatternIsRightAnotherIsWrongNoneIsUnclassified() {
        assertThat(threads(SENDERS, suspects(group(pattern("abandoned-senders"), SENDER_FRAME))).outcome())
                .isEqualTo(Verdict.RIGHT);
        assertThat(threads(SENDERS, suspects(group(pattern("lost-future"), SENDER_FRAME))).outcome())
                .isEqualTo(Verdict.WRONG);
        assertThat(threads(SENDERS, suspects(group(pattern("unclassified"), SENDER_FRAME))).outcome())
                .isEqualTo(Verdict.UNCLASSIFIED);
        assertThat(threads(SENDERS, suspects(group(null, SENDER_FRAME))).outcome()).isEqualTo(Verdict.UNCLASSIFIED);
        assertThat(threads(SENDERS, suspects(group(pattern("abandoned-senders"), "a.b.Other.run(Other.java:1)")))
                .outcome()).isEqualTo(Verdict.NOT_FOUND);
    }

    @Test
    void aGroupIsItsScenariosByTheFirstScenarioFrameBelowLibraryFrames() {
        Map<String, Object> g = group(null, Library.Mailbox.class.getName() + ".send(Library.java:35)", SENDER_FRAME,
                Deadlocks.TransferBothWays.class.getName() + ".start(Deadlocks.java:1)");
        assertThat(PatternCorpusTest.belongs(g, SENDERS)).isTrue();
        assertThat(PatternCorpusTest.belongs(g, DEADLOCK)).isFalse();
    }

    @Test
    void anIdlePoolIsItsScenariosByThreadName() {
        Map<String, Object> g = group(pattern("forgotten-pool"),
                "java.util.concurrent.ThreadPoolExecutor.getTask(ThreadPoolExecutor.java:1)");
        g.put("threads", List.of(Map.of("name", POOL.threadPrefix() + "1"), Map.of("name", "pool-9-thread-1")));
        assertThat(threads(POOL, Map.of("groups", List.of(g))).outcome()).isEqualTo(Verdict.RIGHT);
        g.put("threads", List.of(Map.of("name", POOL.threadPrefix() + "x")));
        assertThat(threads(POOL, Map.of("groups", List.of(g))).outcome()).isEqualTo(Verdict.NOT_FOUND);
    }

    @Test
    void aDeadlockIsRightInTheDeadlocksArrayAndWrongAsAnotherPattern() {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("pattern", pattern("deadlock"));
        entry.put("threads", List.of(Map.of("tid", 31L, "name", "somebody",
                "heldAt", Deadlocks.TransferBothWays.class.getName() + ".transfer(Deadlocks.java:40)")));
        Map<String, Object> lockGroup = group(pattern("lock-never-released"),
                Deadlocks.TransferBothWays.class.getName() + ".transfer(Deadlocks.java:40)");
        Map<String, Object> doc = Map.of("deadlocks", List.of(entry), "suspects", List.of(lockGroup));
        assertThat(threads(DEADLOCK, doc).outcome()).isEqualTo(Verdict.RIGHT);
        assertThat(threads(DEADLOCK, Map.of("suspects", List.of(lockGroup))).outcome()).isEqualTo(Verdict.WRONG);
    }

    @Test
    void aControlInTheLeakedGroupsIsClaimed() {
        Map<String, Object> g = group(pattern("latch-never-released"),
                Controls.LatchWithLiveReleaser.class.getName() + ".lambda$start$0(Controls.java:50)");
        Found leaked = PatternCorpusTest.find(List.of(g), CONTROL, "leaked");
        Found none = PatternCorpusTest.find(List.of(), CONTROL, "notProven");
        assertThat(PatternCorpusTest.heapVerdict(CONTROL, leaked, none).outcome()).isEqualTo(Verdict.CLAIMED);
        assertThat(PatternCorpusTest.heapVerdict(CONTROL, none, none).outcome()).isEqualTo(Verdict.NOT_CLAIMED);
        Found leakedSenders = PatternCorpusTest.find(List.of(group(pattern("abandoned-senders"), SENDER_FRAME)),
                SENDERS, "leaked");
        assertThat(PatternCorpusTest.heapVerdict(SENDERS, leakedSenders, none).outcome()).isEqualTo(Verdict.RIGHT);
        assertThat(PatternCorpusTest.heapVerdict(SENDERS, none, none).outcome()).isEqualTo(Verdict.NOT_FOUND);
    }

    /** {@code docs/patterns-corpus.md}'s table of programs lists exactly the corpus, with the expected patterns. */
    @Test
    void theDocsTableListsEveryProgram() throws IOException {
        Map<String, String> documented = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of("../docs/patterns-corpus.md"))) {
            Matcher m = Pattern.compile("^\\| `([a-z-]+)` \\| ([a-z-]+) \\|").matcher(line);
            if (m.find()) {
                documented.put(m.group(1), m.group(2));
            }
        }
        Map<String, String> corpus = new LinkedHashMap<>();
        Corpus.ALL.forEach(s -> corpus.put(s.id(), s.expected()));
        assertThat(documented).isEqualTo(corpus);
    }

    private static Verdict threads(Scenario s, Map<String, Object> doc) {
        return PatternCorpusTest.threadsVerdict(s, PatternCorpusTest.findInThreads(doc, s));
    }

    private static Map<String, Object> suspects(Map<String, Object> group) {
        return Map.of("suspects", List.of(group));
    }

    private static Map<String, Object> group(Map<String, Object> pattern, String... stack) {
        Map<String, Object> g = new LinkedHashMap<>();
        if (pattern != null) {
            g.put("pattern", pattern);
        }
        g.put("count", 2L);
        g.put("stack", List.of(stack).isEmpty() ? List.of(SENDER_STACK_TOP) : List.of(stack));
        g.put("threads", List.of(Map.of("name", "")));
        return g;
    }

    private static Map<String, Object> pattern(String id) {
        return Map.of("id", id, "certainty", "likely", "evidence", "test");
    }

    private static Scenario scenario(String id) {
        return Corpus.ALL.stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow();
    }
}
