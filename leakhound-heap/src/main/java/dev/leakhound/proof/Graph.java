package dev.leakhound.proof;

import dev.leakhound.hprof.index.HeapClass;
import dev.leakhound.hprof.index.HeapIndex;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * The heap as the proof walks it: an object's references, less the {@link Exclusions}, and for a virtual thread whose
 * frames are followed from its {@code Thread} object (as the GC does), what those frames hold. Marking, retained
 * sizes and shortest paths all walk this one graph.
 */
final class Graph {
    private static final long[] NO_IDS = new long[0];

    private final HeapIndex index;
    private final Exclusions exclusions;
    /** The frames of virtual threads, followed from their thread objects; {@link #withFrames} says which ordinals. */
    private final Map<Long, long[]> framesOfVirtual = new HashMap<>();
    private final long[] withFrames;

    Graph(HeapIndex index, Exclusions exclusions) {
        this.index = index;
        this.exclusions = exclusions;
        this.withFrames = Bits.forObjects(index.objectCount());
    }

    HeapIndex index() {
        return index;
    }

    /** From now on, the objects {@code frames} are followed from the thread object {@code threadId}. */
    void followFrames(long threadId, long[] frames) {
        framesOfVirtual.put(threadId, frames);
        long ord = index.ordinal(threadId);
        if (ord >= 0) {
            Bits.set(withFrames, ord);
        }
    }

    /**
     * Gives the id of every object the object with that ordinal leads to: its references that are not excluded, then
     * the objects of the frames followed from it.
     */
    void forEachTarget(long ord, LongConsumer target) throws IOException {
        HeapClass from = index.classOfOrdinal(ord);
        index.forEachReferenceOfOrdinal(ord, (id, kind, owner, i) -> {
            if (!exclusions.excluded(from, kind, owner, i)) {
                target.accept(id);
            }
        });
        for (long o : framesOf(ord)) {
            target.accept(o);
        }
    }

    /** The frames followed from the object with that ordinal: a virtual thread's; else none. */
    private long[] framesOf(long ord) {
        long[] f = Bits.isSet(withFrames, ord) ? framesOfVirtual.get(index.idAt(ord)) : null;
        return f == null ? NO_IDS : f;
    }

    /** The name of the object's class, or {@code ?}. */
    String className(long id) {
        HeapClass c = index.classOf(id);
        return c == null ? "?" : c.name();
    }
}
