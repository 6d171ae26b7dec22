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
 * {@value #CONFIRMATIONS} times a class is seen, then again after 1024 starts of a lambda or anonymous class
 * (written in one place) and 64 of a named class (which may be started from anywhere), the interval doubling at each
 * check that finds the same place up to 65,536 and 4,096 starts (a walk costs 20-30 starts), to notice a class
 * started from a second place (another first frame outside the JDK). From then on, as for JDK classes, which stand
 * for no place, every start walks. Until that second place is noticed, its threads are reported at the first place.
 * For a class started from one place, the frames below the starting line (who called the method that starts the
 * thread) are those of its first start. Per live thread it keeps one record of three numbers (its id, its start time,
 * the indexes of its site, its pool's site and its creator's name), removed when the thread ends, in a table of
 * about {@code maxTracked} slots (24 bytes each, allocated when recording starts: 6 MB for 250,000); when it is full
 * it counts what it missed. A start allocates nothing and writes no reference into the table: an object per start,
 * stored into that long-lived array, cost the garbage collector's write barrier on every start. Sites and creator
 * names are interned (at most {@value #MAX_SITES} and {@value #MAX_NAMES}): a million threads started from one place
 * share one site.
 *
 * <h2>Safety</h2>
 * The hooks run inside {@code Thread.start} of the host's threads: they never throw (running out of memory skips a
 * record, any other failure switches recording off), start no thread, allocate nothing in the common case (only a
 * site, a name or a class's state the first times they are seen, and an owner tag's entry while tags are in use), and
 * block on nothing but the short internal locks of {@code ClassValue}, {@code ConcurrentHashMap} and of the site and
 * name tables when a new class, site or name is added. Everything they use is linked by {@link #enable}.
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
    /** The longest interval between two checks of a lambda's or anonymous class's place, less one. */
    static final int MAX_RECHECK_ONE_PLACE = 65_535;
    /** The longest interval between two checks of a named class's place, less one. */
    static final int MAX_RECHECK_NAMED = 4_095;
    /** At most this many frames of the creator's stack. */
    static final int MAX_FRAMES = 16;
    /** At most this many distinct sites; later ones share {@link #OVERFLOW}. */
    static final int MAX_SITES = 4096;
    private static final int MAX_UNWRAP = 6;
    /** Slots tried from a thread's home slot before a start goes unrecorded. */
    static final int PROBES = 8;
    /** Longs per slot of the table: the thread's id, its start time, and its indexes (see {@link #started}). */
    static final int RECORD = 3;
    /** At most this many distinct creator names; a creator named later is recorded without its name. */
    static final int MAX_NAMES = 65_536;
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

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
    /** Index of {@link #OVERFLOW} in {@link #SITE_AT}; 0 stands for no site. */
    private static final int OVERFLOW_INDEX = 1;

    private static volatile boolean enabled;
    private static volatile String failure;
    private static volatile boolean ownersInUse;
    /** Tags of tests already checked: threads started later by their threads do not inherit them. */
    private static final java.util.Set<String> RETIRED = ConcurrentHashMap.newKeySet();
    private static final int MAX_RETIRED = 100_000;
    /**
     * The records, {@value #RECORD} longs each, at slot {@code threadId & mask} or one of the next {@value #PROBES}:
     * see {@link #started}. Only numbers, no references: a start allocates nothing and stores no pointer into this
     * long-lived array (which would cost the garbage collector's write barrier and card scanning).
     */
    private static volatile long[] table = new long[0];
    /** Interned sites ({@link #intern}): their index in {@link #SITE_AT} (at most {@value #MAX_SITES}). */
    private static final ConcurrentHashMap<List<StackTraceElement>, Integer> SITES = new ConcurrentHashMap<>();
    private static final Site[] SITE_AT = new Site[MAX_SITES + 2];

    static {
        SITE_AT[OVERFLOW_INDEX] = OVERFLOW;
    }
    /** Interned creator names, index 0 for none: a record keeps the index ({@value #MAX_NAMES} names at most). */
    private static final ConcurrentHashMap<String, Integer> NAMES = new ConcurrentHashMap<>();
    private static final String[] NAME_AT = new String[MAX_NAMES];
    /** The last name interned: the creator is often the same thread, whose name is the same String. */
    private static volatile Named lastName = new Named("", 0);
    private static final ConcurrentHashMap<Long, String> OWNERS = new ConcurrentHashMap<>();
    /** Tags inherited at start (see {@link #setOwner}), while tags are in use; removed when the thread ends. */
    private static final ConcurrentHashMap<Long, String> INHERITED = new ConcurrentHashMap<>();
    private static final AtomicLong MISSED = new AtomicLong();
    /**
     * Where each live {@code ThreadPoolExecutor} was created, at most {@value #MAX_POOLS}: weak keys, so a pool that
     * is collected takes its entry with it. Guarded by itself (held only for a get or a put).
     */
    private static final java.util.Map<Object, Integer> POOLS = new java.util.WeakHashMap<>();
    static final int MAX_POOLS = 10_000;
    private static volatile boolean poolsInUse;
    private static final AtomicLong WALKS = new AtomicLong();
    private static final StackWalker WALKER = StackWalker.getInstance();

    /**
     * The index of {@code key} in {@code values}, interned: a new key gets the next slot after {@code full}, until
     * they are all taken, then {@code full} (the values are never cleared, so an index once handed out always reads
     * its value). A key seen before costs one read of {@code indexes} and no lock; a new one locks it (rare: once per
     * slot). Static, with the tables passed in, which the JIT then reads as constants: a helper object's fields,
     * read at every lookup, made a creator's name lookup 6% slower.
     */
    static <K, V> int intern(ConcurrentHashMap<K, Integer> indexes, V[] values, int full, K key,
                             java.util.function.Function<? super K, ? extends V> value) {
        Integer known = indexes.get(key);
        return known != null ? known : add(indexes, values, full, key, value);
    }

    /** {@link #intern}'s slow path, apart so that the common one stays small enough to inline. */
    private static <K, V> int add(ConcurrentHashMap<K, Integer> indexes, V[] values, int full, K key,
                                  java.util.function.Function<? super K, ? extends V> value) {
        synchronized (indexes) {
            Integer known = indexes.get(key);
            if (known != null) {
                return known;
            }
            int index = full + 1 + indexes.size();           // every key is added here, and none removed
            if (index >= values.length) {
                return full;
            }
            values[index] = value.apply(key);                 // before the index is handed out
            indexes.put(key, index);
            return index;
        }
    }

    /** A creator name and its index in {@link #NAME_AT}. */
    private record Named(String name, int index) {
    }

    /** Per task class: its site once confirmed (an index in {@link #SITE_AT}, 0 until then), how often to check it. */
    private static final class KeyState {
        volatile int site;
        volatile int confirmations;
        volatile boolean ambiguous;
        int starts;                       // racy on purpose: it only spaces the checks out
        /** Starts between two checks, less one: doubles at each check that finds the same place, up to a cap. */
        int recheckMask;                  // racy too: a lost update only costs or saves one walk
        final int maxRecheckMask;
        /** For a lambda or anonymous class: the top-level class it is written in, else {@code null}. */
        final String inOnePlace;
        /** For a JDK wrapper class (an executor's task runner, a {@code FutureTask}): the field of the task. */
        final VarHandle wrapped;

        KeyState(int recheckMask, int maxRecheckMask, String inOnePlace, VarHandle wrapped) {
            this.recheckMask = recheckMask;
            this.maxRecheckMask = maxRecheckMask;
            this.inOnePlace = inOnePlace;
            this.wrapped = wrapped;
        }
    }

    private static final ClassValue<KeyState> KEYS = new ClassValue<>() {
        @Override
        protected KeyState computeValue(Class<?> type) {
            // A lambda or anonymous class is written in one place, a named class may be started from many. Told
            // by name and hidden-ness only: isAnonymousClass() may load the enclosing class, here inside start().
            String name = type.getName();
            boolean oneWritten = type.isHidden() || isAnonymousName(name);
            boolean jdk = isJdkClass(name);
            KeyState s = new KeyState(oneWritten ? 1023 : 63, oneWritten ? MAX_RECHECK_ONE_PLACE : MAX_RECHECK_NAMED,
                    oneWritten ? topLevel(name) : null,
                    jdk ? wrappedTaskField(type) : null);
            s.ambiguous = jdk;                           // a JDK class stands for no one place in the code
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

    private static volatile boolean canUnwrap;

    /**
     * The JDK wrappers of most tasks and their task fields, found by {@link #enable} as the class values would find
     * them; {@code null} (no shortcut) where this JDK has no such class.
     */
    private static final class Known {
        /** The runnable a virtual thread's continuation runs, holding the thread's task. */
        static final Class<?> VIRTUAL_WRAPPER;
        static final VarHandle VIRTUAL_WRAPPER_TASK;
        /** The future a virtual-thread-per-task executor's {@code submit} starts a thread with. */
        static final Class<?> EXECUTOR_FUTURE;
        static final VarHandle FUTURE_CALLABLE;
        /** {@code Executors.callable(Runnable)}: what {@code submit(Runnable)} wraps the task in. */
        static final Class<?> ADAPTER;
        static final VarHandle ADAPTER_TASK;

        static {
            Class<?> wrapper = null;
            try {
                Object cont = Access.VIRTUAL_CONT.get(Thread.ofVirtual().unstarted(() -> { }));  // never started
                wrapper = Access.CONT_TARGET.get(cont).getClass();
            } catch (Throwable e) {
                // no shortcut
            }
            VIRTUAL_WRAPPER_TASK = field(wrapper);
            VIRTUAL_WRAPPER = VIRTUAL_WRAPPER_TASK != null ? wrapper : null;
            Class<?> future = named("java.util.concurrent.ThreadPerTaskExecutor$ThreadBoundFuture");
            FUTURE_CALLABLE = field(future);
            EXECUTOR_FUTURE = FUTURE_CALLABLE != null ? future : null;
            Class<?> adapter = named("java.util.concurrent.Executors$RunnableAdapter");
            ADAPTER_TASK = field(adapter);
            ADAPTER = ADAPTER_TASK != null ? adapter : null;
        }

        static void init() {
            // the static initializer did the work
        }

        private static Class<?> named(String name) {
            try {
                return Class.forName(name);
            } catch (Throwable e) {
                return null;
            }
        }

        private static VarHandle field(Class<?> type) {
            return type == null ? null : KEYS.get(type).wrapped;      // as the hooks find it, found once
        }
    }

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
        int slots = Integer.highestOneBit(Math.max(PROBES, Math.min(1 << 26, maxTracked)) - 1) << 1;
        if (table.length != slots * RECORD) {
            table = new long[slots * RECORD];
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
        if (canUnwrap) {
            Known.init();                                     // finds the shortcuts here, not inside a hook
        }
        KEYS.get(sample.getClass());
        walk();
        nameIndex(Thread.currentThread().getName());
        long[] probe = new long[RECORD];
        if (LONGS.compareAndSet(probe, 0, 0L, -1L)) {
            LONGS.setRelease(probe, 1, (long) LONGS.getAcquire(probe, 0));
        }
        new Start(OVERFLOW, "", 0, null, null).site();
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
        table = new long[0];
        OWNERS.clear();
        INHERITED.clear();
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
        long[] t = table;
        int slots = t.length / RECORD;
        for (int i = 0; i < PROBES && i < slots; i++) {
            int at = ((int) (threadId + i) & (slots - 1)) * RECORD;
            if ((long) LONGS.getAcquire(t, at) == threadId) {
                long millis = (long) LONGS.getAcquire(t, at + 1);
                long indexes = (long) LONGS.getAcquire(t, at + 2);
                if ((long) LONGS.getAcquire(t, at) != threadId) {
                    return null;                              // it ended while being read: the slot may be reused
                }
                return new Start(SITE_AT[(int) indexes & 0xFFFF], NAME_AT[(int) (indexes >>> 32)], millis,
                        ownersInUse ? INHERITED.get(threadId) : null, SITE_AT[(int) (indexes >>> 16) & 0xFFFF]);
            }
        }
        return null;
    }

    /** Counters; {@code tracked} counts the table's records (a scan: for reports, not for hot paths). */
    public static Stats stats() {
        long tracked = 0;
        long[] t = table;
        for (int at = 0; at < t.length; at += RECORD) {
            if ((long) LONGS.getAcquire(t, at) > 0) {
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
        return enabled && ownersInUse ? INHERITED.get(threadId) : null;
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
     * are handed out in sequence, so live threads spread over the table without hashing. A start claims the slot with
     * one compare-and-set of its id (negated while the record is written), writes the start time and the indexes of
     * its site, its pool's site and its creator's name, then publishes its id: no lock, no allocation (but the
     * first time a task class, site or name is seen). When all of them are taken by live threads (about
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
            long indexes = (siteOf(t) & 0xFFFFL) | ((poolsInUse ? poolOf(t) : 0L) << 16)
                    | ((long) nameIndex(creator.getName()) << 32);
            long millis = System.currentTimeMillis();
            long[] tab = table;
            int slots = tab.length / RECORD;
            for (int i = 0; i < PROBES && i < slots; i++) {
                int at = ((int) (id + i) & (slots - 1)) * RECORD;
                long there = (long) LONGS.getAcquire(tab, at);
                if (there == 0 && LONGS.compareAndSet(tab, at, 0L, -id)) {
                    LONGS.setRelease(tab, at + 1, millis);   // release: a reader that sees them sees the claim
                    LONGS.setRelease(tab, at + 2, indexes);
                    if (owner != null) {
                        INHERITED.put(id, owner);
                    }
                    LONGS.setRelease(tab, at, id);
                    return;
                }
                long now = there == 0 ? (long) LONGS.getAcquire(tab, at) : there;
                if (now == id || now == -id) {
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
            long[] tab = table;
            if (tab.length > 0) {
                long id = t.threadId();
                int slots = tab.length / RECORD;
                for (int i = 0; i < PROBES && i < slots; i++) {
                    int at = ((int) (id + i) & (slots - 1)) * RECORD;
                    if ((long) LONGS.getAcquire(tab, at) == id) {
                        LONGS.setRelease(tab, at, 0L);      // only this thread clears its own record
                        break;
                    }
                }
            }
            if (ownersInUse) {
                if (!OWNERS.isEmpty()) {
                    OWNERS.remove(t.threadId());
                }
                if (!INHERITED.isEmpty()) {
                    INHERITED.remove(t.threadId());
                }
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
            Integer site = walkFrom(ThreadStarts::isPoolMachinery);
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

    /** Where the pool of a {@code ThreadPoolExecutor} worker was created (a site's index), or 0 for any other thread. */
    private static int poolOf(Thread t) {
        try {
            Object task = rawTask(t);
            if (task == null || task.getClass() != WorkerAccess.WORKER) {
                return 0;
            }
            Object pool = WorkerAccess.OUTER.get(task);
            if (pool == null || !IDENTITY.get(pool.getClass())) {
                return 0;
            }
            Integer site;
            synchronized (POOLS) {
                site = POOLS.get(pool);
            }
            return site == null ? 0 : site;
        } catch (Throwable e) {
            return 0;
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
            table = new long[0];
        } catch (Throwable ignored) {
            // nothing more can be done safely here
        }
    }

    // ------------------------------------------------------------------ sites

    /** The index in {@link #SITE_AT} of where the thread is being started. */
    private static int siteOf(Thread t) {
        KeyState key = keyOf(t);
        if (!key.ambiguous) {
            int known = key.site;
            if (known != 0 && key.confirmations >= CONFIRMATIONS && (++key.starts & key.recheckMask) != 0) {
                return known;
            }
        }
        int walked = walk();
        if (walked == OVERFLOW_INDEX) {
            int known = key.site;
            return known != 0 ? known : walked;               // no room for more sites: keep what is known
        }
        if (!key.ambiguous) {
            int known = key.site;
            if (known == 0) {
                if (key.inOnePlace != null && !startsInClass(SITE_AT[walked], key.inOnePlace)) {
                    key.ambiguous = true;                     // a lambda handed to code elsewhere that starts it
                } else {
                    key.site = walked;
                    key.confirmations = 1;
                }
            } else if (sameStartingLine(SITE_AT[known], SITE_AT[walked])) {
                if (key.confirmations < CONFIRMATIONS) {
                    key.confirmations++;                      // a lost update only costs one more walk
                } else if (key.recheckMask < key.maxRecheckMask) {
                    key.recheckMask = key.recheckMask << 1 | 1;   // the same place again: check half as often
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

    /**
     * The key of the task the thread will run, JDK wrappers removed (one class value per level); the thread's class
     * for a subclass of Thread without a task.
     */
    private static KeyState keyOf(Thread t) {
        Object task = rawTask(t);
        if (task == null) {
            return KEYS.get(t.getClass());
        }
        // The wrappers every virtual thread's task and every submitted task go through, with constant handles (the
        // same fields the class values give): a class value and a handle call per level cost 15% of a start.
        if (task.getClass() == Known.VIRTUAL_WRAPPER) {
            Object inner = Known.VIRTUAL_WRAPPER_TASK.get(task);
            task = inner != null ? inner : task;
        }
        if (task.getClass() == Known.EXECUTOR_FUTURE) {
            Object callable = Known.FUTURE_CALLABLE.get(task);
            if (callable != null) {
                task = callable;
                Object runnable = callable.getClass() == Known.ADAPTER ? Known.ADAPTER_TASK.get(callable) : null;
                task = runnable != null ? runnable : task;
            }
        }
        KeyState key = KEYS.get(task.getClass());
        for (int i = 0; i < MAX_UNWRAP && key.wrapped != null; i++) {
            Object next = key.wrapped.get(task);
            if (next == null) {
                break;
            }
            task = next;
            key = KEYS.get(task.getClass());
        }
        return key;
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

    private static int walk() {
        return walkFrom(ThreadStarts::isStartMachinery);
    }

    /** The current stack below the frames {@code machinery} names, interned as a site: its index in {@link #SITE_AT}. */
    private static int walkFrom(java.util.function.Predicate<String> machinery) {
        WALKS.incrementAndGet();
        // A loop over the frames, not a stream pipeline: walks are rare, and a dozen stream stages reached the JIT's
        // thresholds one after the other, keeping a compiler thread busy for the first millions of starts.
        StackTraceElement[] frames = WALKER.walk(s -> {
            StackTraceElement[] out = new StackTraceElement[MAX_FRAMES];
            int n = 0;
            java.util.Iterator<StackWalker.StackFrame> it = s.iterator();
            while (n < MAX_FRAMES && it.hasNext()) {
                StackWalker.StackFrame f = it.next();
                if (n > 0 || !machinery.test(f.getClassName())) {
                    out[n++] = f.toStackTraceElement();
                }
            }
            return java.util.Arrays.copyOf(out, n);
        });
        return intern(SITES, SITE_AT, OVERFLOW_INDEX, List.of(frames), Site::new);
    }

    /**
     * The index of a creator's name in {@link #NAME_AT}, interned the first time; 0 (no name recorded) once
     * {@value #MAX_NAMES} names are known.
     */
    static int nameIndex(String name) {
        Named last = lastName;
        if (last.name() == name) {
            return last.index();
        }
        int index = intern(NAMES, NAME_AT, 0, name, java.util.function.Function.identity());
        if (index != 0) {
            lastName = new Named(name, index);
        }
        return index;
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
