package dev.leakhound.proof;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.leakhound.hprof.index.HeapFrame;

import java.io.IOException;
import java.util.List;

/**
 * The proof as JSON: the one writer behind {@code leakhound heap --json} (its {@code proof} field) and the agent's
 * {@code /debug/leaks/proof}, so that both say the same in the same fields.
 *
 * <p>The object: {@code refused} (only when nothing could be proven), {@code threads}, {@code blockedWithoutTimeout},
 * {@code leakedThreads}, {@code rounds}, {@code leaked} (groups: {@code count}, {@code virtual}, {@code wait},
 * {@code blockerClass}, {@code retainedBytes}, {@code retainedObjects}, {@code threads}, {@code stack}) and
 * {@code notProven} (groups: {@code count}, {@code wait}, {@code blockerClass}, {@code why}, {@code path},
 * {@code threads}, {@code stack}). A group lists at most {@value #MAX_THREAD_NAMES} thread names; its
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
            g.writeStringField("why", r.why());
            g.writeArrayFieldStart("path");
            for (String step : r.path()) {
                g.writeString(step);
            }
            g.writeEndArray();
            writeThreads(g, r.threads());
            writeFrames(g, r.stack());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void writeThreads(JsonGenerator g, List<WaitingThread> threads) throws IOException {
        g.writeArrayFieldStart("threads");
        for (WaitingThread t : threads.subList(0, Math.min(threads.size(), MAX_THREAD_NAMES))) {
            g.writeString(t.name());
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
