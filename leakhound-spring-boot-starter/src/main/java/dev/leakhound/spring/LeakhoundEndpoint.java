package dev.leakhound.spring;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.leakhound.analysis.GrowingGroup;
import dev.leakhound.analysis.GrowthDetector;
import dev.leakhound.analysis.PatternMatch;
import dev.leakhound.analysis.StackGroup;
import dev.leakhound.analysis.Suspects;
import dev.leakhound.analysis.ThreadCounts;
import dev.leakhound.micrometer.Census;
import dev.leakhound.micrometer.LeakDetector;
import dev.leakhound.micrometer.ThreadCensus;
import dev.leakhound.report.DeadlockReport;
import dev.leakhound.report.JsonReport;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@code /actuator/leakhound}: this application's threads, virtual ones included, as Leakhound's {@code threads
 * --json} shows a dump: counts by kind and state, the deadlocks, the suspects (blocked with no timeout, looking
 * like leaks, each with its pattern and fix), the idle groups set apart, every group; and, when enabled, the
 * growth detector's sites. The capture is the meters' one ({@link ThreadCensus}), at most its max age old.
 */
@Endpoint(id = "leakhound")
public class LeakhoundEndpoint {
    private static final String UNKNOWN = "UNKNOWN";

    private final ThreadCensus census;
    private final Supplier<LeakDetector> detector;

    /**
     * @param census   the threads
     * @param detector the growth detector, or a supplier of {@code null} when it is off
     */
    public LeakhoundEndpoint(ThreadCensus census, Supplier<LeakDetector> detector) {
        this.census = census;
        this.detector = detector;
    }

    /** The report as a JSON document. */
    @ReadOperation
    public String report() {
        Census c = census.get();
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JsonReport.generator(out)) {
            g.writeStartObject();
            if (c == null) {
                g.writeStringField("error", "no capture of the threads yet: "
                        + (census.lastFailure() != null ? census.lastFailure() : "another is under way"));
            } else {
                write(g, c);
            }
            LeakDetector d = detector.get();
            if (d != null) {
                writeDetector(g, d, c);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);                 // a StringWriter does not fail
        }
        return out.toString();
    }

    private static void write(JsonGenerator g, Census c) throws IOException {
        ThreadCounts counts = c.counts();
        g.writeStringField("time", c.capturedAt().toString());
        g.writeNumberField("pid", c.pid());
        if (c.runtime() != null) {
            g.writeStringField("runtime", c.runtime());
        }
        g.writeNumberField("captureMillis", c.took().toMillis());
        g.writeNumberField("threads", counts.count(false) + counts.count(true));
        g.writeNumberField("platformThreads", counts.count(false));
        g.writeNumberField("virtualThreads", counts.count(true));
        g.writeNumberField("ignoredThreads", c.ignored());
        g.writeObjectFieldStart("states");
        writeStates(g, "platform", counts, false);
        writeStates(g, "virtual", counts, true);
        g.writeEndObject();
        List<StackGroup> suspects = c.suspects().suspects().stream().map(Suspects.Suspect::group).toList();
        g.writeNumberField("groups", c.groups().size());
        g.writeNumberField("suspectGroups", suspects.size());
        g.writeNumberField("suspectThreads", c.suspects().suspectThreads());
        g.writeNumberField("suspectsMatchingPattern", c.suspects().matching());
        g.writeNumberField("idleGroups", c.suspects().idle().size());
        g.writeNumberField("idleThreads", c.suspects().idleThreads());
        if (c.deadlockSearchIncomplete()) {
            g.writeBooleanField("deadlockSearchIncomplete", true);
        }
        DeadlockReport.writeJson(g, c.deadlocks());
        g.writeFieldName("suspects");                             // most telling first
        JsonReport.writeGroups(g, suspects, c::pattern);
        g.writeArrayFieldStart("idle");                           // set apart: idle pools and JDK daemons
        for (Suspects.Idle idle : c.suspects().idle()) {
            g.writeStartObject();
            g.writeStringField("what", idle.what());
            g.writeFieldName("group");
            JsonReport.writeGroup(g, idle.group(), c.pattern(idle.group()));
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeFieldName("threadGroups");                         // every group, largest first
        JsonReport.writeGroups(g, c.groups(), c::pattern);
    }

    private static void writeStates(JsonGenerator g, String kind, ThreadCounts counts, boolean virtual)
            throws IOException {
        g.writeObjectFieldStart(kind);
        for (Thread.State s : Thread.State.values()) {
            if (counts.count(virtual, s) > 0) {
                g.writeNumberField(s.name(), counts.count(virtual, s));
            }
        }
        if (counts.count(virtual, null) > 0) {
            g.writeNumberField(UNKNOWN, counts.count(virtual, null));
        }
        g.writeEndObject();
    }

    private static void writeDetector(JsonGenerator g, LeakDetector d, Census c) throws IOException {
        GrowthDetector det = d.detector();
        g.writeObjectFieldStart("detector");
        g.writeNumberField("intervalMillis", d.interval().toMillis());
        g.writeNumberField("samples", det.samples());
        g.writeNumberField("window", det.window());
        g.writeNumberField("minGrowth", det.minGrowth());
        g.writeNumberField("minTrend", det.minTrend());
        if (det.lastSampleAt() != null) {
            g.writeStringField("lastSampleAt", det.lastSampleAt().toString());
        }
        g.writeArrayFieldStart("growing");
        for (GrowingGroup s : d.suspects()) {
            g.writeStartObject();
            g.writeNumberField("growth", s.growth());
            g.writeNumberField("trend", s.trend());
            g.writeBooleanField("growing", s.growing());
            g.writeArrayFieldStart("counts");
            for (int n : s.counts()) {
                g.writeNumber(n);
            }
            g.writeEndArray();
            g.writeStringField("windowStart", s.windowStart().toString());
            g.writeStringField("windowEnd", s.windowEnd().toString());
            g.writeFieldName("group");
            JsonReport.writeGroup(g, s.group(), c == null ? null : patternOf(c, s));
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    /** The pattern of the census group at the growing site's stack, where the census still has it. */
    private static PatternMatch patternOf(Census c, GrowingGroup s) {
        for (StackGroup g : c.groups()) {
            if (g.state() == s.state() && g.stack().equals(s.stack())) {
                return c.pattern(g);
            }
        }
        return null;
    }
}
