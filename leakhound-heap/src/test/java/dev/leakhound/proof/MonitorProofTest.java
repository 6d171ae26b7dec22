package dev.leakhound.proof;

import dev.leakhound.analysis.PatternMatch;
import dev.leakhound.capture.ThreadDumpReader;
import dev.leakhound.hprof.Progress;
import dev.leakhound.hprof.index.HeapIndex;
import dev.leakhound.model.ThreadDump;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The proof on a real dump of {@link MonitorScenario}: orphan {@code Object.wait} threads, deadlocks, and
 * {@code lock()} waiters whose lock's owner has ended or is deadlocked, platform and virtual, are claimed with their
 * pattern; a waiter whose notifier lives, a blocked thread whose monitor's owner runs, a lock waiter whose lock's
 * owner runs and a cycle an interrupt can break are not. Deadlocks on {@code synchronized} need the thread dump taken with it.
 */
@Timeout(420)
class MonitorProofTest {
    @TempDir
    static Path dir;
    static HeapIndex index;
    static ThreadDump threads;
    static ProofResult withThreads;
    static ProofResult heapAlone;

    @BeforeAll
    static void dumpAndProve() throws Exception {
        Path json = dir.resolve("threads.json");
        Path dump = ScenarioDumps.take(MonitorScenario.class, dir, "monitors.hprof", json.toString());
        threads = ThreadDumpReader.read(json);
        index = HeapIndex.open(dump, Progress.NONE);
        withThreads = LeakProof.prove(index, threads);
        heapAlone = LeakProof.prove(index);
    }

    @AfterAll
    static void close() throws Exception {
        if (index != null) {
            index.close();
        }
    }

    private static Map<String, String> leakedPatterns(ProofResult r) {
        return r.leaked().stream().flatMap(g -> g.threads().stream().map(t -> Map.entry(t.label(), g.pattern())))
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().pattern().id(), (a, b) -> a));
    }

    private static List<String> rescued(ProofResult r) {
        return r.rescued().stream().flatMap(g -> g.threads().stream()).map(WaitingThread::name).toList();
    }

    private static String describe(ProofResult r) {
        java.io.StringWriter s = new java.io.StringWriter();
        ProofText.write(new java.io.PrintWriter(s, true), r);
        return s.toString();
    }

    @Test
    void orphanWaitsAndDeadlocksAreClaimedWithTheirPattern() {
        Map<String, String> leaked = leakedPatterns(withThreads);
        long unnamed = threads.threads().stream().filter(t -> t.name().isEmpty() && t.virtual()).findFirst()
                .orElseThrow().id();
        assertThat(leaked).as(describe(withThreads)).containsOnly(
                Map.entry("\"leak-orphan-wait-platform\"", "orphan-wait"),
                Map.entry("\"leak-orphan-wait-virtual\"", "orphan-wait"),
                Map.entry("#" + unnamed, "orphan-wait"),
                Map.entry("\"leak-sync-platform-a\"", "deadlock"), Map.entry("\"leak-sync-platform-b\"", "deadlock"),
                Map.entry("\"leak-sync-virtual-a\"", "deadlock"), Map.entry("\"leak-sync-virtual-b\"", "deadlock"),
                Map.entry("\"leak-lock-platform-a\"", "deadlock"), Map.entry("\"leak-lock-platform-b\"", "deadlock"),
                Map.entry("\"leak-lock-virtual-a\"", "deadlock"), Map.entry("\"leak-lock-virtual-b\"", "deadlock"),
                Map.entry("\"leak-lock-owner-ended\"", "lock-never-released"),
                Map.entry("\"leak-lock-owner-ended-virtual\"", "lock-never-released"),
                Map.entry("\"leak-lock-behind-deadlock\"", "lock-never-released"));
        assertThat(withThreads.leaked()).filteredOn(g -> g.threads().get(0).name().startsWith("leak-lock-owner-ended"))
                .hasSize(2).allSatisfy(g -> assertThat(g.pattern().evidence()).endsWith("whose owner thread has ended"));
        assertThat(withThreads.leaked()).filteredOn(g -> g.threads().get(0).name().equals("leak-lock-behind-deadlock"))
                .singleElement().satisfies(g -> assertThat(g.pattern().evidence())
                        .endsWith("whose owner \"leak-lock-platform-a\" is leaked too"));
        // a cycle is one group, proven, with the cycle as its evidence
        assertThat(withThreads.leaked()).filteredOn(g -> g.pattern().pattern().id().equals("deadlock")).hasSize(4)
                .allSatisfy(g -> {
                    assertThat(g.count()).isEqualTo(2);
                    assertThat(g.pattern().certainty()).isEqualTo(PatternMatch.Certainty.PROVEN);
                    assertThat(g.pattern().evidence()).startsWith("a cycle of 2 threads:");
                });
    }

    @Test
    void lookAlikesAreNeverClaimed() {
        assertThat(rescued(withThreads)).as(describe(withThreads)).contains("control-wait-notifier-alive",
                "control-lock-owner-runs",
                "control-blocked-owner-runs", "control-blocked-owner-runs-virtual", "control-interruptible-cycle-a",
                "control-interruptible-cycle-b");
        assertThat(withThreads.leaked()).flatExtracting(ProofResult.LeakedGroup::threads)
                .extracting(WaitingThread::name).noneMatch(n -> n.startsWith("control-"));
        assertThat(withThreads.rescued()).allSatisfy(g -> assertThat(g.pattern().pattern().id()).isEqualTo("unclassified"));
    }

    @Test
    void withoutTheThreadDumpAMonitorDeadlockIsNotClaimedAndTheProofSaysWhy() {
        Map<String, String> leaked = leakedPatterns(heapAlone);
        assertThat(leaked).as(describe(heapAlone)).containsEntry("\"leak-lock-platform-a\"", "deadlock")
                .containsEntry("\"leak-lock-virtual-b\"", "deadlock")
                .doesNotContainKeys("\"leak-sync-platform-a\"", "\"leak-sync-virtual-a\"");
        assertThat(heapAlone.rescued()).filteredOn(g -> g.threads().get(0).name().startsWith("leak-sync-"))
                .isNotEmpty().allSatisfy(g -> assertThat(g.why()).contains("--threads"));
    }

    @Test
    void everyThreadHasItsIdAndTheSameIdAsTheThreadDump() {
        Map<String, Long> byName = threads.threads().stream().filter(t -> !t.name().isEmpty())
                .collect(Collectors.toMap(t -> t.name(), t -> t.id(), (a, b) -> a));
        assertThat(withThreads.leaked()).flatExtracting(ProofResult.LeakedGroup::threads).allSatisfy(t -> {
            assertThat(t.tid()).isPositive();
            if (!t.name().isEmpty()) {
                assertThat(t.tid()).isEqualTo(byName.get(t.name()));
            }
        });
    }
}
