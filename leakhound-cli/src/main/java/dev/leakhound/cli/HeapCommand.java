package dev.leakhound.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.leakhound.capture.ThreadDumpReader;
import dev.leakhound.histogram.ClassGrowth;
import dev.leakhound.histogram.ClassHistogram;
import dev.leakhound.hprof.Progress;
import dev.leakhound.hprof.histogram.HeapDumpHistogram;
import dev.leakhound.hprof.index.HeapFrame;
import dev.leakhound.hprof.index.HeapIndex;
import dev.leakhound.model.DumpFormat;
import dev.leakhound.model.ThreadDump;
import dev.leakhound.proof.LeakProof;
import dev.leakhound.proof.ProofJson;
import dev.leakhound.proof.ProofResult;
import dev.leakhound.proof.ProofText;
import dev.leakhound.report.HtmlPage;
import dev.leakhound.report.JsonReport;
import dev.leakhound.report.TextFormat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import static dev.leakhound.report.TextFormat.megabytes;
import static dev.leakhound.report.TextFormat.plural;

/**
 * {@code leakhound heap FILE [--baseline OLDER]}: the threads of an HPROF heap dump that are leaked for certain
 * ({@link LeakProof}), its class histogram, and with a baseline the classes that grew between the two dumps. Exits
 * {@link Main#EXIT_FOUND} when the proof finds a leaked thread, so that a CI job can fail on it. The
 * histogram is one streaming pass per dump (memory follows the number of classes); the proof indexes the dump
 * (12 bytes per object) and follows references from the roots.
 */
@Command(name = "heap",
        header = "Leaked threads, proven from a heap dump (HPROF); class histogram and growth.",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        sortOptions = false,
        usageHelpAutoWidth = false,
        description = {
                // lines of at most 76 characters: picocli wraps a longer one at 80, mid-sentence
                "Reads an HPROF heap dump (HotSpot JDK 21 to 25 and older, gzip-compressed",
                "too) and proves which threads are leaked: blocked with no timeout on",
                "something no running thread can reach, so that they will never wake (the",
                "JVM's counterpart of Go's goroutineleak profile, which lists the goroutines",
                "blocked for good), deadlocks included. Each leaked group names the call it",
                "blocks in, the line of the application that made it, for a pool's workers",
                "the pool, and its leak pattern (abandoned-senders, deadlock, ...) with the",
                "fix in one line.",
                "Blocked threads that may still be woken are listed with the reason and",
                "what holds them: the static field, the thread's frame or the JNI reference",
                "that the chain of references starts from.",
                "Then the class histogram: instances and shallow bytes per class, largest",
                "first. With --baseline, also the classes that grew since the older dump.",
                "",
                "Bytes are estimated from the dump (HPROF records no object sizes): two ids",
                "of header plus the fields or elements as dumped, no alignment. Counts are",
                "exact.",
                "",
                "Dumps: jcmd <pid> GC.heap_dump [-gz=1] FILE,",
                "jmap -dump:live,format=b,file=FILE, HotSpotDiagnosticMXBean.dumpHeap,",
                "-XX:+HeapDumpOnOutOfMemoryError.",
                ""},
        footer = {
                "",
                "  leakhound heap app.hprof --html heap.html   (the proof as one page)",
                "",
                "heap exits 1 when it proves a leaked thread (with --json too), 0 when it",
                "proves none, when no proof is possible from the dump (said under \"leaked",
                "threads\") or with --no-proof.",
                "A bad dump (not a heap dump, truncated or corrupt) is one line on standard",
                "error: leakhound: FILE: at byte OFFSET: reason"})
final class HeapCommand implements Callable<Integer> {

    private static final int NAME_WIDTH = 12;
    private static final java.util.regex.Pattern SIZE =
            java.util.regex.Pattern.compile("(\\d{1,15})([kmgt]?)", java.util.regex.Pattern.CASE_INSENSITIVE);

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "The heap dump to read (.hprof, or gzip-compressed).")
    String file;

    @Option(names = "--baseline", paramLabel = "OLDER",
            description = "An older dump of the same program: list the classes that grew since it.")
    String baseline;

    @Option(names = "--top", paramLabel = "N", defaultValue = "20",
            description = "How many classes to list (default: ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--json",
            description = "Print one JSON document {dump, proof, baseline, top, growth} instead of text.")
    boolean json;

    @Option(names = "--html", paramLabel = "OUT",
            description = "Also write OUT: one self-contained HTML page (the leaked and not-proven groups with their"
                    + " proof, pattern, retained sizes and stacks, collapsible and searchable; the top classes) made"
                    + " of the --json document; it makes no request.")
    String html;

    @Option(names = "--no-proof", description = "Only the histograms: skip the leaked-thread proof (which indexes "
            + "the dump: 16 bytes of memory per object).")
    boolean noProof;

    @Option(names = "--threads", paramLabel = "DUMP",
            description = {"A JSON thread dump of the same JVM taken with the heap dump (jcmd PID Thread.dump_to_file"
                    + " -format=json FILE), before or after it: it names the owners of monitors, which no heap dump"
                    + " records, so that the proof can claim threads deadlocked on synchronized."})
    String threads;

    @Option(names = "--max-uncompressed", paramLabel = "SIZE",
            description = {"For the proof of a gzip-compressed dump, which is decompressed to the temporary directory"
                    + " first: stop above SIZE bytes (suffix k, m, g or t: 20g). Default: as much as the disk holds"
                    + " with a tenth of it left free."})
    String maxUncompressed;

    @Override
    public Integer call() throws Exception {
        if (top < 1) {
            throw new Main.BadInputException("--top must be 1 or more: " + top);
        }
        long maxBytes = maxUncompressed == null ? Long.MAX_VALUE : size("--max-uncompressed", maxUncompressed);
        Path dumpPath = Main.path(file);
        Path basePath = baseline == null ? null : Main.path(baseline);
        ThreadDump threadDump = null;
        if (threads != null) {
            if (noProof) {
                throw new Main.BadInputException("--threads is for the proof: it cannot go with --no-proof");
            }
            Path threadsPath = Main.path(threads);
            threadDump = ThreadDumpReader.read(threadsPath);
            if (threadDump.header().format() != DumpFormat.JDK_JSON) {
                throw new Main.BadInputException(threads + ": --threads needs a JSON thread dump (jcmd PID"
                        + " Thread.dump_to_file -format=json FILE): this is " + threadDump.header().format()
                        + ", whose threads' ids cannot be matched to the heap dump's");
            }
        }
        HeapDumpHistogram older = basePath == null ? null : read(basePath);
        HeapDumpHistogram dump;
        ProofResult proof = null;
        if (noProof) {
            dump = read(dumpPath);
        } else {
            // The index's pass counts the histogram too: one pass over the dump, not two.
            try (HeapIndex index = HeapIndex.open(dumpPath, json ? Progress.NONE : ProgressBar.forTerminal(), maxBytes)) {
                dump = HeapDumpHistogram.of(index);
                try {
                    proof = LeakProof.prove(index, threadDump);
                } catch (OutOfMemoryError e) {
                    // The proof's data are garbage now: there is room to say what it needed (Main says the rest)
                    throw new OutOfMemoryError(String.format(Locale.ROOT, "Java heap space; the proof of its %,d"
                            + " objects and %,d threads needs about %,d MB", index.objectCount(),
                            index.threads().size(), LeakProof.heapNeeded(index) >> 20));
                }
            }
        }
        List<ClassGrowth> growth = older == null ? null : dump.growthSince(older);
        if (html != null) {
            ProofResult p = proof;
            HtmlFile.write(html, HtmlPage.View.HEAP, "leakhound heap " + dump.source(),
                    HtmlFile.json(o -> writeJson(o, dump, p, older, growth)));
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            writeJson(out, dump, proof, older, growth);
        } else {
            writeText(out, dump, proof, older, growth);
        }
        out.flush();
        return proof != null && proof.leakedThreads() > 0 ? Main.EXIT_FOUND : Main.EXIT_OK;
    }

    /** {@code 123}, {@code 512m}, {@code 20g}: bytes (k, m, g, t: powers of 1024). */
    static long size(String option, String text) throws Main.BadInputException {
        java.util.regex.Matcher m = SIZE.matcher(text.strip());
        if (!m.matches()) {
            throw new Main.BadInputException(option + " must be a size such as 512m or 20g: " + text);
        }
        int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> 0;
        };
        long n = Long.parseLong(m.group(1));
        if (n > Long.MAX_VALUE >> shift) {
            throw new Main.BadInputException(option + " is too large: " + text);
        }
        return n << shift;
    }

    /** The progress bar only on a terminal, and never under --json. */
    private HeapDumpHistogram read(Path path) throws IOException {
        Progress progress = json ? Progress.NONE : ProgressBar.forTerminal();
        return HeapDumpHistogram.read(path, progress);
    }

    // ---------------------------------------------------------------- text

    private void writeText(PrintWriter out, HeapDumpHistogram dump, ProofResult proof, HeapDumpHistogram older,
                           List<ClassGrowth> growth) {
        summary(out, "heap dump", dump);
        if (proof != null) {
            out.println();
            ProofText.write(out, proof);
        }
        if (older != null) {
            out.println();
            summary(out, "baseline", older);
        }
        ClassHistogram h = dump.histogram();
        List<ClassHistogram.Row> rows = h.top(top);
        out.println();
        out.println("== top " + rows.size() + " of " + plural(h.size(), "class") + " by shallow size ==");
        out.printf(Locale.ROOT, "%5s %12s %14s  %s%n", "#", "instances", "bytes", "class");
        for (ClassHistogram.Row r : rows) {
            out.printf(Locale.ROOT, "%5d %12d %14d  %s%n", r.rank(), r.instances(), r.bytes(), r.className());
        }
        out.printf(Locale.ROOT, "%5s %12d %14d%n", "total", h.totalInstances(), h.totalBytes());
        if (growth != null) {
            out.println();
            if (growth.isEmpty()) {
                out.println("== no class grew since the baseline ==");
                return;
            }
            List<ClassGrowth> shown = growth.subList(0, Math.min(top, growth.size()));
            out.println("== " + plural(growth.size(), "class") + " grew since the baseline"
                    + (shown.size() < growth.size() ? ", top " + shown.size() + " by bytes" : ", by bytes") + " ==");
            out.printf(Locale.ROOT, "%12s %14s %12s %14s  %s%n", "+instances", "+bytes", "instances", "bytes", "class");
            for (ClassGrowth g : shown) {
                out.printf(Locale.ROOT, "%+12d %+14d %12d %14d  %s%s%n", g.instancesDelta(), g.bytesDelta(),
                        g.instances(), g.bytes(), g.className(), g.isNew() ? "  (new)" : "");
            }
        }
    }

    private static void summary(PrintWriter out, String what, HeapDumpHistogram h) {
        out.println(what + " " + h.source());
        field(out, "format", h.header().format() + ", " + h.header().idSize() + "-byte ids"
                + (h.header().gzipped() ? ", gzip-compressed" : ""));
        field(out, "taken", h.header().time().toString());
        field(out, "size", megabytes(h.fileBytes()) + (h.header().gzipped() ? " uncompressed" : ""));
        field(out, "objects", h.objects() + ": " + h.instances() + " instances, " + h.objectArrays()
                + " object arrays, " + h.primitiveArrays() + " primitive arrays, " + h.classes() + " classes");
        field(out, "shallow", megabytes(h.histogram().totalBytes()) + " (estimated)");
    }

    // ---------------------------------------------------------------- JSON

    private void writeJson(PrintWriter out, HeapDumpHistogram dump, ProofResult proof, HeapDumpHistogram older,
                           List<ClassGrowth> growth) throws IOException {
        try (JsonGenerator g = JsonReport.generator(out)) {
            g.writeStartObject();
            g.writeFieldName("dump");
            writeSummary(g, dump);
            if (proof != null) {
                g.writeFieldName("proof");
                ProofJson.write(g, proof);
            }
            if (older != null) {
                g.writeFieldName("baseline");
                writeSummary(g, older);
            }
            g.writeArrayFieldStart("top");
            for (ClassHistogram.Row r : dump.histogram().top(top)) {
                g.writeStartObject();
                g.writeNumberField("rank", r.rank());
                g.writeStringField("className", r.className());
                g.writeNumberField("instances", r.instances());
                g.writeNumberField("bytes", r.bytes());
                g.writeEndObject();
            }
            g.writeEndArray();
            if (growth != null) {
                g.writeNumberField("grownClasses", growth.size());
                g.writeArrayFieldStart("growth");
                for (ClassGrowth c : growth.subList(0, Math.min(top, growth.size()))) {
                    g.writeStartObject();
                    g.writeStringField("className", c.className());
                    g.writeNumberField("instances", c.instances());
                    g.writeNumberField("bytes", c.bytes());
                    g.writeNumberField("instancesDelta", c.instancesDelta());
                    g.writeNumberField("bytesDelta", c.bytesDelta());
                    g.writeBooleanField("new", c.isNew());
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        }
        out.println();
    }

    private static void writeSummary(JsonGenerator g, HeapDumpHistogram h) throws IOException {
        g.writeStartObject();
        g.writeStringField("source", h.source());
        g.writeStringField("format", h.header().format());
        g.writeNumberField("idSize", h.header().idSize());
        g.writeBooleanField("gzipped", h.header().gzipped());
        g.writeStringField("time", h.header().time().toString());
        g.writeNumberField("fileBytes", h.fileBytes());
        g.writeNumberField("objects", h.objects());
        g.writeNumberField("instances", h.instances());
        g.writeNumberField("objectArrays", h.objectArrays());
        g.writeNumberField("primitiveArrays", h.primitiveArrays());
        g.writeNumberField("classes", h.classes());
        g.writeNumberField("histogramRows", h.histogram().size());
        g.writeNumberField("totalInstances", h.histogram().totalInstances());
        g.writeNumberField("totalBytes", h.histogram().totalBytes());
        g.writeEndObject();
    }

    private static void field(PrintWriter out, String name, String value) {
        out.println(TextFormat.field(name, NAME_WIDTH, value));
    }
}
