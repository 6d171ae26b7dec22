package dev.leakhound.bench;

import java.util.Arrays;
import java.util.concurrent.Callable;

/**
 * A baseline and a subject timed in pairs in one JVM, the order alternating within each pair to cancel
 * drift, so that both see the same load of a noisy machine. Arrays are sorted (nanoseconds; ratio =
 * subject / baseline per pair).
 */
record Paired(long[] baseline, long[] subject, double[] ratio) {
    /** Keeps results alive so that no work can be dropped. */
    static volatile Object sink;

    static Paired measure(int warmup, int pairs, Callable<Object> baseline, Callable<Object> subject) throws Exception {
        for (int i = 0; i < warmup; i++) {
            baseline.call();
            subject.call();
        }
        long[] base = new long[pairs];
        long[] subj = new long[pairs];
        double[] ratio = new double[pairs];
        for (int i = 0; i < pairs; i++) {
            if (i % 2 == 0) {
                base[i] = time(baseline);
                subj[i] = time(subject);
            } else {
                subj[i] = time(subject);
                base[i] = time(baseline);
            }
            ratio[i] = (double) subj[i] / base[i];
        }
        Arrays.sort(base);
        Arrays.sort(subj);
        Arrays.sort(ratio);
        return new Paired(base, subj, ratio);
    }

    double baselineMedianMillis() {
        return baseline[baseline.length / 2] / 1e6;
    }

    double subjectMedianMillis() {
        return subject[subject.length / 2] / 1e6;
    }

    /** The ratio at quantile q (0.25, 0.5, 0.75) of the pair ratios. */
    double ratioAt(double q) {
        return ratio[(int) (ratio.length * q)];
    }

    private static long time(Callable<Object> c) throws Exception {
        long t0 = System.nanoTime();
        sink = c.call();
        return System.nanoTime() - t0;
    }
}
