package dev.leakhound.proof;

import dev.leakhound.hprof.index.HeapClass;
import dev.leakhound.hprof.index.HeapIndex;
import dev.leakhound.hprof.index.ObjectKind;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Step 5: for the rescued groups, the shortest chain of references from a seed of the marking (a root, a running
 * thread) to what rescued them, in words: the live end first, then one step per reference. One breadth-first walk
 * with a parent per object and a queue (8 bytes per object of the dump; skipped above {@link #MAX_OBJECTS}).
 */
final class ShortestPaths {
    /** Paths need 8 bytes per object of the dump while they are computed: above this many objects they are not. */
    static final long MAX_OBJECTS = 20_000_000;
    /** Targets (one per rescued group, the largest first) whose path is computed. */
    static final int MAX_TARGETS = 50;
    private static final int MAX_LENGTH = 40;

    private final Graph graph;
    private final HeapIndex index;

    private ShortestPaths(Graph graph) {
        this.graph = graph;
        this.index = graph.index();
    }

    /** The path to each of the first {@value #MAX_TARGETS} targets that a seed reaches, by target. */
    static Map<Long, List<String>> find(Graph graph, List<Marking.Seed> seeds, List<Long> targets) throws IOException {
        return new ShortestPaths(graph).paths(seeds, targets.subList(0, Math.min(MAX_TARGETS, targets.size())));
    }

    private Map<Long, List<String>> paths(List<Marking.Seed> seeds, List<Long> targets) throws IOException {
        Map<Long, List<String>> out = new HashMap<>();
        long n = index.objectCount();
        if (targets.isEmpty() || n > MAX_OBJECTS) {
            return out;
        }
        int[] parent = new int[(int) n];
        java.util.Arrays.fill(parent, -1);
        Set<Long> wanted = new HashSet<>();
        for (long t : targets) {
            if (index.ordinal(t) >= 0) {
                wanted.add(t);
            }
        }
        int[] queue = new int[(int) n];
        int head = 0;
        int tail = 0;
        for (int s = 0; s < seeds.size(); s++) {
            long ord = index.ordinal(seeds.get(s).id());
            if (ord >= 0 && parent[(int) ord] == -1) {
                parent[(int) ord] = -2 - s;
                queue[tail++] = (int) ord;
            }
        }
        int found = 0;
        while (head < tail && found < wanted.size()) {
            int ord = queue[head++];
            long id = index.idAt(ord);
            if (wanted.contains(id)) {
                found++;
            }
            int[] t = {tail};
            graph.forEachTarget(ord, target -> {
                long o = index.ordinal(target);
                if (o >= 0 && parent[(int) o] == -1) {
                    parent[(int) o] = ord;
                    queue[t[0]++] = (int) o;
                }
            });
            tail = t[0];
        }
        for (long target : wanted) {
            int ord = (int) index.ordinal(target);
            if (parent[ord] == -1) {
                continue;
            }
            List<Integer> chain = new ArrayList<>();
            int at = ord;
            for (; at >= 0 && chain.size() <= MAX_LENGTH; at = parent[at]) {
                chain.add(0, at);
            }
            boolean cut = at >= 0;                            // the live end is further than MAX_LENGTH steps
            int seed = -2 - parent[chain.get(0)];
            List<String> path = new ArrayList<>();
            path.add(cut ? "... (more steps from something live) ... " + describe(index.idAt(chain.get(0)))
                    : seed >= 0 && seed < seeds.size() ? seeds.get(seed).what() + ": " + describe(index.idAt(chain.get(0)))
                    : describe(index.idAt(chain.get(0))));
            for (int k = 1; k < chain.size(); k++) {
                path.add(edge(index.idAt(chain.get(k - 1)), index.idAt(chain.get(k))));
            }
            out.put(target, List.copyOf(path));
        }
        return out;
    }

    /** {@code .field -> Class}, {@code [3] -> Class}, or {@code (a local of its frames) -> Class}. */
    private String edge(long from, long to) throws IOException {
        String[] name = {null};
        index.forEachReference(from, (target, kind, owner, i) -> {
            if (name[0] == null && target == to) {
                name[0] = switch (kind) {
                    case FIELD -> "." + owner.fieldNames().get(i);
                    case STATIC_FIELD -> "." + owner.staticFieldNames().get(i) + " (static)";
                    case ARRAY_ELEMENT -> "[" + i + "]";
                    case CLASS -> " (its class)";
                    case SUPER_CLASS -> " (super class)";
                    case CLASS_LOADER -> " (class loader)";
                };
            }
        });
        return (name[0] != null ? name[0] : " (a local of its thread's frames)") + " -> " + describe(to);
    }

    /** An object for a path: its class, or for a class object {@code class NAME}. */
    private String describe(long id) {
        if (index.kindOf(id) == ObjectKind.CLASS) {
            HeapClass c = index.classById(id);
            return "class " + (c == null ? "?" : c.name());
        }
        return graph.className(id);
    }
}
