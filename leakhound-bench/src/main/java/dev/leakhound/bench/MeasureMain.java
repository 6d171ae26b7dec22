package dev.leakhound.bench;

import dev.leakhound.hprof.Progress;
import dev.leakhound.hprof.histogram.HeapDumpHistogram;
import dev.leakhound.hprof.index.HeapIndex;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Measures a pass over a large dump in a JVM with a small heap (see docs/design.md).
 * {@code java -Xmx256m -cp leakhound-bench/target/benchmarks.jar dev.leakhound.bench.MeasureMain histogram|index FILE}:
 * prints the time, what was read, the peak heap use of all heap pools and the peak RSS ({@code VmHWM}).
 */
public final class MeasureMain {
    private MeasureMain() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[1]);
        long t0 = System.nanoTime();
        String what;
        if (args[0].equals("histogram")) {
            HeapDumpHistogram h = HeapDumpHistogram.read(file, Progress.NONE);
            what = h.objects() + " objects, " + h.histogram().size() + " histogram rows; top: "
                    + h.histogram().top(1).get(0);
        } else {
            try (HeapIndex index = HeapIndex.open(file, Progress.NONE)) {
                long t1 = System.nanoTime();
                // read every 64th object's references, in id order, to time on-demand reads
                long[] refs = new long[2];
                index.forEachObject((id, kind, cls) -> {
                    if ((refs[1]++ & 63) == 0) {
                        try {
                            index.forEachReference(id, (target, k, owner, i) -> refs[0]++);
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }
                });
                what = index.objectCount() + " objects indexed (object table " + (index.objectTableBytes() >> 20)
                        + " MB), " + index.roots().size() + " roots, " + index.threads().size() + " threads; "
                        + refs[0] + " references of every 64th object read in "
                        + (System.nanoTime() - t1) / 1_000_000 + " ms";
            }
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        long peak = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                peak += p.getPeakUsage().getUsed();
            }
        }
        String hwm = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmHWM"))
                .findFirst().orElse("VmHWM: ?").replaceAll("\\s+", " ");
        System.out.printf("%s %s: %d MB in %d ms; %s; peak heap used %d MB (-Xmx %d MB); %s%n", args[0], file,
                Files.size(file) >> 20, ms, what, peak >> 20, Runtime.getRuntime().maxMemory() >> 20, hwm);
    }
}
