import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.SynchronousQueue;

/**
 * Run from source by a JDK 21: three virtual threads wait on a latch for good, two virtual threads block in
 * {@code SynchronousQueue.put}, a platform thread holds a monitor while it sleeps and another waits to enter it;
 * prints "ready" when they are all in place, then waits for its input to end.
 */
public class HoldOnJdk21 {
    public static void main(String[] args) throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        SynchronousQueue<String> queue = new SynchronousQueue<>();
        List<Thread> parked = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            parked.add(Thread.ofVirtual().name("jdk21-latch-" + i).start(() -> {
                try {
                    never.await();
                } catch (InterruptedException e) {
                    // ends
                }
            }));
        }
        for (int i = 0; i < 2; i++) {
            parked.add(Thread.ofVirtual().name("jdk21-put-" + i).start(() -> {
                try {
                    queue.put("never taken");
                } catch (InterruptedException e) {
                    // ends
                }
            }));
        }
        Object lock = new Object();
        CountDownLatch holding = new CountDownLatch(1);
        platform("jdk21-owner", () -> {
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
        Thread entering = platform("jdk21-entering", () -> {
            synchronized (lock) {
                lock.notifyAll();
            }
        });
        while (entering.getState() != Thread.State.BLOCKED
                || !parked.stream().allMatch(t -> t.getState() == Thread.State.WAITING)) {
            Thread.onSpinWait();
        }
        System.out.println("ready");
        System.out.flush();
        while (System.in.read() >= 0) {
            // until the test closes our input
        }
    }

    private static Thread platform(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
        return t;
    }
}
