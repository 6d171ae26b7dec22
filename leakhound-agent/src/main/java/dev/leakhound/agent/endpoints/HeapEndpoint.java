package dev.leakhound.agent.endpoints;

import dev.leakhound.agent.http.BoundedText;
import dev.leakhound.agent.http.Endpoint;
import dev.leakhound.agent.http.Query;
import dev.leakhound.agent.http.Response;
import dev.leakhound.agent.sampling.BlockedSince;
import dev.leakhound.histogram.ClassGrowth;
import dev.leakhound.histogram.ClassHistogram;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code /debug/heap}: the class histogram of the live heap (instances and bytes per class, the top N by bytes),
 * and with {@code ?diff} the classes that grew since the previous histogram of this endpoint: the seed's
 * "objects keep increasing". HEAVY: each histogram forces a full GC, so it is rate-limited ({@link LiveHistograms}).
 */
public final class HeapEndpoint implements Endpoint {
    static final int DEFAULT_TOP = 30;
    static final int MAX_TOP = 1000;

    private final LiveHistograms histograms;
    private ClassHistogram previous;
    private Instant previousAt;

    public HeapEndpoint(LiveHistograms histograms) {
        this.histograms = histograms;
    }

    @Override
    public Set<String> params() {
        return Set.of("top", "diff");
    }

    @Override
    public void validate(Query q) {
        q.intParam("top", DEFAULT_TOP, 1, MAX_TOP);
        q.flag("diff");
    }

    @Override
    public String description() {
        return "HEAVY (forces a full GC; at most once per heapIntervalMillis, else 429): class histogram of the live"
                + " heap, top N by bytes (?top=N), ?diff: the classes that grew since the previous one";
    }

    @Override
    public Response handle(Query q) throws Exception {
        int top = q.intParam("top", DEFAULT_TOP, 1, MAX_TOP);
        boolean diff = q.flag("diff");
        String text = histograms.histogramText();              // 429 when too soon
        ClassHistogram now = ClassHistogram.parse(text, "GC.class_histogram");
        Instant at = Instant.now();
        ClassHistogram before;
        Instant beforeAt;
        synchronized (this) {
            before = previous;
            beforeAt = previousAt;
            previous = now;
            previousAt = at;
        }
        BoundedText out = new BoundedText();
        out.line("heap class histogram at " + at + ": live objects, after the full GC this request forced");
        out.line("total " + now.totalInstances() + " instances, " + mb(now.totalBytes()) + " in " + now.size()
                + " classes");
        if (diff) {
            out.line();
            if (before == null) {
                out.line("no previous histogram to compare with: this one is the baseline for the next ?diff");
            } else {
                List<ClassGrowth> all = now.diff(before);
                List<ClassGrowth> grown = all.stream().filter(g -> !ownClass(g.className())).toList();
                long di = now.totalInstances() - before.totalInstances();
                long db = now.totalBytes() - before.totalBytes();
                out.line("since the previous histogram (" + beforeAt + ", " + BlockedSince.describe(Duration.between(beforeAt, at))
                        + " ago): " + signed(di) + " instances, " + signedMb(db) + " in all; "
                        + grown.size() + " classes grew" + (grown.isEmpty() ? "" : ", the top " + Math.min(top, grown.size())
                        + " by bytes:"));
                if (!grown.isEmpty()) {
                    out.line(String.format(Locale.ROOT, "%12s %14s %12s %14s  %s", "+instances", "+bytes", "instances",
                            "bytes", "class (module)"));
                    for (ClassGrowth g : grown.subList(0, Math.min(top, grown.size()))) {
                        out.line(String.format(Locale.ROOT, "%12s %14s %12d %14d  %s%s", signed(g.instancesDelta()),
                                signed(g.bytesDelta()), g.instances(), g.bytes(), g.className(),
                                (g.module() == null ? "" : " (" + g.module() + ")") + (g.isNew() ? " new" : "")));
                    }
                }
                int own = all.size() - grown.size();
                if (own > 0) {
                    out.line(own + " of Leakhound's own classes (dev.leakhound.*) that grew not shown");
                }
            }
        }
        out.line();
        List<ClassHistogram.Row> rows = now.top(top);
        out.line("the top " + rows.size() + " classes by bytes:");
        out.line(String.format(Locale.ROOT, "%6s %12s %14s  %s", "rank", "instances", "bytes", "class (module)"));
        for (ClassHistogram.Row r : rows) {
            out.line(String.format(Locale.ROOT, "%6d %12d %14d  %s%s", r.rank(), r.instances(), r.bytes(), r.className(),
                    r.module() == null ? "" : " (" + r.module() + ")"));
        }
        return Response.text(out);
    }

    /** A class of Leakhound's (the agent, its shaded libraries), arrays of them included: not the host's. */
    static boolean ownClass(String className) {
        int i = 0;
        while (i < className.length() && className.charAt(i) == '[') {
            i++;
        }
        if (i > 0 && className.startsWith("L", i)) {
            i++;
        }
        return className.startsWith("dev.leakhound.", i);
    }

    private static String signed(long n) {
        return n > 0 ? "+" + n : Long.toString(n);
    }

    private static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / (1024.0 * 1024.0));
    }

    private static String signedMb(long bytes) {
        return String.format(Locale.ROOT, "%+.1f MB", bytes / (1024.0 * 1024.0));
    }
}
