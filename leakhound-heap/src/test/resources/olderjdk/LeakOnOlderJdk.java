import com.sun.management.HotSpotDiagnosticMXBean;

import java.lang.management.ManagementFactory;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;

/**
 * Run from source by an older JDK (no virtual threads): three platform threads wait on latches only they hold
 * (leaked), one takes from a queue a static field holds (a control); then the live heap is dumped to args[0].
 */
public class LeakOnOlderJdk {
    static final BlockingQueue<String> KEPT = new ArrayBlockingQueue<>(1);

    public static void main(String[] args) throws Exception {
        startThreads();
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!settled()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("the threads did not all block where they should: "
                        + Thread.getAllStackTraces().keySet());
            }
            Thread.sleep(1);                                   // the poll interval; spinning would starve them
        }
        ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).dumpHeap(args[0], true);
        System.out.println("dumped");
    }

    private static void startThreads() {
        for (int i = 0; i < 3; i++) {
            CountDownLatch never = new CountDownLatch(1);
            Thread t = new Thread(() -> {
                try {
                    never.await();
                } catch (InterruptedException e) {
                    // ends
                }
            }, "older-leak-" + i);
            t.setDaemon(true);
            t.start();
        }
        Thread control = new Thread(() -> {
            try {
                KEPT.take();
            } catch (InterruptedException e) {
                // ends
            }
        }, "older-control");
        control.setDaemon(true);
        control.start();
    }

    /**
     * Whether the three leaks wait in CountDownLatch.await and the control in ArrayBlockingQueue.take: the calls they
     * stay in, not merely WAITING somewhere on their way. In a method of its own, so that main's frame holds none of
     * the threads.
     */
    private static boolean settled() {
        int there = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("older-leak-") && waitingIn(t, "java.util.concurrent.CountDownLatch", "await")
                    || t.getName().equals("older-control")
                    && waitingIn(t, "java.util.concurrent.ArrayBlockingQueue", "take")) {
                there++;
            }
        }
        return there == 4;
    }

    /** WAITING with that method on the stack (the state read before and after the stack). */
    private static boolean waitingIn(Thread t, String className, String method) {
        if (t.getState() != Thread.State.WAITING) {
            return false;
        }
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.getClassName().equals(className) && e.getMethodName().equals(method)) {
                return t.getState() == Thread.State.WAITING;
            }
        }
        return false;
    }
}
