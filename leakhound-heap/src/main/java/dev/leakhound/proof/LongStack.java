package dev.leakhound.proof;

/** A growable stack of longs (object ordinals), without boxing. */
final class LongStack {
    private long[] items = new long[1024];
    private int size;

    void push(long v) {
        if (size == items.length) {
            items = java.util.Arrays.copyOf(items, size * 2);
        }
        items[size++] = v;
    }

    long pop() {
        return items[--size];
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }
}
