package dev.leakhound.bench;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/** The baseline: the bare JDK call {@code dumpThreads(path, JSON)} into a fresh file, and nothing else. */
final class JdkDump {
    private static final HotSpotDiagnosticMXBean BEAN =
            ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
    private static final AtomicLong SEQ = new AtomicLong();

    private JdkDump() {
    }

    /** Writes the JSON dump to a new file in {@code dir} (absolute) and returns the file; the caller deletes it. */
    static Path dump(Path dir) throws IOException {
        Path file = dir.resolve("dump-" + SEQ.incrementAndGet() + ".json");
        BEAN.dumpThreads(file.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
        return file;
    }

    /** Dumps and deletes; returns the file's size so that the work cannot be dropped. */
    static long dumpAndDelete(Path dir) throws IOException {
        Path file = dump(dir);
        try {
            return Files.size(file);
        } finally {
            Files.delete(file);
        }
    }

    static Path tempDir() throws IOException {
        Path dir = Files.createTempDirectory("leakhound-bench-").toAbsolutePath();
        dir.toFile().deleteOnExit();       // if a failing benchmark skips its teardown (only when empty)
        return dir;
    }

    static void deleteDir(Path dir) throws IOException {
        if (dir == null) {
            return;
        }
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(f);
            }
        }
        Files.deleteIfExists(dir);
    }
}
