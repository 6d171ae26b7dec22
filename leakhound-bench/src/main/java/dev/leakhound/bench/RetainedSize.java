package dev.leakhound.bench;

import dev.leakhound.analysis.StackGroup;
import dev.leakhound.analysis.ThreadGrouping;
import dev.leakhound.capture.LiveThreads;
import dev.leakhound.model.ThreadDump;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Not a JMH benchmark: measures how much heap the model of a snapshot keeps, against the size of the JSON
 * it was read from. For each thread count: parks that many virtual threads, writes the JDK's JSON dump once
 * (its size), then takes heap-used-after-full-GC before and while holding {@code LiveThreads.capture()}, and
 * again while also holding {@code ThreadGrouping.group(...)}. Also prints the bytes the calling thread
 * allocated for the JDK dump alone and for the capture (what JMH's {@code gc.alloc.rate.norm} reports).
 *
 * <pre>java -Xmx4g -cp leakhound-bench/target/benchmarks.jar dev.leakhound.bench.RetainedSize 10000 100000</pre>
 */
public final class RetainedSize {
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private RetainedSize() {
    }

    public static void main(String[] args) throws Exception {
        int[] counts = args.length == 0 ? new int[] {10_000, 100_000}
                : java.util.Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        System.out.printf("%-9s %14s %16s %12s %16s %12s %16s %16s%n", "threads", "json bytes", "snapshot bytes",
                "snap/json", "+groups bytes", "all/json", "alloc jdk dump", "alloc capture");
        for (int n : counts) {
            measure(n);
        }
    }

    private static void measure(int n) throws Exception {
        try (ParkedThreads parked = ParkedThreads.virtual(n)) {
            Path dir = JdkDump.tempDir();
            try {
                for (int i = 0; i < 3; i++) {          // warm up the dump, the parser and the grouping
                    ThreadGrouping.group(LiveThreads.capture().threads());
                    JdkDump.dumpAndDelete(dir);
                }
                long a0 = THREADS.getCurrentThreadAllocatedBytes();
                Path file = JdkDump.dump(dir);
                long allocDump = THREADS.getCurrentThreadAllocatedBytes() - a0;
                long json = Files.size(file);
                Files.delete(file);

                long before = usedAfterGc();
                a0 = THREADS.getCurrentThreadAllocatedBytes();
                ThreadDump dump = LiveThreads.capture();
                long allocCapture = THREADS.getCurrentThreadAllocatedBytes() - a0;
                long withSnapshot = usedAfterGc();
                List<StackGroup> groups = ThreadGrouping.group(dump.threads());
                long withGroups = usedAfterGc();
                Reference.reachabilityFence(dump);
                Reference.reachabilityFence(groups);

                long snap = withSnapshot - before;
                long all = withGroups - before;
                System.out.printf("%-9d %,14d %,16d %11.1f%% %,16d %11.1f%% %,16d %,16d   (%d threads in the dump, "
                                + "%.0f B/thread snapshot, %.0f B/thread JSON)%n",
                        n, json, snap, 100.0 * snap / json, all, 100.0 * all / json, allocDump, allocCapture,
                        dump.threads().size(), (double) snap / dump.threads().size(),
                        (double) json / dump.threads().size());
            } finally {
                JdkDump.deleteDir(dir);
            }
        }
    }

    private static long usedAfterGc() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(50);
            used = Math.min(used, MEMORY.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
