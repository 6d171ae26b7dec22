package dev.leakhound.analysis;

import dev.leakhound.model.Blocker;
import dev.leakhound.model.Deadlock;
import dev.leakhound.model.HeldMonitor;
import dev.leakhound.model.StackFrame;
import dev.leakhound.model.ThreadSnapshot;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Finds deadlocks from what each thread wants and holds: every cycle of threads each holding a lock the next one
 * waits for, monitors ({@code synchronized}) and {@code java.util.concurrent} locks, platform and virtual threads.
 *
 * <p>What a thread wants is its {@link Blocker}: a monitor it waits to enter ({@link Blocker.Kind#ENTERING}) or an
 * object it is parked on without a timeout ({@link Blocker.Kind#PARKED_ON}; a latch or queue is never held, so it
 * makes no link). Who holds it comes from the blocker's {@link Blocker#ownerId()} where the source gives it (later
 * JDKs' JSON {@code parkBlocker.owner}, the live capture), else from the thread whose held monitors or ownable
 * synchronizers have that identity. A thread in {@code Object.wait()} wants nothing here (it released the monitor
 * and waits for a notify), nor does one whose wait has a timeout.
 *
 * <p>Used as a {@link Consumer} of the threads of one dump, streamed: it keeps a few facts per thread that both
 * wants a lock and may be part of a cycle (holds a lock, knows the owner of what it wants, or waits to enter a
 * monitor), at most {@value #MAX_KEPT} threads; beyond that the search is {@link #incomplete()}. Identities are
 * compared as the source printed them, so threads of different dumps must not be mixed. Not thread-safe.
 */
public final class Deadlocks implements Consumer<ThreadSnapshot> {

    /** The most threads whose lock facts are kept. */
    static final int MAX_KEPT = 200_000;

    /** What one thread wants and holds: all a cycle needs of it. */
    private record Facts(long tid, String name, boolean virtual, String wants, Long ownerId, StackFrame wantsAt,
                         List<Held> held) {
    }

    private record Held(String lock, StackFrame at) {
    }

    private final List<Facts> kept = new ArrayList<>();
    private boolean incomplete;

    @Override
    public void accept(ThreadSnapshot t) {
        Blocker b = t.blocker();
        if (b == null || b.kind() == Blocker.Kind.WAITING_ON || t.state() == Thread.State.TIMED_WAITING
                || b.identity() == null && b.ownerId() == null) {
            return;
        }
        if (t.heldMonitors().isEmpty() && b.ownerId() == null && b.kind() != Blocker.Kind.ENTERING) {
            return;         // parked, holding nothing: only an owner link could lead out of it, and none is given
        }
        if (kept.size() >= MAX_KEPT) {
            incomplete = true;
            return;
        }
        List<Held> held = new ArrayList<>(t.heldMonitors().size());
        for (HeldMonitor m : t.heldMonitors()) {
            if (m.identity() != null) {
                held.add(new Held(m.objectText(), m.synchronizer() ? null : applicationFrame(t.stack(), m.depth())));
            }
        }
        kept.add(new Facts(t.id(), t.name(), t.virtual(), b.identity() == null ? null : b.objectText(), b.ownerId(),
                applicationFrame(t.stack(), 0), List.copyOf(held)));
    }

    /** Whether more threads wanted locks than this finder keeps: then cycles among the others may be missed. */
    public boolean incomplete() {
        return incomplete;
    }

    /** Every cycle among the threads seen so far, each once, starting at its thread of lowest id. */
    public List<Deadlock> found() {
        Map<Long, Integer> byTid = new HashMap<>();
        Map<String, Integer> holderOf = new HashMap<>();
        for (int i = 0; i < kept.size(); i++) {
            Facts f = kept.get(i);
            byTid.putIfAbsent(f.tid(), i);
            for (Held h : f.held()) {
                holderOf.putIfAbsent(h.lock(), i);
            }
        }
        int n = kept.size();
        int[] next = new int[n];
        for (int i = 0; i < n; i++) {
            Facts f = kept.get(i);
            Integer to = f.ownerId() != null ? byTid.get(f.ownerId()) : null;
            if (to == null && f.wants() != null) {
                to = holderOf.get(f.wants());
            }
            next[i] = to == null || to == i ? -1 : to;
        }
        // Each thread wants one lock, so each has at most one successor: walk from every thread not yet visited,
        // and a walk that meets a thread of its own walk has closed a cycle.
        int[] walk = new int[n];                          // 0 not visited, else the number of the walk + 1
        List<Deadlock> out = new ArrayList<>();
        for (int start = 0; start < n; start++) {
            int i = start;
            while (i >= 0 && walk[i] == 0) {
                walk[i] = start + 1;
                i = next[i];
            }
            if (i >= 0 && walk[i] == start + 1) {
                out.add(cycle(i, next));
            }
        }
        return out;
    }

    private Deadlock cycle(int first, int[] next) {
        List<Integer> members = new ArrayList<>();
        int lowest = first;
        for (int i = first; ; ) {
            members.add(i);
            if (kept.get(i).tid() < kept.get(lowest).tid()) {
                lowest = i;
            }
            i = next[i];
            if (i == first) {
                break;
            }
        }
        int from = members.indexOf(lowest);
        List<Deadlock.Link> links = new ArrayList<>();
        for (int k = 0; k < members.size(); k++) {
            int i = members.get((from + k) % members.size());
            int before = members.get((from + k - 1 + members.size()) % members.size());
            Facts f = kept.get(i);
            Facts wanter = kept.get(before);
            String holds = wanter.wants();
            StackFrame heldAt = null;
            for (Held h : f.held()) {
                if (h.lock().equals(holds)) {
                    heldAt = h.at();
                    break;
                }
            }
            String wants = f.wants() != null ? f.wants() : "a lock held by #" + f.ownerId();
            links.add(new Deadlock.Link(f.tid(), f.name(), f.virtual(), holds, wants, heldAt, f.wantsAt()));
        }
        return new Deadlock(links, false);
    }

    /**
     * The deadlocks of a dump: those found here, and those the JVM printed ({@code printed}) that were not found
     * here (a cycle found and printed is given once, as found, marked {@link Deadlock#printedByJvm()}).
     */
    public List<Deadlock> merged(List<Deadlock> printed) {
        List<Deadlock> found = found();
        List<Deadlock> out = new ArrayList<>(found.size() + printed.size());
        List<Set<String>> foundNames = new ArrayList<>();
        for (Deadlock d : found) {
            foundNames.add(names(d));
        }
        boolean[] alsoPrinted = new boolean[found.size()];
        List<Deadlock> printedOnly = new ArrayList<>();
        for (Deadlock p : printed) {
            int match = foundNames.indexOf(names(p));
            if (match >= 0) {
                alsoPrinted[match] = true;
            } else {
                printedOnly.add(p);
            }
        }
        for (int i = 0; i < found.size(); i++) {
            out.add(alsoPrinted[i] ? new Deadlock(found.get(i).links(), true) : found.get(i));
        }
        out.addAll(printedOnly);
        return out;
    }

    /** The deadlocks among these threads (of one dump), with those the JVM printed. */
    public static List<Deadlock> find(Iterable<ThreadSnapshot> threads, List<Deadlock> printed) {
        Deadlocks d = new Deadlocks();
        threads.forEach(d);
        return d.merged(printed);
    }

    private static Set<String> names(Deadlock d) {
        Set<String> s = new HashSet<>();
        for (Deadlock.Link l : d.links()) {
            s.add(l.name());
        }
        return s;
    }

    /**
     * The deadlock's pattern: always {@link LeakPattern#DEADLOCK}, likely (from a thread dump or a live capture),
     * with what made it: {@code 2 threads, each holding a monitor the next wants}.
     */
    public static PatternMatch pattern(Deadlock d) {
        boolean monitors = false;
        boolean others = false;
        for (Deadlock.Link l : d.links()) {
            if (l.wants().startsWith("java.util.concurrent.") || l.wants().contains("ownable synchronizer")) {
                others = true;
            } else {
                monitors = true;
            }
        }
        String what = monitors && others ? "a lock" : others ? "a java.util.concurrent lock" : "a monitor";
        int n = d.links().size();
        String evidence = n + (n == 1 ? " thread" : " threads") + ", each holding " + what + " the next wants"
                + (d.printedByJvm() ? "; the JVM reported it too" : "");
        return new PatternMatch(LeakPattern.DEADLOCK, PatternMatch.Certainty.LIKELY, evidence);
    }

    /** The first application (non-JDK) frame at {@code from} or below it (towards the thread's start). */
    static StackFrame applicationFrame(List<StackFrame> stack, int from) {
        if (from < 0) {
            return null;
        }
        for (int i = from; i < stack.size(); i++) {
            if (!stack.get(i).isJdk()) {
                return stack.get(i);
            }
        }
        return null;
    }
}
