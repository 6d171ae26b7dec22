package dev.leakhound.proof;

import java.io.IOException;

/**
 * The objects a walk has still to follow, by ordinal: a stack of at most {@code max} entries, and what comes past it
 * in a bit set over all objects, taken in ordinal order once the stack is empty. Its memory is bounded by
 * {@code max} and a bit per object whatever the graph's shape: a stack of all that waits grew to 16M entries (128 MB,
 * and twice that copied while it grew) on a dump of arrays of long chains. The caller keeps an object from being
 * added twice (its own mark).
 */
final class WorkList {
    /** The stack's entries at most, by default (8 MB). */
    static final int MAX = 1 << 20;

    /** Follows one object: adds what it reaches to the list. */
    interface Follow {
        void follow(long ordinal) throws IOException;
    }

    private final LongStack stack = new LongStack();
    private final long objects;
    private final int max;
    /** Added past the stack's bound, a bit per object once needed; whether any is set. */
    private long[] overflow;
    private boolean overflowed;

    WorkList(long objects, int max) {
        this.objects = objects;
        this.max = max;
    }

    void add(long ordinal) {
        if (stack.size() < max) {
            stack.push(ordinal);
            return;
        }
        if (overflow == null) {
            overflow = Bits.forObjects(objects);
        }
        Bits.set(overflow, ordinal);
        overflowed = true;
    }

    /** Follows the stack, then what overflowed it, in ordinal order, until neither holds any. */
    void drain(Follow follow) throws IOException {
        drainStack(follow);
        while (overflowed) {
            overflowed = false;
            for (int w = 0; w < overflow.length; w++) {
                long word = overflow[w];
                overflow[w] = 0;                                      // what overflows from here on waits again
                for (; word != 0; word &= word - 1) {
                    stack.push(w * 64L + Long.numberOfTrailingZeros(word));
                    drainStack(follow);
                }
            }
        }
    }

    /** Drops the bit set, once the walk is done (the next {@link #add} past the bound makes it again). */
    void release() {
        overflow = null;
        overflowed = false;
    }

    private void drainStack(Follow follow) throws IOException {
        while (!stack.isEmpty()) {
            follow.follow(stack.pop());
        }
    }
}
