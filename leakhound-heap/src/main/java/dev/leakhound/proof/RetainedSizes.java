package dev.leakhound.proof;

import dev.leakhound.hprof.index.HeapClass;
import dev.leakhound.hprof.index.HeapIndex;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Step 4, after {@link Grouping}: for each group of leaked threads, the bytes and objects that only it keeps alive:
 * reachable from its threads and frames, from nothing that runs, and from no other of these groups (what two groups
 * share counts in neither). Two walks: the first finds what two groups share (and so all that the shared objects
 * reach), the second counts each group's own objects and stops at shared ones.
 */
final class RetainedSizes {
    /** Groups whose retained size is computed, the largest first; the others get -1. */
    static final int MAX_GROUPS = 100;
    private static final String STACK_CHUNK = "jdk.internal.vm.StackChunk";

    private final Graph graph;
    private final HeapIndex index;
    private final Marking marking;
    private final FrameRefs frames;

    private final HeapClass stackChunk;
    private long[] visited;
    private final int stackMax;

    private RetainedSizes(Graph graph, Marking marking, FrameRefs frames, int stackMax) {
        this.stackMax = stackMax;
        this.graph = graph;
        this.index = graph.index();
        this.marking = marking;
        this.frames = frames;
        HeapClass c = index.classByName(STACK_CHUNK);
        this.stackChunk = c != null && index.hasField(c, "size") ? c : null;
    }

    /**
     * The bytes of an object: its shallow size, and for a {@code StackChunk} (a virtual thread's frames, which the
     * dump writes as no field) the stack it holds, {@code size} words of the dump's id size, as the JVM's own class
     * histogram counts it (within a few percent: the VM's own header fields are not in the dump).
     */
    long bytes(long id) throws IOException {
        long shallow = index.shallowSize(id);
        if (stackChunk != null && index.classOf(id) == stackChunk) {
            long words = index.fieldValue(id, "size");
            if (words > 0 && words < Integer.MAX_VALUE) {
                shallow += words * index.idSize();
            }
        }
        return shallow;
    }

    /** {@code {bytes, objects}} for each of the first {@value #MAX_GROUPS} groups. */
    static List<long[]> of(Graph graph, Marking marking, FrameRefs frames, List<List<WaitingThread>> groups,
                           int stackMax) throws IOException {
        List<List<WaitingThread>> first = groups.subList(0, Math.min(MAX_GROUPS, groups.size()));
        return new RetainedSizes(graph, marking, frames, stackMax).retained(first);
    }

    private List<long[]> retained(List<List<WaitingThread>> groups) throws IOException {
        long[] shared = null;                                 // no sharing with fewer than two groups
        if (groups.size() > 1) {
            long[] seen = Bits.forObjects(index.objectCount());
            long[] twice = Bits.forObjects(index.objectCount());
            for (List<WaitingThread> g : groups) {
                walkUnmarked(g, null, (id, ord) -> {
                    if (Bits.isSet(seen, ord)) {
                        Bits.set(twice, ord);
                    } else {
                        Bits.set(seen, ord);
                    }
                });
            }
            shared = twice;
        }
        List<long[]> result = new ArrayList<>();
        for (List<WaitingThread> g : groups) {
            long[] r = new long[2];
            walkUnmarked(g, shared, (id, ord) -> {
                r[0] += bytes(id);
                r[1]++;
            });
            result.add(r);
        }
        return result;
    }

    private interface ObjectVisitor {
        void visit(long id, long ordinal) throws IOException;
    }

    /**
     * Visits each object reachable from the group's threads and frames without passing a marked (live) object or one
     * in {@code stop}, once. An object is marked visited when added, so that the work list holds each at most once;
     * and it is bounded ({@link WorkList}).
     */
    private void walkUnmarked(List<WaitingThread> g, long[] stop, ObjectVisitor visitor) throws IOException {
        long[] visited = visitedBits();
        WorkList work = new WorkList(index.objectCount(), stackMax);
        java.util.function.LongConsumer addTarget = ord -> add(work, visited, stop, ord);
        java.util.function.LongConsumer addId = id -> graph.ordinalTo(id, addTarget);
        for (WaitingThread t : g) {
            addId.accept(t.objectId());
            frames.forEach(t.serial(), addId);
        }
        work.drain(ord -> {
            visitor.visit(index.idAt(ord), ord);
            graph.forEachTarget(ord, addTarget);
        });
    }

    private void add(WorkList work, long[] visited, long[] stop, long ord) {
        if (!marking.isLive(ord) && !Bits.isSet(visited, ord) && (stop == null || !Bits.isSet(stop, ord))) {
            Bits.set(visited, ord);
            work.add(ord);
        }
    }

    /** A cleared bit per object, the same array for every walk (one walk per group). */
    private long[] visitedBits() {
        if (visited == null) {
            visited = Bits.forObjects(index.objectCount());
        } else {
            java.util.Arrays.fill(visited, 0L);
        }
        return visited;
    }
}
