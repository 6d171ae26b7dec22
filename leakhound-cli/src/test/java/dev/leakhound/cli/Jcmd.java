package dev.leakhound.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs {@code jcmd <pid> ...} (this JVM's, or a child's) from the JDK running the tests, and waits for it. */
final class Jcmd {
    private Jcmd() {
    }

    /**
     * Runs jcmd against this JVM with its standard output and error going to {@code output}.
     *
     * @throws AssertionError if jcmd fails or takes longer than a minute (it is then killed)
     */
    static void run(Path output, String... command) throws IOException, InterruptedException {
        run(ProcessHandle.current().pid(), output, command);
    }

    /** The same against another JVM (a child of the test). */
    static void run(long pid, Path output, String... command) throws IOException, InterruptedException {
        run(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), pid, output, command);
    }

    /** The same with another JDK's jcmd (a JVM of that JDK). */
    static void run(String jcmd, long pid, Path output, String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(jcmd);
        cmd.add(Long.toString(pid));
        cmd.addAll(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        try {
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                throw new AssertionError("jcmd did not finish in 180 s: " + cmd);
            }
            if (p.exitValue() != 0) {
                throw new AssertionError("jcmd failed with " + p.exitValue() + ": " + cmd + "\n" + Files.readString(output));
            }
        } finally {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** {@code jcmd <pid> Thread.dump_to_file [-format=json] file}: the JDK's thread dump, virtual threads too. */
    static Path dumpToFile(Path file, boolean json) throws IOException, InterruptedException {
        Path log = Files.createTempFile(file.getParent(), "jcmd-", ".log");
        if (json) {
            run(log, "Thread.dump_to_file", "-format=json", file.toString());
        } else {
            run(log, "Thread.dump_to_file", file.toString());
        }
        Files.delete(log);
        return file;
    }

    /** {@code jcmd <pid> Thread.print > file}: the jstack format, platform threads only. */
    static Path threadPrint(Path file) throws IOException, InterruptedException {
        run(file, "Thread.print");
        return file;
    }
}
