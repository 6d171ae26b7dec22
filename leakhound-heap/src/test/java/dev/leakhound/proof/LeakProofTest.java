package dev.leakhound.proof;

import dev.leakhound.analysis.LeakPattern;
import dev.leakhound.hprof.Progress;
import dev.leakhound.hprof.index.HeapIndex;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The proof on a real heap dump of a child JVM ({@link ProofScenario}) with the seed's leaky programs and controls:
 * it must name exactly the leaked threads, and none of the controls.
 */
class LeakProofTest {
    @TempDir
    static Path dir;
    static HeapIndex index;
    static ProofResult result;
    static String childOutput;

    @BeforeAll
    static void dumpAndProve() throws Exception {
        Path dump = dir.resolve("scenario.hprof");
        Path out = dir.resolve("out.txt");
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), ProofScenario.class.getName(), dump.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            // generous: the child waits up to ThreadsAt.LIMIT for its threads, then says which are not in place
            assertThat(p.waitFor(300, TimeUnit.SECONDS)).as("child JVM finished: " + Files.readString(out)).isTrue();
        } finally {
            p.destroyForcibly();
        }
        childOutput = Files.readString(out);
        assertThat(childOutput).as(childOutput).contains("dumped");
        index = HeapIndex.open(dump, Progress.NONE);
        result = LeakProof.prove(index);
    }

    @AfterAll
    static void close() throws Exception {
        if (index != null) {
            index.close();
        }
    }

    private static List<String> leakedNames() {
        return result.leaked().stream().flatMap(g -> g.threads().stream()).map(WaitingThread::name).toList();
    }

    private static List<String> rescuedNames() {
        return result.rescued().stream().flatMap(g -> g.threads().stream()).map(WaitingThread::name).toList();
    }

    /** Marking with a queue of 2 entries: nearly all it marks overflows into the bit set, and the proof is the same. */
    @Test
    void aMarkingQueueThatOverflowsGivesTheSameProof() throws Exception {
        ProofResult small = LeakProof.prove(index, null, 2);
        assertThat(small.liveObjects()).isEqualTo(result.liveObjects()).isGreaterThan(1000);
        assertThat(small).isEqualTo(result);
    }

    @Test
    void theSeedsMultiQueryLeakIsProven() {
        assertThat(result.leaked()).anySatisfy(g -> {
            assertThat(g.count()).isEqualTo(2);
            assertThat(g.threads()).allMatch(t -> t.name().equals("leak-multiquery") && t.virtual());
            assertThat(g.stack().toString()).contains("java.util.concurrent.SynchronousQueue.put");
            assertThat(g.retainedBytes()).isPositive();
            // the article's lesson: N senders, one receive
            assertThat(g.pattern().text()).isEqualTo("pattern: abandoned-senders (proven: 2 putters"
                    + " (SynchronousQueue.put), 0 takers reachable) - fix: " + LeakPattern.ABANDONED_SENDERS.fix());
        });
    }

    @Test
    void theDroppedSentinelAgentsCheckersAreProvenLeaked() {
        assertThat(result.leaked()).anySatisfy(g -> {
            assertThat(g.count()).isEqualTo(6);                      // rounds 2 and 3, 3 checks each
            assertThat(g.threads()).allMatch(t -> t.name().equals("leak-sentinel"));
            assertThat(g.stack().toString()).contains("java.util.concurrent.ArrayBlockingQueue.put",
                    "dev.leakhound.examples.SentinelAgent.runCheck");
            assertThat(g.pattern().pattern()).isEqualTo(LeakPattern.ABANDONED_SENDERS);
        });
    }

    @Test
    void aPlatformThreadOnALatchOnlyItHoldsIsProvenLeaked() {
        assertThat(leakedNames()).contains("leak-platform-latch");
    }

    @Test
    void exactlyTheLeakedThreadsAndNoControl() {
        assertThat(leakedNames()).as(describe()).allMatch(n -> n.startsWith("leak-"))
                .hasSize(2 + 6 + 1 + 1 + 1);
    }

    @Test
    void whatTwoLeakedGroupsShareIsRetainedByNeither() {
        for (String name : List.of("leak-shared-a", "leak-shared-b")) {
            assertThat(result.leaked()).as(describe()).filteredOn(g -> g.threads().get(0).name().equals(name))
                    .singleElement().satisfies(g -> {
                        assertThat(g.count()).isEqualTo(1);
                        assertThat(g.retainedBytes()).as(name).isBetween((long) ProofScenario.OWN_BYTES,
                                (long) ProofScenario.SHARED_BYTES / 2);
                    });
        }
    }

    @Test
    void controlsThatAreBlockedWithNoTimeoutAreRescuedWithAReason() {
        assertThat(rescuedNames()).as(describe()).contains("control-sentinel-kept", "control-idle-worker",
                "control-queue-taker", "control-monitor-entering", "control-object-wait", "control-weakly-held");
        assertThat(result.refused()).isNull();
        assertThat(result.rescued()).filteredOn(g -> g.threads().get(0).name().equals("control-sentinel-kept"))
                .singleElement().satisfies(g -> {
                    assertThat(g.count()).isEqualTo(3);
                    assertThat(g.why()).contains("reachable");
                    // the shortest way to them from something live: the static field that holds the agent
                    assertThat(g.path().root()).as(describe()).isEqualTo(new ProofResult.Root(
                            ProofResult.Root.Kind.STATIC_FIELD, "dev.leakhound.proof.ProofScenario.keptAgent",
                            "dev.leakhound.examples.SentinelAgent"));
                });
        assertThat(result.rescued()).filteredOn(g -> g.threads().get(0).name().equals("control-queue-taker"))
                .singleElement().satisfies(g -> assertThat(g.path().root().words()).as(describe())
                        .startsWith("thread \"control-queue-holder\"'s frame in dev.leakhound.proof.ProofScenario."));
    }

    @Test
    void timedWaitsAreNeverCandidates() {
        assertThat(leakedNames()).doesNotContain("control-sleeping", "control-timed-park", "control-queue-holder",
                "control-monitor-owner");
        assertThat(rescuedNames()).doesNotContain("control-sleeping", "control-timed-park", "control-queue-holder",
                "control-monitor-owner");
    }

    private static String describe() {
        StringBuilder sb = new StringBuilder("threads " + result.threads() + ", candidates " + result.candidates()
                + ", rounds " + result.rounds() + "\nleaked:\n");
        for (ProofResult.LeakedGroup g : result.leaked()) {
            sb.append("  ").append(g.count()).append(' ').append(g.threads().get(0).label()).append(' ')
                    .append(g.waitKind()).append(' ').append(g.stack().isEmpty() ? "" : g.stack().get(0)).append('\n');
        }
        sb.append("rescued:\n");
        for (ProofResult.Rescued g : result.rescued()) {
            sb.append("  ").append(g.count()).append(' ').append(g.threads().get(0).label()).append(": ")
                    .append(g.why()).append(' ').append(g.path()).append('\n');
        }
        return sb.toString();
    }
}
