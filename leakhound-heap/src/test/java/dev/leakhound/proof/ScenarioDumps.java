package dev.leakhound.proof;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs a scenario's {@code main(dumpPath, more...)} in a child JVM of this JDK and returns the heap dump it wrote.
 */
final class ScenarioDumps {
    private ScenarioDumps() {
    }

    static Path take(Class<?> scenario, Path dir, String name, String... more) throws IOException, InterruptedException {
        Path dump = dir.resolve(name);
        Path out = dir.resolve(name + ".out");
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), scenario.getName(), dump.toString()));
        cmd.addAll(java.util.List.of(more));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            // generous: the child waits up to ThreadsAt.LIMIT for its threads, then says which are not in place
            assertThat(p.waitFor(300, TimeUnit.SECONDS)).as("child JVM finished: " + Files.readString(out)).isTrue();
        } finally {
            p.destroyForcibly();
        }
        assertThat(Files.readString(out)).contains("dumped");
        return dump;
    }
}
