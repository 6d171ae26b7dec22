package dev.leakhound.gc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Whether the heap left after garbage collections keeps rising: the JVM counterpart of reading Go's
 * gctrace for a live heap that never falls. A least-squares line of heap-after-GC (bytes) against
 * collection start time (seconds) over the last collections. Immutable.
 *
 * <h2>Which collections</h2>
 * Only collections that {@linkplain GcCycle#measuresHeap() measure the heap} (not pauses inside a
 * concurrent cycle, heap after known). Among them, the heap left after a young collection rises between
 * old-generation collections even without a leak (the sawtooth), so when the given cycles hold at least
 * {@link #MIN_POINTS} old-generation collections ({@link GcCycle.Kind#MAJOR}, {@link GcCycle.Kind#MIXED},
 * or {@link GcCycle.Kind#CONCURRENT} of a collector not named {@code Minor}/{@code Young}), the line goes
 * through the last {@code window} of those only ({@link Basis#OLD_COLLECTIONS}: the floor of the sawtooth);
 * otherwise through the last {@code window} collections of any kind ({@link Basis#ALL_COLLECTIONS}). On
 * that basis a window inside one tooth of a sawtooth looks like growth: give the trend the recent cycles
 * (e.g. the last few hundred), not just the window.
 *
 * <h2>Verdict</h2>
 * <ul>
 *   <li>{@link Verdict#INSUFFICIENT_DATA}: fewer than {@link #MIN_POINTS} collections, or all at the same
 *       time;</li>
 *   <li>{@link Verdict#GROWING}: slope above 0, {@code R²} at least {@link #MIN_R_SQUARED} (the line explains
 *       most of the variation: a steady rise, not noise) and the rise of the line over the window
 *       ({@code slope * span}) at least {@link #MIN_RISE_FRACTION} of the mean heap-after (not a drift of a
 *       few bytes); and the median of the slopes between every two collections (Theil-Sen) at least half the line's
 *       slope (a leak tilts most pairs; a heap that filled at start-up and then stayed flat, or a few high or low
 *       collections, tilt the line but few pairs);</li>
 *   <li>{@link Verdict#STABLE}: anything else, falling included.</li>
 * </ul>
 *
 * @param verdict             the verdict
 * @param basis               which collections the line goes through
 * @param points              how many collections it goes through
 * @param span                time from the first to the last of them
 * @param slopeBytesPerSecond the line's slope, in bytes per second; {@link Double#NaN} with too few points
 * @param rSquared            the coefficient of determination, in {@code [0, 1]}; 0 when heap-after is
 *                            constant; {@link Double#NaN} with too few points
 * @param lastHeapAfter       heap after the last of them, or {@link GcCycle#UNKNOWN} without any
 * @param heapMax             the heap's maximum as the last cycle with one says, or {@link GcCycle#UNKNOWN}
 * @param timeToMax           for {@link Verdict#GROWING} with a known maximum: when the line reaches
 *                            {@code heapMax}, from the last collection ({@link Duration#ZERO} when it
 *                            already has); otherwise {@code null}
 */
public record HeapTrend(Verdict verdict, Basis basis, int points, Duration span, double slopeBytesPerSecond,
                        double rSquared, long lastHeapAfter, long heapMax, Duration timeToMax) {

    /** Default number of collections the line goes through. */
    public static final int DEFAULT_WINDOW = 10;
    /** The fewest collections a verdict other than {@link Verdict#INSUFFICIENT_DATA} needs. */
    public static final int MIN_POINTS = 4;
    /** The least {@code R²} of a growing heap. */
    public static final double MIN_R_SQUARED = 0.5;
    /** The least rise over the window, as a fraction of the mean heap-after, of a growing heap (5%). */
    public static final double MIN_RISE_FRACTION = 0.05;
    /** The robust (Theil-Sen) slope of a growing heap is at least this share of the least-squares slope. */
    static final double MIN_ROBUST_SHARE = 0.5;
    /** The most points the robust slope looks at (their pairs: about 80,000). */
    private static final int MAX_ROBUST_POINTS = 400;

    public HeapTrend {
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(basis, "basis");
        Objects.requireNonNull(span, "span");
    }

    public enum Verdict {
        /** Heap-after-GC rises steadily: a leak, or a cache or load still warming up. */
        GROWING,
        /** Not rising (flat, sawtooth, noisy or falling). */
        STABLE,
        /** Too few collections to tell. */
        INSUFFICIENT_DATA;

        /** {@code growing}, {@code stable}, {@code insufficient data}. */
        public String words() {
            return name().toLowerCase(Locale.ROOT).replace('_', ' ');
        }
    }

    /** Which collections the line goes through. */
    public enum Basis {
        /** Old-generation and whole-heap collections only: the floor of the sawtooth. */
        OLD_COLLECTIONS,
        /** Every collection that measures the heap. */
        ALL_COLLECTIONS
    }

    /** The trend of the last {@link #DEFAULT_WINDOW} collections of the given ones. */
    public static HeapTrend of(List<GcCycle> cycles) {
        return of(cycles, DEFAULT_WINDOW);
    }

    /**
     * The trend of the last {@code window} collections of the given ones (see the class comment for which).
     *
     * @param cycles collections in the order they happened, oldest first
     * @param window how many collections, at least 2
     */
    public static HeapTrend of(List<GcCycle> cycles, int window) {
        if (window < 2) {
            throw new IllegalArgumentException("window must be at least 2: " + window);
        }
        long heapMax = GcCycle.UNKNOWN;
        for (GcCycle c : cycles) {
            if (c.heapMax() != GcCycle.UNKNOWN) {
                heapMax = c.heapMax();
            }
        }
        Basis basis = basis(cycles);
        List<GcCycle> points = points(cycles, window);
        int n = points.size();
        long lastHeapAfter = n == 0 ? GcCycle.UNKNOWN : points.get(n - 1).heapAfter();
        if (n < MIN_POINTS) {
            Duration span = n == 0 ? Duration.ZERO : points.get(n - 1).start().minus(points.get(0).start()).abs();
            return new HeapTrend(Verdict.INSUFFICIENT_DATA, basis, n, span, Double.NaN, Double.NaN, lastHeapAfter,
                    heapMax, null);
        }

        double t0 = seconds(points.get(0).start());
        double[] x = new double[n];
        double[] y = new double[n];
        double minX = Double.MAX_VALUE;
        double maxX = -Double.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            x[i] = seconds(points.get(i).start()) - t0;
            y[i] = points.get(i).heapAfter();
            minX = Math.min(minX, x[i]);
            maxX = Math.max(maxX, x[i]);
        }
        Duration span = Duration.ofNanos(Math.round((maxX - minX) * 1e9));
        double mx = mean(x);
        double my = mean(y);
        double sxx = 0;
        double sxy = 0;
        double syy = 0;
        for (int i = 0; i < n; i++) {
            sxx += (x[i] - mx) * (x[i] - mx);
            sxy += (x[i] - mx) * (y[i] - my);
            syy += (y[i] - my) * (y[i] - my);
        }
        if (sxx == 0) {
            return new HeapTrend(Verdict.INSUFFICIENT_DATA, basis, n, span, Double.NaN, Double.NaN, lastHeapAfter,
                    heapMax, null);
        }
        double slope = sxy / sxx;
        double intercept = my - slope * mx;
        double r2 = syy == 0 ? 0 : Math.min(1, Math.max(0, (sxy * sxy) / (sxx * syy)));
        double rise = slope * (maxX - minX);
        boolean growing = slope > 0 && r2 >= MIN_R_SQUARED && rise >= MIN_RISE_FRACTION * my
                && robustSlope(x, y) >= MIN_ROBUST_SHARE * slope;
        Duration timeToMax = null;
        if (growing && heapMax != GcCycle.UNKNOWN) {
            double fittedLast = intercept + slope * x[n - 1];
            double seconds = (heapMax - fittedLast) / slope;
            timeToMax = seconds <= 0 ? Duration.ZERO
                    : seconds >= Long.MAX_VALUE / 1e9 ? Duration.ofSeconds(Long.MAX_VALUE / 1_000_000_000L)
                    : Duration.ofNanos(Math.round(seconds * 1e9));
        }
        return new HeapTrend(growing ? Verdict.GROWING : Verdict.STABLE, basis, n, span, slope, r2, lastHeapAfter,
                heapMax, timeToMax);
    }

    /**
     * The Theil-Sen slope: the median of the slopes between every two points (of at most {@link #MAX_ROBUST_POINTS},
     * evenly chosen). A least-squares line can be tilted by a step (a heap that filled at start-up, then stayed flat)
     * or by a few outliers, which move only a few of the pairwise slopes; a leak tilts most of them. Pairs at the same
     * time are left out; 0 when there is no other pair.
     */
    static double robustSlope(double[] x, double[] y) {
        int n = x.length;
        int m = Math.min(n, MAX_ROBUST_POINTS);
        double[] slopes = new double[m * (m - 1) / 2];
        int count = 0;
        for (int a = 0; a < m; a++) {
            int i = (int) ((long) a * n / m);
            for (int b = a + 1; b < m; b++) {
                int j = (int) ((long) b * n / m);
                if (x[j] != x[i]) {
                    slopes[count++] = (y[j] - y[i]) / (x[j] - x[i]);
                }
            }
        }
        if (count == 0) {
            return 0;
        }
        java.util.Arrays.sort(slopes, 0, count);
        return count % 2 == 1 ? slopes[count / 2] : (slopes[count / 2 - 1] + slopes[count / 2]) / 2;
    }

    /** Which collections the line goes through, see the class comment. */
    static Basis basis(List<GcCycle> cycles) {
        long old = cycles.stream().filter(c -> c.measuresHeap() && collectsOld(c)).count();
        return old >= MIN_POINTS ? Basis.OLD_COLLECTIONS : Basis.ALL_COLLECTIONS;
    }

    /**
     * The collections the line of {@link #of(List, int)} goes through: the last {@code window} of the
     * {@linkplain Basis basis} (what {@code gc.report.HeapPlot} draws the line over).
     */
    public static List<GcCycle> points(List<GcCycle> cycles, int window) {
        boolean oldOnly = basis(cycles) == Basis.OLD_COLLECTIONS;
        List<GcCycle> chosen = new ArrayList<>();
        for (GcCycle c : cycles) {
            if (c.measuresHeap() && (!oldOnly || collectsOld(c))) {
                chosen.add(c);
            }
        }
        return chosen.subList(Math.max(0, chosen.size() - window), chosen.size());
    }

    /** Whether a collection cleans the old generation (or the whole heap). */
    public static boolean collectsOld(GcCycle c) {
        return switch (c.kind()) {
            case MAJOR, MIXED -> true;
            case CONCURRENT -> {
                String name = c.collector().toLowerCase(Locale.ROOT);
                yield !name.contains("minor") && !name.contains("young");
            }
            default -> false;
        };
    }

    /** The slope in bytes per minute ({@link Double#NaN} with too few points). */
    public double slopeBytesPerMinute() {
        return slopeBytesPerSecond * 60;
    }

    private static double seconds(Duration d) {
        return d.getSeconds() + d.getNano() / 1e9;
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double d : v) {
            s += d;
        }
        return s / v.length;
    }
}
