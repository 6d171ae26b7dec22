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
        Thread entering = start("older-entering", () -> {
            synchronized (lock) {
                lock.notifyAll();
            }
        });
        while (entering.getState() != Thread.State.BLOCKED || waiting() < 3) {
            Thread.onSpinWait();
        }
        System.out.println("ready");
        System.out.flush();
        while (System.in.read() >= 0) {
            // until the test closes our input
        }
    }

    private static int waiting() {
        int n = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("older-latch-") && t.getState() == Thread.State.WAITING) {
                n++;
            }
        }
        return n;
    }

    private static Thread start(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
        return t;
    }
}
