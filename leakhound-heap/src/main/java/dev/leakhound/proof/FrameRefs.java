package dev.leakhound.proof;

import dev.leakhound.hprof.RootKind;
import dev.leakhound.hprof.index.GcRoots;
import dev.leakhound.hprof.index.HeapIndex;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The objects each thread's frames hold, by thread serial: the dump's JAVA_FRAME, JNI_LOCAL, NATIVE_STACK and
 * THREAD_BLOCK roots, each with its frame depth (-1 when not a frame's): 12 bytes each.
 */
final class FrameRefs {
    private static final long[] NONE = new long[0];

    private final Map<Integer, Held> bySerial = new HashMap<>();

    private FrameRefs() {
    }

    static FrameRefs read(GcRoots roots) {
        FrameRefs refs = new FrameRefs();
        for (int i = 0; i < roots.size(); i++) {
            RootKind kind = roots.kind(i);
            if (kind == RootKind.JAVA_FRAME || kind == RootKind.JNI_LOCAL || kind == RootKind.NATIVE_STACK
                    || kind == RootKind.THREAD_BLOCK) {
                refs.bySerial.computeIfAbsent(roots.threadSerial(i), k -> new Held())
                        .add(roots.objectId(i), kind == RootKind.JAVA_FRAME ? (int) roots.extra(i) : -1);
            }
        }
        return refs;
    }

    /** Every object the frames of the thread with that serial hold (a new array; empty when none). */
    long[] of(int threadSerial) {
        Held h = bySerial.get(threadSerial);
        return h == null ? NONE.clone() : java.util.Arrays.copyOf(h.ids, h.size);
    }

    /** The objects its frame at that depth holds, or {@code null} when none. */
    List<Long> atDepth(int threadSerial, int depth) {
        Held h = bySerial.get(threadSerial);
        if (h == null) {
            return null;
        }
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < h.size; i++) {
            if (h.depths[i] == depth) {
                out.add(h.ids[i]);
            }
        }
        return out.isEmpty() ? null : out;
    }

    private static final class Held {
        long[] ids = new long[8];
        int[] depths = new int[8];
        int size;

        void add(long id, int depth) {
            if (size == ids.length) {
                ids = java.util.Arrays.copyOf(ids, size * 2);
                depths = java.util.Arrays.copyOf(depths, size * 2);
            }
            ids[size] = id;
            depths[size++] = depth;
        }
    }
}
