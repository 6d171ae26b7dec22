package dev.leakhound.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A program with a leak a heap dump can prove, run in a JVM of its own by the tests of the pages:
 * {@code PlantedLeak N} starts N virtual threads named {@code planted-leak-K}, each blocked forever in
 * {@link SynchronousQueue#put} on a queue that only it knows (the seed's multiQuery), prints {@code ready} once all
 * are in put, then runs until its standard input ends. Unlike {@link TinyService},
 * whose main thread keeps its queue, nothing but the blocked threads reaches the queues.
 */
public final class PlantedLeak {
    private PlantedLeak() {
    }

    public static void main(String[] args) throws Exception {
        startBlocked(Integer.parseInt(args[0]));
        System.out.println("ready");
        System.out.flush();
        while (System.in.read() != -1) {
            // what it reads is ignored: it ends when ChildJvm.exit() closes standard input
        }
        System.out.println("bye");
        System.out.flush();
        System.exit(0);                                      // the blocked threads are virtual: they would not hold it
    }

    /**
     * Starts the threads and returns once all are in put. A method of its own: no local of main (not even a
     * dead iterator, which a heap dump still sees in the frame) can reach the threads.
     */
    private static void startBlocked(int n) {
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            threads.add(Thread.ofVirtual().name("planted-leak-" + i).start(() -> block(new SynchronousQueue<>())));
        }
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        for (Thread t : threads) {
            while (!inPut(t)) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException(t + " did not block in SynchronousQueue.put: " + t.getState());
                }
                LockSupport.parkNanos(1_000_000);
            }
        }
    }

    private static void block(SynchronousQueue<String> onlyMine) {
        try {
            onlyMine.put("nobody takes this");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** WAITING with {@code SynchronousQueue.put} on its stack: there, not merely on its way. */
    private static boolean inPut(Thread t) {
        return t.getState() == Thread.State.WAITING && Arrays.stream(t.getStackTrace())
                .anyMatch(e -> e.getMethodName().equals("put") && e.getClassName().equals(SynchronousQueue.class.getName()));
    }
}
