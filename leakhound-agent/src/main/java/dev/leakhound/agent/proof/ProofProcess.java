package dev.leakhound.agent.proof;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.leakhound.capture.ThreadDumpReader;
import dev.leakhound.hprof.Progress;
import dev.leakhound.hprof.index.HeapIndex;
import dev.leakhound.proof.LeakProof;
import dev.leakhound.proof.ProofJson;
import dev.leakhound.model.ThreadDump;
import dev.leakhound.proof.ProofResult;
import dev.leakhound.report.JsonReport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The main class of the JVM that {@link HeapProofs} starts: proves which threads of a heap dump are leaked, outside
 * the host, so that the host spends neither the memory of the index nor the time of the proof.
 *
 * <p>{@code ProofProcess DUMP HOST_PID [THREADS]} ({@code THREADS}: a JSON thread dump of the host taken with the heap
 * dump, for the owners of monitors): writes the proof as one JSON document ({@link ProofJson}) and a newline to
 * standard output and exits 0; or writes one line, {@code leakhound proof: reason}, to standard error and exits 2.
 * The document is at most {@link HeapProofs#MAX_OUTPUT} bytes, else that is the error. If the host ends first, the
 * dump and its private directory (named {@code leakhound-proof-*}) are deleted here and this JVM halts with 3: the
 * host can no longer do either.
 */
public final class ProofProcess {
    static final String ERROR_PREFIX = "leakhound proof: ";

    private ProofProcess() {
    }

    public static void main(String[] args) {
        int status;
        try {
            if (args.length != 2 && args.length != 3) {
                throw new IllegalArgumentException("usage: ProofProcess DUMP HOST_PID [THREADS]");
            }
            Path dump = Path.of(args[0]).toAbsolutePath();
            watchHost(Long.parseLong(args[1]), dump);
            byte[] json = prove(dump, args.length == 3 ? Path.of(args[2]) : null);
            System.out.write(json);
            System.out.flush();
            status = 0;
            if (System.out.checkError()) {                   // a full disk, most likely (HeapProofs checks)
                error("cannot write the proof to its standard output (" + dump.getParent() + ")");
                status = 2;
            }
        } catch (OutOfMemoryError e) {
            error("out of memory (" + e.getMessage() + "): give the proof more heap with the agent option proofHeapMb");
            status = 2;
        } catch (Throwable t) {
            String m = t.getMessage();
            error(m == null || m.isBlank() ? t.getClass().getName() : m + " (" + t.getClass().getSimpleName() + ")");
            status = 2;
        }
        System.exit(status);
    }

    private static byte[] prove(Path dump, Path threads) throws IOException {
        Bounded out = new Bounded(HeapProofs.MAX_OUTPUT);
        ThreadDump threadDump = threads == null ? null : ThreadDumpReader.read(threads);
        try (HeapIndex index = HeapIndex.open(dump, Progress.NONE)) {
            ProofResult result = LeakProof.prove(index, threadDump);
            try (JsonGenerator g = JsonReport.generator(out)) {
                ProofJson.write(g, result);
            }
            out.write('\n');
        }
        return out.toByteArray();
    }

    /** When the host ends first: removes what it would have removed, then halts. */
    private static void watchHost(long hostPid, Path dump) {
        ProcessHandle.of(hostPid).ifPresentOrElse(h -> h.onExit().thenRun(() -> {
            removeDirectoryOf(dump);
            Runtime.getRuntime().halt(3);
        }), () -> {
            removeDirectoryOf(dump);
            Runtime.getRuntime().halt(3);
        });
    }

    /** Deletes the files of the dump's directory and the directory; only if it is one of {@link HeapProofs}'s. */
    private static void removeDirectoryOf(Path dump) {
        Path dir = dump.getParent();
        if (dir == null || !dir.getFileName().toString().startsWith(HeapProofs.DIRECTORY_PREFIX)) {
            return;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException | RuntimeException ignored) {
            // nothing more can be done from here
        }
    }

    private static void error(String message) {
        PrintStream err = System.err;
        err.println(ERROR_PREFIX + message.strip().replaceAll("\\s*[\\r\\n]+\\s*", " | "));
        err.flush();
    }

    /** A buffer that refuses to grow past its limit, so that the document is never truncated silently. */
    private static final class Bounded extends ByteArrayOutputStream {
        private final long limit;

        Bounded(long limit) {
            super(64 * 1024);
            this.limit = limit;
        }

        @Override
        public synchronized void write(int b) {
            check(1);
            super.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            check(len);
            super.write(b, off, len);
        }

        private void check(int more) {
            if (count + (long) more > limit) {
                throw new IllegalStateException("the proof's JSON is longer than " + limit / (1024 * 1024) + " MB");
            }
        }
    }
}
