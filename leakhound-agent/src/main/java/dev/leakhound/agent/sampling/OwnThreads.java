package dev.leakhound.agent.sampling;

import dev.leakhound.model.ThreadDump;
import dev.leakhound.model.ThreadSnapshot;

import java.util.ArrayList;
import java.util.List;

/**
 * Leakhound's own threads ({@code leakhound-sampler}, {@code leakhound-http-*}, {@code leakhound-capture-*}, ...):
 * platform threads named {@code leakhound-...}. They are not the host's: the views leave them out and say how many
 * they left out, and the leak detector never sees them.
 */
public final class OwnThreads {
    static final String PREFIX = "leakhound-";

    private OwnThreads() {
    }

    /** A dump without Leakhound's own threads, and how many there were. */
    public record Split(ThreadDump dump, int own) {
    }

    public static boolean isOwn(ThreadSnapshot t) {
        return !t.virtual() && t.name() != null && t.name().startsWith(PREFIX);
    }

    /** {@code dump} without its Leakhound threads; the same dump when it has none. */
    public static Split split(ThreadDump dump) {
        int own = 0;
        for (ThreadSnapshot t : dump.threads()) {
            if (isOwn(t)) {
                own++;
            }
        }
        if (own == 0) {
            return new Split(dump, 0);
        }
        List<ThreadSnapshot> kept = new ArrayList<>(dump.threads().size() - own);
        for (ThreadSnapshot t : dump.threads()) {
            if (!isOwn(t)) {
                kept.add(t);
            }
        }
        return new Split(new ThreadDump(dump.header(), kept), own);
    }

    /** {@code 2 of Leakhound's own threads not shown}, or {@code null} for none. */
    public static String line(int own) {
        return own == 0 ? null : own + " of Leakhound's own threads not shown"
                + " (leakhound-*: the agent's sampler and debug server)";
    }
}
