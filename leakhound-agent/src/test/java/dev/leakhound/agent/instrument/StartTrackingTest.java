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
                        "ok executor.execute", "ok a pool's worker thread", "ok ThreadFactory.newThread",
                        "ok a named class started from a second place", "ok a tagged thread's child carries the tag",
                        "ok one blocking line started from two places is two groups",
                        "ok the containers' groups split by creation site too", "ok a full table",
                        "ok stopped: nothing recorded");
        assertThat(text.lines().filter(l -> l.startsWith("ok "))).hasSize(31);
        assertThat(text).as("nothing on the bootstrap class path: the JVM keeps class data sharing and says nothing")
                .doesNotContain("Sharing is only supported");
    }
}
