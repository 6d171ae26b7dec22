package dev.leakhound.proof;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.leakhound.analysis.PatternMatch;
import dev.leakhound.hprof.index.HeapFrame;
import dev.leakhound.report.JsonReport;

import java.io.IOException;
import java.util.List;

/**
 * The proof as JSON: the one writer behind {@code leakhound heap --json} (its {@code proof} field) and the agent's
 * {@code /debug/leaks/proof}, so that both say the same in the same fields.
 *
 * <p>The object: {@code refused} (only when nothing could be proven), {@code threads}, {@code blockedWithoutTimeout},
 * {@code leakedThreads}, {@code rounds}, {@code leaked} (groups: {@code count}, {@code virtual}, {@code wait},
 * {@code blockerClass}, {@code call}, {@code blockedAt}, {@code pool}, {@code pattern}, {@code retainedBytes},
 * {@code retainedObjects}, {@code threads}, {@code stack}) and {@code notProven} (groups: {@code count}, {@code wait},
 * {@code blockerClass}, {@code call}, {@code blockedAt}, {@code why}, {@code path}, {@code pool}, {@code pattern},
 * {@code threads}, {@code stack}). {@code pattern}: {@code id} (core's {@code LeakPattern}: {@code deadlock} for a
 * cycle of threads, which forms one group), {@code certainty} ({@code proven} for a leaked group; a not-proven
 * group is always {@code unclassified}, {@code likely}), {@code evidence}, {@code fix} (absent when unclassified).
 * {@code threads}: {@code [{tid, name}]} ({@code tid} the thread's id, null when the dump gives none; {@code name}
 * {@code ""} when unnamed).
 * {@code call}: the API the code called ({@code LinkedBlockingQueue.take}); {@code blockedAt}: the application frame
 * that called it, or null. {@code path} (null when no reference rescued the group): {@code root} ({@code kind}:
 * {@code STATIC_FIELD}, {@code FRAME}, {@code RUNNING_THREAD}, {@code JNI_GLOBAL}, {@code JNI_LOCAL},
 * {@code NATIVE}, {@code SYSTEM_CLASS} or {@code OTHER}; {@code name}, {@code object}, {@code words}; absent when
 * not traced), {@code steps} ({@code via}, {@code to}, {@code repeat}), {@code stepsNotShown}, {@code limit} (what
 * was not traced, in words, or null). {@code pool} (only for a pool's workers): {@code executorClass},
 * {@code threadNames} ({@code pool-3-thread-N}), {@code live}, {@code heldBy} (a path, when live). A group lists at most {@value #MAX_THREAD_NAMES} thread names; its
 * {@code count} is exact.
 */
public final class ProofJson {
    /** Thread names listed per group at most. */
    private static final int MAX_THREAD_NAMES = 1000;

    private ProofJson() {
    }

    /** Writes the proof as one JSON object, the next value of {@code g} (a field's value, or the whole document). */
    public static void write(JsonGenerator g, ProofResult p) throws IOException {
        g.writeStartObject();
        if (p.refused() != null) {
            g.writeStringField("refused", p.refused());
        }
        g.writeNumberField("threads", p.threads());
        g.writeNumberField("blockedWithoutTimeout", p.candidates());
        g.writeNumberField("leakedThreads", p.leakedThreads());
        g.writeNumberField("rounds", p.rounds());
        g.writeArrayFieldStart("leaked");
        for (ProofResult.LeakedGroup l : p.leaked()) {
            g.writeStartObject();
            g.writeNumberField("count", l.count());
            g.writeBooleanField("virtual", l.threads().get(0).virtual());
            g.writeStringField("wait", l.waitKind().name());
            g.writeStringField("blockerClass", l.blockerClass());
            writeCall(g, l.call());
            writePool(g, l.pool());
            JsonReport.writePattern(g, l.pattern());
            g.writeNumberField("retainedBytes", l.retainedBytes());
            g.writeNumberField("retainedObjects", l.retainedObjects());
            writeThreads(g, l.threads());
            writeFrames(g, l.stack());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("notProven");
        for (ProofResult.Rescued r : p.rescued()) {
            g.writeStartObject();
            g.writeNumberField("count", r.count());
            g.writeStringField("wait", r.waitKind().name());
            g.writeStringField("blockerClass", r.blockerClass());
            writeCall(g, r.call());
            g.writeStringField("why", r.why());
            g.writeFieldName("path");
            writePath(g, r.path());
            writePool(g, r.pool());
            JsonReport.writePattern(g, r.pattern());
            writeThreads(g, r.threads());
            writeFrames(g, r.stack());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void writeCall(JsonGenerator g, ProofResult.Call call) throws IOException {
        g.writeStringField("call", call.call());
        g.writeStringField("blockedAt", call.blockedAt() == null ? null : call.blockedAt().toString());
    }

    /** {@code {root: {kind, name, object}, steps: [{via, to, repeat}], stepsNotShown, limit}}, or null. */
    private static void writePath(JsonGenerator g, ProofResult.Path path) throws IOException {
        if (path == null) {
            g.writeNull();
            return;
        }
        g.writeStartObject();
        if (path.root() != null) {
            g.writeObjectFieldStart("root");
            g.writeStringField("kind", path.root().kind().name());
            g.writeStringField("name", path.root().name());
            g.writeStringField("object", path.root().object());
            g.writeStringField("words", path.root().words());
            g.writeEndObject();
        }
        g.writeArrayFieldStart("steps");
        for (ProofResult.Step s : path.steps()) {
            g.writeStartObject();
            g.writeStringField("via", s.via());
            g.writeStringField("to", s.to());
            g.writeNumberField("repeat", s.repeat());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeNumberField("stepsNotShown", path.stepsNotShown());
        g.writeStringField("limit", path.limit());
        g.writeEndObject();
    }

    private static void writePool(JsonGenerator g, ProofResult.Pool pool) throws IOException {
        if (pool == null) {
            return;
        }
        g.writeObjectFieldStart("pool");
        g.writeStringField("executorClass", pool.executorClass());
        g.writeStringField("threadNames", pool.threadNames());
        g.writeBooleanField("live", pool.live());
        if (pool.heldBy() != null) {
            g.writeFieldName("heldBy");
            writePath(g, pool.heldBy());
        }
        g.writeEndObject();
    }


    /** {@code [{tid, name}]}: {@code tid} null when the dump gives none, {@code name} "" for an unnamed thread. */
    private static void writeThreads(JsonGenerator g, List<WaitingThread> threads) throws IOException {
        g.writeArrayFieldStart("threads");
        for (WaitingThread t : threads.subList(0, Math.min(threads.size(), MAX_THREAD_NAMES))) {
            g.writeStartObject();
            if (t.tid() >= 0) {
                g.writeNumberField("tid", t.tid());
            } else {
                g.writeNullField("tid");
            }
            g.writeStringField("name", t.name());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static void writeFrames(JsonGenerator g, List<HeapFrame> frames) throws IOException {
        g.writeArrayFieldStart("stack");
        for (HeapFrame f : frames) {
            g.writeString(f.toString());
        }
        g.writeEndArray();
    }
}
