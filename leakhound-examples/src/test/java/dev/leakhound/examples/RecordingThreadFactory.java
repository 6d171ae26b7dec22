package dev.leakhound.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;

/**
 * Makes virtual threads and remembers them, so a test can see the threads an example started
 * ({@code Thread.getAllStackTraces()} does not list virtual threads) and end them afterwards.
 */
final class RecordingThreadFactory implements ThreadFactory {

    private final ThreadFactory virtualThreads;
    private final List<Thread> threads = new CopyOnWriteArrayList<>();

    RecordingThreadFactory(String namePrefix) {
        virtualThreads = Thread.ofVirtual().name(namePrefix, 0).factory();
    }

    @Override
    public Thread newThread(Runnable task) {
        Thread thread = virtualThreads.newThread(task);
        threads.add(thread);
        return thread;
    }

    /** Every thread made so far, in order. */
    List<Thread> threads() {
        return List.copyOf(threads);
    }

    /** How many of the threads made so far are parked (WAITING) inside {@code className.method}. */
    long blockedIn(Class<?> clazz, String method) {
        return threads.stream().filter(t -> isBlockedIn(t, clazz, method)).count();
    }

    /** How many of the threads made so far have ended. */
    long terminated() {
        return threads.stream().filter(t -> t.getState() == Thread.State.TERMINATED).count();
    }

    static boolean isBlockedIn(Thread thread, Class<?> clazz, String method) {
        return thread.getState() == Thread.State.WAITING
                && Arrays.stream(thread.getStackTrace())
                        .anyMatch(f -> f.getClassName().equals(clazz.getName()) && f.getMethodName().equals(method));
    }

    /** Waits up to {@code timeout} for every thread made so far to end; true if they all did. */
    boolean joinAll(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread thread : threads) {
            long left = Math.max(deadline - System.nanoTime(), 0);
            if (!thread.join(Duration.ofNanos(left))) {
                return false;
            }
        }
        return true;
    }

    /** Interrupts every thread made so far (the leaked ones end on it) and checks that they all end. */
    void interruptAndJoinAll() throws InterruptedException {
        threads.forEach(Thread::interrupt);
        assertThat(joinAll(Duration.ofSeconds(60))).as("all recorded threads ended after interrupt").isTrue();
    }
}
