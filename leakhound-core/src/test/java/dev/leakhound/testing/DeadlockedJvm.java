package dev.leakhound.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * {@link DeadlockProgram} in a JVM of its own (the Java running the tests, the test classes as class path), and its
 * thread dumps taken with the real {@code jcmd}. {@link #close()} kills it: its deadlock cannot end otherwise.
 */
public final class DeadlockedJvm implements AutoCloseable {
    private final Process process;
    private final Path dir;
    private final Path out;

    private DeadlockedJvm(Process process, Path dir, Path out) {
        this.process = process;
        this.dir = dir;
        this.out = out;
    }

    /** Starts {@code DeadlockProgram KIND THREADS} and waits until its threads are blocked. */
    public static DeadlockedJvm start(Path dir, String kind, String threads) throws IOException {
        Path out = Files.createTempFile(dir, "deadlock-" + kind + "-", ".out");
        String cp;
        try {
            cp = Path.of(DeadlockProgram.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        Process p = new ProcessBuilder(java("java"), "-Xmx64m", "-cp", cp, DeadlockProgram.class.getName(), kind,
                threads).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        DeadlockedJvm jvm = new DeadlockedJvm(p, dir, out);
        try {
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(50))
                    .until(() -> jvm.output().contains("ready\n") || !p.isAlive());
            if (!jvm.output().contains("ready\n")) {
                throw new AssertionError("the deadlock program did not get ready: " + jvm.output());
            }
        } catch (RuntimeException | AssertionError e) {
            jvm.close();
            throw e;
        }
        return jvm;
    }

    /**
     * Runs {@code DeadlockProgram KIND THREADS check} with these JVM options and the test's class path, and returns
     * the leak check's report it printed.
     */
    public static String leakCheck(Path dir, String kind, String threads, String... jvmOptions)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "check-" + kind + "-", ".out");
        List<String> cmd = new ArrayList<>(List.of(java("java"), "-Xmx128m"));
        cmd.addAll(List.of(jvmOptions));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), DeadlockProgram.class.getName(), kind,
                threads, "check"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                throw new AssertionError("the leak check did not end in 300 s: " + Files.readString(out));
            }
        } finally {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
        String text = Files.readString(out, StandardCharsets.UTF_8);
        int from = text.indexOf("--- report\n");
        int to = text.indexOf("\n--- end");
        if (from < 0 || to < from) {
            throw new AssertionError("no report: " + text);
        }
        return text.substring(from + "--- report\n".length(), to);
    }

    private static String java(String tool) {
        return Path.of(System.getProperty("java.home"), "bin", tool).toString();
    }

    public long pid() {
        return process.pid();
    }

    String output() throws IOException {
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    /** {@code jcmd PID Thread.dump_to_file -format=json FILE}. */
    public Path jsonDump() throws IOException, InterruptedException {
        Path file = dir.resolve("dump-" + pid() + "-" + System.nanoTime() + ".json");
        jcmd(null, "Thread.dump_to_file", "-format=json", file.toString());
        return file;
    }

    /** {@code jcmd PID Thread.dump_to_file FILE}: the JDK's plain-text dump. */
    public Path plainDump() throws IOException, InterruptedException {
        Path file = dir.resolve("dump-" + pid() + "-" + System.nanoTime() + ".txt");
        jcmd(null, "Thread.dump_to_file", file.toString());
        return file;
    }

    /** {@code jcmd PID Thread.print [-l] > FILE}: the jstack format. */
    public Path threadPrint(boolean synchronizers) throws IOException, InterruptedException {
        Path file = dir.resolve("print-" + pid() + "-" + System.nanoTime() + ".txt");
        if (synchronizers) {
            jcmd(file, "Thread.print", "-l");
        } else {
            jcmd(file, "Thread.print");
        }
        return file;
    }

    private void jcmd(Path output, String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(java("jcmd"), Long.toString(pid())));
        cmd.addAll(List.of(command));
        Path log = output != null ? output : Files.createTempFile(dir, "jcmd-", ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!p.waitFor(180, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError("jcmd failed: " + cmd + "\n" + Files.readString(log));
            }
        } finally {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
