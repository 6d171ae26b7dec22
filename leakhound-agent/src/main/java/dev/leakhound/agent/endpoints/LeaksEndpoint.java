package dev.leakhound.agent.endpoints;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.leakhound.agent.capture.LiveDeadlocks;
import dev.leakhound.agent.http.BoundedText;
import dev.leakhound.agent.http.Endpoint;
import dev.leakhound.agent.http.Query;
import dev.leakhound.agent.http.Response;
import dev.leakhound.agent.http.Unavailable;
import dev.leakhound.agent.sampling.BlockedSince;
import dev.leakhound.agent.sampling.ThreadSampler;
import dev.leakhound.analysis.GrowingGroup;
import dev.leakhound.analysis.GrowthDetector;
import dev.leakhound.analysis.PatternMatch;
import dev.leakhound.analysis.Patterns;
import dev.leakhound.analysis.WaitSite;
import dev.leakhound.model.CreationSite;
import dev.leakhound.model.StackFrame;
import dev.leakhound.model.ThreadSnapshot;
import dev.leakhound.report.DeadlockReport;
import dev.leakhound.report.JsonReport;
import dev.leakhound.report.TextFormat;
import dev.leakhound.report.TextReport;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Set;
import java.util.StringJoiner;
import java.util.function.Supplier;

import static dev.leakhound.report.TextFormat.plural;

/**
 * {@code /debug/leaks}: the suspects of the {@link GrowthDetector}, fed by the {@link ThreadSampler}: groups of
 * threads blocked with no timeout whose number has grown over the last {@code window} samples, with the growth,
 * the oldest thread's age, what they wait on and where they were started. Text, or JSON with {@code ?format=json}.
 */
public final class LeaksEndpoint implements Endpoint {
    /** Suspects listed at most. */
    static final int MAX_SUSPECTS = 100;

    private final GrowthDetector detector;
    private final ThreadSampler sampler;
    private final BlockedSince blocked;
    /** The threads of the last sample: the context a suspect's pattern is named in, when asked for. */
    private volatile List<ThreadSnapshot> lastSample = List.of();

    /** The live deadlocks, or {@code null} when they are not searched. */
    private final Supplier<LiveDeadlocks.Result> deadlocks;

    /** @param blocked where every view takes a thread's age from, so that this one agrees with the dumps */
    public LeaksEndpoint(GrowthDetector detector, ThreadSampler sampler, BlockedSince blocked) {
        this(detector, sampler, blocked, null);
    }

    /** As above, with the live deadlocks after the suspects (text), or as {@code "deadlocks"} (JSON). */
    public LeaksEndpoint(GrowthDetector detector, ThreadSampler sampler, BlockedSince blocked,
                         Supplier<LiveDeadlocks.Result> deadlocks) {
        this.detector = detector;
        this.sampler = sampler;
        this.blocked = blocked;
        this.deadlocks = deadlocks;
        if (sampler != null) {
            sampler.addListener((dump, groups) -> lastSample = dump.threads());
        }
    }

    /** Each suspect's pattern, named from the threads of the last sample. */
    private Map<GrowingGroup, PatternMatch> patterns(List<GrowingGroup> suspects) {
        Patterns p = Patterns.of(lastSample);
        Map<GrowingGroup, PatternMatch> out = new IdentityHashMap<>();
        for (GrowingGroup s : suspects) {
            out.put(s, p.classify(s.group()));
        }
        return out;
    }

    @Override
    public Set<String> params() {
        return Set.of("format");
    }

    @Override
    public void validate(Query q) {
        q.choice("format", "text", "text", "json");
    }

    @Override
    public String contentType(Query q) {
        return q.choice("format", "text", "text", "json").equals("json") ? Response.JSON : Response.TEXT;
    }

    @Override
    public String description() {
        return "leak suspects: groups blocked with no timeout whose number keeps growing, named while their threads"
                + " stay stuck (?format=json)";
    }

    @Override
    public Response handle(Query q) {
        boolean json = q.choice("format", "text", "text", "json").equals("json");
        if (sampler == null || detector == null) {
            throw new Unavailable("the leak detector is off: its sampler could not start");
        }
        if (sampler.failure() != null) {
            throw new Unavailable("the leak detector is off: its sampler failed: " + sampler.failure());
        }
        List<GrowingGroup> suspects = detector.suspects();
        Map<GrowingGroup, PatternMatch> patterns = patterns(suspects);
        LiveDeadlocks.Result dl = deadlocks == null ? null : deadlocks.get();
        if (json) {
            return Response.json(json(suspects, patterns, dl));
        }
        BoundedText out = text(suspects, patterns);
        if (dl != null) {
            out.line();
            for (String line : ThreadEndpoints.deadlocksText(dl).split("\n", -1)) {
                out.line(line);
            }
        }
        return Response.text(out);
    }

    private String every() {
        if (!sampler.scheduled()) {
            return "samples taken on demand";
        }
        long ms = sampler.periodMillis();
        String every = "one every " + millis(ms);
        long delay = sampler.delayMillis();
        return delay <= ms ? every : every + ", slowed to one every " + millis(delay) + " after the end of the last"
                + " (sampling takes at most " + Math.round(ThreadSampler.MAX_SHARE * 100) + "% of a core)";
    }

    private static String millis(long ms) {
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
    }

    private BoundedText text(List<GrowingGroup> suspects, Map<GrowingGroup, PatternMatch> patterns) {
        BoundedText out = new BoundedText();
        long samples = detector.samples();
        int window = detector.window();
        String how = "(window " + window + " samples, " + every() + "; reported: a growth of at least "
                + detector.minGrowth() + " threads with a rising trend; " + samples + " samples so far)";
        if (samples < detector.minSamples()) {
            out.line("leak suspects: none yet: the detector needs " + detector.minSamples() + " samples and has "
                    + samples);
            out.line(how);
            return out;
        }
        if (suspects.isEmpty()) {
            out.line("leak suspects: none: no group of threads blocked with no timeout has grown over the last "
                    + Math.min(samples, window) + " samples, nor is any still stuck of those that had");
            out.line(how);
            return out;
        }
        int threads = suspects.stream().mapToInt(GrowingGroup::count).sum();
        out.line("leak suspects: " + plural(suspects.size(), "group") + " (" + plural(threads, "thread")
                + ") blocked with no timeout and growing, or named for their growth and still stuck, largest growth first");
        out.line(how);
        int shown = Math.min(suspects.size(), MAX_SUSPECTS);
        for (int i = 0; i < shown && !out.truncated(); i++) {
            GrowingGroup s = suspects.get(i);
            out.line();
            String block = TextReport.group(s.group(), patterns.get(s), false);
            int nl = block.indexOf('\n');
            out.line("[" + (i + 1) + "] " + block.substring(0, nl));
            field(out, "growth", growth(s));
            field(out, "counts", counts(s.counts()) + " (oldest sample first)");
            field(out, "named", named(s));
            Duration longest = ThreadViews.longestBlocked(s.group().threads(), blocked, s.windowEnd());
            if (longest != null) {
                field(out, "oldest", BlockedSince.blockedWords(longest) + " (" + BlockedSince.SINCE
                        + ", at the latest sample " + s.windowEnd() + ")");
            }
            Instant firstStart = firstStart(s);
            if (firstStart != null) {
                field(out, "first start", firstStart + " (" + BlockedSince.startedWords(firstStart, s.windowEnd()) + ")");
            }
            out.append(block.substring(nl + 1));
        }
        if (suspects.size() > shown) {
            out.line();
            out.line("... " + (suspects.size() - shown) + " more suspects not listed");
        }
        return out;
    }

    /** When the oldest thread of the suspect was started, where the agent recorded it, else {@code null}. */
    static Instant firstStart(GrowingGroup s) {
        Instant first = null;
        for (ThreadSnapshot t : s.group().threads()) {
            CreationSite c = t.creationSite();
            if (c != null && c.startedAt() != null && (first == null || c.startedAt().isBefore(first))) {
                first = c.startedAt();
            }
        }
        return first;
    }

    private static void field(BoundedText out, String name, String value) {
        out.line(TextFormat.field(name, 11, value));
    }

    /** {@code +10 threads over 25 s (2.0 per sample, 24.0 per minute)}. */
    private static String growth(GrowingGroup s) {
        Duration span = Duration.between(s.windowStart(), s.windowEnd());
        StringBuilder sb = new StringBuilder("+").append(plural(s.growth(), "thread")).append(" over ")
                .append(span.toMillis() >= 10_000 ? span.toSeconds() + " s" : span.toMillis() + " ms")
                .append(" (").append(format(s.growthPerSample())).append(" per sample");
        if (!Double.isNaN(s.growthPerMinute())) {
            sb.append(", ").append(format(s.growthPerMinute())).append(" per minute");
        }
        return sb.append(')').toString();
    }

    /** {@code since 2026-...Z, growing} or {@code since ...Z; not growing now: 4 of its threads stuck since}. */
    private static String named(GrowingGroup s) {
        return "since " + s.namedAt() + (s.growing() ? ", growing" : "; not growing now: "
                + plural(s.stuckThreads(), "thread") + " of those it had when it last grew still stuck");
    }

    private static String counts(List<Integer> counts) {
        StringJoiner sj = new StringJoiner(" ");
        counts.forEach(c -> sj.add(c.toString()));
        return sj.toString();
    }

    private static String format(double d) {
        return String.format(Locale.ROOT, d >= 100 ? "%.0f" : "%.1f", d);
    }

    private byte[] json(List<GrowingGroup> suspects, Map<GrowingGroup, PatternMatch> patterns,
                        LiveDeadlocks.Result deadlocks) {
        return ThreadViews.json(g -> {
            g.writeStartObject();
            g.writeNumberField("samples", detector.samples());
            g.writeNumberField("window", detector.window());
            if (sampler.scheduled()) {
                g.writeNumberField("sampleMillis", sampler.periodMillis());
                g.writeNumberField("sampleDelayMillis", sampler.delayMillis());
            }
            g.writeNumberField("minGrowth", detector.minGrowth());
            g.writeNumberField("minTrend", detector.minTrend());
            if (detector.lastSampleAt() != null) {
                g.writeStringField("lastSampleAt", detector.lastSampleAt().toString());
            }
            g.writeNumberField("trackedSites", detector.trackedSites());
            g.writeArrayFieldStart("suspects");
            int shown = Math.min(suspects.size(), MAX_SUSPECTS);
            for (int i = 0; i < shown; i++) {
                writeSuspect(g, suspects.get(i), patterns.get(suspects.get(i)));
            }
            g.writeEndArray();
            g.writeNumberField("suspectsNotListed", suspects.size() - shown);
            if (deadlocks != null) {
                DeadlockReport.writeJson(g, deadlocks.deadlocks());
            }
            g.writeEndObject();
        });
    }

    private void writeSuspect(JsonGenerator g, GrowingGroup s, PatternMatch pattern) throws IOException {
        WaitSite w = s.waitSite();
        g.writeStartObject();
        g.writeNumberField("count", s.count());
        g.writeNumberField("virtualCount", s.group().virtualCount());
        if (s.state() != null) {
            g.writeStringField("state", s.state().name());
        }
        if (w.call() != null) {
            g.writeStringField("waitingIn", w.call());
        }
        if (w.blockingFrame() != null) {
            g.writeStringField("blockedAt", w.blockingFrame().toString());
        }
        if (s.group().blockerClass() != null) {
            g.writeStringField("blockerClass", s.group().blockerClass());
        }
        JsonReport.writePattern(g, pattern);
        g.writeNumberField("growth", s.growth());
        g.writeNumberField("growthPerSample", s.growthPerSample());
        if (Double.isNaN(s.growthPerMinute())) {
            g.writeNullField("growthPerMinute");
        } else {
            g.writeNumberField("growthPerMinute", s.growthPerMinute());
        }
        g.writeNumberField("trend", s.trend());
        g.writeBooleanField("growing", s.growing());
        g.writeStringField("namedAt", s.namedAt().toString());
        g.writeNumberField("stuckThreads", s.stuckThreads());
        g.writeArrayFieldStart("counts");
        for (int c : s.counts()) {
            g.writeNumber(c);
        }
        g.writeEndArray();
        g.writeStringField("windowStart", s.windowStart().toString());
        g.writeStringField("windowEnd", s.windowEnd().toString());
        Duration longest = ThreadViews.longestBlocked(s.group().threads(), blocked, s.windowEnd());
        if (longest != null) {
            g.writeNumberField("blockedForSeconds", longest.toSeconds());   // the oldest, at windowEnd
        }
        Instant firstStart = firstStart(s);
        if (firstStart != null) {
            g.writeStringField("firstStart", firstStart.toString());
            g.writeNumberField("startedSecondsAgo", Math.max(0, Duration.between(firstStart, s.windowEnd()).toSeconds()));
        }
        CreationSite site = s.creationSite();
        if (site != null) {
            g.writeArrayFieldStart("startedAt");
            for (StackFrame f : site.frames()) {
                g.writeString(f.toString());
            }
            g.writeEndArray();
        }
        ThreadViews.writeThreadsAndStack(g, s.group().threads(), s.stack());
        g.writeEndObject();
    }
}
