package dev.leakhound.proof;

import dev.leakhound.hprof.index.HeapClass;
import dev.leakhound.hprof.index.HeapIndex;
import dev.leakhound.hprof.index.ObjectKind;
import dev.leakhound.hprof.index.GcRoots;
import dev.leakhound.hprof.index.HeapFrame;
import dev.leakhound.hprof.index.ReferenceKind;
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
 *   <li>Candidates: threads, platform and virtual, parked with no timeout, in {@code Object.wait()} with no timeout,
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
 *       keep alive (retained bytes; what two leaked groups share counts in neither).</li>
 * </ol>
 * <h2>What it assumes</h2>
 * A leak is claimed only where the dump shows everything that could reach the thread. Rules that keep it so: weak,
 * soft and finalizer references count as strong (live code may {@code get()} them; only a
 * {@code PhantomReference}'s referent is left out); a thread waiting on a {@code ReferenceQueue} is never claimed
 * (the GC fills queues); a thread in {@code Object.wait} or entering a monitor is claimed only when its waiting
 * frame holds a monitor the dump lists as in use ({@code MONITOR_USED}), and none of those is reachable; a thread
 * with an interrupt pending, or a virtual thread already given its permit, monitor or notification, is not a
 * candidate; a dump in which live virtual threads have no thread root (JDK 21, 22) is refused. Enumerating threads
 * is not a way to reach one: the VM's thread list (JDK 19 on) and a thread group's array of its threads (JDK 18 and
 * earlier, {@link #OBSERVABILITY}) are not followed, so code that wakes workers by enumerating or interrupting a
 * whole thread group ({@code ThreadGroup.interrupt()}) is not seen. Not seen by any
 * dump, and so assumed absent: references held only by the VM or by JIT-compiled code (scalar-replaced locals,
 * values behind {@code ClassValue} or a hidden class's class data), threads that run between the dump's thread
 * records and its heap records. Dead locals of interpreted frames still look like references (HPROF has no
 * bytecode index): they can only rescue a thread. Taking two dumps a while apart and finding the same threads
 * claimed in both rules out the races.
 */
public final class LeakProof {
    /**
     * References that exist for observability only, as {@code class#field}: the JDK's root thread container's set
     * of every virtual thread started directly, the set of virtual threads of an executor's shared container, the
     * registry of thread containers (weak references, followed otherwise like any weak reference), and, in dumps of
     * JDK 18 and earlier, a thread group's array of its threads (kept for enumeration, as the VM's own thread list
     * is from JDK 19 on; without this no platform thread of such a dump could ever be claimed).
     */
    public static final List<String> OBSERVABILITY = List.of(
            "jdk.internal.vm.ThreadContainers$RootContainer$TrackingRootContainer#VTHREADS",
            "jdk.internal.vm.SharedThreadContainer#virtualThreads",
            "jdk.internal.vm.ThreadContainers#CONTAINER_REGISTRY",
            "java.lang.ThreadGroup#threads");
    private static final int MAX_RETAINED_GROUPS = 100;
    /** Paths need 8 bytes per object of the dump while they are computed: above this many objects they are not. */
    static final long MAX_PATH_OBJECTS = 20_000_000;
    private static final int MAX_PATH_GROUPS = 50;
    private static final int MAX_PATH_LENGTH = 40;

    /** Why a candidate may still wake: the words, and the object whose reachability says so. */
    private record Reason(String text, long target) {
    }

    /** A place marking starts from, and how to say it. */
    private record Seed(long id, String what) {
    }

    private final List<Seed> seeds = new ArrayList<>();

    /**
     * A group of leaked threads: same stack, same way of waiting, same blocker class. {@code retainedBytes} and
     * {@code retainedObjects}: the shallow bytes and the number of the objects that only this group keeps alive
     * (reachable from its threads and frames, from nothing that runs, and from no other leaked group: what two groups
     * share counts in neither); -1 after the first 100 groups.
     */
    public record LeakedGroup(List<HeapFrame> stack, Wait waitKind, String blockerClass, List<DumpThread> threads,
                              long retainedBytes, long retainedObjects) {
        public int count() {
            return threads.size();
        }
    }

    /**
     * A group of blocked threads that are not provably leaked, why, and for its first thread the shortest chain of
     * references from something live to what could wake it ({@code path}: the live end first, then one step per
     * reference; empty when not computed).
     */
    public record Rescued(List<HeapFrame> stack, Wait waitKind, String blockerClass, List<DumpThread> threads,
                          String why, List<String> path) {
        public int count() {
            return threads.size();
        }
    }

    /** What the proof found. */
    /**
     * What the proof found; {@code refused} says why nothing could be proven when the dump lacks what the proof
     * needs (then {@code leaked} is empty), else {@code null}.
     */
    public record Result(List<LeakedGroup> leaked, List<Rescued> rescued, int threads, int candidates, int rounds,
                         long liveObjects, String refused) {
        public int leakedThreads() {
            return leaked.stream().mapToInt(LeakedGroup::count).sum();
        }
    }

    private final HeapIndex index;
    private final long[] live;
    private final LongStack queue = new LongStack();
    /** The frames of virtual threads, followed from their thread objects; {@link #withFrames} says which ordinals. */
    private final Map<Long, long[]> framesOfVirtual = new HashMap<>();
    private final long[] withFrames;
    private long[] excludedFields = new long[0];              // class index << 32 | field index; a few
    private long[] excludedStatics = new long[0];
    /** By class index: whether the class declares an excluded field or static (most references need no more). */
    private boolean[] declaresExcluded = new boolean[0];
    private HeapClass reference;
    private HeapClass phantom;
    private int referentField = -1;
    private final Set<Long> monitorsUsed = new HashSet<>();

    private LeakProof(HeapIndex index) {
        this.index = index;
        this.live = new long[(int) ((index.objectCount() + 63) >>> 6)];
        this.withFrames = new long[live.length];
    }

    /** Runs the proof on an indexed dump. */
    public static Result prove(HeapIndex index) throws IOException {
        return new LeakProof(index).run();
    }

    private Result run() throws IOException {
        resolveExclusions();
        List<DumpThread> threads = DumpThreads.read(index);
        String refused = incomplete(threads);
        if (refused != null) {
            return new Result(List.of(), List.of(), threads.size(), 0, 0, 0, refused);
        }
        Map<Integer, DumpThread> bySerial = new HashMap<>();
        for (DumpThread t : threads) {
            bySerial.putIfAbsent(t.serial(), t);
        }
        Map<Integer, FrameRefs> frameRefs = new HashMap<>();             // thread serial -> objects its frames hold
        GcRoots roots = index.roots();
        for (int i = 0; i < roots.size(); i++) {
            RootKind kind = roots.kind(i);
            if (kind == RootKind.JAVA_FRAME || kind == RootKind.JNI_LOCAL || kind == RootKind.NATIVE_STACK
                    || kind == RootKind.THREAD_BLOCK) {
                frameRefs.computeIfAbsent(roots.threadSerial(i), k -> new FrameRefs())
                        .add(roots.objectId(i), kind == RootKind.JAVA_FRAME ? (int) roots.extra(i) : -1);
            }
        }
        for (int i = 0; i < roots.size(); i++) {
            if (roots.kind(i) == RootKind.MONITOR_USED) {
                monitorsUsed.add(roots.objectId(i));
            }
        }
        List<DumpThread> candidates = new ArrayList<>();
        Map<DumpThread, Reason> why = new LinkedHashMap<>();
        for (DumpThread t : threads) {
            if (t.waitKind().untimed()) {
                candidates.add(t);
                if (t.stack().stream().anyMatch(f -> f.className().equals("java.lang.ref.ReferenceQueue"))) {
                    // The GC enqueues references by itself: a thread waiting on a queue may be woken by it.
                    why.put(t, new Reason("it waits on a ReferenceQueue, which the garbage collector may fill",
                            t.objectId()));
                }
            } else if (t.virtual()) {
                putFrames(t.objectId(), toArray(frameRefs.get(t.serial())));
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
            DumpThread owner = kind.hasThread() ? bySerial.get(roots.threadSerial(i)) : null;
            if (owner != null && (candidateSerials.contains(owner.serial()) || owner.virtual())) {
                continue;
            }
            mark(roots.objectId(i));
            seeds.add(new Seed(roots.objectId(i), rootWords(kind, owner)));
        }
        for (DumpThread t : threads) {                               // threads that go on by themselves
            if (!t.waitKind().untimed()) {
                mark(t.objectId());
                seeds.add(new Seed(t.objectId(), "thread " + t.label() + " (it runs, or wakes by itself)"));
            }
        }
        List<DumpThread> remaining = new ArrayList<>(candidates);
        for (DumpThread t : why.keySet()) {                           // rescued before marking starts
            remaining.remove(t);
            mark(t.objectId());
            long[] frames = toArray(frameRefs.get(t.serial()));
            for (long o : frames) {
                mark(o);
            }
            putFrames(t.objectId(), frames);
        }
        int rounds = 0;
        while (true) {
            drain();
            rounds++;
            boolean rescuedAny = false;
            for (var it = remaining.iterator(); it.hasNext(); ) {
                DumpThread c = it.next();
                Reason reason = reachable(c, frameRefs.get(c.serial()));
                if (reason != null) {
                    it.remove();
                    why.put(c, reason);
                    mark(c.objectId());
                    long[] frames = toArray(frameRefs.get(c.serial()));
                    for (long o : frames) {
                        mark(o);
                    }
                    putFrames(c.objectId(), frames);                 // followed from its thread from now on
                    rescuedAny = true;
                }
            }
            if (!rescuedAny) {
                break;
            }
        }
        List<LeakedGroup> leaked = new ArrayList<>();
        List<List<DumpThread>> leakedGroups = new ArrayList<>(group(remaining).values());
        List<long[]> retained = retained(leakedGroups.subList(0, Math.min(MAX_RETAINED_GROUPS, leakedGroups.size())),
                frameRefs);
        for (int i = 0; i < leakedGroups.size(); i++) {
            List<DumpThread> g = leakedGroups.get(i);
            DumpThread first = g.get(0);
            long[] r = i < retained.size() ? retained.get(i) : new long[] {-1, -1};
            leaked.add(new LeakedGroup(first.stack(), first.waitKind(), blockerClass(first), List.copyOf(g), r[0], r[1]));
        }
        leaked.sort((a, b) -> Integer.compare(b.count(), a.count()));
        List<List<DumpThread>> rescuedGroups = new ArrayList<>(group(new ArrayList<>(why.keySet())).values());
        rescuedGroups.sort((a, b) -> Integer.compare(b.size(), a.size()));
        List<Long> targets = new ArrayList<>();
        for (List<DumpThread> g : rescuedGroups.subList(0, Math.min(MAX_PATH_GROUPS, rescuedGroups.size()))) {
            targets.add(why.get(g.get(0)).target());
        }
        Map<Long, List<String>> paths = paths(targets);
        List<Rescued> rescued = new ArrayList<>();
        for (List<DumpThread> g : rescuedGroups) {
            DumpThread first = g.get(0);
            Reason r = why.get(first);
            rescued.add(new Rescued(first.stack(), first.waitKind(), blockerClass(first), List.copyOf(g), r.text(),
                    paths.getOrDefault(r.target(), List.of())));
        }
        rescued.sort((a, b) -> Integer.compare(b.count(), a.count()));
        return new Result(leaked, rescued, threads.size(), candidates.size(), rounds, cardinality(live), null);
    }

    /**
     * Why the dump cannot support a proof, or {@code null}: a live virtual thread without a thread root (dumps of
     * JDK 21 and 22 hold no frames of unmounted virtual threads, so what only they hold would look unreachable).
     */
    private String incomplete(List<DumpThread> threads) throws IOException {
        HeapClass vthread = index.classByName("java.lang.VirtualThread");
        if (vthread == null) {
            return null;
        }
        Set<Long> rooted = new HashSet<>();
        for (DumpThread t : threads) {
            if (t.virtual()) {
                rooted.add(t.objectId());
            }
        }
        long neu = vthread.staticFieldNames().contains("NEW") ? vthread.staticValue("NEW") : 0;
        long terminated = vthread.staticFieldNames().contains("TERMINATED") ? vthread.staticValue("TERMINATED") : 99;
        long[] missing = {0};
        List<Long> unrooted = new ArrayList<>();
        index.forEachObject((id, kind, cls) -> {
            if (kind == ObjectKind.INSTANCE && cls != null && cls.isSubclassOf(vthread) && !rooted.contains(id)) {
                unrooted.add(id);
            }
        });
        for (long id : unrooted) {
            // A state that cannot be read (a corrupt dump: no field of that name) may be a live one: counted.
            long state = index.hasField(index.classOf(id), "state") ? index.fieldValue(id, "state") & 0xff : -1;
            if (state != neu && state != terminated) {
                missing[0]++;
            }
        }
        return missing[0] == 0 ? null : missing[0] + " live virtual threads have no thread root in this dump (dumps "
                + "of JDK 21 and 22 leave out the frames of unmounted virtual threads): anything only they hold would "
                + "look unreachable, so no thread is claimed leaked; take the dump on JDK 23 or later";
    }

    /** Why the candidate may still wake, or {@code null} when nothing that runs can reach it. */
    private Reason reachable(DumpThread c, FrameRefs frames) {
        if (isMarked(c.objectId())) {
            return new Reason("its Thread object is reachable (it can be interrupted or unparked)", c.objectId());
        }
        if (c.blockerId() != 0 && isMarked(c.blockerId())) {
            return new Reason("what it is parked on (" + className(c.blockerId()) + ") is reachable", c.blockerId());
        }
        if (c.waitKind() == Wait.WAITING || c.waitKind() == Wait.BLOCKED) {
            int depth = monitorFrame(c);
            List<Long> held = depth < 0 || frames == null ? null : frames.atDepth(depth);
            if (held == null || held.stream().noneMatch(monitorsUsed::contains)) {
                // No object of the waiting frame is a monitor in use (a static synchronized method's class, a
                // compiled frame without its locals): the dump does not say which monitor, so claim nothing.
                return new Reason("the monitor it " + (c.waitKind() == Wait.WAITING ? "waits on" : "wants to enter")
                        + " is not recorded in the dump, so nothing can be proven", c.objectId());
            }
            for (long o : held) {
                if (o != c.objectId() && isMarked(o)) {
                    return new Reason("the monitor it " + (c.waitKind() == Wait.WAITING ? "waits on" : "wants to enter")
                            + " may be reachable (" + className(o) + ")", o);
                }
            }
        }
        return null;
    }

    /**
     * The shortest chains of references from a seed to each target, by one breadth-first walk with a parent per
     * object and a queue (8 bytes per object of the dump; skipped above {@link #MAX_PATH_OBJECTS}).
     */
    private Map<Long, List<String>> paths(List<Long> targets) throws IOException {
        Map<Long, List<String>> out = new HashMap<>();
        long n = index.objectCount();
        if (targets.isEmpty() || n > MAX_PATH_OBJECTS) {
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
            from(ord);
            index.forEachReferenceOfOrdinal(ord, (target, kind, owner, i) -> {
                if (!excluded(kind, owner, i)) {
                    long o = index.ordinal(target);
                    if (o >= 0 && parent[(int) o] == -1) {
                        parent[(int) o] = ord;
                        queue[t[0]++] = (int) o;
                    }
                }
            });
            tail = t[0];
            for (long f : framesOf(ord)) {
                long o = index.ordinal(f);
                if (o >= 0 && parent[(int) o] == -1) {
                    parent[(int) o] = ord;
                    queue[tail++] = (int) o;
                }
            }
        }
        for (long target : wanted) {
            int ord = (int) index.ordinal(target);
            if (parent[ord] == -1) {
                continue;
            }
            List<Integer> chain = new ArrayList<>();
            int at = ord;
            for (; at >= 0 && chain.size() <= MAX_PATH_LENGTH; at = parent[at]) {
                chain.add(0, at);
            }
            boolean cut = at >= 0;                            // the live end is further than MAX_PATH_LENGTH steps
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
        return className(id);
    }

    private static String rootWords(RootKind kind, DumpThread owner) {
        String thread = owner == null ? "" : " of thread " + owner.label();
        return switch (kind) {
            case JAVA_FRAME -> "a local" + thread;
            case JNI_LOCAL -> "a JNI local" + thread;
            case NATIVE_STACK -> "a native stack slot" + thread;
            case THREAD_BLOCK -> "a thread block" + thread;
            case THREAD_OBJECT -> "the running thread " + (owner == null ? "" : owner.label());
            case JNI_GLOBAL -> "a JNI global reference";
            case STICKY_CLASS -> "a system class";
            default -> "a GC root (" + kind + ")";
        };
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

    /**
     * For each group, the bytes and objects that only it keeps alive: reachable from its threads and frames, from
     * nothing that runs, and from no other of these groups. Two walks: the first finds what two groups share (and so
     * all that the shared objects reach), the second counts each group's own objects and stops at shared ones.
     */
    private List<long[]> retained(List<List<DumpThread>> groups, Map<Integer, FrameRefs> frameRefs) throws IOException {
        long[] shared = null;                                 // no sharing with fewer than two groups
        if (groups.size() > 1) {
            long[] seen = new long[live.length];
            long[] twice = new long[live.length];
            for (List<DumpThread> g : groups) {
                walkUnmarked(g, frameRefs, null, (id, ord) -> {
                    if (isSet(seen, ord)) {
                        set(twice, ord);
                    } else {
                        set(seen, ord);
                    }
                });
            }
            shared = twice;
        }
        List<long[]> result = new ArrayList<>();
        for (List<DumpThread> g : groups) {
            long[] r = new long[2];
            walkUnmarked(g, frameRefs, shared, (id, ord) -> {
                r[0] += index.shallowSize(id);
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
     * in {@code stop}, once.
     */
    private void walkUnmarked(List<DumpThread> g, Map<Integer, FrameRefs> frameRefs, long[] stop, ObjectVisitor visitor)
            throws IOException {
        long[] visited = new long[live.length];
        LongStack stack = new LongStack();                    // ordinals
        for (DumpThread t : g) {
            stack.push(index.ordinal(t.objectId()));
            for (long o : toArray(frameRefs.get(t.serial()))) {
                stack.push(index.ordinal(o));
            }
        }
        while (!stack.isEmpty()) {
            long ord = stack.pop();
            if (ord < 0 || isSet(live, ord) || isSet(visited, ord) || (stop != null && isSet(stop, ord))) {
                continue;
            }
            set(visited, ord);
            visitor.visit(index.idAt(ord), ord);
            from(ord);
            index.forEachReferenceOfOrdinal(ord, (target, kind, owner, i) -> {
                long o = excluded(kind, owner, i) ? -1 : index.ordinal(target);
                if (o >= 0 && !isSet(live, o) && !isSet(visited, o)) {
                    stack.push(o);                            // pushed at most once per referrer, checked again when popped
                }
            });
            for (long o : framesOf(ord)) {
                stack.push(index.ordinal(o));
            }
        }
    }

    private void putFrames(long threadId, long[] frames) {
        framesOfVirtual.put(threadId, frames);
        long ord = index.ordinal(threadId);
        if (ord >= 0) {
            set(withFrames, ord);
        }
    }

    /** The frames followed from the object with that ordinal: a virtual thread's; else none. */
    private long[] framesOf(long ord) {
        long[] f = isSet(withFrames, ord) ? framesOfVirtual.get(index.idAt(ord)) : null;
        return f == null ? NO_IDS : f;
    }

    private static final long[] NO_IDS = new long[0];

    private void mark(long id) {
        long ord = index.ordinal(id);
        if (ord >= 0 && !isSet(live, ord)) {
            set(live, ord);
            queue.push(ord);
        }
    }

    private boolean isMarked(long id) {
        long ord = index.ordinal(id);
        return ord >= 0 && isSet(live, ord);
    }

    /** The class of the object whose references are being read. */
    private HeapClass fromClass;

    private void from(long ordinal) {
        fromClass = index.classOfOrdinal(ordinal);
    }

    private void drain() throws IOException {
        while (!queue.isEmpty()) {
            long ord = queue.pop();                          // ordinals
            from(ord);
            index.forEachReferenceOfOrdinal(ord, (target, kind, owner, i) -> {
                if (!excluded(kind, owner, i)) {
                    mark(target);
                }
            });
            for (long o : framesOf(ord)) {
                mark(o);
            }
        }
    }

    private boolean excluded(ReferenceKind kind, HeapClass owner, int i) {
        if (owner != reference && !declaresExcluded[owner.index()]) {
            return false;
        }
        return switch (kind) {
            case FIELD -> (owner == reference && i == referentField && fromPhantom())
                    || contains(excludedFields, owner, i);
            case STATIC_FIELD -> contains(excludedStatics, owner, i);
            default -> false;
        };
    }

    /** Whether the object whose references are being read is a PhantomReference (its referent is never got). */
    private boolean fromPhantom() {
        return phantom != null && fromClass != null && fromClass.isSubclassOf(phantom);
    }

    private static boolean contains(long[] keys, HeapClass owner, int i) {
        long key = ((long) owner.index() << 32) | (i & 0xffffffffL);
        for (long k : keys) {
            if (k == key) {
                return true;
            }
        }
        return false;
    }

    private void resolveExclusions() {
        declaresExcluded = new boolean[index.classCount()];
        reference = index.classByName("java.lang.ref.Reference");
        phantom = index.classByName("java.lang.ref.PhantomReference");
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
                excludedFields = append(excludedFields, ((long) c.index() << 32) | fi);
                declaresExcluded[c.index()] = true;
            }
            int si = c.staticFieldNames().indexOf(field);
            if (si >= 0) {
                excludedStatics = append(excludedStatics, ((long) c.index() << 32) | si);
                declaresExcluded[c.index()] = true;
            }
        }
    }

    private static long[] append(long[] a, long v) {
        long[] b = java.util.Arrays.copyOf(a, a.length + 1);
        b[a.length] = v;
        return b;
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

    private static long[] toArray(FrameRefs refs) {
        return refs == null ? new long[0] : java.util.Arrays.copyOf(refs.ids, refs.size);
    }

    /** The objects one thread's frame roots hold, with each one's frame depth (-1 when not a frame's): 12 bytes each. */
    static final class FrameRefs {
        long[] ids = new long[8];
        int[] depths = new int[8];
        int size;

        void add(long id, int depth) {
            if (size == ids.length) {
                ids = java.util.Arrays.copyOf(ids, size * 2);
                depths = java.util.Arrays.copyOf(depths, size * 2);
            }
            ids[size] = id;
            depths[size++] = depth;
        }

        List<Long> atDepth(int depth) {
            List<Long> out = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                if (depths[i] == depth) {
                    out.add(ids[i]);
                }
            }
            return out.isEmpty() ? null : out;
        }
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
