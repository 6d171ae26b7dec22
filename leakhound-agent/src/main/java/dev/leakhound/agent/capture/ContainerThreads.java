package dev.leakhound.agent.capture;

import dev.leakhound.capture.CreationSites;
import dev.leakhound.model.Blocker;
import dev.leakhound.model.DumpFormat;
import dev.leakhound.model.StackFrame;
import dev.leakhound.model.ThreadDump;
import dev.leakhound.model.ThreadSnapshot;

import java.lang.instrument.Instrumentation;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.LockInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;
import java.util.stream.Stream;

/**
 * Every live thread, platform and virtual, read through the JDK's internal thread containers
 * ({@code jdk.internal.vm.ThreadContainers.root()}, each container's {@code children()} and
 * {@code threads()}): the same walk the JDK's own thread dump makes, without writing JSON.
 *
 * <p>The package {@code java.base/jdk.internal.vm} must be exported to this class's module. {@link #open(Instrumentation)}
 * asks the agent's {@link Instrumentation} to add that export ({@code redefineModule}); {@link #open()} works only
 * when the JVM was started with {@code --add-exports java.base/jdk.internal.vm=ALL-UNNAMED} (or to this module).
 * When neither holds, {@link #isAvailable()} is false and {@link #unavailableReason()} says why: callers then fall
 * back to the JDK's JSON dump ({@code LiveThreads.capture()}) and say so.
 *
 * <p>Stacks come from {@link Thread#getStackTrace()}, which the JDK makes safe for virtual threads that mount or
 * unmount meanwhile (unlike {@code dumpThreads} in JDK 25.0.3, JDK-8364343). Stacks are not cached between calls:
 * nothing public tells whether a parked virtual thread ran and parked again at the same place with the same
 * blocker and state but a different stack below, so a cached stack could be silently stale.
 *
 * <p>Like the JDK's own dump, it sees the virtual threads that a container tracks: all of them by default, but with
 * {@code -Djdk.trackAllThreads=false} a virtual thread started outside any executor is in no container and not seen.
 *
 * <p>What is not known stays {@code null}: a virtual thread in {@code Object.wait} or waiting to enter a monitor
 * has no blocker here (only the JDK's dump knows the monitor). Platform threads get that monitor from
 * {@link ThreadMXBean}, as {@code LiveThreads} does.
 */
public final class ContainerThreads {
    /** The origin written into the {@link ThreadDump}s made here. */
    public static final String ORIGIN = "this JVM (thread containers)";
    static final String PACKAGE = "jdk.internal.vm";
    private static final int MAX_WORKERS = 4;
    /** Below this many threads one worker (the caller) does it all. */
    private static final int PER_WORKER_MIN = 2_000;

    private final MethodHandle root;       // () -> ThreadContainer
    private final MethodHandle children;   // (ThreadContainer) -> Stream<ThreadContainer>
    private final MethodHandle threads;    // (ThreadContainer) -> Stream<Thread>
    private final String reason;

    private ContainerThreads(MethodHandle root, MethodHandle children, MethodHandle threads, String reason) {
        this.root = root;
        this.children = children;
        this.threads = threads;
        this.reason = reason;
    }

    /** Opens the containers to this module through the agent's instrumentation, then looks them up. */
    public static ContainerThreads open(Instrumentation inst) {
        if (inst == null) {
            return open();
        }
        Module javaBase = Object.class.getModule();
        Module ours = ContainerThreads.class.getModule();
        try {
            if (!javaBase.isExported(PACKAGE, ours)) {
                if (!inst.isModifiableModule(javaBase)) {
                    return unavailable("java.base is not modifiable by this agent's Instrumentation");
                }
                inst.redefineModule(javaBase, Set.of(), Map.of(PACKAGE, Set.of(ours)), Map.of(), Set.of(), Map.of());
            }
        } catch (RuntimeException e) {
            return unavailable("Instrumentation.redefineModule failed: " + e);
        }
        return open();
    }

    /** Looks the containers up if {@code java.base/jdk.internal.vm} is already exported to this module. */
    public static ContainerThreads open() {
        Module ours = ContainerThreads.class.getModule();
        if (!Object.class.getModule().isExported(PACKAGE, ours)) {
            return unavailable("java.base does not export " + PACKAGE + " to " + ours
                    + " (start the JVM with the agent, or with --add-exports java.base/" + PACKAGE + "=ALL-UNNAMED)");
        }
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            Class<?> containers = Class.forName(PACKAGE + ".ThreadContainers");
            Class<?> container = Class.forName(PACKAGE + ".ThreadContainer");
            MethodHandle root = lookup.findStatic(containers, "root", MethodType.methodType(container))
                    .asType(MethodType.methodType(Object.class));
            MethodHandle children = lookup.findVirtual(container, "children", MethodType.methodType(Stream.class))
                    .asType(MethodType.methodType(Stream.class, Object.class));
            MethodHandle threads = lookup.findVirtual(container, "threads", MethodType.methodType(Stream.class))
                    .asType(MethodType.methodType(Stream.class, Object.class));
            ContainerThreads ct = new ContainerThreads(root, children, threads, null);
            ct.forEach((c, t) -> { });                   // fail here, not in the first real use
            return ct;
        } catch (Throwable e) {
            return unavailable("the JDK's thread containers could not be used: " + e);
        }
    }

    private static ContainerThreads unavailable(String reason) {
        return new ContainerThreads(null, null, null, reason);
    }

    public boolean isAvailable() {
        return reason == null;
    }

    /** Why {@link #isAvailable()} is false, or {@code null} when it is available. */
    public String unavailableReason() {
        return reason;
    }

    private void requireAvailable() {
        if (reason != null) {
            throw new IllegalStateException("thread containers unavailable: " + reason);
        }
    }

    /**
     * Calls {@code action} with each live thread and the name of its container as the JDK's JSON dump prints it
     * ({@code <root>}, {@code java.util.concurrent.ThreadPerTaskExecutor@521b83de}, {@code ForkJoinPool-1}).
     * A thread is reported once, in the first container (depth first, root first) that lists it.
     */
    public void forEach(BiConsumer<String, Thread> action) {
        requireAvailable();
        IdSet seen = new IdSet();
        try {
            visit(root.invokeExact(), action, seen);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private void visit(Object container, BiConsumer<String, Thread> action, IdSet seen) throws Throwable {
        String name = String.valueOf(container);
        try (Stream<Thread> ts = (Stream<Thread>) threads.invokeExact(container)) {
            ts.forEach(t -> {
                if (seen.add(t.threadId())) {
                    action.accept(name, t);
                }
            });
        }
        List<Object> kids;
        try (Stream<Object> cs = (Stream<Object>) children.invokeExact(container)) {
            kids = cs.toList();
        }
        for (Object child : kids) {
            visit(child, action, seen);
        }
    }

    /**
     * The ids of the threads already reported, in an open-addressed table of longs: no boxed id and no map entry
     * per thread (a capture of 100k threads saved ~5 MB of garbage). Thread ids are positive.
     */
    private static final class IdSet {
        private long[] table = new long[1024];
        private int size;

        /** Adds {@code id}; whether it was not there. */
        boolean add(long id) {
            if (size * 2 >= table.length) {
                long[] old = table;
                table = new long[old.length * 2];
                size = 0;
                for (long x : old) {
                    if (x != 0) {
                        add(x);
                    }
                }
            }
            int mask = table.length - 1;
            for (int i = Long.hashCode(id * 0x9E3779B97F4A7C15L) & mask; ; i = (i + 1) & mask) {
                if (table[i] == id) {
                    return false;
                }
                if (table[i] == 0) {
                    table[i] = id;
                    size++;
                    return true;
                }
            }
        }
    }

    /**
     * Live threads by kind and state, without stacks: the host's, and apart, Leakhound's own ({@code own}: platform
     * threads named {@code leakhound-...}, which the kinds, states and containers leave out).
     */
    public record Counts(long virtual, long platform, Map<Thread.State, Long> virtualByState,
                         Map<Thread.State, Long> platformByState, Map<String, Long> byContainer, long own) {
        public Counts {
            virtualByState = Map.copyOf(virtualByState);
            platformByState = Map.copyOf(platformByState);
            byContainer = Map.copyOf(byContainer);
        }

        /** Every live thread, Leakhound's own included. */
        public long total() {
            return virtual + platform + own;
        }
    }

    /** The names of Leakhound's own threads start so (as agent.sampling's OwnThreads says). */
    private static final String OWN_PREFIX = "leakhound-";

    /** Counts by kind, {@link Thread#getState()} and container; reads no stack (tens of ms for 100k threads). */
    public Counts count() {
        long[] kinds = new long[3];
        Map<Thread.State, Long> v = new EnumMap<>(Thread.State.class);
        Map<Thread.State, Long> p = new EnumMap<>(Thread.State.class);
        Map<String, Long> byContainer = new HashMap<>();
        forEach((c, t) -> {
            Thread.State s = t.getState();
            if (s == Thread.State.TERMINATED) {
                return;
            }
            boolean virtual = t.isVirtual();
            if (!virtual && t.getName().startsWith(OWN_PREFIX)) {
                kinds[2]++;
                return;
            }
            kinds[virtual ? 0 : 1]++;
            (virtual ? v : p).merge(s, 1L, Long::sum);
            byContainer.merge(c, 1L, Long::sum);
        });
        return new Counts(kinds[0], kinds[1], v, p, byContainer, kinds[2]);
    }

    /**
     * Every live thread with state, park blocker and stack: a {@link ThreadDump} of format {@code LIVE}, usable by
     * {@code ThreadGrouping.group}. Equal frames and stacks are shared. Stacks are read on up to 4 platform daemon
     * threads named {@code leakhound-capture-N}, started for this call and ended before it returns.
     */
    public ThreadDump snapshot() {
        Instant now = Instant.now();
        List<Thread> all = new ArrayList<>();
        List<String> containers = new ArrayList<>();
        forEach((c, t) -> {
            all.add(t);
            containers.add(c);
        });
        Frames frames = new Frames();
        ThreadSnapshot[] out = new ThreadSnapshot[all.size()];
        parallel(all.size(), (from, to) -> {
            for (int i = from; i < to; i++) {
                out[i] = snapshotOf(all.get(i), containers.get(i), frames);
            }
        });
        List<ThreadSnapshot> live = new ArrayList<>(out.length);
        for (ThreadSnapshot s : out) {
            if (s != null) {
                live.add(s);
            }
        }
        return new ThreadDump(now, ORIGIN, DumpFormat.LIVE, ProcessHandle.current().pid(),
                Runtime.version().toString(), addPlatformMonitors(live));
    }

    /**
     * One group of threads with the same state, blocker kind and class and stack, as {@code ThreadGrouping} makes
     * them: by what blocks them, with where they were started counted inside ({@code startSites}: the starting line
     * and its caller to the number of threads started there, at most {@value #MAX_START_SITES}, the threads of any
     * more in {@code otherStartSites}; {@code withoutStartSite}: not recorded), but holding at most
     * {@code sampleLimit} threads' ids: memory follows the number of groups.
     */
    public record Group(Thread.State state, Blocker.Kind blockerKind, String blockerClass, List<StackFrame> stack,
                        Map<List<StackFrame>, Long> startSites, long withoutStartSite, long otherStartSites,
                        long count, long virtualCount, Set<String> containers, List<Long> sampleIds) {
    }

    /** Start sites counted per group. */
    static final int MAX_START_SITES = 100;

    private record Key(Thread.State state, Blocker.Kind kind, String blockerClass, List<StackFrame> stack) {
    }

    private static final class Acc {
        long count;
        long virtual;
        long withoutStart;
        long otherStarts;
        final Map<List<StackFrame>, Long> starts = new HashMap<>();
        final Set<String> containers = new HashSet<>();
        final List<Long> sample = new ArrayList<>();

        void started(List<StackFrame> key, long n) {
            if (key == null) {
                withoutStart += n;
            } else if (starts.containsKey(key) || starts.size() < MAX_START_SITES) {
                starts.merge(key, n, Long::sum);
            } else {
                otherStarts += n;
            }
        }
    }

    /**
     * Groups every live thread directly, without keeping a snapshot per thread; largest group first.
     * Unlike {@link #snapshot()}, platform threads in {@code Object.wait} or entering a monitor have no blocker
     * here (no {@code ThreadMXBean} call). What it keeps follows the number of groups; while the call runs it also
     * holds, per thread, a reference, its container's name (shared) and its id in a set of those already seen.
     */
    public List<Group> groups(int sampleLimit) {
        List<Thread> all = new ArrayList<>();
        List<String> containers = new ArrayList<>();
        forEach((c, t) -> {
            all.add(t);
            containers.add(c);
        });
        Frames frames = new Frames();
        Map<Key, Acc> merged = new ConcurrentHashMap<>();
        parallel(all.size(), (from, to) -> {
            Map<Key, Acc> local = new HashMap<>();
            for (int i = from; i < to; i++) {
                Thread t = all.get(i);
                ThreadSnapshot s = snapshotOf(t, containers.get(i), frames);
                if (s == null) {
                    continue;
                }
                Blocker b = s.blocker();
                Key k = new Key(s.state(), b == null ? null : b.kind(), b == null ? null : b.className(), s.stack());
                Acc a = local.computeIfAbsent(k, x -> new Acc());
                a.count++;
                a.started(s.creationSite() == null || s.creationSite().startingFrame() == null ? null
                        : s.creationSite().groupingKey(), 1);
                if (s.virtual()) {
                    a.virtual++;
                }
                a.containers.add(s.container());
                if (a.sample.size() < sampleLimit) {
                    a.sample.add(s.id());
                }
            }
            local.forEach((k, a) -> merged.merge(k, a, (x, y) -> {
                synchronized (x) {
                    x.count += y.count;
                    x.virtual += y.virtual;
                    x.withoutStart += y.withoutStart;
                    x.otherStarts += y.otherStarts;
                    y.starts.forEach(x::started);
                    x.containers.addAll(y.containers);
                    for (Long id : y.sample) {
                        if (x.sample.size() < sampleLimit) {
                            x.sample.add(id);
                        }
                    }
                }
                return x;
            }));
        });
        List<Group> out = new ArrayList<>(merged.size());
        merged.forEach((k, a) -> out.add(new Group(k.state(), k.kind(), k.blockerClass(), k.stack(),
                Map.copyOf(a.starts), a.withoutStart, a.otherStarts, a.count, a.virtual, Set.copyOf(a.containers),
                List.copyOf(a.sample))));
        out.sort((x, y) -> Long.compare(y.count(), x.count()));
        return out;
    }

    /** The thread as seen now, or {@code null} if it has ended. */
    private static ThreadSnapshot snapshotOf(Thread t, String container, Frames frames) {
        Thread.State state = t.getState();
        if (state == Thread.State.TERMINATED) {
            return null;
        }
        Object blocker = LockSupport.getBlocker(t);
        StackTraceElement[] trace = t.getStackTrace();
        Blocker b = blocker == null ? null : frames.blocker(blocker);
        boolean virtual = t.isVirtual();
        return new ThreadSnapshot(t.threadId(), t.getName(), virtual, virtual ? Boolean.TRUE : t.isDaemon(), state,
                frames.stack(trace), b, List.of(), container, null, CreationSites.of(t.threadId()));
    }

    /** Adds, for platform threads only, the monitor waited on or entered, from {@link ThreadMXBean}. */
    private static List<ThreadSnapshot> addPlatformMonitors(List<ThreadSnapshot> threads) {
        List<Long> ids = new ArrayList<>();
        for (ThreadSnapshot t : threads) {
            if (!t.virtual() && t.blocker() == null
                    && (t.state() == Thread.State.BLOCKED || inObjectWait(t))) {
                ids.add(t.id());
            }
        }
        if (ids.isEmpty()) {
            return threads;
        }
        ThreadInfo[] infos = ManagementFactory.getThreadMXBean()
                .getThreadInfo(ids.stream().mapToLong(Long::longValue).toArray(), 0);
        Map<Long, ThreadInfo> byId = new HashMap<>();
        for (ThreadInfo info : infos) {
            if (info != null) {
                byId.put(info.getThreadId(), info);
            }
        }
        List<ThreadSnapshot> out = new ArrayList<>(threads.size());
        for (ThreadSnapshot t : threads) {
            ThreadInfo info = t.virtual() ? null : byId.get(t.id());
            LockInfo lock = info == null ? null : info.getLockInfo();
            // Only when the thread is still where its stack says: it may have moved on since.
            if (lock == null || info.getThreadState() != t.state()) {
                out.add(t);
                continue;
            }
            Blocker.Kind kind = t.state() == Thread.State.BLOCKED ? Blocker.Kind.ENTERING : Blocker.Kind.WAITING_ON;
            Long owner = info.getLockOwnerId() >= 0 ? info.getLockOwnerId() : null;
            Blocker b = new Blocker(kind, lock.getClassName(), Integer.toHexString(lock.getIdentityHashCode()), owner);
            out.add(new ThreadSnapshot(t.id(), t.name(), false, t.daemon(), t.state(), t.stack(), b, List.of(),
                    t.container(), null, t.creationSite()));
        }
        return out;
    }

    private static boolean inObjectWait(ThreadSnapshot t) {
        if (t.state() != Thread.State.WAITING && t.state() != Thread.State.TIMED_WAITING) {
            return false;
        }
        for (int i = 0; i < Math.min(3, t.stack().size()); i++) {
            StackFrame f = t.stack().get(i);
            if (f.className().equals("java.lang.Object") && f.methodName().startsWith("wait")) {
                return true;
            }
        }
        return false;
    }

    private interface Range {
        void run(int from, int to);
    }

    /**
     * Threads handed to a worker at a time. The workers take slices as they go rather than a half each: on a busy
     * machine one of them may get much less of a core than the other, and the faster one then does more.
     */
    private static final int SLICE = 512;

    /** Runs {@code [0, n)} in slices on short-lived {@code leakhound-capture-N} daemon threads and the caller. */
    private static void parallel(int n, Range work) {
        int workers = Math.max(1, Math.min(Math.min(MAX_WORKERS, Runtime.getRuntime().availableProcessors()),
                n / PER_WORKER_MIN));
        if (workers == 1) {
            work.run(0, n);
            return;
        }
        Thread[] helpers = new Thread[workers - 1];
        Throwable[] failures = new Throwable[workers];
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        Runnable slices = () -> {
            for (int from; (from = next.getAndAdd(SLICE)) < n; ) {
                work.run(from, Math.min(n, from + SLICE));
            }
        };
        for (int w = 1; w < workers; w++) {
            int index = w;
            Thread h = Thread.ofPlatform().daemon(true).name("leakhound-capture-" + w)
                    .inheritInheritableThreadLocals(false).unstarted(() -> {
                try {
                    slices.run();
                } catch (Throwable e) {
                    failures[index] = e;
                }
            });
            try {
                h.start();
                helpers[w - 1] = h;
            } catch (OutOfMemoryError e) {
                // The host is out of threads (a thread leak at its peak, when the capture matters most): no helper;
                // the caller takes the slices it would have taken.
            }
        }
        try {
            slices.run();
        } catch (Throwable e) {
            failures[0] = e;
        }
        boolean interrupted = false;
        for (Thread h : helpers) {
            while (h != null) {
                try {
                    h.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;                // no helper may outlive the call
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        for (Throwable f : failures) {
            if (f instanceof RuntimeException r) {
                throw r;
            } else if (f instanceof Error e) {
                throw e;
            } else if (f != null) {
                throw new IllegalStateException(f);
            }
        }
    }

    /** Distinct traces looked up by their elements at most, per capture (bounds the table's memory). */
    private static final int MAX_TRACES = 10_000;

    /** Shares equal frames, stacks and blocker class names across the workers of one call. */
    private static final class Frames {
        private final ConcurrentHashMap<StackTraceElement, StackFrame> frames = new ConcurrentHashMap<>();
        private final ConcurrentHashMap<List<StackFrame>, List<StackFrame>> stacks = new ConcurrentHashMap<>();
        private final ConcurrentHashMap<Trace, List<StackFrame>> byTrace = new ConcurrentHashMap<>();
        private final ConcurrentHashMap<Class<?>, String> classNames = new ConcurrentHashMap<>();

        /**
         * A trace as a key, equal to another with equal elements (and so to the same frames). Looking a trace up by
         * its elements first spares, for every thread whose stack was already seen (most of them: threads pile up
         * at the same place), the frames' array and the list of them that would be thrown away.
         */
        private record Trace(StackTraceElement[] elements, int hash) {
            Trace(StackTraceElement[] elements) {
                this(elements, Arrays.hashCode(elements));
            }

            @Override
            public boolean equals(Object o) {
                return o instanceof Trace t && t.hash == hash && Arrays.equals(t.elements, elements);
            }

            @Override
            public int hashCode() {
                return hash;
            }
        }

        List<StackFrame> stack(StackTraceElement[] trace) {
            Trace key = new Trace(trace);
            List<StackFrame> known = byTrace.get(key);
            if (known != null) {
                return known;
            }
            List<StackFrame> made = newStack(trace);
            if (byTrace.size() < MAX_TRACES) {
                byTrace.putIfAbsent(key, made);
            }
            return made;
        }

        private List<StackFrame> newStack(StackTraceElement[] trace) {
            StackFrame[] out = new StackFrame[trace.length];
            for (int i = 0; i < trace.length; i++) {
                StackFrame f = frames.get(trace[i]);
                if (f == null) {
                    f = frames.computeIfAbsent(trace[i], StackFrame::of);
                }
                out[i] = f;
            }
            List<StackFrame> list = List.of(out);
            List<StackFrame> shared = stacks.putIfAbsent(list, list);
            return shared != null ? shared : list;
        }

        Blocker blocker(Object o) {
            String cls = classNames.computeIfAbsent(o.getClass(), Class::getName);
            return new Blocker(Blocker.Kind.PARKED_ON, cls, Integer.toHexString(System.identityHashCode(o)), null);
        }
    }
}
