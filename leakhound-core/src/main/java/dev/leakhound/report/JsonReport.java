package dev.leakhound.report;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.leakhound.analysis.PatternMatch;
import dev.leakhound.analysis.StackGroup;
import dev.leakhound.analysis.WaitSite;
import dev.leakhound.model.CreationSite;
import dev.leakhound.model.StackFrame;
import dev.leakhound.model.ThreadSnapshot;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.List;
import java.util.function.Function;

/**
 * Renders thread groups as JSON for machines. Field names are stable; absent values are omitted.
 *
 * <pre>{@code
 * {"count":2,"virtualCount":2,"state":"WAITING","waitingIn":"SynchronousQueue.put",
 *  "blockedAt":"com.example.Foo.bar(Foo.java:12)",
 *  "pattern":{"id":"abandoned-senders","certainty":"likely","evidence":"...","fix":"..."},"blocker":{"kind":"PARKED_ON","class":"...","objects":["..."]},
 *  "blockedWithoutTimeout":true,"containers":["..."],
 *  "pools":[{"container":"java.util.concurrent.ThreadPoolExecutor@1a2b","class":"java.util.concurrent.ThreadPoolExecutor",
 *            "threadNames":"pool-3-thread-N","threads":24}],"idlePoolWorkers":true,"startedAt":null,
 *  "threads":[{"id":23,"name":"vq","virtual":true}],"stack":["java.util.concurrent.SynchronousQueue.put(...)", ...]}
 * }</pre>
 */
public final class JsonReport {
    private static final JsonFactory FACTORY = new JsonFactory();

    private JsonReport() {
    }

    /** A generator for {@code out} that does not close it; pretty-printed. */
    public static JsonGenerator generator(OutputStream out) throws IOException {
        JsonGenerator g = FACTORY.createGenerator(out);
        g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        return g.useDefaultPrettyPrinter();
    }

    public static JsonGenerator generator(Writer out) throws IOException {
        JsonGenerator g = FACTORY.createGenerator(out);
        g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        return g.useDefaultPrettyPrinter();
    }

    /**
     * Writes, into the group's object, the fields every JSON view of a group has: {@code count},
     * {@code virtualCount}, {@code state}, {@code waitingIn}, {@code blockedAt}, {@code blockedWithoutTimeout}.
     */
    public static void writeGroupSummary(JsonGenerator g, StackGroup group) throws IOException {
        WaitSite w = group.waitSite();
        g.writeNumberField("count", group.count());
        g.writeNumberField("virtualCount", group.virtualCount());
        if (group.state() != null) {
            g.writeStringField("state", group.state().name());
        }
        if (w.call() != null) {
            g.writeStringField("waitingIn", w.call());
        }
        if (w.blockingFrame() != null) {
            g.writeStringField("blockedAt", w.blockingFrame().toString());
        }
        g.writeBooleanField("blockedWithoutTimeout", group.blockedWithoutTimeout());
    }

    /**
     * {@code "startSites": [{"at": "F", "calledFrom": "C", "creator": "main", "count": 5}, ...]} (most threads
     * first), {@code "otherStartSites"} and {@code "withoutStartSite"}: how many threads were started elsewhere and
     * how many have no recorded start. Nothing when no start was recorded.
     */
    public static void writeStartSites(JsonGenerator g, StackGroup group) throws IOException {
        if (group.startSites().isEmpty()) {
            return;
        }
        g.writeArrayFieldStart("startSites");
        for (StackGroup.StartSite s : group.startSites()) {
            g.writeStartObject();
            List<dev.leakhound.model.StackFrame> key = s.site().groupingKey();
            g.writeStringField("at", String.valueOf(s.site().startingFrame()));
            if (key.size() > 1) {
                g.writeStringField("calledFrom", key.get(1).toString());
            }
            if (s.site().creator() != null) {
                g.writeStringField("creator", s.site().creator());
            }
            if (s.site().poolCreatedAt() != null) {
                g.writeStringField("poolCreatedAt", s.site().poolCreatedAt().toString());
            }
            g.writeNumberField("count", s.count());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeNumberField("otherStartSites", group.otherStartSites());
        g.writeNumberField("withoutStartSite", group.withoutStartSite());
    }

    /** Writes an array of groups. */
    public static void writeGroups(JsonGenerator g, List<StackGroup> groups) throws IOException {
        writeGroups(g, groups, group -> null);
    }

    /** Writes an array of groups, each with its {@code "pattern"} (none where {@code patterns} gives null). */
    public static void writeGroups(JsonGenerator g, List<StackGroup> groups,
                                   Function<StackGroup, PatternMatch> patterns) throws IOException {
        g.writeStartArray();
        for (StackGroup group : groups) {
            writeGroup(g, group, patterns.apply(group));
        }
        g.writeEndArray();
    }

    /**
     * {@code "pattern": {"id": "abandoned-senders", "certainty": "likely", "evidence": "...", "fix": "..."}}, into
     * the group's object; {@code fix} omitted for an unclassified group.
     */
    public static void writePattern(JsonGenerator g, PatternMatch p) throws IOException {
        g.writeObjectFieldStart("pattern");
        g.writeStringField("id", p.pattern().id());
        g.writeStringField("certainty", p.certainty().id());
        g.writeStringField("evidence", p.evidence());
        if (p.pattern().fix() != null) {
            g.writeStringField("fix", p.pattern().fix());
        }
        g.writeEndObject();
    }

    /** Writes one group as an object, with its pattern unless {@code null}. */
    public static void writeGroup(JsonGenerator g, StackGroup group, PatternMatch pattern) throws IOException {
        g.writeStartObject();
        writeGroupSummary(g, group);
        if (pattern != null) {
            writePattern(g, pattern);
        }
        if (group.blockerKind() != null) {
            g.writeObjectFieldStart("blocker");
            g.writeStringField("kind", group.blockerKind().name());
            g.writeStringField("class", group.blockerClass());
            g.writeArrayFieldStart("objects");
            for (String o : group.blockerObjects()) {
                g.writeString(o);
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        if (!group.containers().isEmpty()) {
            g.writeArrayFieldStart("containers");
            for (String c : group.containers()) {
                g.writeString(c);
            }
            g.writeEndArray();
        }
        List<ThreadPools.Pool> pools = ThreadPools.of(group);
        if (!pools.isEmpty()) {
            g.writeArrayFieldStart("pools");
            for (ThreadPools.Pool p : pools) {
                g.writeStartObject();
                if (p.container() != null) {
                    g.writeStringField("container", p.container());
                }
                if (p.className() != null) {
                    g.writeStringField("class", p.className());
                }
                g.writeStringField("threadNames", p.namePattern());
                g.writeNumberField("threads", p.threads());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeBooleanField("idlePoolWorkers", group.idlePoolWorkers());
        }
        CreationSite site = group.creationSite();
        if (site != null) {
            g.writeObjectFieldStart("startedAt");                  // the start site with the most threads
            writeFrames(g, "frames", site.frames());
            if (site.creator() != null) {
                g.writeStringField("creator", site.creator());
            }
            if (site.poolCreatedAt() != null) {
                writeFrames(g, "poolCreatedAt", site.poolFrames());   // a pool's worker: where the pool was created
            }
            g.writeEndObject();
            writeStartSites(g, group);
        }
        if (!group.complete()) {
            // a group of a dump too large to keep: "threads" lists the first ones, blocker objects and
            // containers are theirs
            g.writeNumberField("threadsOmitted", group.count() - group.threads().size());
        }
        g.writeArrayFieldStart("threads");
        for (ThreadSnapshot t : group.threads()) {
            g.writeStartObject();
            g.writeNumberField("id", t.id());
            g.writeStringField("name", t.name());
            g.writeBooleanField("virtual", t.virtual());
            if (t.daemon() != null) {
                g.writeBooleanField("daemon", t.daemon());
            }
            g.writeEndObject();
        }
        g.writeEndArray();
        writeFrames(g, "stack", group.stack());
        g.writeEndObject();
    }

    private static void writeFrames(JsonGenerator g, String field, List<StackFrame> frames) throws IOException {
        g.writeArrayFieldStart(field);
        for (StackFrame f : frames) {
            g.writeString(f.toString());
        }
        g.writeEndArray();
    }

    /** The groups as a JSON array string. */
    static String groupsToString(List<StackGroup> groups) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = generator(w)) {
            writeGroups(g, groups);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }
}
