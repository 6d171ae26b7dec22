package dev.leakhound.junit;

import dev.leakhound.testing.AgentJvm;
import dev.leakhound.testing.OlderJdk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The extension on a real JDK 21 (skipped where there is none, see {@link OlderJdk#require21()}): a test that leaks a
 * virtual thread fails with the report (JDK 21's thread dumps give virtual threads no state: the leak is still found
 * from the stack), the same test without the leak passes; and with the agent recording thread starts (JDK 21's
 * {@code VirtualThread} differs from later ones), a leak in parallel tests is pinned on the test that started it.
 */
@Timeout(300)
class Jdk21ExtensionTest {

    @TempDir
    Path dir;

    @Test
    void aTestThatLeaksAVirtualThreadOnJdk21FailsWithTheReport() throws Exception {
        OlderJdk.Jdk jdk = OlderJdk.require21();
        Path out = dir.resolve("probe.txt");
        Process p = new ProcessBuilder(jdk.java(), "-cp", System.getProperty("java.class.path"),
                Jdk21ExtensionProbe.class.getName()).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            assertThat(p.waitFor(240, TimeUnit.SECONDS)).as("the JDK 21 JVM ended").isTrue();
        } finally {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String text = Files.readString(out);
        assertThat(p.exitValue()).as(text).isZero();
        Matcher leaked = Pattern.compile("\nleaked #(\\d+) at line (\\d+)\n").matcher(text);
        assertThat(leaked.find()).as(text).isTrue();
        assertThat(text).as(text).startsWith("runtime 21.").endsWith("done\n")
                .contains("result leak=true startsAVirtualThread() FAILED\n"
                        + "failure dev.leakhound.LeakedThreadsError: ")
                .contains("found 1 leaked thread", "1 virtual thread", "in SynchronousQueue.put",
                        "#" + leaked.group(1) + " \"leaky-putter\"",
                        "LeakingVirtualThreadCase.java:" + leaked.group(2) + ")")
                .contains("result leak=false startsAVirtualThread() SUCCESSFUL\n");
    }

    @Test
    void withTheAgentOnJdk21TheLeakIsPinnedOnTheTestThatStartedIt() throws Exception {
        OlderJdk.Jdk jdk = OlderJdk.require21();
        AgentJvm.Result r = AgentJvm.run(dir, jdk.java(), ParallelAttributionProbe.class, true, Duration.ofSeconds(240));
        String text = r.output();
        assertThat(r.exitStatus()).as(text).isZero();
        assertThat(text).as(text).endsWith("done\n")
                .contains("result leaks() FAILED", "result clean() SUCCESSFUL", "result ParallelAttributedCase SUCCESSFUL")
                .containsPattern("(?s)message leaks\\(\\) .*\"attributed-leak\"")
                .containsPattern("started at  dev\\.leakhound\\.junit\\.fixtures\\.FixtureThreads\\.\\w+\\(FixtureThreads\\.java:\\d+\\)")
                .doesNotContain("\"attributed-clean\"");
    }
}
