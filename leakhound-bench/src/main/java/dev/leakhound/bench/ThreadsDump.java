package dev.leakhound.bench;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The dump of issue 14, made in this JVM: {@code ThreadsDump FILE [OBJECTS [VIRTUAL [PLATFORM]]]} keeps OBJECTS
 * ordinary objects (default 18M, about 0.9 GB of dump), VIRTUAL parked virtual threads (default 100,000): half each
 * blocked in {@code SynchronousQueue.put} on a queue of its own that nothing else holds (leaked), half in
 * {@code CountDownLatch.await} on a latch held by a static field (not leaked: the latch is reachable), and PLATFORM
 * platform threads (default 50) in {@code SynchronousQueue.put} on queues of their own (leaked). Dumps its live heap
 * to FILE (replacing it) and exits. Needs a heap of about 4 GB.
 */
public final class ThreadsDump {
    /** What the waiters on the latch wait for: reachable from this static field, so not leaked. */
    static final CountDownLatch LATCH = new CountDownLatch(1);
    /** The ordinary objects ({@code SmallDump}'s): reachable, as a cache's. */
    static List<?> items;

    private ThreadsDump() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]).toAbsolutePath();
        int objects = args.length > 1 ? Integer.parseInt(args[1]) : 18_000_000;
        int virtual = args.length > 2 ? Integer.parseInt(args[2]) : 100_000;
        int platform = args.length > 3 ? Integer.parseInt(args[3]) : 50;
        items = dev.leakhound.hprof.SmallDump.items(objects);
        startAndPark(virtual, platform);           // returns with no reference to the threads left in a frame
        Files.deleteIfExists(file);                // dumpHeap refuses to overwrite
        long t0 = System.nanoTime();
        ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).dumpHeap(file.toString(), true);
        System.out.printf("dumped %d objects, %d + %d parked virtual threads (queue, latch), %d platform threads"
                        + " in %d ms: %d MB%n", objects, virtual / 2, virtual - virtual / 2, platform,
                (System.nanoTime() - t0) / 1_000_000, Files.size(file) >> 20);
        System.exit(0);                            // the leaked threads never end
    }

    private static void startAndPark(int virtual, int platform) {
        List<Thread> threads = new ArrayList<>(virtual + platform);
        for (int i = 0; i < virtual; i++) {
            if (i % 2 == 0) {
                SynchronousQueue<Object> q = new SynchronousQueue<>();
                threads.add(Thread.ofVirtual().name("queue-vt-" + i).start(() -> put(q)));
            } else {
                threads.add(Thread.ofVirtual().name("latch-vt-" + i).start(ThreadsDump::await));
            }
        }
        for (int i = 0; i < platform; i++) {
            SynchronousQueue<Object> q = new SynchronousQueue<>();
            threads.add(Thread.ofPlatform().name("queue-pt-" + i).stackSize(256 << 10).daemon(true)
                    .start(() -> put(q)));
        }
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        for (Thread t : threads) {                 // every one parked where it stays (the only park on its way)
            while (t.getState() != Thread.State.WAITING) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException(t + " did not park: " + t.getState());
                }
                LockSupport.parkNanos(1_000_000);
            }
        }
    }

    private static void put(SynchronousQueue<Object> q) {
        try {
            q.put(Boolean.TRUE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void await() {
        try {
            LATCH.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
