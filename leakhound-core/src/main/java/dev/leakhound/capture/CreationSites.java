package dev.leakhound.capture;

import dev.leakhound.model.CreationSite;
import dev.leakhound.model.StackFrame;
import dev.leakhound.model.ThreadDump;
import dev.leakhound.model.ThreadSnapshot;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where live threads were started, as recorded by the Leakhound agent; nothing without it. Captures of this JVM
 * ({@link LiveThreads}, the agent's own capture) attach it to each thread they see.
 *
 * <p>The agent records starts in a class it defines inside {@code java.base}
 * ({@value #RECORDER}, a copy of the agent's {@code boot.ThreadStarts}), which the JDK's {@code Thread} calls; this
 * class reads it by reflection, since nothing else of Leakhound may depend on the agent being there.
 */
public final class CreationSites {
    /** The recorder the agent defines in {@code java.base} (its name carries the agent's recorder version). */
    public static final String RECORDER = "jdk.internal.vm.LeakhoundThreadStarts_2";
    private static final long RETRY_NANOS = 1_000_000_000L;

    /** Frames per site, converted once: sites are interned, so this is bounded by their number. */
    private static final Map<Object, List<StackFrame>> FRAMES = new ConcurrentHashMap<>();
    private static volatile Recorder recorder;
    private static volatile long lastTry = System.nanoTime() - RETRY_NANOS;

    private CreationSites() {
    }

    /** Method handles on the recorder; each takes and returns {@code Object} where its type is the recorder's. */
    private record Recorder(MethodHandle enabled, MethodHandle lookup, MethodHandle ownerOf, MethodHandle setOwner,
                            MethodHandle retireOwner, MethodHandle missed,
                            MethodHandle site, MethodHandle creator, MethodHandle startMillis, MethodHandle frames,
                            MethodHandle pool) {
        static Recorder find() throws ReflectiveOperationException {
            Class<?> r = Class.forName(RECORDER, true, null);
            Class<?> start = Class.forName(RECORDER + "$Start", false, null);
            Class<?> site = Class.forName(RECORDER + "$Site", false, null);
            MethodHandles.Lookup l = MethodHandles.lookup();
            return new Recorder(
                    l.findStatic(r, "enabled", MethodType.methodType(boolean.class)),
                    l.findStatic(r, "lookup", MethodType.methodType(start, long.class))
                            .asType(MethodType.methodType(Object.class, long.class)),
                    l.findStatic(r, "ownerOf", MethodType.methodType(String.class, long.class)),
                    l.findStatic(r, "setOwner", MethodType.methodType(String.class, long.class, String.class)),
                    l.findStatic(r, "retireOwner", MethodType.methodType(void.class, String.class)),
                    l.findStatic(r, "missed", MethodType.methodType(long.class)),
                    l.findVirtual(start, "site", MethodType.methodType(site))
                            .asType(MethodType.methodType(Object.class, Object.class)),
                    l.findVirtual(start, "creator", MethodType.methodType(String.class))
                            .asType(MethodType.methodType(String.class, Object.class)),
                    l.findVirtual(start, "startMillis", MethodType.methodType(long.class))
                            .asType(MethodType.methodType(long.class, Object.class)),
                    l.findVirtual(site, "frames", MethodType.methodType(List.class))
                            .asType(MethodType.methodType(List.class, Object.class)),
                    l.findVirtual(start, "pool", MethodType.methodType(site))
                            .asType(MethodType.methodType(Object.class, Object.class)));
        }
    }

    /** The recorder, looked up again at most once a second while it is not there (the agent may come later). */
    private static Recorder recorder() {
        Recorder r = recorder;
        if (r != null) {
            return r;
        }
        long now = System.nanoTime();
        if (now - lastTry < RETRY_NANOS) {
            return null;
        }
        lastTry = now;
        try {
            r = Recorder.find();
            recorder = r;
            return r;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return null;                     // no agent, or its package is not open to us
        }
    }

    /** Makes the next call look for the recorder at once: the agent calls it after defining the recorder. */
    public static void lookAgain() {
        lastTry = System.nanoTime() - RETRY_NANOS;
    }

    /** Whether the agent records thread starts in this JVM. */
    public static boolean recording() {
        Recorder r = recorder();
        try {
            return r != null && (boolean) r.enabled().invokeExact();
        } catch (Throwable e) {
            return false;
        }
    }

    /** Where and when the live thread with this id was started, or {@code null} when not recorded. */
    @SuppressWarnings("unchecked")
    public static CreationSite of(long threadId) {
        Recorder r = recorder();
        if (r == null) {
            return null;
        }
        try {
            Object start = (Object) r.lookup().invokeExact(threadId);
            if (start == null) {
                return null;
            }
            List<StackFrame> frames = frames(r, (Object) r.site().invokeExact(start));
            Object pool = (Object) r.pool().invokeExact(start);
            return new CreationSite(frames, (String) r.creator().invokeExact(start),
                    Instant.ofEpochMilli((long) r.startMillis().invokeExact(start)),
                    pool == null ? List.of() : frames(r, pool));
        } catch (Throwable e) {
            return null;
        }
    }

    /** A recorded site's frames, converted once per site. */
    @SuppressWarnings("unchecked")
    private static List<StackFrame> frames(Recorder r, Object site) throws Throwable {
        List<StackFrame> frames = FRAMES.get(site);
        if (frames == null) {
            List<StackTraceElement> elements = (List<StackTraceElement>) r.frames().invokeExact(site);
            frames = FRAMES.computeIfAbsent(site, s -> elements.stream().map(StackFrame::of).toList());
        }
        return frames;
    }

    /** The thread's owner tag (the test that started it, for the JUnit extension), or {@code null}. */
    public static String ownerOf(long threadId) {
        Recorder r = recorder();
        try {
            return r == null ? null : (String) r.ownerOf().invokeExact(threadId);
        } catch (Throwable e) {
            return null;
        }
    }

    /**
     * Tags a thread, and the threads it and its descendants start from now on, with {@code owner} ({@code null}
     * removes the tag). Returns the tag the thread had of its own before, or {@code null}; does nothing without
     * the agent.
     */
    public static String setOwner(long threadId, String owner) {
        Recorder r = recorder();
        try {
            return r == null ? null : (String) r.setOwner().invokeExact(threadId, owner);
        } catch (Throwable e) {
            return null;
        }
    }

    /** Threads started from now on no longer inherit this tag (its test is over); see {@link #setOwner}. */
    public static void retireOwner(String owner) {
        Recorder r = recorder();
        try {
            if (r != null) {
                r.retireOwner().invokeExact(owner);
            }
        } catch (Throwable e) {
            // nothing to retire without the recorder
        }
    }

    /** How many thread starts the agent could not record (its table full, failures), or 0 without it. */
    public static long missedStarts() {
        Recorder r = recorder();
        try {
            return r == null ? 0 : (long) r.missed().invokeExact();
        } catch (Throwable e) {
            return 0;
        }
    }

    /** The dump with creation sites added to the threads that have none, if this JVM records them. */
    static ThreadDump attach(ThreadDump dump) {
        if (!recording()) {
            return dump;
        }
        List<ThreadSnapshot> out = new ArrayList<>(dump.threads().size());
        boolean changed = false;
        for (ThreadSnapshot t : dump.threads()) {
            CreationSite site = t.creationSite() == null ? of(t.id()) : null;
            if (site != null) {
                out.add(t.withCreationSite(site));
                changed = true;
            } else {
                out.add(t);
            }
        }
        return changed ? new ThreadDump(dump.capturedAt(), dump.origin(), dump.format(), dump.processId(),
                dump.runtimeVersion(), out) : dump;
    }
}
