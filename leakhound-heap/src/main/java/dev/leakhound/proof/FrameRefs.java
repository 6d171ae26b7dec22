package dev.leakhound.proof;

import dev.leakhound.hprof.RootKind;
import dev.leakhound.hprof.index.GcRoots;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * The objects each thread's frames hold, by thread serial: the dump's JAVA_FRAME, JNI_LOCAL, NATIVE_STACK and
 * THREAD_BLOCK roots, each with its frame depth (-1 when not a frame's). Flat: the places of those roots in
 * {@link GcRoots}, sorted by thread serial, and a directory of the serials with where each one's roots start (4 bytes
 * a root, 8 a thread; no object per thread: a dump of 100k threads holds 1.5 million such roots).
 */
final class FrameRefs {
    private final GcRoots roots;
    private final int[] serials;     // the distinct serials, ascending
    private final int[] starts;      // where each serial's roots start in places; one more entry: the end
    private final int[] places;      // the roots' places in GcRoots

    private FrameRefs(GcRoots roots, int[] serials, int[] starts, int[] places) {
        this.roots = roots;
        this.serials = serials;
        this.starts = starts;
        this.places = places;
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
        int[] places = new int[n];
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
            places[j] = i;
        }
        starts[distinct] = n;
        return new FrameRefs(roots, serials, starts, places);
    }

    private static boolean isFrameRoot(RootKind kind) {
        return kind == RootKind.JAVA_FRAME || kind == RootKind.JNI_LOCAL || kind == RootKind.NATIVE_STACK
                || kind == RootKind.THREAD_BLOCK;
    }

    /** The place of the serial in the directory, or a negative number. */
    private int find(int threadSerial) {
        return Arrays.binarySearch(serials, threadSerial);
    }

    /** Gives every object the frames of the thread with that serial hold, without a copy. */
    void forEach(int threadSerial, LongConsumer visitor) {
        int s = find(threadSerial);
        if (s >= 0) {
            for (int j = starts[s]; j < starts[s + 1]; j++) {
                visitor.accept(roots.objectId(places[j]));
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
            int r = places[j];
            if (roots.kind(r) == RootKind.JAVA_FRAME && roots.extra(r) == depth) {
                out.add(roots.objectId(r));
            }
        }
        return out.isEmpty() ? null : out;
    }
}
