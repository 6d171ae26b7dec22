package dev.leakhound.proof;

import dev.leakhound.hprof.Progress;
import dev.leakhound.hprof.index.HeapIndex;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How the proof explains itself ({@link ProofText}, {@link ProofJson}) on a real dump of {@link ReachScenario}: what
 * holds the threads that are not leaked, from the root end (the static field), with repeated steps collapsed; and a
 * pool's workers named by the blocking call, the pool's class, its thread names and who holds the pool.
 */
@Timeout(420)
class ReachExplanationTest {
    @TempDir
    static Path dir;
    static HeapIndex index;
    static ProofResult result;
    static String text;
    static String json;

    @BeforeAll
    static void dumpAndProve() throws Exception {
        Path dump = ScenarioDumps.take(ReachScenario.class, dir, "reach.hprof");
        index = HeapIndex.open(dump, Progress.NONE);
        result = LeakProof.prove(index);
        StringWriter s = new StringWriter();
        try (PrintWriter w = new PrintWriter(s)) {
            ProofText.write(w, result);
        }
        text = s.toString();
        StringWriter j = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(j)) {   // compact: one line
            ProofJson.write(g, result);
        }
        json = j.toString();
    }

    @AfterAll
    static void close() throws Exception {
        if (index != null) {
            index.close();
        }
    }

    @Test
    void theVerdictsAreTheProofs() {
        assertThat(result.leaked()).as(text).singleElement().satisfies(g -> {
            assertThat(g.count()).isEqualTo(ReachScenario.DROPPED_WORKERS);
            assertThat(g.threads()).allMatch(t -> t.name().matches("pool-\\d+-thread-\\d+"));
            // idle workers of a pool nobody can reach: the pattern says so, and how to fix it
            assertThat(g.pattern().pattern().id()).isEqualTo("forgotten-pool");
            assertThat(g.pattern().evidence()).contains(ReachScenario.DROPPED_WORKERS + " idle workers",
                    "its executor (ThreadPoolExecutor) is reachable from nothing that runs");
        });
        assertThat(text).contains("  pattern      forgotten-pool (proven: ", "  fix          shut the pool down");
        assertThat(result.rescued()).as(text).anySatisfy(r -> assertThat(r.count()).isEqualTo(ReachScenario.TAKERS));
    }

    @Test
    void threadsHeldThroughAStaticFieldAreSaidToBeReachableFromItRootEndFirst() {
        assertThat(text).contains("reachable from the static field dev.leakhound.proof.ReachScenario.QUEUE"
                        + " -> java.util.concurrent.LinkedBlockingQueue\n")
                .doesNotContain("more steps from something live", "by a running thread")
                .contains("reachable from the static field dev.leakhound.proof.ReachScenario.CHAIN"
                        + " -> dev.leakhound.proof.ReachScenario$Link\n"
                        + "        .next -> dev.leakhound.proof.ReachScenario$Link x" + (ReachScenario.LINKS - 1) + "\n"
                        + "        .latch -> java.util.concurrent.CountDownLatch\n");
        List<String> lines = text.lines().toList();
        for (int i = 1; i < lines.size(); i++) {
            if (lines.get(i).startsWith("        .")) {
                assertThat(lines.get(i)).as("a step repeated instead of counted\n" + text).isNotEqualTo(lines.get(i - 1));
            }
        }
    }

    @Test
    void aPathLongerThanShownSaysSoPlainly() {
        assertThat(text).contains("reachable from the static field dev.leakhound.proof.ReachScenario.ZIGZAG")
                .containsPattern("\n        \\.\\.\\. the path goes on: \\d+ more references to java\\.lang\\.Thread not shown\n");
        assertThat(json).containsPattern("\"stepsNotShown\":[1-9]\\d*,\"limit\":\"the path goes on: ");
    }

    @Test
    void theJsonSaysTheRootAndCountsRepeatedSteps() {
        assertThat(json).contains("\"path\":{\"root\":{\"kind\":\"STATIC_FIELD\","
                + "\"name\":\"dev.leakhound.proof.ReachScenario.QUEUE\",\"object\":\"java.util.concurrent.LinkedBlockingQueue\","
                + "\"words\":\"the static field dev.leakhound.proof.ReachScenario.QUEUE\"}")
                .contains("{\"via\":\".next\",\"to\":\"dev.leakhound.proof.ReachScenario$Link\",\"repeat\":"
                        + (ReachScenario.LINKS - 1) + "}");
        Matcher step = Pattern.compile("\\{\"via\":\"([^\"]*)\",\"to\":\"([^\"]*)\",\"repeat\":(\\d+)}").matcher(json);
        String previous = null;
        int steps = 0;
        while (step.find()) {
            steps++;
            assertThat(Integer.parseInt(step.group(3))).isPositive();
            String now = step.group(1) + " " + step.group(2);
            assertThat(now).as("a step repeated instead of counted: " + json).isNotEqualTo(previous);
            previous = now;
        }
        assertThat(steps).as(json).isPositive();
    }

    @Test
    void aPoolNeverShutDownIsNamedByItsCallItsClassItsThreadsAndWhoHoldsIt() {
        assertThat(text).as(text).doesNotContain("blocked at   jdk.internal.misc.Unsafe.park")
                .contains("blocked in   LinkedBlockingQueue.take\n")
                .containsPattern("pool         java\\.util\\.concurrent\\.ThreadPoolExecutor, threads \"pool-\\d+-thread-N\" x"
                        + ReachScenario.DROPPED_WORKERS + "; nothing live holds it \\(it was never shut down\\)\n")
                .containsPattern("pool java\\.util\\.concurrent\\.ThreadPoolExecutor, threads \"pool-\\d+-thread-N\" x"
                        + ReachScenario.KEPT_WORKERS + ", held by the static field dev\\.leakhound\\.proof\\.ReachScenario\\.KEPT_POOL\n");
        assertThat(json).as(json).contains("\"call\":\"LinkedBlockingQueue.take\"")
                .containsPattern("\"pool\":\\{\"executorClass\":\"java.util.concurrent.ThreadPoolExecutor\","
                        + "\"threadNames\":\"pool-\\d+-thread-N\",\"live\":false");
    }
}
