package dev.leakhound.agent.endpoints;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.leakhound.agent.capture.LiveDeadlocks;
import dev.leakhound.agent.http.BoundedText;
import dev.leakhound.agent.sampling.BlockedSince;
import dev.leakhound.agent.sampling.OwnThreads;
import dev.leakhound.agent.sampling.SharedCapture;
import dev.leakhound.analysis.StackGroup;
import dev.leakhound.analysis.WaitSite;
import dev.leakhound.model.Blocker;
import dev.leakhound.model.CreationSite;
import dev.leakhound.model.StackFrame;
import dev.leakhound.model.ThreadDump;
import dev.leakhound.model.ThreadSnapshot;
import dev.leakhound.report.DeadlockReport;
import dev.leakhound.report.JsonReport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The thread views of the debug server, each bounded whatever the number of threads: the counts by kind,
 * state and container; the grouped dump ({@code debug=1}, pprof style); every thread ({@code debug=2}, Go
 * style, with how long it has waited where it is); the grouped dump as JSON.
 */
public final class ThreadViews {
    /** Groups listed at most by the text and JSON dumps; the rest are summed up in one line. */
    public static final int MAX_GROUPS = 500;
    /** Frames listed at most per stack. */
    public static final int MAX_FRAMES = 256;
    /** Threads named at most per group in JSON. */
    static final int MAX_THREADS_PER_GROUP = 50;
    /** Containers listed at most by the counts. */
    static final int MAX_CONTAINERS = 200;

    private ThreadViews() {
    }

    // ---------------------------------------------------------------- counts

    /**
     * <pre>{@code
     * {"total": 27, "platform": 22, "virtual": 5,
     *  "states": {"platform": {"RUNNABLE": 6, "WAITING": 12, ...}, "virtual": {"WAITING": 5}},
     *  "containers": [{"name": "<root>", "total": 25, "platform": 20, "virtual": 5}, ...],
     *  "time": "...", "source": "...",
     *  "capture": {"ageMillis": 3200, "lengthMillis": 1010, "nextInMillis": 15900}}
     * }</pre>
     * ({@link #writeCapture}).
     */
    static byte[] countsJson(SharedCapture.Answer answer, String source) {
        ThreadDump dump = answer.dump();
        Map<String, int[]> containers = new LinkedHashMap<>();           // name -> {platform, virtual}
        Map<Thread.State, Integer> platform = new EnumMap<>(Thread.State.class);
        Map<Thread.State, Integer> virtual = new EnumMap<>(Thread.State.class);
        int platformUnknown = 0;
        int virtualUnknown = 0;
        for (ThreadSnapshot t : dump.threads()) {
            Map<Thread.State, Integer> states = t.virtual() ? virtual : platform;
            if (t.state() == null) {
                if (t.virtual()) {
                    virtualUnknown++;
                } else {
                    platformUnknown++;
                }
            } else {
                states.merge(t.state(), 1, Integer::sum);
            }
            String c = t.container() == null ? "(unknown)" : t.container();
            int[] counts = containers.get(c);
            if (counts == null) {
                if (containers.size() >= MAX_CONTAINERS) {
                    c = "(other containers)";
                    counts = containers.computeIfAbsent(c, k -> new int[2]);
                } else {
                    counts = new int[2];
                    containers.put(c, counts);
                }
            }
            counts[t.virtual() ? 1 : 0]++;
        }
        int pUnknown = platformUnknown;
        int vUnknown = virtualUnknown;
        return json(g -> {
            g.writeStartObject();
            g.writeNumberField("total", dump.threads().size());
            g.writeNumberField("platform", dump.platformCount());
            g.writeNumberField("virtual", dump.virtualCount());
            g.writeObjectFieldStart("states");
            writeStates(g, "platform", platform, pUnknown);
            writeStates(g, "virtual", virtual, vUnknown);
            g.writeEndObject();
            g.writeArrayFieldStart("containers");
            for (Map.Entry<String, int[]> e : containers.entrySet()) {
                g.writeStartObject();
                g.writeStringField("name", e.getKey());
                g.writeNumberField("total", e.getValue()[0] + e.getValue()[1]);
                g.writeNumberField("platform", e.getValue()[0]);
                g.writeNumberField("virtual", e.getValue()[1]);
                g.writeEndObject();
            }
            g.writeEndArray();
            if (dump.capturedAt() != null) {
                g.writeStringField("time", dump.capturedAt().toString());
            }
            g.writeStringField("source", source);
            g.writeNumberField("leakhoundThreadsNotShown", answer.capture().ownThreads());
            writeCapture(g, answer);
            g.writeEndObject();
        });
    }

    /**
     * {@code "capture": {"ageMillis", "lengthMillis", "nextInMillis"}}: how long ago the capture answered from
     * ended, how long it took, and how long until a new one may be taken (captures are shared and take at most 5%
     * of one core together: an answer may come from a capture of some seconds ago).
     */
    static void writeCapture(JsonGenerator g, SharedCapture.Answer answer) throws IOException {
        g.writeObjectFieldStart("capture");
        g.writeNumberField("ageMillis", answer.ageMillis());
        g.writeNumberField("lengthMillis", answer.capture().length().toMillis());
        g.writeNumberField("nextInMillis", java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(answer.nextInNanos()));
        g.writeEndObject();
    }

    private static void writeStates(JsonGenerator g, String field, Map<Thread.State, Integer> states, int unknown)
            throws IOException {
        g.writeObjectFieldStart(field);
        for (Map.Entry<Thread.State, Integer> e : states.entrySet()) {
            g.writeNumberField(e.getKey().name(), e.getValue());
        }
        if (unknown > 0) {
            g.writeNumberField("UNKNOWN", unknown);
        }
        g.writeEndObject();
    }

    // ---------------------------------------------------------------- debug=1

    /**
     * pprof's {@code goroutine?debug=1} for threads: a header, then per group (largest first) a line
     * {@code COUNT @ STATE in CALL, blocker (details)} and its frames, one {@code #\tframe} line each.
     */
    public static BoundedText grouped(ThreadDump dump, List<StackGroup> groups, BlockedSince blocked, int ownThreads) {
        BoundedText out = new BoundedText();
        out.line("thread profile: total " + dump.threads().size() + " (" + dump.platformCount() + " platform, "
                + dump.virtualCount() + " virtual), " + groups.size() + (groups.size() == 1 ? " group" : " groups"));
        ownThreadsLine(out, ownThreads);
        int shown = Math.min(groups.size(), MAX_GROUPS);
        for (int i = 0; i < shown && !out.truncated(); i++) {
            StackGroup g = groups.get(i);
            out.line();
            out.line(g.count() + " @ " + groupHeadline(g, blocked, at(dump)));
            WaitSite w = g.waitSite();
            if (w.blockingFrame() != null) {
                out.line("# blocked at " + w.blockingFrame());
            }
            List<String> started = dev.leakhound.report.TextReport.startSiteLines(g);
            for (int j = 0; j < started.size(); j++) {
                out.line((j == 0 ? "# started at " : "#            ") + started.get(j));
            }
            frames(out, g.stack(), "#\t");
        }
        if (groups.size() > shown) {
            int rest = 0;
            for (int i = shown; i < groups.size(); i++) {
                rest += groups.get(i).count();
            }
            out.line();
            out.line("... " + (groups.size() - shown) + " more groups (" + rest + " threads) not listed");
        }
        return out;
    }

    /** {@code WAITING in SynchronousQueue.put, parked on SynchronousQueue$Transferer (5 virtual; no timeout; waiting up to 7 minutes)}. */
    static String groupHeadline(StackGroup g, BlockedSince blocked, java.time.Instant at) {
        StringBuilder sb = new StringBuilder(g.state() == null ? "state unknown" : g.state().name());
        WaitSite w = g.waitSite();
        if (w.call() != null) {
            sb.append(" in ").append(w.call());
        }
        if (g.blockerKind() != null) {
            sb.append(", ").append(g.blockerKind().words()).append(' ').append(g.blockerClass());
        }
        long virtual = g.virtualCount();
        sb.append(" (").append(virtual == g.count() ? "virtual" : virtual == 0 ? "platform"
                : virtual + " virtual, " + (g.count() - virtual) + " platform");
        if (g.blockedWithoutTimeout()) {
            sb.append("; blocked with no timeout");
        }
        Duration longest = longestBlocked(g.threads(), blocked, at);
        if (longest != null && longest.toSeconds() >= 1) {
            sb.append("; the longest ").append(BlockedSince.blockedWords(longest)).append(" (")
                    .append(BlockedSince.SINCE).append(')');
        }
        return sb.append(')').toString();
    }

    /** The longest that any of {@code threads} had been where it is at {@code at}, or {@code null}. */
    static Duration longestBlocked(List<ThreadSnapshot> threads, BlockedSince blocked, java.time.Instant at) {
        return blocked == null ? null : blocked.longestBlockedFor(threads, at);
    }

    /** The time a capture's views count ages to: when it was taken. */
    static java.time.Instant at(ThreadDump dump) {
        return dump.capturedAt() != null ? dump.capturedAt() : java.time.Instant.now();
    }

    // ---------------------------------------------------------------- debug=2

    /**
     * Every thread, at most {@code maxThreads}, Go's {@code goroutine?debug=2} for threads:
     * <pre>
     * thread #23 "name" [WAITING in SynchronousQueue.put, 7 minutes]:
     * virtual, container &lt;root&gt;, parked on java.util.concurrent.SynchronousQueue$Transferer@1bd4fdd
     *     at java.util.concurrent.SynchronousQueue.put(SynchronousQueue.java:266)
     *     ...
     * </pre>
     */
    public static BoundedText everyThread(ThreadDump dump, BlockedSince blocked, int maxThreads, long samplePeriodMillis,
                                          int ownThreads) {
        BoundedText out = new BoundedText();
        List<ThreadSnapshot> threads = dump.threads();
        out.line("thread dump: total " + threads.size() + " (" + dump.platformCount() + " platform, "
                + dump.virtualCount() + " virtual)"
                + (threads.size() > maxThreads ? ", the first " + maxThreads + " listed (maxThreads)" : ""));
        out.line("blocked for at least N s: " + BlockedSince.SINCE + " where it is, up to this capture ("
                + at(dump) + (samplePeriodMillis > 0 ? "; sampled every " + seconds(samplePeriodMillis) : "")
                + "); started N s ago: where the agent recorded the start");
        ownThreadsLine(out, ownThreads);
        int shown = Math.min(threads.size(), maxThreads);
        for (int i = 0; i < shown && !out.truncated(); i++) {
            ThreadSnapshot t = threads.get(i);
            out.line();
            out.line("thread " + t.label() + " [" + threadState(t, blocked, at(dump)) + "]:");
            out.line(details(t));
            frames(out, t.stack(), "    at ");
        }
        if (threads.size() > shown) {
            out.line();
            out.line("... " + (threads.size() - shown) + " more threads not listed (maxThreads=" + maxThreads
                    + "); ?debug=1 lists every thread, grouped");
        }
        return out;
    }

    private static void ownThreadsLine(BoundedText out, int ownThreads) {
        String line = OwnThreads.line(ownThreads);
        if (line != null) {
            out.line(line);
        }
    }

    private static String seconds(long millis) {
        return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
    }

    /** {@code WAITING in SynchronousQueue.put, blocked for at least 16 s, started 29 s ago}. */
    static String threadState(ThreadSnapshot t, BlockedSince blocked, java.time.Instant at) {
        StringBuilder sb = new StringBuilder(t.state() == null ? "state unknown" : t.state().name());
        if (t.state() != Thread.State.RUNNABLE) {
            WaitSite w = WaitSite.of(t);
            if (w.call() != null) {
                sb.append(" in ").append(w.call());
            }
            Duration d = blocked == null ? null : blocked.blockedFor(t, at);
            if (d != null && d.toSeconds() >= 1) {
                sb.append(", ").append(BlockedSince.blockedWords(d));
            }
        }
        CreationSite site = t.creationSite();
        if (site != null && site.startedAt() != null) {
            sb.append(", ").append(BlockedSince.startedWords(site.startedAt(), at));
        }
        return sb.toString();
    }

    private static String details(ThreadSnapshot t) {
        StringBuilder sb = new StringBuilder(t.virtual() ? "virtual" : "platform");
        if (!t.virtual() && t.daemon() != null) {
            sb.append(t.daemon() ? ", daemon" : ", not daemon");
        }
        if (t.container() != null) {
            sb.append(", container ").append(t.container());
        }
        if (t.carrierId() != null) {
            sb.append(", mounted on #").append(t.carrierId());
        }
        Blocker b = t.blocker();
        if (b != null) {
            sb.append(", ").append(b);
            if (b.ownerId() != null) {
                sb.append(" owned by #").append(b.ownerId());
            }
        }
        CreationSite site = t.creationSite();
        if (site != null && site.startingFrame() != null) {
            sb.append(", started at ").append(site.startingFrame());
            if (site.poolCreatedAt() != null) {
                sb.append(" (a worker of the pool created at ").append(site.poolCreatedAt()).append(')');
            }
        }
        return sb.toString();
    }

    private static void frames(BoundedText out, List<StackFrame> stack, String prefix) {
        if (stack.isEmpty()) {
            out.line(prefix + "(no Java frames)");
            return;
        }
        int n = Math.min(stack.size(), MAX_FRAMES);
        for (int i = 0; i < n; i++) {
            out.line(prefix + stack.get(i));
        }
        if (stack.size() > n) {
            out.line(prefix + "... " + (stack.size() - n) + " more frames");
        }
    }

    // ---------------------------------------------------------------- JSON

    /**
     * The groups as JSON: {@code {"time", "total", "platform", "virtual", "groupCount", "groups": [...],
     * "groupsNotListed", "capture"}} ({@link #writeCapture});
     * a group as in {@link JsonReport}, with at most {@value #MAX_THREADS_PER_GROUP} threads named
     * ({@code threadsNotListed} says how many more) and at most {@value #MAX_FRAMES} frames.
     */
    static byte[] groupedJson(SharedCapture.Answer answer, List<StackGroup> groups, BlockedSince blocked) {
        return groupedJson(answer, groups, blocked, null);
    }

    /** As above, with a top-level {@code "deadlocks"} array (and {@code "deadlocksNote"}) when they were searched. */
    static byte[] groupedJson(SharedCapture.Answer answer, List<StackGroup> groups, BlockedSince blocked,
                              LiveDeadlocks.Result deadlocks) {
        ThreadDump dump = answer.dump();
        return json(g -> {
            g.writeStartObject();
            if (dump.capturedAt() != null) {
                g.writeStringField("time", dump.capturedAt().toString());
            }
            g.writeNumberField("total", dump.threads().size());
            g.writeNumberField("platform", dump.platformCount());
            g.writeNumberField("virtual", dump.virtualCount());
            g.writeNumberField("groupCount", groups.size());
            g.writeArrayFieldStart("groups");
            int shown = Math.min(groups.size(), MAX_GROUPS);
            for (int i = 0; i < shown; i++) {
                writeGroup(g, groups.get(i), blocked, at(dump));
            }
            g.writeEndArray();
            g.writeNumberField("groupsNotListed", groups.size() - shown);
            g.writeNumberField("leakhoundThreadsNotShown", answer.capture().ownThreads());
            writeCapture(g, answer);
            if (deadlocks != null) {
                DeadlockReport.writeJson(g, deadlocks.deadlocks());
                if (deadlocks.note() != null) {
                    g.writeStringField("deadlocksNote", deadlocks.note());
                }
            }
            g.writeEndObject();
        });
    }

    private static void writeGroup(JsonGenerator g, StackGroup group, BlockedSince blocked, java.time.Instant at)
            throws IOException {
        g.writeStartObject();
        JsonReport.writeGroupSummary(g, group);
        if (group.blockerKind() != null) {
            g.writeObjectFieldStart("blocker");
            g.writeStringField("kind", group.blockerKind().name());
            g.writeStringField("class", group.blockerClass());
            g.writeEndObject();
        }
        CreationSite site = group.creationSite();
        if (site != null && site.startingFrame() != null) {
            g.writeStringField("startedAt", site.startingFrame().toString());    // the start site with the most threads
            JsonReport.writeStartSites(g, group);
        }
        Map<String, Integer> containers = new TreeMap<>();
        for (ThreadSnapshot t : group.threads()) {
            if (t.container() != null && (containers.size() < 20 || containers.containsKey(t.container()))) {
                containers.merge(t.container(), 1, Integer::sum);
            }
        }
        Duration longest = longestBlocked(group.threads(), blocked, at);
        if (longest != null) {
            g.writeNumberField("blockedForSeconds", longest.toSeconds());    // the longest, as in the text views
        }
        if (!containers.isEmpty()) {
            g.writeObjectFieldStart("containers");
            for (Map.Entry<String, Integer> e : containers.entrySet()) {
                g.writeNumberField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
        }
        int frames = writeThreadsAndStack(g, group.threads(), group.stack());
        if (group.stack().size() > frames) {
            g.writeNumberField("framesNotListed", group.stack().size() - frames);
        }
        g.writeEndObject();
    }

    // ---------------------------------------------------------------- helpers

    /**
     * Writes a group's {@code threads} (at most {@link #MAX_THREADS_PER_GROUP}), {@code threadsNotListed} and
     * {@code stack} (at most {@link #MAX_FRAMES} frames) fields; returns how many frames it wrote.
     */
    static int writeThreadsAndStack(JsonGenerator g, List<ThreadSnapshot> threads, List<StackFrame> stack)
            throws IOException {
        g.writeArrayFieldStart("threads");
        int shown = Math.min(threads.size(), MAX_THREADS_PER_GROUP);
        for (int i = 0; i < shown; i++) {
            ThreadSnapshot t = threads.get(i);
            g.writeStartObject();
            g.writeNumberField("id", t.id());
            g.writeStringField("name", t.name());
            g.writeBooleanField("virtual", t.virtual());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeNumberField("threadsNotListed", threads.size() - shown);
        g.writeArrayFieldStart("stack");
        int frames = Math.min(stack.size(), MAX_FRAMES);
        for (int i = 0; i < frames; i++) {
            g.writeString(stack.get(i).toString());
        }
        g.writeEndArray();
        return frames;
    }

    /** Writes JSON with a pretty printer into bytes. */
    public interface JsonWriter {
        void write(JsonGenerator g) throws IOException;
    }

    public static byte[] json(JsonWriter writer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(4096);
        try (JsonGenerator g = JsonReport.generator(bytes)) {
            writer.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        bytes.write('\n');
        return bytes.toByteArray();
    }
}
