package dev.leakhound.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * A program that knows nothing of Leakhound, for the heap profile tests. {@code HeapWorkload leak}: a virtual thread
 * keeps one more 256 KB buffer every 20 ms ({@link #leakOne}; at most {@value #MAX_LEAKED} of them, 600 MB) while
 * a platform thread makes garbage. {@code HeapWorkload steady}: the same garbage, and a ring of 64 buffers of 64 KB
 * replaced one after the other ({@link #replaceOne}): memory allocated and dropped, nothing kept longer than a round;
 * prints {@code round N} after each round of 64 replacements. Prints {@code ready} once started, ends on {@code exit}.
 */
public final class HeapWorkload {
    static final int MAX_LEAKED = 2400;
    private static final List<byte[]> leaked = new ArrayList<>();
    private static final byte[][] ring = new byte[64][];
    static volatile Object sink;

    private HeapWorkload() {
    }

    public static void main(String[] args) throws Exception {
        boolean leak = args[0].equals("leak");
        Thread garbage = new Thread(HeapWorkload::garbage, "workload-garbage");
        garbage.setDaemon(true);
        garbage.start();
        Thread worker = leak
                ? Thread.ofVirtual().name("workload-leaker").start(HeapWorkload::leak)
                : Thread.ofPlatform().daemon().name("workload-ring").start(HeapWorkload::steady);
        ChildSide.readyUntilExit();
        worker.interrupt();
        System.out.println("bye");
        System.out.flush();
    }

    private static void garbage() {
        while (true) {
            for (int i = 0; i < 200; i++) {
                sink = makeGarbage(i);
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    private static Object makeGarbage(int i) {
        return new byte[1024 + i];
    }

    private static void leak() {
        while (!Thread.currentThread().isInterrupted()) {
            synchronized (leaked) {
                if (leaked.size() < MAX_LEAKED) {
                    leakOne();
                }
            }
            LockSupport.parkNanos(20_000_000);
        }
    }

    private static void leakOne() {
        leaked.add(new byte[256 * 1024]);
    }

    private static void steady() {
        long round = 0;
        while (!Thread.currentThread().isInterrupted()) {
            for (int i = 0; i < ring.length; i++) {
                replaceOne(i);
                LockSupport.parkNanos(2_000_000);
            }
            System.out.println("round " + ++round);
            System.out.flush();
        }
    }

    private static void replaceOne(int i) {
        ring[i] = new byte[64 * 1024];
    }
}
