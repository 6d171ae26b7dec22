package dev.leakhound.analysis;

import dev.leakhound.model.ThreadSnapshot;

import java.util.function.Consumer;

/**
 * Threads by kind (virtual, platform) and state, the state unknown where the source gives none (virtual threads
 * on JDK 21-24). Filled while a capture streams by ({@link #accept}), then read only.
 */
public final class ThreadCounts implements Consumer<ThreadSnapshot> {
    private static final Thread.State[] STATES = Thread.State.values();
    /** [virtual ? 1 : 0][state's ordinal, or STATES.length for unknown]. */
    private final long[][] counts = new long[2][STATES.length + 1];

    @Override
    public void accept(ThreadSnapshot t) {
        counts[t.virtual() ? 1 : 0][t.state() == null ? STATES.length : t.state().ordinal()]++;
    }

    /** Threads of this kind in this state; {@code state} {@code null} for those of unknown state. */
    public long count(boolean virtual, Thread.State state) {
        return counts[virtual ? 1 : 0][state == null ? STATES.length : state.ordinal()];
    }

    /** Every thread counted. */
    public long total() {
        return count(false) + count(true);
    }

    /** Threads of this kind. */
    public long count(boolean virtual) {
        long n = 0;
        for (long c : counts[virtual ? 1 : 0]) {
            n += c;
        }
        return n;
    }
}
