package dev.leakhound.proof;

import dev.leakhound.hprof.Progress;
import dev.leakhound.hprof.index.HeapIndex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The proof on a real dump of {@link PatternScenario}: a thread blocked for good on each kind of
 * {@code java.util.concurrent} wait, on objects nobody else holds, is proven leaked; the control and the
 * platform {@code join} pair are not.
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
                    "leak-joining-virtual", "leak-dropped-pool-worker", "leak-future-get");
            assertThat(rescued).as(both).contains("control-static-queue-take", "unprovable-joiner",
                    "unprovable-join-target");
        }
    }
}
