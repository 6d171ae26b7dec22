package dev.leakhound.proof;

import dev.leakhound.hprof.index.HeapFrame;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Step 4: threads grouped by how they wait, the class of their blocker and their stack, in order of first thread. */
final class Grouping {
    private Grouping() {
    }

    /**
     * Threads that wait alike and print alike: the same wait kind, blocker class and stack as printed (frames that
     * differ only in what is not printed, a signature, group together).
     */
    static List<List<WaitingThread>> group(Graph graph, Collection<WaitingThread> threads) {
        Map<String, List<WaitingThread>> groups = new LinkedHashMap<>();
        // The printed key is made once per distinct (kind, blocker class, stack), not per thread: 100k threads made
        // 100k texts of their stacks, half a gigabyte of garbage.
        Map<Alike, List<WaitingThread>> groupOf = new HashMap<>();
        for (WaitingThread t : threads) {
            Alike alike = new Alike(t.waitKind(), blockerClass(graph, t), t.stack());
            List<WaitingThread> g = groupOf.get(alike);
            if (g == null) {
                String key = alike.waitKind() + "|" + alike.blockerClass() + "|" + alike.stack();
                g = groups.computeIfAbsent(key, k -> new ArrayList<>());
                groupOf.put(alike, g);
            }
            g.add(t);
        }
        return new ArrayList<>(groups.values());
    }

    /**
     * The stack compared by identity: equal stacks are one list (DumpThreads), and two equal ones that were not would
     * still meet in the printed key. Hashing the frames' names for each of 100k threads was what sharing saved.
     */
    private record Alike(WaitingThread.Wait waitKind, String blockerClass, List<HeapFrame> stack) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Alike a && a.waitKind == waitKind && java.util.Objects.equals(a.blockerClass, blockerClass)
                    && a.stack == stack;
        }

        @Override
        public int hashCode() {
            return (waitKind.hashCode() * 31 + java.util.Objects.hashCode(blockerClass)) * 31
                    + System.identityHashCode(stack);
        }
    }

    /** The class of what the thread is parked on, or {@code null}. */
    static String blockerClass(Graph graph, WaitingThread t) {
        return t.blockerId() == 0 ? null : graph.className(t.blockerId());
    }
}
