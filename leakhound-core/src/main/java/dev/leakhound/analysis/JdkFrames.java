package dev.leakhound.analysis;

import dev.leakhound.model.StackFrame;

/**
 * Tells the JDK's blocking machinery from its APIs ({@link StackFrame#isJdk()} tells the JDK's own frames from
 * application frames).
 */
public final class JdkFrames {
    private JdkFrames() {
    }

    /**
     * Whether the frame is part of how the JDK parks, waits or sleeps rather than an API an application
     * calls: {@code Unsafe.park}, {@code LockSupport.park}, {@code VirtualThread.park},
     * {@code Object.wait0}, the synchronizers' nested classes and AQS internals.
     */
    public static boolean isMachinery(StackFrame f) {
        String c = f.className();
        if (c.startsWith("jdk.internal.") || c.startsWith("sun.")
                || c.equals("java.util.concurrent.locks.LockSupport")
                || c.equals("java.lang.VirtualThread")
                || c.startsWith("java.lang.System$")
                || c.startsWith("java.util.concurrent.locks.AbstractQueued")) {
            return true;
        }
        if (c.startsWith("java.util.concurrent.") && c.indexOf('$') >= 0) {
            return true;                    // SynchronousQueue$Transferer, CountDownLatch$Sync, ...
        }
        String m = f.methodName();
        if (c.equals("java.util.concurrent.ForkJoinPool")) {
            return m.equals("managedBlock") || m.equals("unmanagedBlock");   // JDK 25: conditions wait through these
        }
        if (c.equals("java.lang.Object")) {
            return m.equals("wait0");
        }
        if (c.equals("java.lang.Thread")) {
            return m.startsWith("sleep0") || m.equals("sleepNanos") || m.equals("sleepNanos0") || m.equals("yield0");
        }
        return false;
    }
}
