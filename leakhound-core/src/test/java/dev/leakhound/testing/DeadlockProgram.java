package dev.leakhound.testing;

import dev.leakhound.LeakOptions;
import dev.leakhound.LeakReport;
import dev.leakhound.Leakhound;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * A program that deadlocks its own threads, for tests that dump it from outside (a {@code synchronized} deadlock can
 * never be ended in the JVM that has it: run this in a child JVM and kill it). {@code java DeadlockProgram KIND
 * THREADS}, KIND one of
 * <ul>
 *   <li>{@code sync}: two threads, each in {@code synchronized} on one object, entering the other's;</li>
 *   <li>{@code lock}: the same with {@link ReentrantLock}s;</li>
 *   <li>{@code sync3}: three threads in a cycle of monitors;</li>
 *   <li>{@code lookalike}: no deadlock, though it looks like one: {@code wants-monitor} waits to enter a monitor
 *       {@code holds-monitor} holds, and {@code wants-lock} waits for a ReentrantLock {@code holds-lock} holds, but
 *       both holders wait for a latch (something else), not for a lock of theirs;</li>
 * </ul>
 * THREADS {@code platform} or {@code virtual}. Prints {@code ready} once every thread is blocked where it stays,
 * then waits for ever; or, with a third argument {@code check}, runs the leak check ({@link Leakhound#find()} with a
 * short retry) in its main thread, prints its report between {@code --- report} and {@code --- end} and exits.
 */
public final class DeadlockProgram {
    static final Object A = new Object();
    static final Object B = new Object();
    static final Object C = new Object();
    static final ReentrantLock LA = new ReentrantLock();
    static final ReentrantLock LB = new ReentrantLock();

    private DeadlockProgram() {
    }

    public static void main(String[] args) throws Exception {
        Thread.Builder builder = args[1].equals("virtual") ? Thread.ofVirtual() : Thread.ofPlatform().daemon();
        CountDownLatch all = new CountDownLatch(args[0].equals("sync3") ? 3 : 2);
        CountDownLatch never = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        BooleanSupplier blocked;
        switch (args[0]) {
            case "sync" -> {
                threads.add(builder.name("dl-sync-1").start(() -> monitors(A, B, all)));
                threads.add(builder.name("dl-sync-2").start(() -> monitors(B, A, all)));
                blocked = () -> threads.stream().allMatch(t -> t.getState() == Thread.State.BLOCKED);
            }
            case "sync3" -> {
                threads.add(builder.name("dl-ring-1").start(() -> monitors(A, B, all)));
                threads.add(builder.name("dl-ring-2").start(() -> monitors(B, C, all)));
                threads.add(builder.name("dl-ring-3").start(() -> monitors(C, A, all)));
                blocked = () -> threads.stream().allMatch(t -> t.getState() == Thread.State.BLOCKED);
            }
            case "lock" -> {
                threads.add(builder.name("dl-lock-1").start(() -> locks(LA, LB, all)));
                threads.add(builder.name("dl-lock-2").start(() -> locks(LB, LA, all)));
                blocked = () -> LB.hasQueuedThread(threads.get(0)) && LA.hasQueuedThread(threads.get(1));
            }
            case "lookalike" -> {
                CountDownLatch holding = new CountDownLatch(2);
                threads.add(builder.name("holds-monitor").start(() -> {
                    synchronized (A) {
                        holding.countDown();
                        await(never);
                    }
                }));
                threads.add(builder.name("holds-lock").start(() -> {
                    LA.lock();
                    holding.countDown();
                    await(never);
                }));
                await(holding);
                threads.add(builder.name("wants-monitor").start(() -> {
                    synchronized (B) {
                        synchronized (A) {
                            never.countDown();
                        }
                    }
                }));
                threads.add(builder.name("wants-lock").start(() -> {
                    synchronized (C) {
                        LA.lock();
                    }
                }));
                blocked = () -> threads.get(2).getState() == Thread.State.BLOCKED && LA.hasQueuedThread(threads.get(3))
                        && holding.getCount() == 0;
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
        Instant until = Instant.now().plus(Duration.ofMinutes(3));
        while (!blocked.getAsBoolean()) {
            if (Instant.now().isAfter(until)) {
                throw new IllegalStateException("the threads did not block: " + threads);
            }
            LockSupport.parkNanos(1_000_000);
        }
        if (args.length > 2 && args[2].equals("check")) {
            LeakReport report = Leakhound.find(LeakOptions.builder().retryFor(Duration.ofMillis(200)).build());
            System.out.println("--- report\n" + report + "\n--- end");
            System.out.flush();
            System.exit(0);
        }
        System.out.println("ready");
        System.out.flush();
        await(never);
    }

    private static void monitors(Object first, Object second, CountDownLatch all) {
        synchronized (first) {
            all.countDown();
            await(all);
            synchronized (second) {
                all.countDown();
            }
        }
    }

    private static void locks(ReentrantLock first, ReentrantLock second, CountDownLatch all) {
        first.lock();
        all.countDown();
        await(all);
        second.lock();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
