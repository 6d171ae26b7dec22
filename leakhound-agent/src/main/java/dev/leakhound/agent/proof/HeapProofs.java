package dev.leakhound.agent.proof;

import com.fasterxml.jackson.core.JsonFactory;
import com.sun.management.HotSpotDiagnosticMXBean;
import dev.leakhound.agent.AgentLog;
import dev.leakhound.agent.http.Unavailable;
import dev.leakhound.hprof.TempFiles;
import dev.leakhound.proof.LeakProof;
import dev.leakhound.report.JsonReport;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.CodeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The leaked-thread proof of the running JVM ({@link LeakProof}), from a heap dump, proven in another JVM.
 *
 * <p>One proof: removes what proofs of JVMs that have ended left behind (a JVM that exits or is killed while the JDK
 * writes the dump never reaches its clean-up); checks that the temporary directory ({@code java.io.tmpdir}) is on
 * disk, not in memory (tmpfs), and has room for the dump (3 times the heap in use, plus 64 MB) with a tenth of the
 * file system left free; makes a private directory there ({@code leakhound-proof-PID-*}, owner-only where the file
 * system allows), writes a JSON thread dump there ({@code HotSpotDiagnosticMXBean.dumpThreads}: it names the owners of
 * monitors, which no heap dump records, so that deadlocks on {@code synchronized} can be proven; without it, when it
 * fails, the proof only claims less), dumps the live heap into it ({@code HotSpotDiagnosticMXBean.dumpHeap(file,
 * true)}: the host is paused while the JDK writes it), then runs {@link ProofProcess} on both in a new JVM: this JVM's {@code java}
 * ({@code java.home}), {@code -Xmx} of {@code childHeapMb}, the class path where the agent's, the heap module's,
 * core's and jackson's classes were loaded from (one jar in {@code leakhound.jar}), without the
 * {@code JAVA_TOOL_OPTIONS}-style variables (which could load this agent into it again), working in the private
 * directory. Its standard output and error go to files there; the calling thread waits for it at most
 * {@link #TIMEOUT}, then kills it. The directory, with the dump, is deleted before this returns or throws, and the
 * other JVM is never left running; the dumps are never read here, let alone served. An interrupt (the agent stopping)
 * cancels the proof after the dump, which no interrupt stops. One proof at a time in the JVM.
 *
 * <p>Answers are refusals ({@link Unavailable}): 429 with {@code Retry-After} while a proof runs or
 * within {@code minIntervalMillis} of the end of the previous one; 503 with the reason when there is not enough
 * disk space, the dump or the other JVM fails, or the proof takes too long; when the disk fills anyway (something
 * else wrote there meanwhile, or the dump was larger than estimated), the reason says so, with the space before and
 * after, whether the JDK's write of the dump failed ({@code No space left on device}) or the other JVM could not write
 * its answer (and so said nothing at all). The first such failure is logged once.
 *
 * <p>Threads: none of its own. The JDK waits for the other JVM's end on its {@code process reaper} thread, a
 * daemon that ends by itself when idle.
 */
public final class HeapProofs {
    /** The largest document the proof may write; a larger one is an error (and never truncated). */
    public static final long MAX_OUTPUT = 16L * 1024 * 1024;
    /** How long the proof (not the dump) may take. */
    public static final Duration TIMEOUT = Duration.ofMinutes(10);
    static final String DIRECTORY_PREFIX = "leakhound-proof-";
    private static final long MARGIN_BYTES = 64L * 1024 * 1024;
    /** Dump bytes per byte of heap in use, at most (measured: 1.75 with small objects, 2.4 with compact headers). */
    private static final long DUMP_FACTOR = 3;
    private static final int MAX_ERROR_BYTES = 64 * 1024;
    /** Less than this left on a file system that a write failed on: the disk is full. */
    static final long FULL_BYTES = 1024 * 1024;

    /** File systems whose files live in memory: a dump there takes the host's RAM, not disk. */
    private static final Set<String> MEMORY_FILE_SYSTEMS = Set.of("tmpfs", "ramfs");
    /** One proof at a time in the whole JVM, also across an agent stopped and started again. */
    private static final Object LOCK = new Object();
    private static boolean running;   // guarded by LOCK
    private static boolean ended;     // guarded by LOCK
    private static long endedNanos;   // guarded by LOCK

    private final long minIntervalNanos;
    private final int childHeapMb;
    private final Duration timeout;
    private final LongSupplier clock;
    /** Where dumps go; null: {@code java.io.tmpdir} at each proof. */
    private final Path tmpDir;
    /** Told of each step ("dump", "proof") before it starts: for tests that fill the disk in between. */
    private final Consumer<String> beforeStep;

    /**
     * @param minIntervalMillis the least time between the end of one proof and the start of the next
     * @param childHeapMb       the maximum heap of the proof's JVM, in MB
     */
    public HeapProofs(long minIntervalMillis, int childHeapMb) {
        this(minIntervalMillis, childHeapMb, TIMEOUT, System::nanoTime);
    }

    HeapProofs(long minIntervalMillis, int childHeapMb, Duration timeout, LongSupplier nanoClock) {
        this(minIntervalMillis, childHeapMb, timeout, nanoClock, null, step -> { });
    }

    HeapProofs(long minIntervalMillis, int childHeapMb, Duration timeout, LongSupplier nanoClock, Path tmpDir,
               Consumer<String> beforeStep) {
        this.minIntervalNanos = minIntervalMillis * 1_000_000L;
        this.childHeapMb = childHeapMb;
        this.timeout = timeout;
        this.clock = nanoClock;
        this.tmpDir = tmpDir;
        this.beforeStep = beforeStep;
    }

    /**
     * Dumps the heap, proves, deletes the dump: the proof as JSON ({@code dev.leakhound.proof.ProofJson}), one
     * document of at most {@link #MAX_OUTPUT} bytes.
     *
     * @throws Unavailable 429 or 503, as the class says
     */
    public byte[] prove() throws IOException {
        start();
        try {
            return proveNow();
        } finally {
            synchronized (LOCK) {
                running = false;
                ended = true;
                endedNanos = clock.getAsLong();
            }
        }
    }

    private void start() {
        synchronized (LOCK) {
            startLocked();
        }
    }

    private void startLocked() {
        if (running) {
            throw new Unavailable(429, "too many requests: a heap proof is running; try again when it"
                    + " has ended", Map.of("Retry-After", "10"));
        }
        long now = clock.getAsLong();
        if (ended && now - endedNanos < minIntervalNanos) {
            long waitSeconds = Math.max(1, (minIntervalNanos - (now - endedNanos) + 999_999_999L) / 1_000_000_000L);
            throw new Unavailable(429, "too many requests: the heap proof dumps the heap and runs at most"
                    + " once every " + (minIntervalNanos / 1_000_000_000.0) + " s (heapIntervalMillis); try again in "
                    + waitSeconds + " s", Map.of("Retry-After", Long.toString(waitSeconds)));
        }
        running = true;
    }

    private byte[] proveNow() throws IOException {
        Path java = javaExecutable();
        String classPath = classPath();
        Path tmp = (tmpDir != null ? tmpDir : Path.of(System.getProperty("java.io.tmpdir"))).toAbsolutePath();
        removeLeftovers(tmp);
        long usableBefore = checkSpace(tmp);
        Path dir = privateDirectory(tmp);
        Process child = null;
        try {
            Path dump = dir.resolve("heap.hprof");
            Path threads = dir.resolve("threads.json");
            beforeStep.accept("dump");
            // The owners of monitors are in no heap dump: a thread dump just before names them, so that a deadlock
            // on synchronized can be proven (a deadlock lasts: which dump comes first does not matter). Without it
            // (it failed) the proof only claims less.
            boolean withThreads;
            try {
                ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).dumpThreads(threads.toString(),
                        HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
                withThreads = true;
            } catch (IOException | RuntimeException e) {
                withThreads = false;
                try {
                    Files.deleteIfExists(threads);
                } catch (IOException ignored) {
                    // deleted with the directory
                }
            }
            try {
                ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).dumpHeap(dump.toString(), true);
            } catch (IOException | RuntimeException e) {
                long usable = usableSpace(dir);
                if (diskFull(e.getMessage(), usable)) {
                    throw unavailable(String.format(Locale.ROOT, "the disk filled while the JVM wrote the heap dump:"
                            + " the temporary directory (java.io.tmpdir, %s) had %d MB usable before the dump, %s after"
                            + " it failed (%s); free space there, or start the JVM with -Djava.io.tmpdir= a directory"
                            + " on a larger disk", tmp, usableBefore >> 20, megabytes(usable), AgentLog.describe(e)));
                }
                throw unavailable("the heap dump failed: " + AgentLog.describe(e));
            }
            beforeStep.accept("proof");
            if (Thread.currentThread().isInterrupted()) {       // stopped while the JDK wrote the dump
                throw new Unavailable("the agent is stopping: the heap proof was cancelled");
            }
            Path out = dir.resolve("proof.json");
            Path err = dir.resolve("proof.err");
            List<String> cmd = new ArrayList<>(List.of(java.toString(), "-Xmx" + childHeapMb + "m",
                    "-XX:+UseSerialGC", "-XX:-UsePerfData", "-Djava.io.tmpdir=" + dir, "-cp", classPath,
                    ProofProcess.class.getName(), dump.toString(), Long.toString(ProcessHandle.current().pid())));
            if (withThreads) {
                cmd.add(threads.toString());
            }
            ProcessBuilder pb = IsolatedJvm.builder(cmd, dir).redirectOutput(out.toFile()).redirectError(err.toFile());
            try {
                child = pb.start();
            } catch (IOException | RuntimeException e) {
                throw unavailable("cannot start the JVM of the proof: " + AgentLog.describe(e));
            }
            boolean done;
            try {
                done = child.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();             // the server is stopping: so is the proof
                throw new Unavailable("the agent is stopping: the heap proof was cancelled");
            }
            if (!done) {
                throw unavailable("the heap proof took longer than " + timeout.toSeconds() + " s and was stopped");
            }
            int status = child.exitValue();
            if (status != 0) {
                String why = errorLine(err);
                long usable = usableSpace(dir);
                if (diskFull(why, usable)) {
                    throw unavailable(String.format(Locale.ROOT, "the disk filled after the JVM wrote the heap dump"
                            + " (%d MB): %s left in the temporary directory (java.io.tmpdir, %s), and the proof could"
                            + " not write its answer there (%s); free space there, or start the JVM with"
                            + " -Djava.io.tmpdir= a directory on a larger disk", sizeOrZero(dump) >> 20,
                            megabytes(usable), tmp, why));
                }
                throw unavailable("the heap proof failed" + (status == 2 ? "" : " (its JVM ended with status " + status + ")")
                        + ": " + why);
            }
            long size = Files.size(out);
            if (size > MAX_OUTPUT) {
                throw unavailable("the heap proof wrote more than " + MAX_OUTPUT + " bytes");
            }
            return Files.readAllBytes(out);
        } finally {
            if (child != null) {
                IsolatedJvm.stop(child);
            }
            deleteTree(dir);
        }
    }

    /**
     * Whether a failure to write comes from a full disk: the system's words for it (ENOSPC on Linux and macOS,
     * ERROR_DISK_FULL on Windows), or less than {@link #FULL_BYTES} left where it wrote. (A JVM that cannot write
     * its standard error to a full disk says nothing at all: the space left tells.)
     */
    static boolean diskFull(String message, long usable) {
        String m = message == null ? "" : message;
        return m.contains("No space left on device") || m.contains("not enough space on the disk")
                || (usable >= 0 && usable < FULL_BYTES);
    }

    /** The usable bytes of the file system of {@code dir}, or -1 when it cannot be told. */
    private static long usableSpace(Path dir) {
        try {
            return Files.getFileStore(dir).getUsableSpace();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static long sizeOrZero(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    private static String megabytes(long bytes) {
        return bytes < 0 ? "an unknown amount" : bytes < (1 << 20) ? bytes + " bytes" : (bytes >> 20) + " MB";
    }

    private static Unavailable unavailable(String message) {
        AgentLog.once("heap proof", message);
        return new Unavailable(message);
    }

    /**
     * Room for the dump, on disk: HPROF writes every object with a record header and every reference at full width,
     * so a heap of small objects dumps to 2-2.5 times its size (more with compact object headers); and a tenth of the
     * file system stays free for the host. A file system in memory (tmpfs) is refused: the dump would take the
     * host's RAM.
     */
    private static long checkSpace(Path tmp) throws IOException {
        long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        long needed = DUMP_FACTOR * used + MARGIN_BYTES;
        java.nio.file.FileStore store;
        long usable;
        long total;
        try {
            store = Files.getFileStore(tmp);
            usable = store.getUsableSpace();
            total = store.getTotalSpace();
        } catch (IOException e) {
            throw unavailable("cannot tell the free space of the temporary directory (java.io.tmpdir): "
                    + AgentLog.describe(e));
        }
        if (MEMORY_FILE_SYSTEMS.contains(store.type())) {
            throw unavailable("the temporary directory (java.io.tmpdir, " + tmp + ") is on " + store.type()
                    + ", in memory: the heap dump would take this machine's RAM; start the JVM with"
                    + " -Djava.io.tmpdir= a directory on disk to use the heap proof");
        }
        long left = usable - needed;
        if (left < total / 10) {
            throw unavailable(String.format(Locale.ROOT, "not enough free disk space for the heap dump in the"
                    + " temporary directory (java.io.tmpdir): %d MB usable, %d MB needed (%d times the %d MB of"
                    + " heap in use, plus 64 MB) and a tenth of the disk left free", usable >> 20, needed >> 20,
                    DUMP_FACTOR, used >> 20));
        }
        return usable;
    }

    /**
     * Deletes what an earlier proof of a JVM that has ended left behind: a JVM that exits (or is killed) while the
     * JDK writes its dump never reaches its clean-up. The directory names carry the pid of the JVM that made them.
     */
    static void removeLeftovers(Path tmp) {
        try {
            for (Path d : TempFiles.leftovers(tmp, DIRECTORY_PREFIX)) {
                if (Files.isDirectory(d, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    deleteTree(d);
                }
            }
        } catch (IOException | RuntimeException e) {
            AgentLog.once("heap proof clean-up", "could not look for leftovers of earlier proofs: " + AgentLog.describe(e));
        }
    }

    /** The pid in {@code leakhound-proof-PID-RANDOM}, or -1. */
    static long pidOf(String name) {
        return TempFiles.pidOf(name, DIRECTORY_PREFIX);
    }

    private static Path privateDirectory(Path tmp) throws IOException {
        String prefix = TempFiles.prefix(DIRECTORY_PREFIX);
        try {
            return Files.createTempDirectory(tmp, prefix,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException notPosix) {
            return Files.createTempDirectory(tmp, prefix);   // e.g. Windows: the user's own temp
        } catch (IOException e) {
            throw unavailable("cannot make a directory in the temporary directory (java.io.tmpdir): "
                    + AgentLog.describe(e));
        }
    }

    private static Path javaExecutable() {
        Path java = IsolatedJvm.java();
        if (!Files.isExecutable(java)) {
            throw unavailable("this JVM has no java launcher to run the proof with (java.home/bin/java)");
        }
        return java;
    }

    /**
     * Where the proof's classes were loaded from: one jar in {@code leakhound.jar}, the modules' jars or class
     * directories otherwise.
     */
    static String classPath() {
        Set<String> entries = new LinkedHashSet<>();
        for (Class<?> c : List.of(ProofProcess.class, LeakProof.class, JsonReport.class, JsonFactory.class)) {
            CodeSource cs = c.getProtectionDomain().getCodeSource();
            if (cs == null || cs.getLocation() == null) {
                throw unavailable("cannot tell where " + c.getSimpleName() + " was loaded from, to run the proof");
            }
            try {
                entries.add(Path.of(cs.getLocation().toURI()).toString());
            } catch (URISyntaxException | RuntimeException e) {
                throw unavailable("cannot use " + cs.getLocation() + " as a class path: " + AgentLog.describe(e));
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    /** The child's error line, or the first line of what it wrote (bounded), or that it wrote nothing. */
    private static String errorLine(Path err) {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(err)) {
            bytes = in.readNBytes(MAX_ERROR_BYTES);
        } catch (IOException e) {
            return "(its standard error cannot be read: " + AgentLog.describe(e) + ")";
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        String first = null;
        for (String line : text.split("\\R")) {
            if (line.startsWith(ProofProcess.ERROR_PREFIX)) {
                return line.substring(ProofProcess.ERROR_PREFIX.length());
            }
            if (first == null && !line.isBlank()) {
                first = line.strip();
            }
        }
        return first == null ? "(it wrote nothing on standard error)" : first;
    }

    /** {@link IsolatedJvm#deleteTree}, but never throws (logged once). */
    static void deleteTree(Path dir) {
        try {
            IsolatedJvm.deleteTree(dir);
        } catch (IOException | RuntimeException e) {
            AgentLog.once("heap proof clean-up", "could not delete its directory: " + AgentLog.describe(e));
        }
    }
}
