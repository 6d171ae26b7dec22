package dev.leakhound.agent.boot;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where and when each live thread was started, recorded by hooks that the Leakhound agent puts at the start and
 * the end of every thread, platform and virtual ({@code Thread.start}, {@code VirtualThread.start}, the JDK's
 * per-thread clean-up at exit). Without the agent nothing calls the hooks and {@link #lookup} finds nothing.
 *
 * <p>This class is never used under this name. The agent defines a copy of it (and of its nested classes) inside
 * {@code java.base}, as {@value #JDK_NAME}, so that {@code java.lang.Thread} can call it and it can read the JDK's
 * private fields: it must depend on nothing but {@code java.base}. The rest of Leakhound reaches that copy by
 * reflection ({@code dev.leakhound.capture.CreationSites}, {@code instrument.StartTracking}) through
 * {@link #lookup}, {@link #enabled()}, {@link #setOwner}, {@link #ownerOf} and {@link #stats()}.
 *
 * <h2>Cost</h2>
 * A stack walk per start would cost 20-30 times a virtual thread's start. So a site is keyed by the class of the
 * started task (each lambda or {@code Runnable} class stands for one place in the code, after unwrapping the JDK's
 * own wrappers such as executors' task runners and {@code FutureTask}): the creator's stack is walked only the first
 * {@value #CONFIRMATIONS} times a class is seen, then again at every 1024th start of a lambda or anonymous class
 * (written in one place) and every 64th of a named class (which may be started from anywhere), to notice a class
 * started from a second place (another first frame outside the JDK). From then on, as for JDK classes, which stand
 * for no place, every start walks. Until that second place is noticed, its threads are reported at the first place.
 * For a class started from one place, the frames below the starting line (who called the method that starts the
 * thread) are those of its first start. Per live thread it keeps one small record (about 60 bytes),
 * removed when the thread ends, in a table of about {@code maxTracked} slots (4 bytes each, allocated when
 * recording starts); when it is full it counts what it missed. Sites are interned: a million threads started from
 * one place share one site.
 *
 * <h2>Safety</h2>
 * The hooks run inside {@code Thread.start} of the host's threads: they never throw (running out of memory skips a
 * record, any other failure switches recording off), start no thread, allocate only the record (and a site the first
 * times a task class is seen), and block on nothing but the short internal locks of {@code ClassValue} and
 * {@code ConcurrentHashMap} when a new class or site is added. Everything they use is linked by {@link #enable}.
 */
public final class ThreadStarts {
    /** The name of the copy inside {@code java.base}. */
    public static final String JDK_NAME = "jdk.internal.vm.LeakhoundThreadStarts_" + ThreadStarts.VERSION;
    /**
     * Part of {@link #JDK_NAME}: raise it whenever the signatures called by the hooks or by reflection change, so
     * that a copy left in the JVM by another version of the agent is never called with the wrong signature.
     */
    public static final int VERSION = 2;
    /** A task class is trusted after being seen started from the same place this many times. */
    static final int CONFIRMATIONS = 3;
    /** At most this many frames of the creator's stack. */
    static final int MAX_FRAMES = 16;
    /** At most this many distinct sites; later ones share {@link #OVERFLOW}. */
    static final int MAX_SITES = 4096;
    private static final int MAX_UNWRAP = 6;
    /** Slots tried from a thread's home slot before a start goes unrecorded. */
    static final int PROBES = 8;
    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(Slot[].class);

    /** Where threads were started: the creator's frames, innermost first, from the caller of {@code start}. */
    public record Site(List<StackTraceElement> frames) {
    }

    /**
     * One started thread.
     *
     * @param site        where it was started
     * @param creator     the name of the thread that started it
     * @param startMillis when, in {@link System#currentTimeMillis()}
     * @param owner       the owner tag of the creator (see {@link #setOwner}), or {@code null}
     * @param pool        for a worker of a {@code ThreadPoolExecutor}: where the pool was created (see
     *                    {@link #poolCreated}), else {@code null}
     */
    public record Start(Site site, String creator, long startMillis, String owner, Site pool) {
    }

    /** Counters for reports: threads tracked now, distinct sites, starts missed for want of room. */
    public record Stats(long tracked, long sites, long missed, long walks) {
    }

    static final Site OVERFLOW = new Site(List.of());

    /** A slot of the table: the thread's id and its start. */
    private record Slot(long threadId, Start start) {
    }

    private static volatile boolean enabled;
    private static volatile String failure;
    private static volatile boolean ownersInUse;
    /** Tags of tests already checked: threads started later by their threads do not inherit them. */
    private static final java.util.Set<String> RETIRED = ConcurrentHashMap.newKeySet();
    private static final int MAX_RETIRED = 100_000;
    /** The records, at slot {@code threadId & mask} or one of the next {@value #PROBES}: see {@link #started}. */
    private static volatile Slot[] table = new Slot[0];
    private static final ConcurrentHashMap<List<StackTraceElement>, Site> SITES = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<Long, String> OWNERS = new ConcurrentHashMap<>();
    private static final AtomicLong MISSED = new AtomicLong();
    /**
     * Where each live {@code ThreadPoolExecutor} was created, at most {@value #MAX_POOLS}: weak keys, so a pool that
     * is collected takes its entry with it. Guarded by itself (held only for a get or a put).
     */
    private static final java.util.Map<Object, Site> POOLS = new java.util.WeakHashMap<>();
    static final int MAX_POOLS = 10_000;
    private static volatile boolean poolsInUse;
    private static final AtomicLong WALKS = new AtomicLong();
    private static final StackWalker WALKER = StackWalker.getInstance();

    /** Per task class: its site once confirmed, and how often to check it again. */
    private static final class KeyState {
        volatile Site site;
        volatile int confirmations;
        volatile boolean ambiguous;
        int starts;                       // racy on purpose: it only spaces the checks out
        final int recheckMask;
        /** For a lambda or anonymous class: the top-level class it is written in, else {@code null}. */
        final String inOnePlace;

        KeyState(int recheckMask, String inOnePlace) {
            this.recheckMask = recheckMask;
            this.inOnePlace = inOnePlace;
        }
    }

    private static final ClassValue<KeyState> KEYS = new ClassValue<>() {
        @Override
        protected KeyState computeValue(Class<?> type) {
            // A lambda or anonymous class is written in one place, a named class may be started from many. Told
            // by name and hidden-ness only: isAnonymousClass() may load the enclosing class, here inside start().
            String name = type.getName();
            boolean oneWritten = type.isHidden() || isAnonymousName(name);
            KeyState s = new KeyState(oneWritten ? 1023 : 63, oneWritten ? topLevel(name) : null);
            s.ambiguous = isJdkClass(name);              // a JDK class stands for no one place in the code
            return s;
        }
    };

    /** {@code a.B$1}, {@code a.B$C$2}: javac's names of anonymous classes. */
    static boolean isAnonymousName(String name) {
        int dollar = name.lastIndexOf('$');
        if (dollar < 0 || dollar == name.length() - 1) {
            return false;
        }
        for (int i = dollar + 1; i < name.length(); i++) {
            if (!Character.isDigit(name.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** {@code a.B} of {@code a.B$C$1} or of a lambda's hidden class {@code a.B$$Lambda/0x...}. */
    static String topLevel(String name) {
        int dollar = name.indexOf('$');
        return dollar < 0 ? name : name.substring(0, dollar);
    }

    /** Whether the site's starting line (first frame outside the JDK) is in that top-level class. */
    private static boolean startsInClass(Site site, String topLevelClass) {
        StackTraceElement e = startingLine(site);
        return e != null && topLevel(e.getClassName()).equals(topLevelClass);
    }

    /** For JDK wrapper classes: the one field holding the wrapped task, or none. */
    private static final ClassValue<VarHandle> WRAPPED = new ClassValue<>() {
        @Override
        protected VarHandle computeValue(Class<?> type) {
            return isJdkClass(type.getName()) ? wrappedTaskField(type) : null;
        }
    };

    private static volatile boolean canUnwrap;

    /** The JDK's private fields that lead from a thread to its task; constants, so that the JIT folds them. */
    private static final class Access {
        static final VarHandle THREAD_HOLDER;    // Thread.holder
        static final VarHandle HOLDER_TASK;      // Thread.FieldHolder.task
        static final VarHandle VIRTUAL_CONT;     // VirtualThread.cont
        static final VarHandle CONT_TARGET;      // jdk.internal.vm.Continuation.target

        static {
            try {
                MethodHandles.Lookup lookup = MethodHandles.lookup();
                Class<?> holder = Class.forName("java.lang.Thread$FieldHolder");
                THREAD_HOLDER = MethodHandles.privateLookupIn(Thread.class, lookup)
                        .findVarHandle(Thread.class, "holder", holder);
                HOLDER_TASK = MethodHandles.privateLookupIn(holder, lookup).findVarHandle(holder, "task", Runnable.class);
                Class<?> vt = Class.forName("java.lang.VirtualThread");
                Class<?> cont = Class.forName("jdk.internal.vm.Continuation");
                VIRTUAL_CONT = MethodHandles.privateLookupIn(vt, lookup).findVarHandle(vt, "cont", cont);
                CONT_TARGET = MethodHandles.privateLookupIn(cont, lookup).findVarHandle(cont, "target", Runnable.class);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private ThreadStarts() {
    }

    /**
     * Starts recording, tracking about {@code maxTracked} live threads at most. The hooks must be in place for
     * anything to be recorded. Inside {@code java.base} the JDK's private fields are readable; anywhere else (a
     * test) tasks are not unwrapped and every start walks the stack: correct but slow.
     *
     * @return {@code null}, or why tasks cannot be unwrapped (recording still runs)
     */
    public static synchronized String enable(int maxTracked) {
        int slots = Integer.highestOneBit(Math.max(PROBES, Math.min(1 << 30, maxTracked)) - 1) << 1;
        if (table.length != slots) {
            table = new Slot[slots];
        }
        String why = null;
        try {
            canUnwrap = Access.THREAD_HOLDER != null;
        } catch (Throwable e) {
            canUnwrap = false;
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            why = "the started task cannot be read (" + cause + "): every start walks the creator's stack";
        }
        failure = null;
        warmUp();
        enabled = true;
        return why;
    }

    /**
     * Links, before any hook runs, what the first start would otherwise link inside the host's {@code start()}:
     * the stack walk's lambdas and stream, the class values, the records.
     */
    private static void warmUp() {
        Runnable sample = () -> { };
        KEYS.get(sample.getClass());
        WRAPPED.get(sample.getClass());
        walk();
        new Slot(0, new Start(OVERFLOW, "", 0, null, null)).start();
        try {
            WorkerAccess.WORKER.getName();
        } catch (Throwable ignored) {
            // pools are then not told apart: workers keep their own start site only
        }
        synchronized (POOLS) {
            POOLS.get(sample);
        }
        IDENTITY.get(java.util.concurrent.ThreadPoolExecutor.class);
        walkFrom(ThreadStarts::isPoolMachinery);
    }

    /** Stops recording and forgets every record; the hooks stay but do nothing. */
    public static synchronized void disable() {
        enabled = false;
        table = new Slot[0];
        OWNERS.clear();
        synchronized (POOLS) {
            POOLS.clear();
        }
        poolsInUse = false;
    }

    /** Whether starts are being recorded (the agent's hooks are in place and recording is on). */
    public static boolean enabled() {
        return enabled;
    }

    /** Why recording switched itself off, or {@code null}. */
    public static String failure() {
        return failure;
    }

    /** Where and when the live thread with this id was started, or {@code null} if not recorded. */
    public static Start lookup(long threadId) {
        if (!enabled) {
            return null;
        }
        Slot[] t = table;
        int mask = t.length - 1;
        for (int i = 0; i < PROBES && i < t.length; i++) {
            Slot r = (Slot) SLOTS.getAcquire(t, (int) (threadId + i) & mask);
            if (r != null && r.threadId() == threadId) {
                return r.start();
            }
        }
        return null;
    }

    /** Counters; {@code tracked} counts the table's records (a scan: for reports, not for hot paths). */
    public static Stats stats() {
        long tracked = 0;
        for (Slot r : table) {
            if (r != null) {
                tracked++;
            }
        }
        return new Stats(tracked, SITES.size(), MISSED.get(), WALKS.get());
    }

    /**
     * Tags a thread, and every thread it or its descendants start from now on, with {@code owner} ({@code null}
     * removes the tag); returns the tag it had of its own before (not an inherited one). The JUnit extension tags
     * each test's thread with the test's id, so that a thread left behind is blamed on the test that started it
     * even when tests run in parallel.
     */
    public static String setOwner(long threadId, String owner) {
        if (owner == null) {
            return OWNERS.remove(threadId);
        }
        ownersInUse = true;
        RETIRED.remove(owner);
        return OWNERS.put(threadId, owner);
    }

    /**
     * Marks a tag as done with (its test was checked): threads that carry it keep it, but threads they start from
     * now on do not inherit it (a pooled worker started during one test must not tag the threads of the next).
     */
    public static void retireOwner(String owner) {
        if (owner != null && RETIRED.size() < MAX_RETIRED) {
            RETIRED.add(owner);
        }
    }

    /** The owner tag of a live thread: its own tag if set, else the one it inherited at start; or {@code null}. */
    public static String ownerOf(long threadId) {
        String own = OWNERS.get(threadId);
        if (own != null) {
            return own;
        }
        Start s = lookup(threadId);
        return s == null ? null : s.owner();
    }

    /** How many starts went unrecorded (table full, or failures inside the hook). */
    public static long missed() {
        return MISSED.get();
    }

    // ------------------------------------------------------------------ hooks, called by the JDK's classes

    /**
     * Hook at the top of {@code Thread.start} and {@code VirtualThread.start}. Never throws.
     *
     * <p>The record goes to the first free slot of the {@value #PROBES} from {@code threadId & mask}: thread ids
     * are handed out in sequence, so live threads spread over the table without hashing, and a start costs one
     * allocation and one compare-and-set, no lock. When all of them are taken by live threads (about
     * {@code maxTracked} threads alive) the start goes unrecorded and is counted.
     */
    public static void started(Thread t) {
        if (!enabled) {
            return;
        }
        try {
            if (t.getState() != Thread.State.NEW) {
                return;                                       // start() will throw; keep the first record
            }
            Thread creator = Thread.currentThread();
            String owner = null;
            if (ownersInUse) {
                owner = ownerOf(creator.threadId());
                if (owner != null && RETIRED.contains(owner)) {
                    owner = null;
                }
            }
            long id = t.threadId();
            Slot r = new Slot(id, new Start(siteOf(t), creator.getName(), System.currentTimeMillis(), owner,
                    poolsInUse ? poolOf(t) : null));
            Slot[] tab = table;
            int mask = tab.length - 1;
            for (int i = 0; i < PROBES && i < tab.length; i++) {
                int slot = (int) (id + i) & mask;
                if (SLOTS.compareAndSet(tab, slot, (Slot) null, r)) {
                    return;
                }
                Slot there = (Slot) SLOTS.getAcquire(tab, slot);
                if (there != null && there.threadId() == id) {
                    return;                                   // two start() calls at once: one will throw
                }
            }
            MISSED.incrementAndGet();
        } catch (Throwable e) {
            switchOff(e);
        }
    }

    /** Hook at the top of the JDK's clean-up of a thread that ends ({@code Thread.exit}, {@code VirtualThread.afterDone}). */
    public static void ended(Thread t) {
        try {
            Slot[] tab = table;
            if (tab.length > 0) {
                long id = t.threadId();
                int mask = tab.length - 1;
                for (int i = 0; i < PROBES && i < tab.length; i++) {
                    int slot = (int) (id + i) & mask;
                    Slot r = (Slot) SLOTS.getAcquire(tab, slot);
                    if (r != null && r.threadId() == id) {
                        SLOTS.compareAndSet(tab, slot, r, (Slot) null);
                        break;
                    }
                }
            }
            if (ownersInUse && !OWNERS.isEmpty()) {
                OWNERS.remove(t.threadId());
            }
        } catch (Throwable e) {
            switchOff(e);
        }
    }

    /**
     * Hook at the end of the {@code ThreadPoolExecutor} constructor that the others call: where the pool was created
     * (the user must fix the line that created a pool never shut down, not the line that first submitted to it).
     * Never throws; a failure only leaves this pool without its site.
     */
    public static void poolCreated(Object pool) {
        if (!enabled) {
            return;
        }
        try {
            if (!IDENTITY.get(pool.getClass())) {
                return;                               // a map key must not run the host's equals or hashCode here
            }
            Site site = walkFrom(ThreadStarts::isPoolMachinery);
            synchronized (POOLS) {
                if (POOLS.size() < MAX_POOLS) {
                    POOLS.put(pool, site);
                    poolsInUse = true;
                } else {
                    MISSED.incrementAndGet();
                }
            }
        } catch (Throwable e) {
            MISSED.incrementAndGet();
        }
    }

    /** Where the pool of a {@code ThreadPoolExecutor} worker was created, or {@code null} for any other thread. */
    private static Site poolOf(Thread t) {
        try {
            Object task = rawTask(t);
            if (task == null || task.getClass() != WorkerAccess.WORKER) {
                return null;
            }
            Object pool = WorkerAccess.OUTER.get(task);
            if (pool == null || !IDENTITY.get(pool.getClass())) {
                return null;
            }
            synchronized (POOLS) {
                return POOLS.get(pool);
            }
        } catch (Throwable e) {
            return null;
        }
    }

    /** Whether the class keeps Object's equals and hashCode (identity): only such pools are map keys. */
    private static final ClassValue<Boolean> IDENTITY = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            try {
                return type.getMethod("hashCode").getDeclaringClass() == Object.class
                        && type.getMethod("equals", Object.class).getDeclaringClass() == Object.class;
            } catch (Throwable e) {
                return false;
            }
        }
    };

    /** A pool worker's class and the pool it works for (its enclosing instance). */
    private static final class WorkerAccess {
        static final Class<?> WORKER;
        static final VarHandle OUTER;

        static {
            try {
                WORKER = Class.forName("java.util.concurrent.ThreadPoolExecutor$Worker");
                OUTER = MethodHandles.privateLookupIn(WORKER, MethodHandles.lookup())
                        .findVarHandle(WORKER, "this$0", java.util.concurrent.ThreadPoolExecutor.class);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Frames of a pool's creation above the code that created it: this class and the executors' constructors. */
    static boolean isPoolMachinery(String className) {
        return className.equals(ThreadStarts.class.getName())
                || className.equals("java.util.concurrent.ThreadPoolExecutor")
                || className.equals("java.util.concurrent.ScheduledThreadPoolExecutor");
    }

    private static void switchOff(Throwable e) {
        try {
            enabled = false;
            failure = String.valueOf(e);
            table = new Slot[0];
        } catch (Throwable ignored) {
            // nothing more can be done safely here
        }
    }

    // ------------------------------------------------------------------ sites

    private static Site siteOf(Thread t) {
        Object task = taskOf(t);
        KeyState key = KEYS.get(task != null ? task.getClass() : t.getClass());
        if (!key.ambiguous) {
            Site known = key.site;
            if (known != null && key.confirmations >= CONFIRMATIONS && (++key.starts & key.recheckMask) != 0) {
                return known;
            }
        }
        Site walked = walk();
        if (walked == OVERFLOW) {
            Site known = key.site;
            return known != null ? known : walked;            // no room for more sites: keep what is known
        }
        if (!key.ambiguous) {
            Site known = key.site;
            if (known == null) {
                if (key.inOnePlace != null && !startsInClass(walked, key.inOnePlace)) {
                    key.ambiguous = true;                     // a lambda handed to code elsewhere that starts it
                } else {
                    key.site = walked;
                    key.confirmations = 1;
                }
            } else if (sameStartingLine(known, walked)) {
                if (key.confirmations < CONFIRMATIONS) {
                    key.confirmations++;                      // a lost update only costs one more walk
                }
            } else {
                key.ambiguous = true;                         // one task class, two places: walk every time
            }
        }
        return walked;
    }

    /**
     * Whether two sites start threads at the same line: their first frames outside the JDK are equal. Frames
     * further down (who called the method that starts the thread) may differ from one start to the next.
     */
    static boolean sameStartingLine(Site a, Site b) {
        return a == b || java.util.Objects.equals(startingLine(a), startingLine(b));
    }

    private static StackTraceElement startingLine(Site s) {
        for (StackTraceElement e : s.frames()) {
            if (!isJdkClass(e.getClassName())) {
                return e;
            }
        }
        return s.frames().isEmpty() ? null : s.frames().get(0);
    }

    /** The task the thread was given, as given; {@code null} for a subclass of Thread without one. */
    private static Object rawTask(Thread t) {
        if (!canUnwrap) {
            return null;
        }
        if (t.isVirtual()) {
            Object cont = Access.VIRTUAL_CONT.get(t);
            return cont == null ? null : Access.CONT_TARGET.get(cont);
        }
        Object holder = Access.THREAD_HOLDER.get(t);
        return holder == null ? null : Access.HOLDER_TASK.get(holder);
    }

    /** The task the thread will run, JDK wrappers removed; {@code null} for a subclass of Thread without one. */
    private static Object taskOf(Thread t) {
        Object task = rawTask(t);
        for (int i = 0; i < MAX_UNWRAP && task != null; i++) {
            VarHandle inner = WRAPPED.get(task.getClass());
            if (inner == null) {
                break;
            }
            Object next = inner.get(task);
            if (next == null) {
                break;
            }
            task = next;
        }
        return task;
    }

    /**
     * The one instance field of a JDK class (or of its JDK superclasses) declared as {@code Runnable} or
     * {@code Callable}, if exactly one: an executor's task runner, a {@code FutureTask}, an adapter.
     */
    private static VarHandle wrappedTaskField(Class<?> type) {
        try {
            Field found = null;
            for (Class<?> c = type; c != null && isJdkClass(c.getName()); c = c.getSuperclass()) {
                for (Field f : c.getDeclaredFields()) {
                    if (Modifier.isStatic(f.getModifiers())
                            || (f.getType() != Runnable.class && f.getType() != Callable.class)) {
                        continue;
                    }
                    if (found != null) {
                        return null;
                    }
                    found = f;
                }
            }
            if (found == null) {
                return null;
            }
            return MethodHandles.privateLookupIn(found.getDeclaringClass(), MethodHandles.lookup())
                    .unreflectVarHandle(found);
        } catch (Throwable e) {
            return null;                                      // not opened to us: the wrapper is the key
        }
    }

    private static Site walk() {
        return walkFrom(ThreadStarts::isStartMachinery);
    }

    /** The current stack below the frames {@code machinery} names, interned as a site. */
    private static Site walkFrom(java.util.function.Predicate<String> machinery) {
        WALKS.incrementAndGet();
        StackTraceElement[] frames = WALKER.walk(s -> s
                .dropWhile(f -> machinery.test(f.getClassName()))
                .limit(MAX_FRAMES)
                .map(StackWalker.StackFrame::toStackTraceElement)
                .toArray(StackTraceElement[]::new));
        List<StackTraceElement> key = List.of(frames);
        Site site = SITES.get(key);
        if (site != null) {
            return site;
        }
        if (SITES.size() >= MAX_SITES) {
            return OVERFLOW;
        }
        Site fresh = new Site(key);
        Site raced = SITES.putIfAbsent(key, fresh);
        return raced != null ? raced : fresh;
    }

    /**
     * Frames of the start itself, above the caller of {@code start}: this class, Thread, its builders, and the
     * JDK's internal access to {@code Thread.start(ThreadContainer)} ({@code System$1}) that executors go through.
     */
    static boolean isStartMachinery(String className) {
        return className.equals(ThreadStarts.class.getName())
                || className.startsWith("java.lang.System$")
                || className.equals("java.lang.Thread")
                || className.equals("java.lang.VirtualThread")
                || className.startsWith("java.lang.ThreadBuilders")
                || className.startsWith("java.lang.Thread$");
    }

    /**
     * Classes of the JDK and of its well-known extensions, by name: deliberately wider than
     * {@code StackFrame.isJdk}, which this class cannot use (it must depend on nothing but {@code java.base}): a
     * key taken for the JDK's only costs stack walks, never a wrong site.
     */
    static boolean isJdkClass(String name) {
        return name.startsWith("java.") || name.startsWith("jdk.") || name.startsWith("sun.")
                || name.startsWith("javax.") || name.startsWith("com.sun.");
    }
}
