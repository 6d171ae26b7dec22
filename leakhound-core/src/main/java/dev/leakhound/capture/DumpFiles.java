package dev.leakhound.capture;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where live captures write the JDK's dump: one private directory per JVM (owner-only where the file
 * system allows), made on first use and removed at exit, and a fresh file name per capture, which the
 * capture deletes. Making and removing a directory per capture cost more than the dump of a small JVM.
 */
final class DumpFiles {
    private static final AtomicLong COUNTER = new AtomicLong();
    private static Path dir;            // guarded by DumpFiles.class

    private DumpFiles() {
    }

    /** An absolute path that does not exist yet, for one dump ({@code dumpThreads} refuses existing files). */
    static Path next() throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path d = directory(attempt > 0);
            Path file = d.resolve("threads-" + COUNTER.incrementAndGet() + ".json");
            if (!Files.exists(file)) {
                return file;
            }
            if (attempt > 2) {
                throw new FileAlreadyExistsException(file.toString());
            }
        }
    }

    /** Deletes a dump file; never throws (the directory goes at exit anyway). */
    static void delete(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // nothing more can be done here
            }
        }
    }

    private static synchronized Path directory(boolean fresh) throws IOException {
        if (dir == null || fresh || !Files.isDirectory(dir)) {     // a temp cleaner may have removed it
            Path d;
            try {
                d = Files.createTempDirectory("leakhound-",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (UnsupportedOperationException notPosix) {
                d = Files.createTempDirectory("leakhound-");
            }
            d = d.toAbsolutePath();
            d.toFile().deleteOnExit();
            dir = d;
        }
        return dir;
    }

    /** For tests: the directory in use, or {@code null} before the first capture. */
    static synchronized Path currentDirectory() {
        return dir;
    }
}
