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
        while (!settled()) {
            Thread.onSpinWait();
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

    /** In a method of its own, so that main's frame holds none of the threads. */
    private static boolean settled() {
        int waiting = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("older-") && t.getState() == Thread.State.WAITING) {
                waiting++;
            }
        }
        return waiting == 4;
    }
}
