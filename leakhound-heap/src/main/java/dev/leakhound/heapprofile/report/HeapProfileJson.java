package dev.leakhound.heapprofile.report;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.leakhound.heapprofile.HeapProfile;
import dev.leakhound.heapprofile.ProfileSite;
import dev.leakhound.model.StackFrame;
import dev.leakhound.report.JsonReport;

import java.io.IOException;
import java.io.Writer;
import java.time.Instant;
import java.util.List;

/**
 * A heap profile as one JSON document: {@code {"profile": {kind, source, from, to, spanSeconds, samples, objects,
 * bytes, sampleTypes, dropped, maxSites, truncatedStacks, sites, sitesOmitted}, "sites": [...]}}, each site {@code
 * {bytes, objects, samples, virtualSamples, threadKind, percent, allocatedAt, top, stack, truncated, types,
 * startedAt, oldestAgeSeconds, rootPath}}.
 */
public final class HeapProfileJson {
    private HeapProfileJson() {
    }

    /** Writes the first {@code top} sites of the profile to {@code out}, which is left open. */
    public static void write(HeapProfile p, int top, Writer out) throws IOException {
        try (JsonGenerator g = JsonReport.generator(out)) {
            write(p, top, g);
        }
    }

    /** Writes the document with a generator the caller owns. */
    public static void write(HeapProfile p, int top, JsonGenerator g) throws IOException {
        List<ProfileSite> sites = p.top(top);
        g.writeStartObject();
        g.writeObjectFieldStart("profile");
        g.writeStringField("kind", p.kind().word());
        g.writeStringField("source", p.source());
        instant(g, "from", p.from());
        instant(g, "to", p.to());
        g.writeNumberField("spanSeconds", p.span().toNanos() / 1e9);
        g.writeNumberField("samples", p.samples());
        g.writeNumberField("objects", p.objects());
        g.writeNumberField("bytes", p.bytes());
        g.writeArrayFieldStart("sampleTypes");
        g.writeString(p.kind().objectsType());
        g.writeString(p.kind().spaceType());
        g.writeEndArray();
        g.writeObjectFieldStart("dropped");
        g.writeNumberField("samples", p.dropped().samples());
        g.writeNumberField("objects", p.dropped().objects());
        g.writeNumberField("bytes", p.dropped().bytes());
        g.writeEndObject();
        g.writeNumberField("maxSites", p.maxSites());
        g.writeNumberField("truncatedStacks", p.truncatedStacks());
        g.writeNumberField("sites", p.sites().size());
        g.writeNumberField("sitesOmitted", p.sites().size() - sites.size());
        g.writeStringField("text", HeapProfileText.header(p));
        g.writeEndObject();
        g.writeArrayFieldStart("sites");
        for (ProfileSite s : sites) {
            site(g, s, p);
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void site(JsonGenerator g, ProfileSite s, HeapProfile p) throws IOException {
        g.writeStartObject();
        g.writeNumberField("bytes", s.bytes());
        g.writeNumberField("objects", s.objects());
        g.writeNumberField("samples", s.samples());
        g.writeNumberField("virtualSamples", s.virtualSamples());
        g.writeStringField("threadKind", s.threadKind());
        g.writeNumberField("percent", HeapProfileText.percent(s.bytes(), p.bytes()));
        g.writeStringField("allocatedAt", s.allocatingFrame() == null ? null : HeapProfileText.frame(s.allocatingFrame()));
        g.writeStringField("top", s.top() == null ? null : HeapProfileText.frame(s.top()));
        frames(g, "stack", s.stack());
        g.writeBooleanField("truncated", s.truncated());
        g.writeArrayFieldStart("types");
        for (ProfileSite.TypeShare t : s.types()) {
            g.writeStartObject();
            g.writeStringField("type", t.type());
            g.writeNumberField("objects", t.objects());
            g.writeNumberField("bytes", t.bytes());
            g.writeEndObject();
        }
        g.writeEndArray();
        if (s.startedAt() == null) {
            g.writeNullField("startedAt");
        } else {
            g.writeObjectFieldStart("startedAt");
            StackFrame f = s.startedAt().startingFrame();
            g.writeStringField("frame", f == null ? null : HeapProfileText.frame(f));
            frames(g, "stack", s.startedAt().frames());
            g.writeEndObject();
        }
        g.writeStringField("startedAtText", HeapProfileText.startedAt(s));
        if (s.oldestAge() == null) {
            g.writeNullField("oldestAgeSeconds");
        } else {
            g.writeNumberField("oldestAgeSeconds", s.oldestAge().toNanos() / 1e9);
        }
        g.writeArrayFieldStart("rootPath");
        for (String step : s.rootPath()) {
            g.writeString(step);
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void frames(JsonGenerator g, String field, List<StackFrame> frames) throws IOException {
        g.writeArrayFieldStart(field);
        for (StackFrame f : frames) {
            g.writeString(HeapProfileText.frame(f));
        }
        g.writeEndArray();
    }

    private static void instant(JsonGenerator g, String field, Instant at) throws IOException {
        if (at == null) {
            g.writeNullField(field);
        } else {
            g.writeStringField(field, at.toString());
        }
    }
}
