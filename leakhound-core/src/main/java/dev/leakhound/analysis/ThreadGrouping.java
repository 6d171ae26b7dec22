package dev.leakhound.analysis;

import dev.leakhound.model.Blocker;
import dev.leakhound.model.StackFrame;
import dev.leakhound.model.ThreadSnapshot;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Groups threads by state, blocker class and stack, largest group first (pprof's {@code debug=1}): by what blocks
 * them. Where the agent recorded where they were started, a group lists its start sites with their counts
 * ({@link StackGroup#startSites()}) rather than being split by them: one leak reached from several places (tests
 * calling one service, threads started before and after {@code leakhound attach}) is one group.
 */
public final class ThreadGrouping {
    /** Distinct start sites counted per group; the threads of any more count in {@link StackGroup#otherStartSites()}. */
    public static final int MAX_START_SITES = 100;

    private ThreadGrouping() {
    }

    /** Stacks in a key are canonical (one instance per distinct stack), so they compare by identity. */
    private record Key(Thread.State state, Blocker.Kind kind, String blockerClass, List<StackFrame> stack) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.stack == stack && k.state == state
                    && k.kind == kind && Objects.equals(k.blockerClass, blockerClass);
        }

        @Override
        public int hashCode() {
            return Objects.hash(state, kind, blockerClass) * 31 + System.identityHashCode(stack);
        }
    }

    /**
     * Groups the threads, keeping every one. Groups of equal size keep the order in which their first thread
     * appears.
     */
    public static List<StackGroup> group(Collection<ThreadSnapshot> threads) {
        Accumulator a = new Accumulator(Integer.MAX_VALUE, Integer.MAX_VALUE);
        for (ThreadSnapshot t : threads) {
            a.accept(t);
        }
        return a.groups();
    }

    /**
     * The groups blocked with no timeout, largest first: what may be leaked. {@link Suspects} sets idle pools and JDK
     * daemons apart from them, names their patterns and ranks them.
     */
    public static List<StackGroup> suspects(List<StackGroup> groups) {
        return groups.stream().filter(Objects::nonNull).filter(StackGroup::blockedWithoutTimeout).toList();
    }

    /**
     * Groups threads handed over one at a time (e.g. by {@link dev.leakhound.capture.ThreadDumpReader#stream}),
     * as {@link #group(Collection)} does. {@link #bounded()} keeps every thread until {@value #KEEP_ALL} have come,
     * then only the first {@value #EXAMPLES} of each group (the counts stay exact): its memory then follows the
     * number of groups, not of threads. Not thread-safe.
     */
    public static final class Accumulator implements Consumer<ThreadSnapshot> {
        /** Threads kept in all before {@link #bounded()} keeps examples only. */
        public static final int KEEP_ALL = 100_000;
        /** Threads kept per group once there are more than {@link #KEEP_ALL}: as many as a text report lists. */
        public static final int EXAMPLES = 10;

        private final int keepAll;
        private final int examples;
        // Parsers share equal stacks, so look stacks up by identity first and hash each distinct list once.
        private final Map<List<StackFrame>, List<StackFrame>> canonical = new IdentityHashMap<>();
        private final Map<List<StackFrame>, List<StackFrame>> byValue = new HashMap<>();
        private final Map<Key, Members> groups = new HashMap<>();
        private final List<Members> order = new ArrayList<>();
        private long kept;
        private boolean trimmed;

        private Accumulator(int keepAll, int examples) {
            this.keepAll = keepAll;
            this.examples = examples;
        }

        /** Keeps every thread up to {@value #KEEP_ALL}, then {@value #EXAMPLES} a group. */
        public static Accumulator bounded() {
            return new Accumulator(KEEP_ALL, EXAMPLES);
        }

        @Override
        public void accept(ThreadSnapshot t) {
            List<StackFrame> stack = canonical.get(t.stack());
            if (stack == null) {
                stack = byValue.computeIfAbsent(t.stack(), s -> s);
                canonical.put(t.stack(), stack);
            }
            Blocker b = t.blocker();
            Key key = new Key(t.state(), b == null ? null : b.kind(), b == null ? null : b.className(), stack);
            Members m = groups.get(key);
            if (m == null) {
                m = new Members(key);
                groups.put(key, m);
                order.add(m);
            }
            m.count++;
            if (t.virtual()) {
                m.virtual++;
            }
            m.starts.add(t.creationSite());
            if (!trimmed || m.threads.size() < examples) {
                m.threads.add(t);
                if (++kept > keepAll && !trimmed) {
                    trim();
                }
            }
        }

        /** From now on, examples only. */
        private void trim() {
            trimmed = true;
            for (Members m : order) {
                if (m.threads.size() > examples) {
                    m.threads.subList(examples, m.threads.size()).clear();
                    m.threads.trimToSize();
                }
            }
        }

        /** The groups so far, largest first; groups of equal size in the order their first thread came. */
        public List<StackGroup> groups() {
            List<StackGroup> out = new ArrayList<>(order.size());
            for (Members m : order) {
                Key k = m.key;
                out.add(new StackGroup(k.state(), k.kind(), k.blockerClass(), k.stack(), m.threads, m.count, m.virtual,
                        m.starts.sites(), m.starts.without, m.starts.other));
            }
            out.sort(Comparator.comparingInt(StackGroup::count).reversed()); // stable: ties keep first appearance
            return out;
        }

        private static final class Members {
            final Key key;
            final ArrayList<ThreadSnapshot> threads = new ArrayList<>();
            final StartCounts starts = new StartCounts();
            int count;
            long virtual;

            Members(Key key) {
                this.key = key;
            }
        }
    }

    /**
     * The start sites of a group's threads, by {@link dev.leakhound.model.CreationSite#groupingKey()} (the starting
     * line and its caller), with an example site (the first thread's) and a count each; at most
     * {@value #MAX_START_SITES} of them, the threads of any more counted apart.
     */
    static final class StartCounts {
        private final Map<List<StackFrame>, StackGroup.StartSite> sites = new java.util.LinkedHashMap<>();
        int without;
        int other;

        void add(dev.leakhound.model.CreationSite site) {
            if (site == null || site.startingFrame() == null) {
                without++;
                return;
            }
            List<StackFrame> key = site.groupingKey();
            StackGroup.StartSite known = sites.get(key);
            if (known != null) {
                sites.put(key, new StackGroup.StartSite(known.site(), known.count() + 1));
            } else if (sites.size() < MAX_START_SITES) {
                sites.put(key, new StackGroup.StartSite(site, 1));
            } else {
                other++;
            }
        }

        /** The sites, most threads first; ties in the order their first thread came. */
        List<StackGroup.StartSite> sites() {
            List<StackGroup.StartSite> out = new ArrayList<>(sites.values());
            out.sort(Comparator.comparingInt(StackGroup.StartSite::count).reversed());
            return out;
        }
    }
}
