package dev.leakhound.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A program with a leak a heap dump can prove, run in a JVM of its own by the tests of the pages:
 * {@code PlantedLeak N} starts N virtual threads named {@code planted-leak-K}, each blocked forever in
 * {@link SynchronousQueue#put} on a queue that only it knows (the seed's multiQuery), prints {@code ready} once all
 * are in put, then runs until it reads {@code exit} (or end of input) on standard input. Unlike {@link TinyService},
 * whose main thread keeps its queue, nothing but the blocked threads reaches the queues.
 */
public final class PlantedLeak {
    private PlantedLeak() {
    }

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
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
        threads = null;                                      // the threads are reachable from their container only
        System.out.println("ready");
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null && !line.strip().equals("exit")) {
            System.out.println("unknown command: " + line);
        }
        System.out.println("bye");
        System.out.flush();
        System.exit(0);                                      // the blocked threads are virtual: they would not hold it
    }

    private static void block(SynchronousQueue<String> onlyMine) {
        try {
            onlyMine.put("nobody takes this");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean inPut(Thread t) {
        if (t.getState() != Thread.State.WAITING) {
            return false;
        }
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.getClassName().equals(SynchronousQueue.class.getName()) && e.getMethodName().equals("put")) {
                return t.getState() == Thread.State.WAITING;
            }
        }
        return false;
    }
}
