package dev.leakhound.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.leakhound.gc.GcCycle;
import dev.leakhound.gc.GcLog;
import dev.leakhound.gc.HeapTrend;
import dev.leakhound.gc.parse.GcLogParser;
import dev.leakhound.gc.report.GcTrace;
import dev.leakhound.gc.report.HeapPlot;
import dev.leakhound.report.HtmlPage;
import dev.leakhound.report.JsonReport;
import dev.leakhound.report.TextFormat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code leakhound gc FILE}: a GC log of the JDK's unified logging, one gctrace-style line per collection,
 * then whether the heap left after the collections keeps rising.
 *
 * <p>A viewer, like {@code threads}: it exits 0 whenever the log could be read, growing or not.
 */
@Command(name = "gc",
        header = "Reads a GC log (-Xlog:gc): one line per collection, the trend of heap after GC.",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        usageHelpAutoWidth = false,
        description = {
                "Reads a GC log of the JDK's unified logging (-Xlog:gc or -Xlog:gc*, any",
                "decorations, G1, Parallel, Serial, CMS, ZGC or Shenandoah, JDK 9 on) or of",
                "JDK 8 and before (-XX:+PrintGCDetails or -verbose:gc, G1, Parallel, CMS or",
                "Serial); gzip too; and prints one line per collection, like Go's",
                "GODEBUG=gctrace=1:",
                "  gc N @SECONDSs COLLECTOR (CAUSE) KIND: PAUSE, BEFORE->AFTER->COMMITTED MB,",
                "  MAX MB max",
                "(a size the log does not give is said in words: 24 MB before, 8 MB after",
                "(committed unknown)),",
                "then the verdict on the heap left after the collections: a least-squares line",
                "over old-generation collections (or all, when there are fewer than 4), its",
                "slope in MB/min, R2 (how well it fits) and when it would reach the heap",
                "maximum. A verdict needs at least 4 collections (fewer: \"insufficient data\");",
                "when it reaches the maximum is said only if they span a minute or more.",
                "Lines that are not GC lines (program output, gc+heap, safepoint) are skipped.",
                "For the maximum, log the header too: -Xlog:gc*, or -Xlog:gc,gc+init (JDK 8:",
                "its CommandLine flags line).",
                ""},
        footerHeading = "%nExamples:%n",
        footer = {
                "  java -Xlog:gc*:file=gc.log ...",
                "  leakhound gc gc.log --plot heap.svg",
                "  leakhound gc gc.log --html gc.html      (interactive charts, one file)",
                "",
                "gc exits 0 whenever the log was read, whatever the verdict (read",
                "\"trend\".\"verdict\" of --json in scripts); 2 on a bad log: binary data, a line",
                "too long, no GC cycle (the message says which format the file looks like,",
                "e.g. an OpenJ9 verbose GC log, which is not read), a compression bomb or a",
                "long run of lines that are not the JVM's (one line on standard error:",
                "leakhound: FILE[:LINE]: reason)."})
final class GcCommand implements Callable<Integer> {

    private static final double MB = 1024.0 * 1024.0;

    @Spec
    CommandSpec spec;

    @ParentCommand
    Main main;

    @Parameters(index = "0", paramLabel = "FILE", description = "The GC log to read; - reads standard input.")
    String file;

    @Option(names = "--json", description = "Print one JSON document {log, cycles, trend} instead of text.")
    boolean json;

    @Option(names = "--plot", paramLabel = "OUT.svg",
            description = "Also write an SVG plot of heap after GC over time, with the fitted line and the maximum.")
    String plot;

    @Option(names = "--html", paramLabel = "OUT",
            description = "Also write OUT: one self-contained HTML page with interactive charts of heap after GC"
                    + " (with the fitted line) and of the pauses, made of the --json document; it makes no request.")
    String html;

    @Option(names = "--window", paramLabel = "N",
            description = "Fit the line over the last N collections of its basis (default: all).")
    Integer window;

    @Override
    public Integer call() throws Exception {
        int w = window == null ? Integer.MAX_VALUE : window;
        if (w < 2) {
            throw new Main.BadInputException("--window must be at least 2: " + w);
        }
        Path plotPath = plot == null ? null : Main.path(plot);
        GcLog log = read();
        HeapTrend trend = log.trend(w);
        if (plotPath != null) {
            try (Writer out = Files.newBufferedWriter(plotPath, StandardCharsets.UTF_8)) {
                HeapPlot.write(log, w, out);
            }
        }
        if (html != null) {
            HtmlFile.write(html, HtmlPage.View.GC, "leakhound gc " + log.origin(),
                    HtmlFile.json(o -> writeJson(o, log, trend)));
        }
        // one write per 64 KiB, not per line: the standard output flushes at each line, and a long log lists
        // up to GcLogParser.MAX_CYCLES collections
        PrintWriter out = new PrintWriter(new BufferedWriter(spec.commandLine().getOut(), 1 << 16), false);
        if (json) {
            writeJson(out, log, trend);
        } else {
            writeText(out, log, trend);
        }
        out.flush();
        return Main.EXIT_OK;
    }

    private GcLog read() throws IOException, Main.BadInputException {
        if (file.equals("-")) {
            return GcLogParser.parse(main.stdin(), "<stdin>");
        }
        return GcLogParser.parse(Main.path(file));
    }

    // ---------------------------------------------------------------- text

    private void writeText(PrintWriter out, GcLog log, HeapTrend trend) {
        out.println("gc log " + log.origin() + ": " + (log.collector() == null ? "collector unknown" : log.collector())
                + ", " + TextFormat.plural(log.cycles().size(), "collection")
                + (log.timed() ? " over " + seconds(span(log)) + " s" : "")
                + ", heap max " + (log.heapMax() == GcCycle.UNKNOWN ? "unknown" : mb(log.heapMax()) + " MB"));
        if (log.earlierRuns() > 0) {
            out.println("  (the log holds " + (log.earlierRuns() + 1) + " JVM runs: the last one is shown)");
        }
        if (log.ignoredLines() > 0) {
            out.println("  (" + log.ignoredLines() + " lines of a GC seen again ignored: they are not added up)");
        }
        if (log.droppedCycles() > 0) {
            out.println("  (" + log.droppedCycles() + " earlier collections left out: the last "
                    + log.cycles().size() + " are kept)");
        }
        for (GcCycle c : log.cycles()) {
            out.println(GcTrace.line(c, (HeapTrend) null));
        }
        out.println(GcTrace.verdict(trend));
        if (!log.timed()) {
            out.println("  (no verdict: the log's lines carry no time; log with the uptime or time decoration)");
        } else if (trend.verdict() == HeapTrend.Verdict.GROWING && trend.timeToMax() == null) {
            out.println("  (time to the maximum unknown: no heap maximum in the log; log -Xlog:gc,gc+init or -Xlog:gc*)");
        }
    }

    private static Duration span(GcLog log) {
        Duration first = log.cycles().get(0).start();
        Duration last = first;
        for (GcCycle c : log.cycles()) {
            last = c.start().compareTo(last) > 0 ? c.start() : last;
            first = c.start().compareTo(first) < 0 ? c.start() : first;
        }
        return last.minus(first);
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.3f", d.toNanos() / 1e9);
    }

    private static long mb(long bytes) {
        return Math.round(bytes / MB);
    }

    // ---------------------------------------------------------------- JSON

    private static void writeJson(PrintWriter out, GcLog log, HeapTrend trend) throws IOException {
        try (JsonGenerator g = JsonReport.generator(out)) {
            g.writeStartObject();
            g.writeObjectFieldStart("log");
            g.writeStringField("source", log.origin());
            g.writeStringField("collector", log.collector());
            size(g, "heapMax", log.heapMax());
            g.writeBooleanField("timed", log.timed());
            g.writeStringField("clock", !log.timed() ? null : log.uptime() ? "uptime" : "since first line");
            g.writeNumberField("cycles", log.cycles().size());
            g.writeNumberField("droppedCycles", log.droppedCycles());
            g.writeNumberField("earlierRuns", log.earlierRuns());
            g.writeNumberField("ignoredLines", log.ignoredLines());
            g.writeNumberField("lines", log.lines());
            g.writeEndObject();

            g.writeArrayFieldStart("cycles");
            for (GcCycle c : log.cycles()) {
                g.writeStartObject();
                g.writeNumberField("number", c.number());
                g.writeNumberField("gcId", c.number() - 1);
                g.writeNumberField("startSeconds", c.start().toNanos() / 1e9);
                g.writeStringField("collector", c.collector());
                g.writeStringField("cause", c.cause());
                g.writeStringField("action", c.action());
                g.writeStringField("kind", c.kind().name());
                millis(g, "pauseMillis", c.pause());
                millis(g, "concurrentMillis", c.concurrent());
                size(g, "heapBefore", c.heapBefore());
                size(g, "heapAfter", c.heapAfter());
                size(g, "heapCommitted", c.heapCommitted());
                g.writeStringField("trace", GcTrace.line(c, (HeapTrend) null));
                g.writeEndObject();
            }
            g.writeEndArray();

            g.writeObjectFieldStart("trend");
            g.writeStringField("verdict", trend.verdict().name());
            g.writeStringField("basis", trend.basis().name());
            g.writeNumberField("points", trend.points());
            g.writeNumberField("spanSeconds", trend.span().toNanos() / 1e9);
            number(g, "slopeBytesPerSecond", trend.slopeBytesPerSecond());
            number(g, "slopeMBPerMinute", trend.slopeBytesPerMinute() / MB);
            number(g, "rSquared", trend.rSquared());
            size(g, "lastHeapAfter", trend.lastHeapAfter());
            size(g, "heapMax", trend.heapMax());
            Duration projection = GcTrace.projection(trend);     // none from too short a log
            if (projection == null) {
                g.writeNullField("timeToMaxSeconds");
            } else {
                g.writeNumberField("timeToMaxSeconds", projection.toNanos() / 1e9);
            }
            g.writeNumberField("minProjectionSpanSeconds", GcTrace.MIN_PROJECTION_SPAN.toSeconds());
            g.writeNumberField("minPoints", HeapTrend.MIN_POINTS);
            g.writeStringField("text", GcTrace.verdict(trend));
            g.writeEndObject();
            g.writeEndObject();
        }
        out.println();
    }

    private static void size(JsonGenerator g, String field, long bytes) throws IOException {
        if (bytes == GcCycle.UNKNOWN) {
            g.writeNullField(field);
        } else {
            g.writeNumberField(field, bytes);
        }
    }

    private static void millis(JsonGenerator g, String field, Duration d) throws IOException {
        if (d == null) {
            g.writeNullField(field);
        } else {
            g.writeNumberField(field, d.toNanos() / 1e6);
        }
    }

    private static void number(JsonGenerator g, String field, double v) throws IOException {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            g.writeNullField(field);
        } else {
            g.writeNumberField(field, v);
        }
    }
}
