package dev.leakhound.bench;

import dev.leakhound.agent.capture.ContainerThreads;
import dev.leakhound.analysis.ThreadGrouping;
import dev.leakhound.model.ThreadDump;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * The agent's fast capture ({@link ContainerThreads}: thread containers + {@code Thread.getStackTrace}) against the
 * JDK's JSON dump, interleaved in one JVM as {@link PairedRatio} does, for N parked virtual threads. Needs the
 * containers exported:
 *
 * <pre>java --add-exports java.base/jdk.internal.vm=ALL-UNNAMED -Xms4g -Xmx4g \
 *     -cp leakhound-bench/target/benchmarks.jar dev.leakhound.bench.ContainerCaptureRatio [10000 100000]</pre>
 *
 * Prints, per case, the medians and the median of the per-pair ratios (subject / JDK dump; below 1 is faster).
 */
public final class ContainerCaptureRatio {

    private ContainerCaptureRatio() {
    }

    public static void main(String[] args) throws Exception {
        ContainerThreads ct = ContainerThreads.open();
        if (!ct.isAvailable()) {
            System.err.println("unavailable: " + ct.unavailableReason());
            System.exit(2);
        }
        String[] cases = args.length == 0 ? new String[] {"10000", "100000"} : args;
        System.out.println("cores " + Runtime.getRuntime().availableProcessors() + ", JDK " + Runtime.version());
        for (String c : cases) {
            int n = Integer.parseInt(c);
            try (ParkedThreads parked = ParkedThreads.virtual(n)) {
                Path dir = JdkDump.tempDir();
                try {
                    int pairs = n >= 100_000 ? 8 : 30;
                    int warmup = 3;
                    run("snapshot + ThreadGrouping, " + n, warmup, pairs, () -> JdkDump.dumpAndDelete(dir), () -> {
                        ThreadDump d = ct.snapshot();
                        return ThreadGrouping.group(d.threads()).size() + d.threads().size();
                    });
                    run("groups(10) (direct), " + n, warmup, pairs, () -> JdkDump.dumpAndDelete(dir),
                            () -> ct.groups(10).size());
                    run("count() (no stacks), " + n, warmup, pairs, () -> JdkDump.dumpAndDelete(dir),
                            () -> ct.count().total());
                } finally {
                    JdkDump.deleteDir(dir);
                }
            }
        }
    }

    private static void run(String what, int warmup, int pairs, Callable<Object> baseline, Callable<Object> subject)
            throws Exception {
        Paired r = Paired.measure(warmup, pairs, baseline, subject);
        System.out.printf("%-40s pairs %3d | JDK dump median %9.2f ms | fast median %9.2f ms | "
                        + "median pair ratio %.3f (p25 %.3f, p75 %.3f) = %.1fx faster%n",
                what, pairs, r.baselineMedianMillis(), r.subjectMedianMillis(), r.ratioAt(0.5), r.ratioAt(0.25),
                r.ratioAt(0.75), 1 / r.ratioAt(0.5));
    }
}
