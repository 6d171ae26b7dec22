package dev.leakhound.proof;

import dev.leakhound.hprof.HeapClass;
import dev.leakhound.hprof.HeapIndex;
import dev.leakhound.hprof.HeapIndex.HeapFrame;
import dev.leakhound.hprof.HeapIndex.ReferenceKind;
import dev.leakhound.hprof.RootKind;
import dev.leakhound.proof.DumpThread.Wait;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JVM's counterpart of Go's {@code goroutineleak} profile, on a heap dump: the threads that are blocked with no
 * timeout on something no running thread can reach, and so will never wake.
 *
 * <h2>The proof</h2>
 * <ol>
 *   <li>Candidates: threads, platform and virtual, parked with no timeout, in {@code Object.waitKind()} with no timeout,
 *       or waiting to enter a monitor ({@link DumpThreads}). Sleeping and timed waits never qualify.</li>
 *   <li>Mark from the roots: the GC roots of the dump, and every thread that is not a candidate with its frames
 *       (it runs, or wakes by itself, and can then use anything its frames hold) — but not the candidates' own
 *       thread roots and frames. A virtual thread's frames are followed from its {@code Thread} object, as the GC
 *       does (the dump's per-virtual-thread root records are not GC roots). Not followed: the references that exist
 *       for observability only ({@link #OBSERVABILITY}), {@code Reference.referent} (weak, soft, phantom), and the
 *       dump's {@code MONITOR_USED} roots (a monitor is notified by code that holds it, not by the VM).</li>
 *   <li>A candidate whose {@code Thread} object is marked (someone may interrupt or unpark it), or whose blocker
 *       is (someone may release it: the park blocker; for {@code Object.wait} or a monitor, any object its waiting
 *       frame holds, conservatively), is rescued: its thread and frames are marked too, and marking goes on, until
 *       no candidate is rescued in a round (a rescued thread can rescue others).</li>
 *   <li>What remains is leaked for certain, grouped by stack and what they wait on, with the heap that only they
 *       keep alive (retained bytes).</li>
 * </ol>
 * A proof errs only one way: a dead local of an interpreted frame still looks like a reference in a dump (HPROF has
 * no bytecode index), and objects held there can rescue a thread that is in fact leaked; a thread reported leaked is
 * leaked.
 */
public final class LeakProof {
    /**
     * References that exist for observability only, as {@code class#field}: the JDK's root thread container's set
     * of every virtual thread started directly, and the set of virtual threads of an executor's shared container.
     */
    public static final List<String> OBSERVABILITY = List.of(
            "jdk.internal.vm.ThreadContainers$RootContainer$TrackingRootContainer#VTHREADS",
            "jdk.internal.vm.SharedThreadContainer#virtualThreads");
    private static final int MAX_RETAINED_GROUPS = 100;

    /** A group of leaked threads: same stack, same way of waiting, same blocker class. */
    public record LeakedGroup(List<HeapFrame> stack, Wait waitKind, String blockerClass, List<DumpThread> threads,
                              long retainedBytes, long retainedObjects) {
        public int count() {
            return threads.size();
        }
    }

    /** A group of blocked threads that are not provably leaked, and why. */
    public record Rescued(List<HeapFrame> stack, Wait waitKind, String blockerClass, List<DumpThread> threads,
                          String why) {
        public int count() {
            return threads.size();
        }
    }

    /** What the proof found. */
    public record Result(List<LeakedGroup> leaked, List<Rescued> rescued, int threads, int candidates, int rounds,
                         long liveObjects) {
        public int leakedThreads() {
            return leaked.stream().mapToInt(LeakedGroup::count).sum();
        }
    }

    private final HeapIndex index;
    private final long[] live;
    private final LongStack queue = new LongStack();
    private final Map<Long, long[]> framesOfVirtual = new HashMap<>();
    private final Set<Long> excludedFields = new HashSet<>();     // class index << 32 | field index
    private final Set<Long> excludedStatics = new HashSet<>();
    private HeapClass reference;
    private int referentField = -1;

    private LeakProof(HeapIndex index) {
        this.index = index;
        this.live = new long[(int) ((index.objectCount() + 63) >>> 6)];
    }

    /** Runs the proof on an indexed dump. */
    public static Result prove(HeapIndex index) throws IOException {
        return new LeakProof(index).run();
    }

    private Result run() throws IOException {
        resolveExclusions();
        List<DumpThread> threads = DumpThreads.read(index);
        Map<Integer, DumpThread> bySerial = new HashMap<>();
        for (DumpThread t : threads) {
            bySerial.putIfAbsent(t.serial(), t);
        }
        Map<Integer, List<Long>> frameRefs = new HashMap<>();            // thread serial -> objects its frames hold
        Map<Long, List<Long>> frameRefsAtDepth = new HashMap<>();        // serial << 32 | depth -> objects
        HeapIndex.Roots roots = index.roots();
        for (int i = 0; i < roots.size(); i++) {
            RootKind kind = roots.kind(i);
            if (kind == RootKind.JAVA_FRAME || kind == RootKind.JNI_LOCAL || kind == RootKind.NATIVE_STACK
                    || kind == RootKind.THREAD_BLOCK) {
                frameRefs.computeIfAbsent(roots.threadSerial(i), k -> new ArrayList<>()).add(roots.objectId(i));
                if (kind == RootKind.JAVA_FRAME) {
                    long key = ((long) roots.threadSerial(i) << 32) | (roots.extra(i) & 0xffffffffL);
                    frameRefsAtDepth.computeIfAbsent(key, k -> new ArrayList<>()).add(roots.objectId(i));
                }
            }
        }
        List<DumpThread> candidates = new ArrayList<>();
        for (DumpThread t : threads) {
            if (t.waitKind().untimed()) {
                candidates.add(t);
            } else if (t.virtual()) {
                framesOfVirtual.put(t.objectId(), toArray(frameRefs.get(t.serial())));
            }
        }
        Set<Integer> candidateSerials = new HashSet<>();
        for (DumpThread c : candidates) {
            candidateSerials.add(c.serial());
        }
        // Roots: everything but the monitors in use and what belongs to candidates or to virtual threads.
        for (int i = 0; i < roots.size(); i++) {
            RootKind kind = roots.kind(i);
            if (kind == RootKind.MONITOR_USED) {
                continue;
            }
            if (kind.hasThread()) {
                DumpThread owner = bySerial.get(roots.threadSerial(i));
                if (owner != null && (candidateSerials.contains(owner.serial()) || owner.virtual())) {
                    continue;
                }
            }
            mark(roots.objectId(i));
        }
        for (DumpThread t : threads) {                               // threads that go on by themselves
            if (!t.waitKind().untimed()) {
                mark(t.objectId());
            }
        }
        List<DumpThread> remaining = new ArrayList<>(candidates);
        Map<DumpThread, String> why = new LinkedHashMap<>();
        int rounds = 0;
        while (true) {
            drain();
            rounds++;
            boolean rescuedAny = false;
            for (var it = remaining.iterator(); it.hasNext(); ) {
                DumpThread c = it.next();
                String reason = reachable(c, frameRefsAtDepth);
                if (reason != null) {
                    it.remove();
                    why.put(c, reason);
                    mark(c.objectId());
                    for (long o : toArray(frameRefs.get(c.serial()))) {
                        mark(o);
                    }
                    rescuedAny = true;
                }
            }
            if (!rescuedAny) {
                break;
            }
        }
        List<LeakedGroup> leaked = new ArrayList<>();
        int groupNo = 0;
        for (List<DumpThread> g : group(remaining).values()) {
            DumpThread first = g.get(0);
            long[] retained = groupNo++ < MAX_RETAINED_GROUPS ? retained(g, frameRefs) : new long[] {-1, -1};
            leaked.add(new LeakedGroup(first.stack(), first.waitKind(), blockerClass(first), List.copyOf(g),
                    retained[0], retained[1]));
        }
        leaked.sort((a, b) -> Integer.compare(b.count(), a.count()));
        List<Rescued> rescued = new ArrayList<>();
        for (List<DumpThread> g : group(new ArrayList<>(why.keySet())).values()) {
            DumpThread first = g.get(0);
            rescued.add(new Rescued(first.stack(), first.waitKind(), blockerClass(first), List.copyOf(g), why.get(first)));
        }
        rescued.sort((a, b) -> Integer.compare(b.count(), a.count()));
        return new Result(leaked, rescued, threads.size(), candidates.size(), rounds, cardinality(live));
    }

    /** Why the candidate may still wake, or {@code null} when nothing that runs can reach it. */
    private String reachable(DumpThread c, Map<Long, List<Long>> frameRefsAtDepth) {
        if (isMarked(c.objectId())) {
            return "its Thread object is reachable (it can be interrupted or unparked)";
        }
        if (c.blockerId() != 0 && isMarked(c.blockerId())) {
            return "what it is parked on (" + className(c.blockerId()) + ") is reachable";
        }
        if (c.waitKind() == Wait.WAITING || c.waitKind() == Wait.BLOCKED) {
            int depth = monitorFrame(c);
            if (depth >= 0) {
                List<Long> held = frameRefsAtDepth.get(((long) c.serial() << 32) | depth);
                if (held != null) {
                    for (long o : held) {
                        if (o != c.objectId() && isMarked(o)) {
                            return "the monitor it " + (c.waitKind() == Wait.WAITING ? "waits on" : "wants to enter")
                                    + " may be reachable (" + className(o) + ")";
                        }
                    }
                }
            }
        }
        return null;
    }

    /** The depth of the frame that holds the monitor: {@code Object.wait}'s, or the top frame when blocked. */
    private static int monitorFrame(DumpThread c) {
        if (c.waitKind() == Wait.BLOCKED) {
            return 0;
        }
        List<HeapFrame> s = c.stack();
        for (int i = 0; i < s.size(); i++) {
            HeapFrame f = s.get(i);
            if (f.className().equals("java.lang.Object") && f.methodName().startsWith("wait")) {
                // the deepest of the Object.wait frames holds the monitor as 'this'
                int j = i;
                while (j + 1 < s.size() && s.get(j + 1).className().equals("java.lang.Object")
                        && s.get(j + 1).methodName().startsWith("wait")) {
                    j++;
                }
                return j;
            }
        }
        return -1;
    }

    /** Bytes and objects reachable from the group's threads and frames and from nothing that runs. */
    private long[] retained(List<DumpThread> g, Map<Integer, List<Long>> frameRefs) throws IOException {
        long[] only = new long[live.length];
        LongStack stack = new LongStack();
        long bytes = 0;
        long objects = 0;
        for (DumpThread t : g) {
            stack.push(t.objectId());
            for (long o : toArray(frameRefs.get(t.serial()))) {
                stack.push(o);
            }
        }
        while (!stack.isEmpty()) {
            long id = stack.pop();
            long ord = index.ordinal(id);
            if (ord < 0 || isSet(live, ord) || isSet(only, ord)) {
                continue;
            }
            set(only, ord);
            objects++;
            bytes += index.shallowSize(id);
            index.forEachReference(id, (target, kind, owner, i) -> {
                if (!excluded(kind, owner, i)) {
                    stack.push(target);
                }
            });
            long[] frames = framesOfVirtualOrEmpty(id);
            for (long o : frames) {
                stack.push(o);
            }
        }
        return new long[] {bytes, objects};
    }

    private long[] framesOfVirtualOrEmpty(long id) {
        long[] f = framesOfVirtual.get(id);
        return f == null ? new long[0] : f;
    }

    private void mark(long id) {
        long ord = index.ordinal(id);
        if (ord >= 0 && !isSet(live, ord)) {
            set(live, ord);
            queue.push(id);
        }
    }

    private boolean isMarked(long id) {
        long ord = index.ordinal(id);
        return ord >= 0 && isSet(live, ord);
    }

    private void drain() throws IOException {
        while (!queue.isEmpty()) {
            long id = queue.pop();
            index.forEachReference(id, (target, kind, owner, i) -> {
                if (!excluded(kind, owner, i)) {
                    mark(target);
                }
            });
            long[] frames = framesOfVirtual.get(id);
            if (frames != null) {
                for (long o : frames) {
                    mark(o);
                }
            }
        }
    }

    private boolean excluded(ReferenceKind kind, HeapClass owner, int i) {
        long key = ((long) owner.index() << 32) | (i & 0xffffffffL);
        return switch (kind) {
            case FIELD -> (owner == reference && i == referentField) || excludedFields.contains(key);
            case STATIC_FIELD -> excludedStatics.contains(key);
            default -> false;
        };
    }

    private void resolveExclusions() {
        reference = index.classByName("java.lang.ref.Reference");
        if (reference != null) {
            referentField = reference.fieldNames().indexOf("referent");
        }
        for (String spec : OBSERVABILITY) {
            String cls = spec.substring(0, spec.indexOf('#'));
            String field = spec.substring(spec.indexOf('#') + 1);
            HeapClass c = index.classByName(cls);
            if (c == null) {
                continue;
            }
            int fi = c.fieldNames().indexOf(field);
            if (fi >= 0) {
                excludedFields.add(((long) c.index() << 32) | fi);
            }
            int si = c.staticFieldNames().indexOf(field);
            if (si >= 0) {
                excludedStatics.add(((long) c.index() << 32) | si);
            }
        }
    }

    private Map<String, List<DumpThread>> group(List<DumpThread> threads) {
        Map<String, List<DumpThread>> groups = new LinkedHashMap<>();
        for (DumpThread t : threads) {
            String key = t.waitKind() + "|" + blockerClass(t) + "|" + t.stack();
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(t);
        }
        return groups;
    }

    private String blockerClass(DumpThread t) {
        return t.blockerId() == 0 ? null : className(t.blockerId());
    }

    private String className(long id) {
        HeapClass c = index.classOf(id);
        return c == null ? "?" : c.name();
    }

    private static long[] toArray(List<Long> ids) {
        if (ids == null) {
            return new long[0];
        }
        long[] out = new long[ids.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ids.get(i);
        }
        return out;
    }

    private static boolean isSet(long[] bits, long ord) {
        return (bits[(int) (ord >>> 6)] & (1L << ord)) != 0;
    }

    private static void set(long[] bits, long ord) {
        bits[(int) (ord >>> 6)] |= 1L << ord;
    }

    private static long cardinality(long[] bits) {
        long n = 0;
        for (long w : bits) {
            n += Long.bitCount(w);
        }
        return n;
    }

    /** A growable stack of object ids, without boxing. */
    static final class LongStack {
        private long[] items = new long[1024];
        private int size;

        void push(long v) {
            if (size == items.length) {
                items = java.util.Arrays.copyOf(items, size * 2);
            }
            items[size++] = v;
        }

        long pop() {
            return items[--size];
        }

        boolean isEmpty() {
            return size == 0;
        }
    }
}
