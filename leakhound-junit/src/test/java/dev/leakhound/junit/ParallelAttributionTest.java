package dev.leakhound.junit;

import dev.leakhound.testing.AgentJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With the agent recording who starts each thread, tests running in parallel are still checked one by one, and a
 * leak is blamed on the test that started the thread, not on the test that ended while it was alive. Runs in a
 * child JVM whose agent instruments the JDK's thread start (a real JVM, real threads, the real extension).
 */
class ParallelAttributionTest {

    @Test
    void theLeakIsPinnedOnTheTestThatStartedItEvenInParallel(@TempDir Path dir) throws Exception {
        AgentJvm.Result r = AgentJvm.run(dir, ParallelAttributionProbe.class, true, Duration.ofSeconds(120));
        String text = r.output();
        assertThat(r.exitStatus()).as(text).isZero();
        assertThat(text).as(text).endsWith("done\n")
                .contains("result leaks() FAILED", "result clean() SUCCESSFUL", "result ParallelAttributedCase SUCCESSFUL")
                .containsPattern("(?s)message leaks\\(\\) .*\"attributed-leak\"")
                .contains("the Leakhound agent records who starts each thread")
                .containsPattern("started at  dev\\.leakhound\\.junit\\.fixtures\\.FixtureThreads\\.\\w+\\(FixtureThreads\\.java:\\d+\\)")
                .doesNotContain("\"attributed-clean\"");
    }
}
