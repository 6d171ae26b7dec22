package dev.leakhound.agent.instrument;

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
 * Creation sites in a real JVM: a child JVM whose agent ({@link StartTrackingProbe}) instruments the JDK's
 * {@code Thread} and {@code VirtualThread}, then starts threads in every way and checks what was recorded.
 */
class StartTrackingTest {

    @Test
    void everyWayOfStartingAThreadIsRecordedAtTheRightLine(@TempDir Path dir) throws Exception {
        Path jar = dir.resolve("start-tracking-probe.jar");
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().putValue("Premain-Class", StartTrackingProbe.class.getName());
        m.getMainAttributes().putValue("Can-Retransform-Classes", "true");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, m)) {
            j.flush();
        }
        Path out = dir.resolve("out.txt");
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-javaagent:" + jar, "-cp", System.getProperty("java.class.path"), StartTrackingProbe.class.getName());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("child JVM finished").isTrue();
        } finally {
            p.destroyForcibly();
        }
        String text = Files.readString(out);
        assertThat(p.exitValue()).as(text).isZero();
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
