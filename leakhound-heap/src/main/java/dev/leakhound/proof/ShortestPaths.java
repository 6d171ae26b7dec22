package dev.leakhound.proof;

import dev.leakhound.hprof.index.HeapClass;
import dev.leakhound.hprof.index.HeapIndex;
import dev.leakhound.hprof.index.ObjectKind;
import dev.leakhound.hprof.index.ReferenceKind;
import dev.leakhound.proof.ProofResult.Path;
import dev.leakhound.proof.ProofResult.Root;
import dev.leakhound.proof.ProofResult.Step;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Step 5: for the rescued groups (and the pools they work for), the shortest chain of references from a seed of
 * the marking (a root, a running thread) to what rescued them, as a {@link Path}: root end first. When the chain
 * passes through a static field, the nearest one to the target is its root ("reachable from the static field
 * X.y"): what leads to that field only keeps its class loaded. Equal steps in a row are counted, not repeated. One
 * breadth-first walk with a parent per object (4 bytes per object of the dump, in pages) and a frontier of at most
 * 4 MB or a bit per object ({@link Frontier}), which stops once every target is found; not done above
 * {@link #MAX_OBJECTS}.
 */
final class ShortestPaths {
    /** Paths need 4 bytes per object of the dump (and the queue) while computed: above this many objects they are not. */
    static final long MAX_OBJECTS = 20_000_000;
    /** Targets (one per rescued group, the largest first) whose path is computed. */
    static final int MAX_TARGETS = 50;
    /** Steps of a path (after equal ones in a row are counted as one) kept from the root end. */
    static final int MAX_STEPS = 30;
    /** References followed back from a target towards its root at most. */
    static final int MAX_CHAIN = 1_000_000;

    private final Graph graph;
    private final HeapIndex index;

    private ShortestPaths(Graph graph) {
        this.graph = graph;
        this.index = graph.index();
    }

    /**
     * The path to each target that a seed reaches, by target; a target no seed reaches has none. Above
     * {@link #MAX_OBJECTS} objects, every target gets a path that says it was not traced.
     */
    static Map<Long, Path> find(Graph graph, List<Marking.Seed> seeds, Collection<Long> targets) throws IOException {
        return new ShortestPaths(graph).paths(seeds, targets);
    }

    /** Why the paths of groups after the first {@value #MAX_TARGETS} are not traced. */
    static Path notTracedBeyondTargets() {
        return Path.notTraced("not traced: paths are traced for the " + MAX_TARGETS + " largest groups only");
    }

    private Map<Long, Path> paths(List<Marking.Seed> seeds, Collection<Long> targets) throws IOException {
        Map<Long, Path> out = new HashMap<>();
        long n = index.objectCount();
        if (targets.isEmpty()) {
            return out;
        }
        if (n > MAX_OBJECTS) {
            Path tooMany = Path.notTraced(String.format(java.util.Locale.ROOT,
                    "not traced: the dump has %,d objects, more than the %,d paths are traced in", n, MAX_OBJECTS));
            for (long t : targets) {
                out.put(t, tooMany);
            }
            return out;
        }
        Parents parent = new Parents(n);
        Set<Long> wanted = new HashSet<>();
        for (long t : targets) {
            if (index.ordinal(t) >= 0) {
                wanted.add(t);
            }
        }
        // A target's path is settled once it is found (its parent, and theirs, never change): the walk stops as soon
        // as the last one is found rather than when it is visited, up to a level later (a level can be most of the
        // heap). The wanted ordinals, sorted, and a filter of their low bits: a check per object found without boxing
        // and, for nearly all, without a search.
        int[] wantedOrdinals = wanted.stream().mapToInt(t -> (int) index.ordinal(t)).sorted().toArray();
        long[] lowBits = new long[WANTED_FILTER_BITS / 64];
        for (int o : wantedOrdinals) {
            Bits.set(lowBits, o & (WANTED_FILTER_BITS - 1));
        }
        Frontier frontier = new Frontier(n);
        int[] found = {0};
        for (int s = 0; s < seeds.size(); s++) {
            long ord = index.ordinal(seeds.get(s).id());
            if (ord >= 0 && parent.get((int) ord) == -1) {
                parent.set((int) ord, -2 - s);
                frontier.add((int) ord);
                if (isWanted(lowBits, wantedOrdinals, (int) ord)) {
                    found[0]++;
                }
            }
        }
        int[] from = {0};
        java.util.function.LongConsumer discover = o -> {          // one for the walk, not one per object
            if (parent.get((int) o) == -1) {
                parent.set((int) o, from[0]);
                frontier.add((int) o);
                if (isWanted(lowBits, wantedOrdinals, (int) o)) {
                    found[0]++;
                }
            }
        };
        while (!frontier.isEmpty() && found[0] < wantedOrdinals.length) {
            frontier.nextLevel(ord -> {
                if (found[0] >= wantedOrdinals.length) {
                    return;
                }
                from[0] = ord;
                graph.forEachTarget(ord, discover);
            });
        }
        for (long target : wanted) {
            int ord = (int) index.ordinal(target);
            if (parent.get(ord) != -1) {
                out.put(target, path(parent, ord, seeds));
            }
        }
        return out;
    }

    /** Bits of the filter of wanted ordinals: at most 2 * {@value #MAX_TARGETS} of them set. */
    private static final int WANTED_FILTER_BITS = 4096;

    private static boolean isWanted(long[] lowBits, int[] wantedOrdinals, int ord) {
        return Bits.isSet(lowBits, ord & (WANTED_FILTER_BITS - 1)) && Arrays.binarySearch(wantedOrdinals, ord) >= 0;
    }

    /**
     * The parent of each object on the search (its ordinal, -2 - seed for a seed, -1 when not reached): 4 bytes per
     * object in 256 KB pages, so that no array is one huge block that a small heap cannot place.
     */
    private static final class Parents {
        private static final int SHIFT = 16;
        private final int[][] pages;

        Parents(long n) {
            pages = new int[(int) ((n + (1 << SHIFT) - 1) >>> SHIFT)][];
            for (int i = 0; i < pages.length; i++) {
                pages[i] = new int[(int) Math.min(1 << SHIFT, n - ((long) i << SHIFT))];
                Arrays.fill(pages[i], -1);
            }
        }

        int get(int ord) {
            return pages[ord >>> SHIFT][ord & ((1 << SHIFT) - 1)];
        }

        void set(int ord, int parent) {
            pages[ord >>> SHIFT][ord & ((1 << SHIFT) - 1)] = parent;
        }
    }

    /** What the walk does with each ordinal of a level. */
    private interface OrdinalVisitor {
        void visit(int ord) throws IOException;
    }

    /**
     * The breadth-first walk's frontier, level by level: the ordinals of the level, in the order found (as a queue
     * would give them), while they are at most {@value #LIST_MAX}; above that, a bit per object (in ordinal order),
     * so that the frontier never takes more than 4 MB or a bit per object, however wide a level is (a level of 19M
     * objects made a queue of 76 MB).
     */
    private static final class Frontier {
        static final int LIST_MAX = 1 << 20;
        private final long objects;
        private int[] list = new int[1024];
        private int size;
        private long[] bits;               // the level being built, when it outgrew the list
        private long[] spare;              // the other bit set, cleared, for reuse
        private int[] nextList = new int[1024];
        private int nextSize;
        private long[] nextBits;
        private boolean building;          // adding to the next level (during nextLevel) or to the first one

        Frontier(long objects) {
            this.objects = objects;
        }

        void add(int ord) {
            if (!building) {
                if (size == list.length) {
                    list = Arrays.copyOf(list, size * 2);
                }
                list[size++] = ord;                // the seeds: few
                return;
            }
            if (nextBits != null) {
                Bits.set(nextBits, ord);
                return;
            }
            if (nextSize == LIST_MAX) {
                nextBits = spare != null ? spare : Bits.forObjects(objects);
                spare = null;
                for (int i = 0; i < nextSize; i++) {
                    Bits.set(nextBits, nextList[i]);
                }
                nextSize = 0;
                Bits.set(nextBits, ord);
                return;
            }
            if (nextSize == nextList.length) {
                nextList = Arrays.copyOf(nextList, nextSize * 2);
            }
            nextList[nextSize++] = ord;
        }

        boolean isEmpty() {
            return size == 0 && bits == null;
        }

        /** Visits the current level; what the visitor adds is the next level, current once this returns. */
        void nextLevel(OrdinalVisitor visitor) throws IOException {
            building = true;
            if (bits != null) {
                for (int w = 0; w < bits.length; w++) {
                    for (long word = bits[w]; word != 0; word &= word - 1) {
                        visitor.visit(w * 64 + Long.numberOfTrailingZeros(word));
                    }
                }
                Arrays.fill(bits, 0L);
                spare = bits;
                bits = null;
            } else {
                for (int i = 0; i < size; i++) {
                    visitor.visit(list[i]);
                }
            }
            int[] t = list;
            list = nextList;
            nextList = t;
            size = nextSize;
            nextSize = 0;
            bits = nextBits;
            nextBits = null;
        }
    }

    /** The path from the root end to the object with that ordinal, along the parents. */
    private Path path(Parents parent, int ord, List<Marking.Seed> seeds) throws IOException {
        int[] chain = new int[16];
        int size = 0;
        int at = ord;
        for (; at >= 0; at = parent.get(at)) {
            if (size == MAX_CHAIN) {
                return Path.notTraced(String.format(java.util.Locale.ROOT,
                        "not traced: the chain of references to it is longer than %,d", MAX_CHAIN));
            }
            if (size == chain.length) {
                chain = Arrays.copyOf(chain, size * 2);
            }
            chain[size++] = at;
        }
        int seed = -2 - at;
        reverse(chain, size);

        // The root: the static field nearest to the target, else the seed.
        Root root = null;
        int start = 0;
        for (int k = size - 2; k >= 0 && root == null; k--) {
            long from = index.idAt(chain[k]);
            if (index.kindOf(from) == ObjectKind.CLASS) {
                Edge e = edge(from, index.idAt(chain[k + 1]));
                if (e.kind() == ReferenceKind.STATIC_FIELD) {
                    root = new Root(Root.Kind.STATIC_FIELD, describeClass(from) + "." + e.name(),
                            describe(index.idAt(chain[k + 1])));
                    start = k + 1;
                }
            }
        }
        if (root == null) {
            Marking.Seed s = seeds.get(seed);
            root = new Root(s.kind(), s.name(), describe(index.idAt(chain[0])));
        }

        List<Step> steps = new ArrayList<>();
        for (int k = start + 1; k < size; k++) {
            Edge e = edge(index.idAt(chain[k - 1]), index.idAt(chain[k]));
            Step step = new Step(e.via(), describe(index.idAt(chain[k])), 1);
            Step last = steps.isEmpty() ? null : steps.getLast();
            if (last != null && last.via().equals(step.via()) && last.to().equals(step.to())) {
                steps.set(steps.size() - 1, new Step(last.via(), last.to(), last.repeat() + 1));
            } else if (steps.size() == MAX_STEPS) {
                long left = size - k;
                return new Path(root, steps, left, "the path goes on: " + left + " more "
                        + (left == 1 ? "reference" : "references") + " to " + describe(index.idAt(chain[size - 1]))
                        + " not shown");
            } else {
                steps.add(step);
            }
        }
        return new Path(root, steps, 0, null);
    }

    private static void reverse(int[] a, int size) {
        for (int i = 0, j = size - 1; i < j; i++, j--) {
            int x = a[i];
            a[i] = a[j];
            a[j] = x;
        }
    }

    /** A reference: its kind ({@code null} for a local of a thread's frames), its field's name, and in words. */
    private record Edge(ReferenceKind kind, String name, String via) {
    }

    /** {@code .field}, {@code .field (static)}, {@code [3]}, or {@code (a local of its thread's frames)}. */
    private Edge edge(long from, long to) throws IOException {
        Edge[] found = {null};
        index.forEachReference(from, (target, kind, owner, i) -> {
            if (found[0] == null && target == to) {
                found[0] = switch (kind) {
                    case FIELD -> new Edge(kind, owner.fieldNames().get(i), "." + owner.fieldNames().get(i));
                    case STATIC_FIELD -> new Edge(kind, owner.staticFieldNames().get(i),
                            "." + owner.staticFieldNames().get(i) + " (static)");
                    case ARRAY_ELEMENT -> new Edge(kind, null, "[" + i + "]");
                    case CLASS -> new Edge(kind, null, " (its class)");
                    case SUPER_CLASS -> new Edge(kind, null, " (super class)");
                    case CLASS_LOADER -> new Edge(kind, null, " (class loader)");
                };
            }
        });
        return found[0] != null ? found[0] : new Edge(null, null, " (a local of its thread's frames)");
    }

    /** An object for a path: its class, or for a class object {@code class NAME}. */
    private String describe(long id) {
        if (index.kindOf(id) == ObjectKind.CLASS) {
            return "class " + describeClass(id);
        }
        return graph.className(id);
    }

    private String describeClass(long id) {
        HeapClass c = index.classById(id);
        return c == null ? "?" : c.name();
    }
}
