package dev.leakhound.capture;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.AbstractOwnableSynchronizer;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * The owners of the {@code java.util.concurrent} locks that live threads, virtual ones included, are parked on: what
 * JDK 25's thread dump does not give ({@code parkBlocker} has no owner) and {@code ThreadMXBean} gives for platform
 * threads only.
 *
 * <p>It needs two things of {@code java.base} that only the Leakhound agent (through {@code Instrumentation}) or the
 * command line ({@code --add-exports java.base/jdk.internal.vm=ALL-UNNAMED --add-opens
 * java.base/java.util.concurrent.locks=ALL-UNNAMED}) give: {@code jdk.internal.vm} exported to this module, to walk
 * the thread containers (the only way to the virtual threads), and {@code java.util.concurrent.locks} open to it, to
 * read {@code AbstractOwnableSynchronizer.getExclusiveOwnerThread()} ({@link ExclusiveOwner}). Without them
 * {@link #available()} is false and the owners stay unknown. Never throws.
 */
final class LockOwners {
    private static final String CONTAINERS = "jdk.internal.vm";

    /** root(), children(container), threads(container), getExclusiveOwnerThread(aos), or null when not open. */
    private static volatile MethodHandle[] handles;

    private LockOwners() {
    }

    /** The owner of a thread's lock, and the lock's identity hash, to match it with the dump's blocker. */
    record Owner(long ownerId, int lockHash) {
    }

    /** Whether owners can be read in this JVM now (the agent may open the packages after start). */
    static boolean available() {
        return handles() != null;
    }

    private static MethodHandle[] handles() {
        MethodHandle[] h = handles;
        if (h != null) {
            return h;
        }
        if (!Object.class.getModule().isExported(CONTAINERS, LockOwners.class.getModule())) {
            return null;
        }
        MethodHandle owner = ExclusiveOwner.getter();
        if (owner == null) {
            return null;
        }
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            Class<?> containers = Class.forName(CONTAINERS + ".ThreadContainers");
            Class<?> container = Class.forName(CONTAINERS + ".ThreadContainer");
            h = new MethodHandle[] {
                lookup.findStatic(containers, "root", MethodType.methodType(container))
                        .asType(MethodType.methodType(Object.class)),
                lookup.findVirtual(container, "children", MethodType.methodType(Stream.class))
                        .asType(MethodType.methodType(Stream.class, Object.class)),
                lookup.findVirtual(container, "threads", MethodType.methodType(Stream.class))
                        .asType(MethodType.methodType(Stream.class, Object.class)),
                owner,
            };
            handles = h;
            return h;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return null;
        }
    }

    /**
     * For each live thread parked (without a timeout) on an {@link AbstractOwnableSynchronizer} that has an owner:
     * its id to the owner. Empty when not {@link #available()} or if the walk fails.
     */
    static Map<Long, Owner> ofParkedThreads() {
        MethodHandle[] h = handles();
        Map<Long, Owner> out = new HashMap<>();
        if (h == null) {
            return out;
        }
        try {
            visit(h, h[0].invoke(), out, 0);
        } catch (Throwable e) {
            if (e instanceof VirtualMachineError v && !(e instanceof StackOverflowError)) {
                throw v;
            }
            out.clear();                                // unknown rather than half known
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static void visit(MethodHandle[] h, Object container, Map<Long, Owner> out, int depth) throws Throwable {
        if (depth > 1000) {
            return;
        }
        try (Stream<Thread> threads = (Stream<Thread>) h[2].invoke(container)) {
            for (Thread t : (Iterable<Thread>) threads::iterator) {
                if (t.getState() != Thread.State.WAITING) {
                    continue;
                }
                Object blocker = LockSupport.getBlocker(t);
                if (blocker instanceof AbstractOwnableSynchronizer aos) {
                    Thread owner = (Thread) h[3].invoke(aos);
                    if (owner != null) {
                        out.put(t.threadId(), new Owner(owner.threadId(), System.identityHashCode(blocker)));
                    }
                }
            }
        }
        java.util.List<Object> kids;
        try (Stream<Object> cs = (Stream<Object>) h[1].invoke(container)) {
            kids = cs.toList();
        }
        for (Object child : kids) {
            visit(h, child, out, depth + 1);
        }
    }
}
