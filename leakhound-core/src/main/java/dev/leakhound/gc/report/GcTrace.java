package dev.leakhound.gc.report;

import dev.leakhound.gc.GcCycle;
import dev.leakhound.gc.HeapTrend;

import java.time.Duration;
import java.util.Locale;

/**
 * One line per collection, in the spirit of Go's {@code GODEBUG=gctrace=1}, for the JVM:
 *
 * <pre>
 * gc 12 @3.456s G1 Young Generation (G1 Evacuation Pause) minor: 4.123 ms pause, 24-&gt;8-&gt;64 MB, 256 MB max; heap after GC stable (+0.1 MB/min, R2 0.12, 10 collections)
 * gc 13 @5.000s ZGC Major Cycles (System.gc()) concurrent: 211 ms concurrent, 40-&gt;10-&gt;128 MB, 128 MB max; heap after GC growing +1.2 MB/min (R2 0.95, 10 old collections, max in 2m30s)
 * </pre>
 *
 * Fields, in order: {@code gc} and the collection number; {@code @} and the start as seconds since the JVM
 * started; the collector and, in parentheses, the cause; the {@linkplain GcCycle.Kind kind} in lower case;
 * after the colon the pause and the concurrent time in milliseconds (each left out when unknown,
 * {@code no duration} when both are); heap used before {@code ->} after {@code ->} committed after, in
 * MB (2<sup>20</sup> bytes, rounded; when one is unknown, the known ones in words, e.g.
 * {@code 24 MB before, 8 MB after (committed unknown)}, or {@code heap sizes not logged}); the heap maximum when
 * known; and, after a
 * semicolon, the running verdict of {@link HeapTrend} when one is given.
 */
public final class GcTrace {
    private static final double MB = 1024.0 * 1024.0;

    private GcTrace() {
    }

    /** The line of a collection with the verdict's full words ({@code trend} may be {@code null}: no verdict). */
    public static String line(GcCycle cycle, HeapTrend trend) {
        return base(cycle) + (trend == null ? "" : "; " + verdict(trend));
    }

    /** The line of a collection with just the verdict ({@code verdict} may be {@code null}: none). */
    public static String line(GcCycle cycle, HeapTrend.Verdict verdict) {
        return base(cycle) + (verdict == null ? "" : "; heap after GC " + verdict.words());
    }

    /**
     * The shortest time the collections of a trend must span before {@link #verdict} says when the heap would reach
     * its maximum: a line through less than a minute of a program's life (a start-up, a test) says little about the
     * next hours.
     */
    public static final Duration MIN_PROJECTION_SPAN = Duration.ofMinutes(1);

    /**
     * The verdict in words: {@code heap after GC growing +1.2 MB/min (R2 0.95, 10 collections, max in 2m30s)},
     * {@code heap after GC stable (+0.0 MB/min, R2 0.03, 10 collections)},
     * {@code heap after GC: insufficient data (2 collections, a trend needs at least 4)}. The time to the maximum
     * is said only when the collections span {@link #MIN_PROJECTION_SPAN} or more ({@link #projection}).
     */
    public static String verdict(HeapTrend t) {
        // gc.report stands on gc alone (not report's TextFormat): the plural is spelled here
        String which = t.points() + (t.basis() == HeapTrend.Basis.OLD_COLLECTIONS ? " old collection" : " collection")
                + (t.points() == 1 ? "" : "s");
        if (t.verdict() == HeapTrend.Verdict.INSUFFICIENT_DATA) {
            return "heap after GC: insufficient data (" + which + (t.points() < HeapTrend.MIN_POINTS
                    ? ", a trend needs at least " + HeapTrend.MIN_POINTS
                    : ", all at the same time: a trend needs them spread over time") + ")";
        }
        StringBuilder sb = new StringBuilder("heap after GC ").append(t.verdict().words());
        sb.append(t.verdict() == HeapTrend.Verdict.GROWING ? " " : " (");
        sb.append(String.format(Locale.ROOT, "%+.1f MB/min", t.slopeBytesPerMinute() / MB));
        sb.append(t.verdict() == HeapTrend.Verdict.GROWING ? " (" : ", ");
        sb.append(String.format(Locale.ROOT, "R2 %.2f, ", t.rSquared())).append(which);
        if (projection(t) != null) {
            sb.append(", max in ").append(duration(t.timeToMax()));
        } else if (t.timeToMax() != null) {
            sb.append(", over ").append(spanText(t.span())).append(": too short to project when it reaches the max (")
                    .append(duration(MIN_PROJECTION_SPAN)).append(" needed)");
        }
        return sb.append(')').toString();
    }

    /**
     * When the heap would reach its maximum, as far as the trend can tell: its {@link HeapTrend#timeToMax()} when its
     * collections span at least {@link #MIN_PROJECTION_SPAN}, else {@code null}.
     */
    public static Duration projection(HeapTrend t) {
        return t.timeToMax() != null && t.span().compareTo(MIN_PROJECTION_SPAN) >= 0 ? t.timeToMax() : null;
    }

    /** {@code 0.8 s}, {@code 45 s}, {@code 2m30s}. */
    private static String spanText(Duration d) {
        return d.getSeconds() < 60 ? String.format(Locale.ROOT, "%.1f s", d.toNanos() / 1e9) : duration(d);
    }

    /** Each kind as the line says it: {@code minor}, {@code phase pause}. */
    private static final String[] KIND_WORDS = java.util.Arrays.stream(GcCycle.Kind.values())
            .map(k -> k.name().toLowerCase(Locale.ROOT).replace('_', ' ')).toArray(String[]::new);

    private static String base(GcCycle c) {
        StringBuilder sb = new StringBuilder(128);
        sb.append("gc ").append(c.number()).append(" @");
        fixed3(sb, c.start().toNanos(), 1_000_000_000L);
        sb.append("s ").append(c.collector());
        if (c.cause() != null) {
            sb.append(" (").append(c.cause()).append(')');
        }
        sb.append(' ').append(KIND_WORDS[c.kind().ordinal()]).append(": ");
        if (c.pause() == null && c.concurrent() == null) {
            sb.append("no duration");
        } else {
            if (c.pause() != null) {
                millis(sb, c.pause());
                sb.append(" ms pause");
            }
            if (c.concurrent() != null) {
                sb.append(c.pause() != null ? ", " : "");
                millis(sb, c.concurrent());
                sb.append(" ms concurrent");
            }
        }
        sb.append(", ");
        heap(sb, c);
        if (c.heapMax() != GcCycle.UNKNOWN) {
            sb.append(", ").append(mb(c.heapMax())).append(" MB max");
        }
        return sb.toString();
    }

    /**
     * {@code String.format(Locale.ROOT, "%.3f", x)}, without the formatter (a long log lists 100,000 collections):
     * the formatter rounds the digits of {@link Double#toString} half up, as this does; values it would write in
     * another form (below 0.001, at 10^7 or more, negative) go to the formatter.
     */
    static String fixed3(double x) {
        if (!(x >= 1e-3 && x < 1e7)) {
            return String.format(Locale.ROOT, "%.3f", x);
        }
        String s = Double.toString(x);
        int dot = s.indexOf('.');
        if (dot < 0 || s.indexOf('E') >= 0) {
            return String.format(Locale.ROOT, "%.3f", x);
        }
        int decimals = s.length() - dot - 1;
        if (decimals <= 3) {
            return s + "000".substring(decimals);
        }
        if (s.charAt(dot + 4) < '5') {
            return s.substring(0, dot + 4);
        }
        long thousandths = Long.parseLong(s, 0, dot, 10) * 1000 + Integer.parseInt(s, dot + 1, dot + 4, 10) + 1;
        String frac = Long.toString(thousandths % 1000);
        return (thousandths / 1000) + "." + "000".substring(frac.length()) + frac;
    }

    /**
     * {@link #fixed3(double)} of {@code units / perUnit} (a count of nanoseconds as seconds or milliseconds), with
     * integers where they give the same digits: the digits of {@link Double#toString} are those of the exact quotient
     * except within an ulp of it, so only a remainder within 1 of the halfway point, or a quotient outside the
     * formatter-free range, goes through the {@code double} (a long log lists 100,000 collections).
     */
    static void fixed3(StringBuilder sb, long units, long perUnit) {
        long perThousandth = perUnit / 1000;
        long half = perThousandth / 2;
        long thousandths = units / perThousandth;
        long rest = units % perThousandth;
        if (units < perThousandth || units >= 10_000_000L * perUnit || Math.abs(rest - half) <= 1) {
            sb.append(fixed3(units / (double) perUnit));
            return;
        }
        if (rest > half) {
            thousandths++;
        }
        long frac = thousandths % 1000;
        sb.append(thousandths / 1000).append('.').append(frac < 100 ? frac < 10 ? "00" : "0" : "").append(frac);
    }

    /**
     * Whole milliseconds without decimals (what GC notifications give: {@code 75}); a finer figure (a GC log's
     * {@code 4.123ms}) with three, the precision logs give.
     */
    private static void millis(StringBuilder sb, Duration d) {
        long nanos = d.toNanos();
        if (nanos % 1_000_000 == 0) {
            sb.append(nanos / 1_000_000);
        } else {
            fixed3(sb, nanos, 1_000_000L);
        }
    }

    private static long mb(long bytes) {
        return Math.round(bytes / MB);
    }

    /**
     * {@code 24->8->64 MB} when all three are known; otherwise those known in words and the others named:
     * {@code 24 MB before, 8 MB after (committed unknown)}, {@code heap sizes not logged}.
     */
    private static void heap(StringBuilder sb, GcCycle c) {
        if (c.heapBefore() != GcCycle.UNKNOWN && c.heapAfter() != GcCycle.UNKNOWN
                && c.heapCommitted() != GcCycle.UNKNOWN) {
            sb.append(mb(c.heapBefore())).append("->").append(mb(c.heapAfter())).append("->")
                    .append(mb(c.heapCommitted())).append(" MB");
            return;
        }
        long[] values = {c.heapBefore(), c.heapAfter(), c.heapCommitted()};
        String[] names = {"before", "after", "committed"};
        StringBuilder known = new StringBuilder();
        StringBuilder unknown = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            if (values[i] == GcCycle.UNKNOWN) {
                unknown.append(unknown.isEmpty() ? "" : ", ").append(names[i]);
            } else {
                known.append(known.isEmpty() ? "" : ", ").append(mb(values[i])).append(" MB ").append(names[i]);
            }
        }
        sb.append(known.isEmpty() ? "heap sizes not logged" : known + " (" + unknown + " unknown)");
    }

    /** {@code 45s}, {@code 2m30s}, {@code 3h05m}, {@code 2d04h}. */
    static String duration(Duration d) {
        long s = d.getSeconds();
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return (s / 60) + "m" + String.format(Locale.ROOT, "%02d", s % 60) + "s";
        }
        if (s < 86400) {
            return (s / 3600) + "h" + String.format(Locale.ROOT, "%02d", (s % 3600) / 60) + "m";
        }
        return (s / 86400) + "d" + String.format(Locale.ROOT, "%02d", (s % 86400) / 3600) + "h";
    }
}
