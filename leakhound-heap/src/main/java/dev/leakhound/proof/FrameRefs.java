package dev.leakhound.proof;

import dev.leakhound.hprof.RootKind;
import dev.leakhound.hprof.index.GcRoots;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * The objects each thread's frames hold, by thread serial: the dump's JAVA_FRAME, JNI_LOCAL, NATIVE_STACK and
 * THREAD_BLOCK roots, each with its frame depth (-1 when not a frame's). Flat: the roots sorted by thread serial in
 * two arrays, and a directory of the serials with where each one's roots start (12 bytes a root, 8 a thread; no
 * object per thread: a dump of 100k threads holds a million such roots).
 */
final class FrameRefs {
    private static final long[] NONE = new long[0];

    private final int[] serials;     // the distinct serials, ascending
    private final int[] starts;      // where each serial's roots start in ids/depths; one more entry: the end
    private final long[] ids;
    private final int[] depths;

    private FrameRefs(int[] serials, int[] starts, long[] ids, int[] depths) {
        this.serials = serials;
        this.starts = starts;
        this.ids = ids;
        this.depths = depths;
    }

    static FrameRefs read(GcRoots roots) {
        int n = 0;
        for (int i = 0; i < roots.size(); i++) {
            if (isFrameRoot(roots.kind(i))) {
                n++;
            }
        }
        long[] order = new long[n];                       // serial (high), root index (low): sorted, stable
        int k = 0;
        for (int i = 0; i < roots.size(); i++) {
            if (isFrameRoot(roots.kind(i))) {
                order[k++] = (long) roots.threadSerial(i) << 32 | i;
            }
        }
        Arrays.sort(order);
        long[] ids = new long[n];
        int[] depths = new int[n];
        int distinct = 0;
        for (int j = 0; j < n; j++) {
            if (j == 0 || (int) (order[j] >> 32) != (int) (order[j - 1] >> 32)) {
                distinct++;
            }
        }
        int[] serials = new int[distinct];
        int[] starts = new int[distinct + 1];
        int d = -1;
        for (int j = 0; j < n; j++) {
            int serial = (int) (order[j] >> 32);
            int i = (int) order[j];
            if (d < 0 || serials[d] != serial) {
                serials[++d] = serial;
                starts[d] = j;
            }
            ids[j] = roots.objectId(i);
            depths[j] = roots.kind(i) == RootKind.JAVA_FRAME ? (int) roots.extra(i) : -1;
        }
        starts[distinct] = n;
        return new FrameRefs(serials, starts, ids, depths);
    }

    private static boolean isFrameRoot(RootKind kind) {
        return kind == RootKind.JAVA_FRAME || kind == RootKind.JNI_LOCAL || kind == RootKind.NATIVE_STACK
                || kind == RootKind.THREAD_BLOCK;
    }

    /** The place of the serial in the directory, or a negative number. */
    private int find(int threadSerial) {
        return Arrays.binarySearch(serials, threadSerial);
    }

    /** Every object the frames of the thread with that serial hold (a new array; empty when none). */
    long[] of(int threadSerial) {
        int s = find(threadSerial);
        return s < 0 ? NONE.clone() : Arrays.copyOfRange(ids, starts[s], starts[s + 1]);
    }

    /** Gives every object the frames of the thread with that serial hold, without a copy. */
    void forEach(int threadSerial, LongConsumer visitor) {
        int s = find(threadSerial);
        if (s >= 0) {
            for (int j = starts[s]; j < starts[s + 1]; j++) {
                visitor.accept(ids[j]);
            }
        }
    }

    /** The objects its frame at that depth holds, or {@code null} when none. */
    List<Long> atDepth(int threadSerial, int depth) {
        int s = find(threadSerial);
        if (s < 0) {
            return null;
        }
        List<Long> out = new ArrayList<>();
        for (int j = starts[s]; j < starts[s + 1]; j++) {
            if (depths[j] == depth) {
                out.add(ids[j]);
            }
        }
        return out.isEmpty() ? null : out;
    }
}
