package dev.leakhound.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A program that knows nothing of Leakhound, run in a JVM of its own by the agent tests.
 *
 * <p>{@code TinyService BLOCKED [GROW_MILLIS [drained]]}: starts BLOCKED virtual threads named {@code tiny-blocked-N} that
 * block forever in {@link SynchronousQueue#put} (the seed's multiQuery leak); with GROW_MILLIS, one more
 * "checker" virtual thread every GROW_MILLIS that ends with {@code done.put(1)} on a queue of capacity 1 that
 * nobody drains (the seed's sentinel agent): all but the first block forever; with a third argument
 * {@code drained}, the same checkers put on a queue without bound that a thread drains: none blocks (the healthy twin).
 * Prints {@code ready} when the first BLOCKED threads are blocked, then runs until it reads {@code exit} (or end of
 * input) on standard input, prints {@code bye} and returns from main: the JVM must then end by itself.
 */
public final class TinyService {
    private TinyService() {
    }

    public static void main(String[] args) throws Exception {
        int blocked = Integer.parseInt(args[0]);
        long growMillis = args.length > 1 ? Long.parseLong(args[1]) : 0;
        boolean drained = args.length > 2 && args[2].equals("drained");
        SynchronousQueue<String> answers = new SynchronousQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < blocked; i++) {
            threads.add(Thread.ofVirtual().name("tiny-blocked-" + i).start(() -> answer(answers)));
        }
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        for (Thread t : threads) {
            while (!waitingInPut(t)) {                        // in put, not merely WAITING somewhere on its way
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException(t + " did not block in SynchronousQueue.put: " + t.getState());
                }
                LockSupport.parkNanos(1_000_000);
            }
        }
        if (growMillis > 0) {
            BlockingQueue<Integer> done = drained ? new LinkedBlockingQueue<>() : new ArrayBlockingQueue<>(1);
            if (drained) {
                Thread.ofVirtual().name("tiny-drain").start(() -> drain(done));
            }
            ScheduledExecutorService rounds = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "tiny-rounds");
                t.setDaemon(true);
                return t;
            });
            rounds.scheduleAtFixedRate(() -> Thread.ofVirtual().name("tiny-checker").start(() -> check(done)),
                    0, growMillis, TimeUnit.MILLISECONDS);
        }
        ChildSide.readyUntilExit();
        System.out.println("bye");
        System.out.flush();
    }

    /** WAITING with {@code SynchronousQueue.put} on its stack (the state read before and after the stack). */
    private static boolean waitingInPut(Thread t) {
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

    private static void answer(SynchronousQueue<String> answers) {
        try {
            answers.put("an answer nobody takes");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void drain(BlockingQueue<Integer> done) {
        try {
            while (true) {
                done.take();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void check(BlockingQueue<Integer> done) {
        try {
            done.put(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
