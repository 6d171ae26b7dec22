package dev.leakhound.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link TinyService} in a JVM of its own, with the Java running the tests, its output in files.
 * {@link #close()} ends it if it still runs (asked first, killed after 10 s).
 */
final class ChildJvm implements AutoCloseable {
    final Process process;
    private final Path out;
    private final Path err;

    /** The shaded {@code leakhound.jar} that {@code mvn package} made (system property {@code leakhound.jar}). */
    static Path shadedJar() {
        Path jar = Path.of(System.getProperty("leakhound.jar", "target/leakhound.jar")).toAbsolutePath();
        assertThat(jar).as("the shaded jar (made by mvn package)").isRegularFile();
        return jar;
    }

    private ChildJvm(Process process, Path out, Path err) {
        this.process = process;
        this.out = out;
        this.err = err;
    }

    /** {@code java JVM_ARGS -cp <test classes> dev.leakhound.cli.TinyService ARGS}; waits for {@code ready}. */
    static ChildJvm start(Path dir, List<String> jvmArgs, String... args) throws IOException {
        return start(dir, Path.of(System.getProperty("java.home"), "bin", "java").toString(), jvmArgs, args);
    }

    /** The same with another Java's launcher (21 or later: TinyService is compiled for 21). */
    static ChildJvm start(Path dir, String java, List<String> jvmArgs, String... args) throws IOException {
        return start(dir, java, TinyService.class, jvmArgs, args);
    }

    /** Another program of the test classes that prints {@code ready} and ends on {@code exit} ({@link ChildSide}). */
    static ChildJvm start(Path dir, String java, Class<?> main, List<String> jvmArgs, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(testClasses().toString());
        cmd.add(main.getName());
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "child-out-", ".txt");
        Path err = Files.createTempFile(dir, "child-err-", ".txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        ChildJvm child = new ChildJvm(p, out, err);
        try {
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(50))
                    .until(() -> child.stdout().contains("ready\n") || !p.isAlive());
            if (!child.stdout().contains("ready\n")) {
                throw new AssertionError("the child did not start: " + child);
            }
        } catch (RuntimeException | AssertionError e) {
            child.close();
            throw e;
        }
        return child;
    }

    /** Where TinyService was compiled: only it is on the child's class path. */
    private static Path testClasses() {
        try {
            return Path.of(TinyService.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    long pid() {
        return process.pid();
    }

    String stdout() throws IOException {
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    String stderr() throws IOException {
        return Files.readString(err, StandardCharsets.UTF_8);
    }

    /** Waits until standard error has a match of the pattern, and returns it. */
    Matcher awaitStderr(Pattern pattern) {
        AtomicReference<Matcher> found = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(50)).until(() -> {
            Matcher m = pattern.matcher(stderr());
            if (m.find()) {
                found.set(m);
                return true;
            }
            if (!process.isAlive()) {
                throw new AssertionError("the child ended: " + this);
            }
            return false;
        });
        return found.get();
    }

    /** Writes one line to its standard input, which stays open. */
    void send(String line) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    /** Waits until standard output has the line. */
    void awaitStdoutLine(String line) {
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(50)).until(() -> {
            if (stdout().contains(line + "\n")) {
                return true;
            }
            if (!process.isAlive()) {
                throw new AssertionError("the child ended: " + this);
            }
            return false;
        });
    }

    /** Tells it to exit and waits: its exit status. */
    int exit() throws IOException, InterruptedException {
        try (OutputStream in = process.getOutputStream()) {
            in.write("exit\n".getBytes(StandardCharsets.UTF_8));
        }
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            throw new AssertionError("the child did not end within 120 s of 'exit': " + this);
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        try {
            // Asked to end first: its shutdown runs, and JFR deletes its repository in the temp directory.
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            process.waitFor(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        try {
            return "pid " + pid() + (process.isAlive() ? " (alive)" : " exit " + process.exitValue())
                    + "\n--- stdout:\n" + stdout() + "\n--- stderr:\n" + stderr();
        } catch (IOException e) {
            return "pid " + pid();
        }
    }
}
