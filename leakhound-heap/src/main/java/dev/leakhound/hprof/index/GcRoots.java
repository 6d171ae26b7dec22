package dev.leakhound.hprof.index;

import dev.leakhound.hprof.RootKind;

import java.util.Arrays;

/**
 * The dump's GC root records, in file order ({@link HeapIndex#roots()}): parallel primitive arrays, 21 bytes a root.
 */
public final class GcRoots {
    private static final RootKind[] KINDS = RootKind.values();

    private byte[] kinds = new byte[1024];
    private long[] ids = new long[1024];
    private int[] serials = new int[1024];
    private long[] extras = new long[1024];
    private int size;

    void add(RootKind kind, long id, int serial, long extra) {
        if (size == ids.length) {
            int n = size * 2;
            kinds = Arrays.copyOf(kinds, n);
            ids = Arrays.copyOf(ids, n);
            serials = Arrays.copyOf(serials, n);
            extras = Arrays.copyOf(extras, n);
        }
        kinds[size] = (byte) kind.ordinal();
        ids[size] = id;
        serials[size] = serial;
        extras[size] = extra;
        size++;
    }

    /** Drops the room left for more: after the pass, the arrays are up to twice what they hold. */
    void trim() {
        kinds = Arrays.copyOf(kinds, size);
        ids = Arrays.copyOf(ids, size);
        serials = Arrays.copyOf(serials, size);
        extras = Arrays.copyOf(extras, size);
    }

    public int size() {
        return size;
    }

    public RootKind kind(int i) {
        return KINDS[kinds[check(i)]];
    }

    public long objectId(int i) {
        return ids[check(i)];
    }

    /** The thread serial number, -1 for kinds without one. */
    public int threadSerial(int i) {
        return serials[check(i)];
    }

    /** Frame depth (JAVA_FRAME, JNI_LOCAL), stack trace serial (THREAD_OBJECT), JNI global ref id, else -1. */
    public long extra(int i) {
        return extras[check(i)];
    }

    private int check(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException(i);
        }
        return i;
    }
}
