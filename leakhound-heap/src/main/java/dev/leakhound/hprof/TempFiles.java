package dev.leakhound.hprof;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Names for what a JVM makes in the temporary directory ({@code BASE-PID-RANDOM}: the decompressed dump of
 * {@code index.HeapIndex}, the heap proof's private directories), so that a later run can find and remove what a JVM that
 * has ended left behind: a JVM killed ({@code SIGKILL}) or crashed runs no clean-up of its own.
 */
public final class TempFiles {
    /** What this JVM still has to delete when it shuts down: only what is live, unlike {@code File.deleteOnExit}. */
    private static final Set<Path> AT_EXIT = ConcurrentHashMap.newKeySet();
    private static boolean hooked;

    private TempFiles() {
    }

    /**
     * Deletes {@code file} when this JVM shuts down (the end of main, {@code System.exit}, SIGINT, SIGTERM), unless
     * {@link #delete} did before. One shutdown hook for all: {@code File.deleteOnExit} would keep every path for the
     * JVM's life, one more for each dump opened.
     */
    public static void deleteAtExit(Path file) {
        synchronized (AT_EXIT) {
            if (!hooked) {
                Runtime.getRuntime().addShutdownHook(new Thread(TempFiles::deleteAll, "leakhound-temp-files"));
                hooked = true;
            }
        }
        AT_EXIT.add(file);
    }

    /** Deletes {@code file} now, and forgets it for the shutdown (when it is gone). */
    public static void delete(Path file) throws IOException {
        Files.deleteIfExists(file);
        AT_EXIT.remove(file);
    }

    /** The files {@link #deleteAtExit} still holds. */
    static Set<Path> pendingAtExit() {
        return Set.copyOf(AT_EXIT);
    }

    private static void deleteAll() {
        for (Path p : AT_EXIT) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException | RuntimeException ignored) {
                // the JVM is ending: nothing to report to; the next run removes it (leftovers)
            }
        }
    }

    /** {@code base}, this JVM's pid and a dash: the start of the name of something this JVM makes. */
    public static String prefix(String base) {
        return base + ProcessHandle.current().pid() + "-";
    }

    /** The pid in a name made from {@link #prefix} ({@code BASE-PID-...}), or -1. */
    public static long pidOf(String name, String base) {
        if (!name.startsWith(base)) {
            return -1;
        }
        String rest = name.substring(base.length());
        int dash = rest.indexOf('-');
        try {
            return dash > 0 ? Long.parseLong(rest.substring(0, dash)) : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * The entries of {@code dir} named {@code BASE-PID-...} whose JVM has ended: not this one, and no process of that
     * pid is alive (a pid reused since by another process keeps its entry until that one ends too).
     */
    public static List<Path> leftovers(Path dir, String base) throws IOException {
        List<Path> out = new ArrayList<>();
        long self = ProcessHandle.current().pid();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, base + "*")) {
            for (Path p : entries) {
                long pid = pidOf(p.getFileName().toString(), base);
                if (pid > 0 && pid != self && ProcessHandle.of(pid).isEmpty()) {
                    out.add(p);
                }
            }
        }
        return out;
    }
}
