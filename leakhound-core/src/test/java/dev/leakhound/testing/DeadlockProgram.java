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
    /** Never counted down: what the look-alike's holders wait for. */
    private static final CountDownLatch NEVER = new CountDownLatch(1);

    private DeadlockProgram() {
    }

    public static void main(String[] args) throws Exception {
        Thread.Builder builder = args[1].equals("virtual") ? Thread.ofVirtual() : Thread.ofPlatform().daemon();
        start(args[0], builder, "dl");
        if (args.length > 2 && args[2].equals("check")) {
            LeakReport report = Leakhound.find(LeakOptions.builder().retryFor(Duration.ofMillis(200)).build());
            System.out.println("--- report\n" + report + "\n--- end");
            System.out.flush();
            System.exit(0);
        }
        System.out.println("ready");
        System.out.flush();
        await(NEVER);
    }

    /**
     * Starts the threads of one KIND (see above) with locks of their own, named {@code PREFIX-sync-1},
     * {@code PREFIX-ring-1}, {@code PREFIX-lock-1}, {@code holds-monitor}, ... (the look-alike's names get the
     * prefix only when it is not {@code dl}), and returns once they are blocked where they stay.
     */
    public static List<Thread> start(String kind, Thread.Builder builder, String prefix) {
        Object a = new Object();
        Object b = new Object();
        Object c = new Object();
        ReentrantLock la = new ReentrantLock();
        ReentrantLock lb = new ReentrantLock();
        CountDownLatch all = new CountDownLatch(kind.equals("sync3") ? 3 : 2);
        List<Thread> threads = new ArrayList<>();
        String look = prefix.equals("dl") ? "" : prefix + "-";
        BooleanSupplier blocked;
        switch (kind) {
            case "sync" -> {
                threads.add(builder.name(prefix + "-sync-1").start(() -> monitors(a, b, all)));
                threads.add(builder.name(prefix + "-sync-2").start(() -> monitors(b, a, all)));
                blocked = () -> threads.stream().allMatch(t -> t.getState() == Thread.State.BLOCKED);
            }
            case "sync3" -> {
                threads.add(builder.name(prefix + "-ring-1").start(() -> monitors(a, b, all)));
                threads.add(builder.name(prefix + "-ring-2").start(() -> monitors(b, c, all)));
                threads.add(builder.name(prefix + "-ring-3").start(() -> monitors(c, a, all)));
                blocked = () -> threads.stream().allMatch(t -> t.getState() == Thread.State.BLOCKED);
            }
            case "lock" -> {
                threads.add(builder.name(prefix + "-lock-1").start(() -> locks(la, lb, all)));
                threads.add(builder.name(prefix + "-lock-2").start(() -> locks(lb, la, all)));
                blocked = () -> lb.hasQueuedThread(threads.get(0)) && la.hasQueuedThread(threads.get(1));
            }
            case "lookalike" -> {
                CountDownLatch holding = new CountDownLatch(2);
                threads.add(builder.name(look + "holds-monitor").start(() -> {
                    synchronized (a) {
                        holding.countDown();
                        await(NEVER);
                    }
                }));
                threads.add(builder.name(look + "holds-lock").start(() -> {
                    la.lock();
                    holding.countDown();
                    await(NEVER);
                }));
                await(holding);
                threads.add(builder.name(look + "wants-monitor").start(() -> {
                    synchronized (b) {
                        synchronized (a) {
                            all.countDown();
                        }
                    }
                }));
                threads.add(builder.name(look + "wants-lock").start(() -> {
                    synchronized (c) {
                        la.lock();
                    }
                }));
                blocked = () -> threads.get(2).getState() == Thread.State.BLOCKED && la.hasQueuedThread(threads.get(3));
            }
            default -> throw new IllegalArgumentException(kind);
        }
        Instant until = Instant.now().plus(Duration.ofMinutes(3));
        while (!blocked.getAsBoolean()) {
            if (Instant.now().isAfter(until)) {
                throw new IllegalStateException("the threads did not block: " + threads);
            }
            LockSupport.parkNanos(1_000_000);
        }
        return threads;
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
