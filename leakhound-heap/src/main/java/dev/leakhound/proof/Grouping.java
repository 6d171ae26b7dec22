package dev.leakhound.proof;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Step 4: threads grouped by how they wait, the class of their blocker and their stack, in order of first thread. */
final class Grouping {
    private Grouping() {
    }

    static List<List<WaitingThread>> group(Graph graph, Collection<WaitingThread> threads) {
        Map<String, List<WaitingThread>> groups = new LinkedHashMap<>();
        for (WaitingThread t : threads) {
            String key = t.waitKind() + "|" + blockerClass(graph, t) + "|" + t.stack();
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(t);
        }
        return new ArrayList<>(groups.values());
    }

    /** The class of what the thread is parked on, or {@code null}. */
    static String blockerClass(Graph graph, WaitingThread t) {
        return t.blockerId() == 0 ? null : graph.className(t.blockerId());
    }
}
