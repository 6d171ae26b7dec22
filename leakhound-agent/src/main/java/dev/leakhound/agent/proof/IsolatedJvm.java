package dev.leakhound.agent.proof;

import java.io.File;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Another JVM started from this one for work kept out of it (the heap proof, the demo's post-mortem), isolated
 * from this one: it reads no input, gets none of the variables through which this JVM's options (an agent among
 * them) would reach it, and works in a directory of its own that is deleted afterwards.
 */
public final class IsolatedJvm {
    /** Variables the JVM or its launcher read options from: this JVM's could load an agent into the child. */
    private static final List<String> JVM_OPTION_VARIABLES = List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS",
            "_JAVA_OPTIONS", "CLASSPATH");

    private IsolatedJvm() {
    }

    /** This JVM's launcher, {@code java.home/bin/java} ({@code java.exe} on Windows); it may be missing (a jlink image). */
    public static Path java() {
        boolean windows = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
        return Path.of(System.getProperty("java.home"), "bin", windows ? "java.exe" : "java");
    }

    /**
     * A process of {@code command} (the launcher first) working in {@code dir}, reading nothing (its input is the
     * null device), without the variables through which this JVM's options would reach it.
     */
    public static ProcessBuilder builder(List<String> command, Path dir) {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File(File.separatorChar == '\\' ? "NUL" : "/dev/null")));
        JVM_OPTION_VARIABLES.forEach(pb.environment()::remove);
        return pb;
    }

    /**
     * Kills the process if it still runs and waits up to 10 s for it to be gone (its files are then free to delete),
     * also when the calling thread is interrupted, whose status is kept.
     */
    public static void stop(Process p) {
        if (!p.isAlive()) {
            return;
        }
        p.destroyForcibly();
        boolean interrupted = Thread.interrupted();
        try {
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            interrupted = true;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Deletes the directory and everything in it; never follows links. */
    public static void deleteTree(Path dir) throws IOException {
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                Files.deleteIfExists(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
