package dev.leakhound.proof;

import dev.leakhound.analysis.PatternMatch;
import dev.leakhound.hprof.Progress;
import dev.leakhound.hprof.index.HeapIndex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The proof on a real dump of {@link PatternScenario}: a thread blocked for good on each kind of
 * {@code java.util.concurrent} wait, on objects nobody else holds, is proven leaked with its pattern (a platform
 * {@code join} on a leaked thread too); the control is not.
 */
@Timeout(420)
class LeakPatternsTest {

    @TempDir
    Path dir;

    @Test
    void everyKindOfWaitOnAnAbandonedObjectIsProvenAndNothingElse() throws Exception {
        Path dump = ScenarioDumps.take(PatternScenario.class, dir, "patterns.hprof");
        try (HeapIndex index = HeapIndex.open(dump, Progress.NONE)) {
            ProofResult result = LeakProof.prove(index);
            List<String> leaked = result.leaked().stream().flatMap(g -> g.threads().stream()).map(WaitingThread::name).toList();
            List<String> rescued = result.rescued().stream().flatMap(g -> g.threads().stream()).map(WaitingThread::name).toList();
            String both = "leaked " + leaked + "\nnot proven " + rescued;
            assertThat(leaked).as(both).containsExactlyInAnyOrder(
                    "leak-completable-future-get", "leak-semaphore-acquire", "leak-lock-holder", "leak-lock-waiter",
                    "leak-linked-queue-take", "leak-phaser-await", "leak-exchanger", "leak-joined-virtual",
                    "leak-joining-virtual", "leak-dropped-pool-worker", "leak-future-get", "leak-join-target",
                    "leak-joiner", "leak-condition-await", "leak-full-queue-put");
            assertThat(rescued).as(both).contains("control-static-queue-take");
            // each leaked group names its pattern, proven; what fits no rule is unclassified, never guessed
            Map<String, String> patterns = new TreeMap<>();
            for (ProofResult.LeakedGroup g : result.leaked()) {
                assertThat(g.pattern().certainty()).isEqualTo(PatternMatch.Certainty.PROVEN);
                g.threads().forEach(t -> patterns.put(t.name(), g.pattern().pattern().id()));
            }
            assertThat(patterns).as(both).containsExactlyInAnyOrderEntriesOf(Map.ofEntries(
                    Map.entry("leak-completable-future-get", "lost-future"),
                    Map.entry("leak-semaphore-acquire", "unclassified"),
                    Map.entry("leak-lock-holder", "latch-never-released"),
                    Map.entry("leak-lock-waiter", "lock-never-released"),
                    Map.entry("leak-linked-queue-take", "abandoned-receiver"),
                    Map.entry("leak-phaser-await", "latch-never-released"),
                    Map.entry("leak-exchanger", "unclassified"),
                    Map.entry("leak-joined-virtual", "latch-never-released"),
                    Map.entry("leak-joining-virtual", "unclassified"),
                    Map.entry("leak-dropped-pool-worker", "latch-never-released"),
                    Map.entry("leak-future-get", "lost-future"),
                    Map.entry("leak-join-target", "latch-never-released"),
                    Map.entry("leak-joiner", "unclassified"),
                    Map.entry("leak-condition-await", "orphan-wait"),
                    Map.entry("leak-full-queue-put", "abandoned-senders")));
            assertThat(result.leaked()).filteredOn(g -> g.threads().get(0).name().equals("leak-lock-waiter"))
                    .singleElement().satisfies(g -> assertThat(g.pattern().evidence())
                            .contains("whose owner \"leak-lock-holder\" is leaked too"));
            assertThat(result.rescued()).allSatisfy(g -> assertThat(g.pattern().pattern().id())
                    .isEqualTo("unclassified"));
        }
    }
}
