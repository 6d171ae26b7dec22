package dev.leakhound.agent.proof;

import com.fasterxml.jackson.core.JsonFactory;
import com.sun.management.HotSpotDiagnosticMXBean;
import dev.leakhound.agent.AgentLog;
import dev.leakhound.agent.DebugServer;
import dev.leakhound.proof.LeakProof;
import dev.leakhound.report.JsonReport;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
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
import java.util.function.LongSupplier;

/**
 * The leaked-thread proof of the running JVM ({@link LeakProof}), from a heap dump, proven in another JVM.
 *
 * <p>One proof: checks that the temporary directory ({@code java.io.tmpdir}) has room for the dump (1.5 times the
 * heap in use, plus 64 MB), makes a private directory there ({@code leakhound-proof-*}, owner-only where the file
 * system allows), dumps the live heap into it ({@code HotSpotDiagnosticMXBean.dumpHeap(file, true)}: the host is
 * paused while the JDK writes it), then runs {@link ProofProcess} on it in a new JVM: this JVM's {@code java}
 * ({@code java.home}), {@code -Xmx} of {@code childHeapMb}, the class path where the agent's, the heap module's,
 * core's and jackson's classes were loaded from (one jar in {@code leakhound.jar}), without the
 * {@code JAVA_TOOL_OPTIONS}-style variables (which could load this agent into it again), working in the private
 * directory. Its standard output and error go to files there; the calling thread waits for it at most
 * {@link #TIMEOUT}, then kills it. The directory, with the dump, is always deleted before this returns or throws,
 * and the other JVM is never left running; the dump is never read here, let alone served.
 *
 * <p>Answers are refusals ({@link DebugServer.Unavailable}): 429 with {@code Retry-After} while a proof runs or
 * within {@code minIntervalMillis} of the end of the previous one; 503 with the reason when there is not enough
 * disk space, the dump or the other JVM fails, or the proof takes too long. The first such failure is logged once.
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
    private static final int MAX_ERROR_BYTES = 64 * 1024;
    /** Variables the JVM or its launcher read options from: the host's could load this agent into the child. */
    private static final List<String> JVM_OPTION_VARIABLES = List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS",
            "_JAVA_OPTIONS", "CLASSPATH");

    private final long minIntervalNanos;
    private final int childHeapMb;
    private final Duration timeout;
    private final LongSupplier clock;
    private boolean running;          // guarded by this
    private boolean ended;            // guarded by this
    private long endedNanos;          // guarded by this

    /**
     * @param minIntervalMillis the least time between the end of one proof and the start of the next
     * @param childHeapMb       the maximum heap of the proof's JVM, in MB
     */
    public HeapProofs(long minIntervalMillis, int childHeapMb) {
        this(minIntervalMillis, childHeapMb, TIMEOUT, System::nanoTime);
    }

    HeapProofs(long minIntervalMillis, int childHeapMb, Duration timeout, LongSupplier nanoClock) {
        this.minIntervalNanos = minIntervalMillis * 1_000_000L;
        this.childHeapMb = childHeapMb;
        this.timeout = timeout;
        this.clock = nanoClock;
    }

    /**
     * Dumps the heap, proves, deletes the dump: the proof as JSON ({@code dev.leakhound.proof.ProofJson}), one
     * document of at most {@link #MAX_OUTPUT} bytes.
     *
     * @throws DebugServer.Unavailable 429 or 503, as the class says
     */
    public byte[] prove() throws IOException {
        start();
        try {
            return proveNow();
        } finally {
            synchronized (this) {
                running = false;
                ended = true;
                endedNanos = clock.getAsLong();
            }
        }
    }

    private synchronized void start() {
        if (running) {
            throw new DebugServer.Unavailable(429, "too many requests: a heap proof is running; try again when it"
                    + " has ended", Map.of("Retry-After", "10"));
        }
        long now = clock.getAsLong();
        if (ended && now - endedNanos < minIntervalNanos) {
            long waitSeconds = Math.max(1, (minIntervalNanos - (now - endedNanos) + 999_999_999L) / 1_000_000_000L);
            throw new DebugServer.Unavailable(429, "too many requests: the heap proof dumps the heap and runs at most"
                    + " once every " + (minIntervalNanos / 1_000_000_000.0) + " s (heapIntervalMillis); try again in "
                    + waitSeconds + " s", Map.of("Retry-After", Long.toString(waitSeconds)));
        }
        running = true;
    }

    private byte[] proveNow() throws IOException {
        Path java = javaExecutable();
        String classPath = classPath();
        Path tmp = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath();
        checkSpace(tmp);
        Path dir = privateDirectory(tmp);
        Process child = null;
        try {
            Path dump = dir.resolve("heap.hprof");
            try {
                ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).dumpHeap(dump.toString(), true);
            } catch (IOException | RuntimeException e) {
                throw unavailable("the heap dump failed: " + AgentLog.describe(e));
            }
            Path out = dir.resolve("proof.json");
            Path err = dir.resolve("proof.err");
            List<String> cmd = List.of(java.toString(), "-Xmx" + childHeapMb + "m", "-XX:+UseSerialGC",
                    "-XX:-UsePerfData", "-Djava.io.tmpdir=" + dir, "-cp", classPath, ProofProcess.class.getName(),
                    dump.toString(), Long.toString(ProcessHandle.current().pid()));
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(nullFile()))
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            JVM_OPTION_VARIABLES.forEach(pb.environment()::remove);
            child = pb.start();
            boolean done;
            try {
                done = child.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();             // the server is stopping: so is the proof
                throw new DebugServer.Unavailable("the agent is stopping: the heap proof was cancelled");
            }
            if (!done) {
                throw unavailable("the heap proof took longer than " + timeout.toSeconds() + " s and was stopped");
            }
            int status = child.exitValue();
            if (status != 0) {
                String why = errorLine(err);
                throw unavailable("the heap proof failed" + (status == 2 ? "" : " (its JVM ended with status " + status + ")")
                        + ": " + why);
            }
            long size = Files.size(out);
            if (size > MAX_OUTPUT) {
                throw unavailable("the heap proof wrote more than " + MAX_OUTPUT + " bytes");
            }
            return Files.readAllBytes(out);
        } finally {
            if (child != null && child.isAlive()) {
                child.destroyForcibly();
                awaitEnd(child);
            }
            deleteTree(dir);
        }
    }

    private static DebugServer.Unavailable unavailable(String message) {
        AgentLog.once("heap proof", message);
        return new DebugServer.Unavailable(message);
    }

    /** Room for the dump: HPROF writes every object with a record header, which can outweigh a small object. */
    private static void checkSpace(Path tmp) throws IOException {
        long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        long needed = used + used / 2 + MARGIN_BYTES;
        long usable;
        try {
            usable = Files.getFileStore(tmp).getUsableSpace();
        } catch (IOException e) {
            throw unavailable("cannot tell the free space of the temporary directory (java.io.tmpdir): "
                    + AgentLog.describe(e));
        }
        if (usable < needed) {
            throw unavailable(String.format(Locale.ROOT, "not enough free disk space for the heap dump in the"
                    + " temporary directory (java.io.tmpdir): %d MB usable, %d MB needed (1.5 times the %d MB of heap"
                    + " in use, plus 64 MB)", usable >> 20, needed >> 20, used >> 20));
        }
    }

    private static Path privateDirectory(Path tmp) throws IOException {
        try {
            return Files.createTempDirectory(tmp, DIRECTORY_PREFIX,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException notPosix) {
            return Files.createTempDirectory(tmp, DIRECTORY_PREFIX);   // e.g. Windows: the user's own temp
        } catch (IOException e) {
            throw unavailable("cannot make a directory in the temporary directory (java.io.tmpdir): "
                    + AgentLog.describe(e));
        }
    }

    private static Path javaExecutable() {
        boolean windows = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
        Path java = Path.of(System.getProperty("java.home"), "bin", windows ? "java.exe" : "java");
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

    private static File nullFile() {
        boolean windows = File.separatorChar == '\\';
        return new File(windows ? "NUL" : "/dev/null");
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

    private static void awaitEnd(Process p) {
        try {
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Deletes the directory and everything in it; never follows links; never throws (logged once). */
    static void deleteTree(Path dir) {
        try {
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
        } catch (IOException | RuntimeException e) {
            AgentLog.once("heap proof clean-up", "could not delete its directory: " + AgentLog.describe(e));
        }
    }
}
