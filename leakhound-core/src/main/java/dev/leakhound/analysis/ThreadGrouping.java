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

/**
 * Groups threads by state, blocker class and stack, largest group first (pprof's {@code debug=1}); where the agent
 * recorded creation sites, also by where they were started (the starting line and its caller,
 * {@link dev.leakhound.model.CreationSite#groupingKey()}), so that a group's "started at" holds for all of it.
 */
public final class ThreadGrouping {
    private ThreadGrouping() {
    }

    /** Stacks in a key are canonical (one instance per distinct stack), so they compare by identity. */
    private record Key(Thread.State state, Blocker.Kind kind, String blockerClass, List<StackFrame> stack,
                       List<StackFrame> started) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.stack == stack && k.started == started && k.state == state
                    && k.kind == kind && Objects.equals(k.blockerClass, blockerClass);
        }

        @Override
        public int hashCode() {
            return (Objects.hash(state, kind, blockerClass) * 31 + System.identityHashCode(stack)) * 31
                    + (started == null ? 0 : System.identityHashCode(started));
        }
    }

    /**
     * Groups the threads. Groups of equal size keep the order in which their first thread appears.
     */
    public static List<StackGroup> group(Collection<ThreadSnapshot> threads) {
        // Parsers share equal stacks, so look stacks up by identity first and hash each distinct list once.
        Map<List<StackFrame>, List<StackFrame>> canonical = new IdentityHashMap<>();
        Map<List<StackFrame>, List<StackFrame>> byValue = new HashMap<>();
        Map<Key, List<ThreadSnapshot>> groups = new HashMap<>();
        List<Key> order = new ArrayList<>();
        for (ThreadSnapshot t : threads) {
            List<StackFrame> stack = canonical.get(t.stack());
            if (stack == null) {
                stack = byValue.computeIfAbsent(t.stack(), s -> s);
                canonical.put(t.stack(), stack);
            }
            Blocker b = t.blocker();
            List<StackFrame> started = null;
            if (t.creationSite() != null) {
                started = byValue.computeIfAbsent(t.creationSite().groupingKey(), s -> s);
            }
            Key key = new Key(t.state(), b == null ? null : b.kind(), b == null ? null : b.className(), stack, started);
            List<ThreadSnapshot> members = groups.get(key);
            if (members == null) {
                members = new ArrayList<>();
                groups.put(key, members);
                order.add(key);
            }
            members.add(t);
        }
        List<StackGroup> out = new ArrayList<>(order.size());
        for (Key k : order) {
            out.add(new StackGroup(k.state(), k.kind(), k.blockerClass(), k.stack(), groups.get(k)));
        }
        out.sort(Comparator.comparingInt(StackGroup::count).reversed()); // stable: ties keep first appearance
        return out;
    }

    /** The groups blocked with no timeout (the suspects of a dump), largest first. */
    public static List<StackGroup> suspects(List<StackGroup> groups) {
        return groups.stream().filter(Objects::nonNull).filter(StackGroup::blockedWithoutTimeout).toList();
    }
}
