package dev.leakhound.bench;

import dev.leakhound.LeakOptions;
import dev.leakhound.Leakhound;
import dev.leakhound.analysis.ThreadGrouping;
import dev.leakhound.capture.LiveThreads;
import dev.leakhound.model.ThreadDump;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * Not a JMH benchmark: the same comparisons as the JMH classes, but with baseline and subject interleaved
 * in one JVM (A B B A A B ...), so that on a shared, noisy machine both see the same load. JMH runs one
 * benchmark's fork after the other, minutes apart, and a change of load between them moves the ratio.
 * Prints the median of each and the median of the per-pair ratios.
 *
 * <pre>java -Xmx4g -cp leakhound-bench/target/benchmarks.jar dev.leakhound.bench.PairedRatio [verify|10000|100000]...</pre>
 */
public final class PairedRatio {

    private PairedRatio() {
    }

    public static void main(String[] args) throws Exception {
        String[] cases = args.length == 0 ? new String[] {"verify", "10000", "100000"} : args;
        for (String c : cases) {
            if (c.equals("verify")) {
                verifyNone();
            } else {
                snapshot(Integer.parseInt(c));
            }
        }
    }

    private static void verifyNone() throws Exception {
        int existing = LiveThreads.capture().threads().size();
        try (ParkedThreads parked = ParkedThreads.platformDaemons(
                Math.max(0, VerifyNoneBenchmark.TOTAL_PLATFORM_THREADS - existing))) {
            LeakOptions options = LeakOptions.builder().ignoreCurrent()
                    .ignore(VerifyNoneBenchmark.JMH_THREADS).build();
            Path dir = JdkDump.tempDir();
            String what = "verifyNone, " + LiveThreads.capture().threads().size() + " threads ("
                    + parked.size() + " parked)";
            try {
                run(what, 500, 2000, () -> JdkDump.dumpAndDelete(dir), () -> {
                            Leakhound.verifyNone(options);
                            return null;
                        });
            } finally {
                JdkDump.deleteDir(dir);
            }
        }
    }

    private static void snapshot(int n) throws Exception {
        try (ParkedThreads parked = ParkedThreads.virtual(n)) {
            Path dir = JdkDump.tempDir();
            try {
                int pairs = n >= 100_000 ? 8 : 30;
                run("capture + group, " + parked.size() + " virtual threads", 3, pairs,
                        () -> JdkDump.dumpAndDelete(dir), () -> {
                            ThreadDump d = LiveThreads.capture();
                            return ThreadGrouping.group(d.threads()).size() + d.threads().size();
                        });
            } finally {
                JdkDump.deleteDir(dir);
            }
        }
    }

    private static void run(String what, int warmup, int pairs, Callable<Object> baseline, Callable<Object> subject)
            throws Exception {
        Paired r = Paired.measure(warmup, pairs, baseline, subject);
        System.out.printf("%-45s pairs %5d | JDK dump median %10.3f ms | Leakhound median %10.3f ms | "
                        + "ratio of medians %.2f | median of pair ratios %.2f (p25 %.2f, p75 %.2f)%n",
                what, pairs, r.baselineMedianMillis(), r.subjectMedianMillis(),
                r.subjectMedianMillis() / r.baselineMedianMillis(), r.ratioAt(0.5), r.ratioAt(0.25), r.ratioAt(0.75));
    }
}
