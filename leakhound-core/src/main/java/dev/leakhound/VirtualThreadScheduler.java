package dev.leakhound;

/**
 * Finds the name of the ForkJoinPool that schedules this JVM's virtual threads ({@code ForkJoinPool-1} when
 * no other pool was made before it), from its carrier threads. The pool lives as long as the JVM, so the
 * name is looked up until found and then kept.
 */
final class VirtualThreadScheduler {
    private static final String CARRIER_CLASS = "jdk.internal.misc.CarrierThread";
    private static volatile String poolName;

    private VirtualThreadScheduler() {
    }

    /** {@code ForkJoinPool-1}, or {@code null} if no carrier thread is alive now (no virtual thread ran yet). */
    static String poolName() {
        String name = poolName;
        if (name == null) {
            name = find();
            poolName = name;
        }
        return name;
    }

    private static String find() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        Thread[] threads = new Thread[root.activeCount() + 16];
        int n = root.enumerate(threads, true);
        for (int i = 0; i < n; i++) {
            Thread t = threads[i];
            String name = t.getName();
            int worker = name.lastIndexOf("-worker-");
            if (t.getClass().getName().equals(CARRIER_CLASS) && worker > 0) {
                return name.substring(0, worker);
            }
        }
        return null;
    }
}
