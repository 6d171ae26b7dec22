package dev.leakhound.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * A child JVM on this test JVM's class path whose agent and main are one test class: a jar holding only a manifest
 * ({@code Premain-Class}) makes its {@code premain} run with the JVM's {@code Instrumentation} before its
 * {@code main}. For tests of what only a real agent can do.
 */
public final class AgentJvm {
    private AgentJvm() {
    }

    /** How the child ended: its exit status and everything it printed (standard output and error). */
    public record Result(int exitStatus, String output) {
    }

    /**
     * Runs {@code probe}'s {@code main} with {@code probe} as its agent, and waits for it.
     *
     * @param retransform whether the agent may retransform classes ({@code Can-Retransform-Classes})
     * @throws AssertionError if it does not end within {@code timeout}
     */
    public static Result run(Path dir, Class<?> probe, boolean retransform, Duration timeout)
            throws IOException, InterruptedException {
        return run(dir, Path.of(System.getProperty("java.home"), "bin", "java").toString(), probe, retransform, timeout);
    }

    /** The same with another Java's launcher (one that can load this class path: 21 or later). */
    public static Result run(Path dir, String java, Class<?> probe, boolean retransform, Duration timeout)
            throws IOException, InterruptedException {
        Path jar = dir.resolve(probe.getSimpleName() + "-agent.jar");
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().putValue("Premain-Class", probe.getName());
        if (retransform) {
            m.getMainAttributes().putValue("Can-Retransform-Classes", "true");
        }
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, m)) {
            j.flush();
        }
        Path out = dir.resolve(probe.getSimpleName() + "-out.txt");
        List<String> cmd = List.of(java, "-javaagent:" + jar, "-cp", System.getProperty("java.class.path"), probe.getName());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("the child JVM of " + probe.getName() + " did not end within " + timeout
                        + ":\n" + Files.readString(out));
            }
        } finally {
            p.destroyForcibly();
        }
        return new Result(p.exitValue(), Files.readString(out));
    }
}
