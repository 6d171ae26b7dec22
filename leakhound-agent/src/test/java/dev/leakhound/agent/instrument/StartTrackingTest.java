package dev.leakhound.agent.instrument;

import dev.leakhound.testing.AgentJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Creation sites in a real JVM: a child JVM whose agent ({@link StartTrackingProbe}) instruments the JDK's
 * {@code Thread} and {@code VirtualThread}, then starts threads in every way and checks what was recorded.
 */
class StartTrackingTest {

    @Test
    void everyWayOfStartingAThreadIsRecordedAtTheRightLine(@TempDir Path dir) throws Exception {
        AgentJvm.Result r = AgentJvm.run(dir, StartTrackingProbe.class, true, Duration.ofSeconds(300));
        String text = r.output();
        assertThat(r.exitStatus()).as(text).isZero();
        assertThat(text).as(text).doesNotContain("FAIL").endsWith("done\n")
                .contains("ok platform Thread.start", "ok Thread.ofVirtual().start", "ok executor.submit",
                        "ok executor.execute", "ok a pool's worker thread",
                        "ok a pool's worker knows where its pool was created", "ok a pool's worker is reported with both lines",
                        "ok a pool with its own equals and hashCode runs", "ok ThreadFactory.newThread",
                        "ok a named class started from a second place", "ok a tagged thread's child carries the tag",
                        "ok one blocking line started from two places is one group listing both",
                        "ok the report lists both start sites with their counts",
                        "ok threads without a start site join the group, counted",
                        "ok the containers' groups list the start sites inside one group too", "ok a full table",
                        "ok stopped: nothing recorded",
                        "ok one lambda started 200,000 times walks the stack at most 20 times",
                        "ok slots reused under churn");
        assertThat(text.lines().filter(l -> l.startsWith("ok "))).hasSize(39);
        assertThat(text).as("nothing on the bootstrap class path: the JVM keeps class data sharing and says nothing")
                .doesNotContain("Sharing is only supported");
    }
}
