package dev.leakhound.bench;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Not a benchmark, and no Leakhound code: the JDK alone. Calls {@code dumpThreads(JSON)} while one virtual
 * thread tails the growing dump file ({@code FileChannel.read}, then {@code parkNanos(50 µs)} at the end
 * of the data), as a capture that parses the dump while the JDK writes it would. On Temurin 25.0.3 this
 * crashed the JVM (SIGSEGV in {@code GetThreadSnapshotClosure::do_thread}) after a few dozen rounds; see
 * docs/benchmarks.md.
 *
 * <pre>java -Xmx4g -cp leakhound-bench/target/benchmarks.jar dev.leakhound.bench.DumpWhileParkingRepro 10000 400</pre>
 */
public final class DumpWhileParkingRepro {
    private DumpWhileParkingRepro() {
    }

    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 400;
        HotSpotDiagnosticMXBean bean = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        try (ParkedThreads parked = ParkedThreads.virtual(threads)) {
            Path dir = JdkDump.tempDir();
            try {
                for (int r = 0; r < rounds; r++) {
                    Path file = dir.resolve("round-" + r + ".json");
                    AtomicBoolean written = new AtomicBoolean();
                    AtomicLong read = new AtomicLong();
                    Thread tail = Thread.ofVirtual().start(() -> tail(file, written, read));
                    long t0 = System.nanoTime();
                    bean.dumpThreads(file.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
                    written.set(true);
                    tail.join();
                    Files.delete(file);
                    System.out.printf("round %d ok: %d parked, %,d bytes tailed, %.0f ms%n", r, parked.size(),
                            read.get(), (System.nanoTime() - t0) / 1e6);
                }
            } finally {
                JdkDump.deleteDir(dir);
            }
        }
    }

    private static void tail(Path file, AtomicBoolean written, AtomicLong read) {
        ByteBuffer buf = ByteBuffer.allocate(1 << 16);
        FileChannel ch = null;
        try {
            while (true) {
                boolean done = written.get();
                if (ch == null) {
                    try {
                        ch = FileChannel.open(file, StandardOpenOption.READ);
                    } catch (NoSuchFileException e) {
                        if (done) {
                            return;
                        }
                        LockSupport.parkNanos(50_000);
                        continue;
                    }
                }
                buf.clear();
                int n = ch.read(buf);
                if (n > 0) {
                    read.addAndGet(n);
                } else if (done) {
                    return;
                } else {
                    LockSupport.parkNanos(50_000);
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // nothing to do
                }
            }
        }
    }
}
