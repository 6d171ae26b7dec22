package dev.leakhound.proof;

import dev.leakhound.hprof.index.HeapClass;
import dev.leakhound.hprof.index.HeapIndex;
import dev.leakhound.hprof.index.ReferenceKind;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * The heap as the proof walks it: an object's references, less the {@link Exclusions}, and for a virtual thread whose
 * frames are followed from its {@code Thread} object (as the GC does), what those frames hold. Marking, retained
 * sizes and shortest paths all walk this one graph.
 */
final class Graph {
    private final HeapIndex index;
    private final Exclusions exclusions;
    private final FrameRefs frames;
    /** The thread objects' ordinals, ascending, and the serial of each: to find a followed thread's frames. */
    private final long[] threadOrdinals;
    private final int[] threadSerials;
    /** The virtual threads whose frames are followed from their thread objects, by ordinal. */
    private final long[] withFrames;

    Graph(HeapIndex index, Exclusions exclusions, FrameRefs frames, List<WaitingThread> threads) {
        this.index = index;
        this.exclusions = exclusions;
        this.frames = frames;
        this.withFrames = Bits.forObjects(index.objectCount());
        long[] byOrdinal = new long[threads.size()];          // ordinal (high), place in the list (low)
        int n = 0;
        for (int i = 0; i < threads.size(); i++) {
            long ord = index.ordinal(threads.get(i).objectId());
            if (ord >= 0) {
                byOrdinal[n++] = ord << 24 | i;
            }
        }
        Arrays.sort(byOrdinal, 0, n);
        threadOrdinals = new long[n];
        threadSerials = new int[n];
        for (int j = 0; j < n; j++) {
            threadOrdinals[j] = byOrdinal[j] >>> 24;
            threadSerials[j] = threads.get((int) (byOrdinal[j] & ((1 << 24) - 1))).serial();
        }
    }

    HeapIndex index() {
        return index;
    }

    /** From now on, the objects its frames hold are followed from the thread's object (one of the dump's threads). */
    void followFrames(WaitingThread thread) {
        long ord = index.ordinal(thread.objectId());
        if (ord >= 0) {
            Bits.set(withFrames, ord);
        }
    }

    /**
     * Gives the ordinal of every object the object with that ordinal leads to (that the dump holds): its references
     * that are not excluded, then the objects of the frames followed from it. A reference to a class (an instance's
     * own, the most frequent) takes the class's ordinal looked up once per class, not the id's.
     */
    void forEachTarget(long ord, LongConsumer target) throws IOException {
        HeapClass outerFrom = from;
        LongConsumer outerTarget = this.target;
        from = index.classOfOrdinal(ord);
        this.target = target;
        try {
            index.forEachReferenceOfOrdinal(ord, filter);
        } finally {
            from = outerFrom;
            this.target = outerTarget;
        }
        if (Bits.isSet(withFrames, ord)) {
            int t = Arrays.binarySearch(threadOrdinals, ord);
            if (t >= 0) {
                frames.forEach(threadSerials[t], id -> ordinalTo(id, target));
            }
        }
    }

    // One visitor for every call of forEachTarget, reading the call's object and consumer from these fields: a
    // lambda capturing them was an allocation per object walked (19M objects, 1 GB of garbage for a small heap).
    private HeapClass from;
    private LongConsumer target;
    private final HeapIndex.ReferenceVisitor filter = this::reference;

    private void reference(long id, ReferenceKind kind, HeapClass owner, int i) {
        if (!exclusions.excluded(from, kind, owner, i)) {
            long o = kind == ReferenceKind.CLASS ? classOrdinal(owner) : index.ordinal(id);
            if (o >= 0) {
                target.accept(o);
            }
        }
    }

    /** The ordinal of a class's object (-1 when the dump has none), looked up once per class. */
    private long classOrdinal(HeapClass c) {
        int k = c.index();
        if (k >= classOrdinals.length) {
            int n = classOrdinals.length;
            classOrdinals = Arrays.copyOf(classOrdinals, Math.max(k + 1, 2 * n));
            Arrays.fill(classOrdinals, n, classOrdinals.length, UNKNOWN);
        }
        long o = classOrdinals[k];
        if (o == UNKNOWN) {
            o = index.ordinal(c.id());
            classOrdinals[k] = o;
        }
        return o;
    }

    private static final long UNKNOWN = -2;
    private long[] classOrdinals = new long[0];

    /** Gives the object's ordinal when the dump holds it. */
    void ordinalTo(long id, LongConsumer target) {
        long o = index.ordinal(id);
        if (o >= 0) {
            target.accept(o);
        }
    }

    /** The name of the object's class, or {@code ?}. */
    String className(long id) {
        HeapClass c = index.classOf(id);
        return c == null ? "?" : c.name();
    }
}
