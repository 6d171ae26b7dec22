package dev.leakhound.junit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With the agent recording who starts each thread, tests running in parallel are still checked one by one, and a
 * leak is blamed on the test that started the thread, not on the test that ended while it was alive. Runs in a
 * child JVM whose agent instruments the JDK's thread start (a real JVM, real threads, the real extension).
 */
class ParallelAttributionTest {

    @Test
    void theLeakIsPinnedOnTheTestThatStartedItEvenInParallel(@TempDir Path dir) throws Exception {
        Path jar = dir.resolve("attribution-probe.jar");
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().putValue("Premain-Class", ParallelAttributionProbe.class.getName());
        m.getMainAttributes().putValue("Can-Retransform-Classes", "true");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, m)) {
            j.flush();
        }
        Path out = dir.resolve("out.txt");
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-javaagent:" + jar, "-cp", System.getProperty("java.class.path"),
                ParallelAttributionProbe.class.getName());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("child JVM finished").isTrue();
        } finally {
            p.destroyForcibly();
        }
        String text = Files.readString(out);
        assertThat(p.exitValue()).as(text).isZero();
        assertThat(text).as(text).endsWith("done\n")
                .contains("result leaks() FAILED", "result clean() SUCCESSFUL", "result ParallelAttributedCase SUCCESSFUL")
                .containsPattern("(?s)message leaks\\(\\) .*\"attributed-leak\"")
                .contains("the Leakhound agent records who starts each thread")
                .containsPattern("started at  dev\\.leakhound\\.junit\\.fixtures\\.FixtureThreads\\.\\w+\\(FixtureThreads\\.java:\\d+\\)")
                .doesNotContain("\"attributed-clean\"");
    }
}
