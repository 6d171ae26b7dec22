package dev.leakhound.gc.report;

import dev.leakhound.gc.GcCycle;
import dev.leakhound.gc.GcLog;
import dev.leakhound.gc.HeapTrend;

import java.io.IOException;
import java.io.Writer;
import java.util.List;
import java.util.Locale;

/**
 * An SVG plot of heap after GC over time, for a {@link GcLog}: plain SVG 1.1 text, no script, no external
 * resource.
 *
 * <p>What it shows: one {@code <circle>} per cycle whose heap after is known (class {@code old} for
 * old-generation and whole-heap collections, {@code young} for the others, {@code phase} for pauses inside a
 * concurrent cycle, which the trend leaves out), at its start (seconds since the JVM started, or since the
 * log's first line; the cycle's position when the log has no times) and its heap after (MB,
 * 2<sup>20</sup> bytes); the line {@link HeapTrend} fitted (class {@code trend}) over the span of the cycles it
 * went through, when it has a slope; the heap maximum as a dashed line (class {@code max}) when known; axes
 * with ticks and labels, and a title with the verdict ({@link GcTrace#verdict}).
 */
public final class HeapPlot {
    private static final int WIDTH = 800;
    private static final int HEIGHT = 420;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 40;
    private static final int BOTTOM = 50;
    private static final double MB = 1024.0 * 1024.0;

    private HeapPlot() {
    }

    /**
     * Writes the plot of the log, with the trend of its last {@code window} collections (as
     * {@link GcLog#trend(int)}).
     */
    public static void write(GcLog log, int window, Writer out) throws IOException {
        List<GcCycle> cycles = log.cycles();
        HeapTrend trend = log.trend(window);
        List<GcCycle> fitted = HeapTrend.points(cycles, window);
        boolean timed = log.timed();

        double maxX = 0;
        double maxY = log.heapMax() == GcCycle.UNKNOWN ? 0 : log.heapMax() / MB;
        for (int i = 0; i < cycles.size(); i++) {
            GcCycle c = cycles.get(i);
            maxX = Math.max(maxX, x(c, i, timed));
            if (c.heapAfterKnown()) {
                maxY = Math.max(maxY, c.heapAfter() / MB);
            }
        }
        double xStep = step(maxX);
        double yStep = step(maxY);
        double xEnd = Math.max(xStep, Math.ceil(maxX / xStep) * xStep);
        double yEnd = Math.max(yStep, Math.ceil(maxY * 1.02 / yStep) * yStep);
        Scale s = new Scale(xEnd, yEnd);

        StringBuilder sb = new StringBuilder(4096 + cycles.size() * 160);
        sb.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"").append(WIDTH)
                .append("\" height=\"").append(HEIGHT).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ')
                .append(HEIGHT).append("\" font-family=\"sans-serif\" font-size=\"12\">\n");
        sb.append("<style>.old{fill:#b2182b}.young{fill:#2166ac;fill-opacity:0.6}.phase{fill:none;stroke:#999}")
                .append(".trend{stroke:#e08214;stroke-width:2}.max{stroke:#444;stroke-dasharray:6 4}")
                .append(".grid{stroke:#ddd}.axis{stroke:#000}</style>\n");
        sb.append("<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n");
        text(sb, WIDTH / 2.0, 20, "middle", "heap after GC: " + log.origin()
                + (log.collector() == null ? "" : " (" + log.collector() + ")"), "font-size=\"14\"");
        text(sb, WIDTH / 2.0, 34, "middle", GcTrace.verdict(trend), null);

        // axes, grid, ticks
        sb.append("<g class=\"axes\">\n");
        for (double v = 0; v <= xEnd + xStep / 1e6; v += xStep) {
            double px = s.px(v);
            line(sb, px, TOP, px, HEIGHT - BOTTOM, "grid");
            text(sb, px, HEIGHT - BOTTOM + 16, "middle", number(v, xStep), null);
        }
        for (double v = 0; v <= yEnd + yStep / 1e6; v += yStep) {
            double py = s.py(v);
            line(sb, LEFT, py, WIDTH - RIGHT, py, "grid");
            text(sb, LEFT - 6, py + 4, "end", number(v, yStep), null);
        }
        line(sb, LEFT, HEIGHT - BOTTOM, WIDTH - RIGHT, HEIGHT - BOTTOM, "axis");
        line(sb, LEFT, TOP, LEFT, HEIGHT - BOTTOM, "axis");
        text(sb, LEFT + (WIDTH - LEFT - RIGHT) / 2.0, HEIGHT - 12, "middle",
                timed ? (log.uptime() ? "seconds since the JVM started" : "seconds since the log's first line")
                        : "collection (the log has no times)", null);
        sb.append("<text x=\"16\" y=\"").append(fmt(TOP + (HEIGHT - TOP - BOTTOM) / 2.0))
                .append("\" text-anchor=\"middle\" transform=\"rotate(-90 16 ")
                .append(fmt(TOP + (HEIGHT - TOP - BOTTOM) / 2.0)).append(")\">heap after GC (MB)</text>\n");
        sb.append("</g>\n");

        if (log.heapMax() != GcCycle.UNKNOWN) {
            double py = s.py(log.heapMax() / MB);
            line(sb, LEFT, py, WIDTH - RIGHT, py, "max");
            text(sb, WIDTH - RIGHT - 4, py - 4, "end", "max heap " + Math.round(log.heapMax() / MB) + " MB", null);
        }

        sb.append("<g class=\"cycles\">\n");
        for (int i = 0; i < cycles.size(); i++) {
            GcCycle c = cycles.get(i);
            if (!c.heapAfterKnown()) {
                continue;
            }
            String cls = c.kind() == GcCycle.Kind.PHASE_PAUSE ? "phase" : HeapTrend.collectsOld(c) ? "old" : "young";
            sb.append("<circle class=\"").append(cls).append("\" cx=\"").append(fmt(s.px(x(c, i, timed))))
                    .append("\" cy=\"").append(fmt(s.py(c.heapAfter() / MB))).append("\" r=\"3\"><title>");
            escape(sb, GcTrace.line(c, (HeapTrend) null));
            sb.append("</title></circle>\n");
        }
        sb.append("</g>\n");

        if (!Double.isNaN(trend.slopeBytesPerSecond()) && fitted.size() >= 2) {
            int first = cycles.indexOf(fitted.get(0));
            int last = cycles.indexOf(fitted.get(fitted.size() - 1));
            double x0 = x(fitted.get(0), first, timed);
            double x1 = x(fitted.get(fitted.size() - 1), last, timed);
            double mx = 0;
            double my = 0;
            for (GcCycle c : fitted) {
                mx += seconds(c);
                my += c.heapAfter() / MB;
            }
            mx /= fitted.size();
            my /= fitted.size();
            double slope = trend.slopeBytesPerSecond() / MB;
            double y0 = my + slope * (x0 - mx);
            double y1 = my + slope * (x1 - mx);
            if (timed) {
                line(sb, s.px(x0), s.py(clamp(y0, yEnd)), s.px(x1), s.py(clamp(y1, yEnd)), "trend");
            }
        }
        sb.append("</svg>\n");
        out.write(sb.toString());
        out.flush();
    }

    private record Scale(double xEnd, double yEnd) {
        double px(double x) {
            return LEFT + x / xEnd * (WIDTH - LEFT - RIGHT);
        }

        double py(double y) {
            return HEIGHT - BOTTOM - y / yEnd * (HEIGHT - TOP - BOTTOM);
        }
    }

    private static double x(GcCycle c, int index, boolean timed) {
        return timed ? seconds(c) : index + 1;
    }

    private static double seconds(GcCycle c) {
        return c.start().getSeconds() + c.start().getNano() / 1e9;
    }

    private static double clamp(double y, double max) {
        return Math.max(0, Math.min(max, y));
    }

    /** A round step (1, 2 or 5 times a power of ten) giving 4 to 10 ticks up to {@code max}. */
    static double step(double max) {
        if (!(max > 0) || Double.isInfinite(max)) {
            return 1;
        }
        double raw = max / 6;
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        double m = raw / p;
        return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
    }

    private static String number(double v, double step) {
        if (step >= 1) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        int decimals = (int) Math.min(6, Math.ceil(-Math.log10(step)));
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    private static void line(StringBuilder sb, double x1, double y1, double x2, double y2, String cls) {
        sb.append("<line class=\"").append(cls).append("\" x1=\"").append(fmt(x1)).append("\" y1=\"").append(fmt(y1))
                .append("\" x2=\"").append(fmt(x2)).append("\" y2=\"").append(fmt(y2)).append("\"/>\n");
    }

    private static void text(StringBuilder sb, double x, double y, String anchor, String s, String attrs) {
        sb.append("<text x=\"").append(fmt(x)).append("\" y=\"").append(fmt(y)).append("\" text-anchor=\"")
                .append(anchor).append('"');
        if (attrs != null) {
            sb.append(' ').append(attrs);
        }
        sb.append('>');
        escape(sb, s);
        sb.append("</text>\n");
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** XML text: markup characters escaped, characters XML 1.0 does not allow left out. */
    private static void escape(StringBuilder sb, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                default -> {
                    if (c >= 0x20 && c != 0xFFFE && c != 0xFFFF || c == '\t' || c == '\n' || c == '\r') {
                        if (Character.isHighSurrogate(c) && (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1)))
                                || Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(s.charAt(i - 1)))) {
                            continue;                                       // a lone surrogate
                        }
                        sb.append(c);
                    }
                }
            }
        }
    }
}
