package dev.leakhound.junit;

import dev.leakhound.testing.AgentJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With the agent, {@code leakhound.ignoreStartSites} silences a library's singleton thread suite-wide by where it was
 * started, while a thread of the same name and stack that a test leaks still fails it. Runs in a child JVM whose
 * agent records thread starts.
 */
class StartSiteTest {

    @Test
    void aSingletonIsIgnoredByItsStartSiteAndALeakWithTheSameNameStillFails(@TempDir Path dir) throws Exception {
        AgentJvm.Result r = AgentJvm.run(dir, StartSiteProbe.class, true, Duration.ofSeconds(120));
        String text = r.output();
        assertThat(r.exitStatus()).as(text).isZero();
        assertThat(text).as(text).endsWith("done\n")
                .contains("result usesTheLibrary() SUCCESSFUL", "result leaksATimer() FAILED")
                .containsPattern("(?s)message leaksATimer\\(\\) .*\"Timer-\\d+\"")
                .containsPattern("started at  dev\\.leakhound\\.junit\\.fixtures\\.StartSiteCase\\.leaksATimer\\(StartSiteCase\\.java:\\d+\\)")
                .doesNotContain("TimerSingleton.<clinit>(")
                .doesNotContain("not loaded in this JVM");
    }
}
