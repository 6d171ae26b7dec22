package dev.leakhound.agent;

import dev.leakhound.testing.AgentJvm;
import dev.leakhound.testing.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The agent's pages name live deadlocks, monitors and ReentrantLocks, platform and virtual threads, and not a
 * look-alike: {@link DeadlockAgentProbe} in a child JVM with the real agent, its pages read over HTTP.
 */
@Timeout(600)
class DeadlockEndpointsTest {
    @TempDir
    static Path dir;

    private static String output;

    @BeforeAll
    static void runTheProbe() throws Exception {
        AgentJvm.Result r = AgentJvm.run(dir, DeadlockAgentProbe.class, false, Duration.ofSeconds(400));
        output = r.output();
        assertThat(r.exitStatus()).as(output).isZero();
    }

    private static String page(String name) {
        Matcher m = Pattern.compile("--- " + Pattern.quote(name) + " (\\d+)\n(.*?)\n--- end", Pattern.DOTALL)
                .matcher(output);
        assertThat(m.find()).as("page " + name + " in\n" + output).isTrue();
        assertThat(m.group(1)).as(name).isEqualTo("200");
        return m.group(2);
    }

    @Test
    void beforeTheDeadlocksThereAreNone() {
        assertThat(page("before-/debug/threads/dump")).contains("\ndeadlocks: none\n");
        assertThat(page("before-/debug/leaks")).contains("\ndeadlocks: none");
        assertThat(page("before-/metrics")).contains("leakhound_deadlocked_threads 0.0");
    }

    @Test
    void theDumpNamesEveryDeadlockAndNotTheLookAlike() {
        String text = page("/debug/threads/dump");
        assertThat(text).as(text).contains("\ndeadlocks: 5 (11 threads, found at ")
                .doesNotContain("owners of java.util.concurrent locks")
                .containsPattern("#\\d+ \"ps-sync-1\" \\(platform thread\\)\n    holds java\\.lang\\.Object@\\w+, taken at"
                        + " dev\\.leakhound\\.testing\\.DeadlockProgram\\.monitors\\(DeadlockProgram\\.java:\\d+\\)\n")
                .containsPattern("#\\d+ \"vs-sync-1\" \\(virtual thread\\)\n")
                .containsPattern("#\\d+ \"pl-lock-1\" \\(platform thread\\)\n    holds java\\.util\\.concurrent\\.locks"
                        + "\\.ReentrantLock\\$NonfairSync@\\w+, taken at a line not recorded\n    wants java\\.util\\."
                        + "concurrent\\.locks\\.ReentrantLock\\$NonfairSync@\\w+, waiting at dev\\.leakhound\\.testing"
                        + "\\.DeadlockProgram\\.locks\\(")
                .containsPattern("#\\d+ \"vl-lock-2\" \\(virtual thread\\)\n")
                .contains("== deadlock 5 of 5")
                .containsPattern("== deadlock \\d of 5: 3 threads")
                .contains("  pattern: deadlock (likely: 2 threads, each holding a monitor the next wants)\n"
                        + "  fix:     take the locks in one order, or tryLock with a timeout")
                .doesNotContain("\"vla-holds-monitor\" (", "\"pla-wants-lock\" (");
        assertThat(page("/debug/threads/dump?debug=2")).contains("\ndeadlocks: 5 (11 threads");
    }

    @Test
    void theJsonDumpAndLeaksCarryTheDeadlocks() throws Exception {
        for (String name : List.of("/debug/threads/dump?format=json", "/debug/leaks?format=json")) {
            Map<String, Object> doc = Json.object(Json.parse(page(name)));
            List<Map<String, Object>> deadlocks = Json.objects(doc.get("deadlocks"));
            assertThat(deadlocks).as(name).hasSize(5);
            Set<String> names = new HashSet<>();
            for (Map<String, Object> d : deadlocks) {
                assertThat(Json.object(d.get("pattern"))).containsEntry("id", "deadlock");
                for (Map<String, Object> t : Json.objects(d.get("threads"))) {
                    names.add((String) t.get("name"));
                    assertThat(t).containsKeys("tid", "virtual", "holds", "wants", "heldAt", "wantsAt");
                }
            }
            assertThat(names).containsExactlyInAnyOrder("ps-sync-1", "ps-sync-2", "vs-sync-1", "vs-sync-2",
                    "pl-lock-1", "pl-lock-2", "vl-lock-1", "vl-lock-2", "vr-ring-1", "vr-ring-2", "vr-ring-3");
        }
        assertThat(page("/debug/leaks")).contains("\ndeadlocks: 5 (11 threads");
    }

    @Test
    void theMetricCountsTheDeadlockedThreads() {
        assertThat(page("/metrics")).contains("# TYPE leakhound_deadlocked_threads gauge")
                .contains("leakhound_deadlocked_threads 11.0");
    }
}
