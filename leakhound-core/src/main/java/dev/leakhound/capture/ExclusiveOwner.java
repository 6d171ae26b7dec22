package dev.leakhound.capture;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.locks.AbstractOwnableSynchronizer;

/**
 * {@code AbstractOwnableSynchronizer.getExclusiveOwnerThread()}, the owner of a {@code java.util.concurrent} lock:
 * readable only where {@code java.base/java.util.concurrent.locks} is open to this module, which the Leakhound agent
 * does through its {@code Instrumentation} (or the command line: {@code --add-opens
 * java.base/java.util.concurrent.locks=ALL-UNNAMED}). Looked up here only, for {@link LockOwners} and the agent's
 * live deadlock search. Never throws.
 */
public final class ExclusiveOwner {
    /** The package that must be open to this module. */
    public static final String PACKAGE = "java.util.concurrent.locks";

    private static volatile MethodHandle getter;

    private ExclusiveOwner() {
    }

    /**
     * The getter, of type {@code (AbstractOwnableSynchronizer)Thread}, once {@link #PACKAGE} is open to this module;
     * else {@code null}, and asked again at the next call (the agent may open it after start).
     */
    public static MethodHandle getter() {
        MethodHandle g = getter;
        if (g == null && Object.class.getModule().isOpen(PACKAGE, ExclusiveOwner.class.getModule())) {
            try {
                g = MethodHandles.privateLookupIn(AbstractOwnableSynchronizer.class, MethodHandles.lookup())
                        .findVirtual(AbstractOwnableSynchronizer.class, "getExclusiveOwnerThread",
                                MethodType.methodType(Thread.class));
                getter = g;
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                return null;
            }
        }
        return g;
    }
}
