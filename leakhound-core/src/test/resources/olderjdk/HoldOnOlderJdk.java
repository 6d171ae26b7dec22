import java.util.concurrent.CountDownLatch;

/**
 * Run from source by an older JDK: three platform threads wait on latches for good, one holds a monitor while it
 * sleeps and another waits to enter it; prints "ready" when they are all in place, then waits for its input to end.
 */
public class HoldOnOlderJdk {
    public static void main(String[] args) throws Exception {
        for (int i = 0; i < 3; i++) {
            CountDownLatch never = new CountDownLatch(1);
            start("older-latch-" + i, () -> {
                try {
                    never.await();
                } catch (InterruptedException e) {
                    // ends
                }
            });
        }
        Object lock = new Object();
        CountDownLatch holding = new CountDownLatch(1);
        start("older-owner", () -> {
            synchronized (lock) {
                holding.countDown();
                try {
                    Thread.sleep(600_000);
                } catch (InterruptedException e) {
                    // ends
                }
            }
        });
        holding.await();
        Thread entering = start("older-entering", () -> enter(lock));
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!in(entering, Thread.State.BLOCKED, "HoldOnOlderJdk", "enter") || waiting() < 3) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("the threads did not all block where they should");
            }
            Thread.sleep(1);                                   // the poll interval; spinning would starve them
        }
        System.out.println("ready");
        System.out.flush();
        while (System.in.read() >= 0) {
            // until the test closes our input
        }
    }

    /** Enters the monitor older-owner holds: BLOCKED here. */
    private static void enter(Object lock) {
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    /** The latch threads WAITING in CountDownLatch.await: where they stay, not merely WAITING on their way. */
    private static int waiting() {
        int n = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("older-latch-")
                    && in(t, Thread.State.WAITING, "java.util.concurrent.CountDownLatch", "await")) {
                n++;
            }
        }
        return n;
    }

    /** In that state with that method on the stack (the state read before and after the stack). */
    private static boolean in(Thread t, Thread.State state, String className, String method) {
        if (t.getState() != state) {
            return false;
        }
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.getClassName().equals(className) && e.getMethodName().equals(method)) {
                return t.getState() == state;
            }
        }
        return false;
    }

    private static Thread start(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
        return t;
    }
}
