package dev.leakhound.cli;

import dev.leakhound.model.StackFrame;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.SynchronousQueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two threads leaked on purpose, the way the seed's multiQuery leaks: each blocks forever in
 * {@link SynchronousQueue#put} because nobody takes. One is virtual (in JDK thread dumps only), one is a
 * platform thread (in jstack too). {@link #close()} interrupts them and checks that they end.
 */
final class LeakedThreads implements AutoCloseable {
    static final String VIRTUAL_NAME = "cli-test-leaked-virtual";
    static final String PLATFORM_NAME = "cli-test-leaked-platform";

    final Thread virtual;
    final Thread platform;

    LeakedThreads() {
        virtual = Thread.ofVirtual().name(VIRTUAL_NAME).start(() -> leakVirtual(new SynchronousQueue<>()));
        platform = Thread.ofPlatform().name(PLATFORM_NAME).daemon().start(() -> leakPlatform(new SynchronousQueue<>()));
        await().atMost(Duration.ofSeconds(120))
                .until(() -> blockedInPut(virtual, "leakVirtual") && blockedInPut(platform, "leakPlatform"));
    }

    private static void leakVirtual(SynchronousQueue<String> answers) {
        try {
            answers.put("nobody takes this");
        } catch (InterruptedException e) {
            // the clean-up: the thread ends
        }
    }

    private static void leakPlatform(SynchronousQueue<String> answers) {
        try {
            answers.put("nobody takes this either");
        } catch (InterruptedException e) {
            // the clean-up: the thread ends
        }
    }

    private static boolean blockedInPut(Thread t, String method) {
        StackTraceElement[] stack = t.getStackTrace();
        return t.getState() == Thread.State.WAITING
                && Arrays.stream(stack).anyMatch(e -> e.getClassName().equals(SynchronousQueue.class.getName())
                        && e.getMethodName().equals("put"))
                && Arrays.stream(stack).anyMatch(e -> e.getMethodName().equals(method));
    }

    /** The line the virtual thread blocked at, as reports print it: {@code dev.leakhound.cli.LeakedThreads.leakVirtual(LeakedThreads.java:NN)}. */
    String virtualBlockedAt() {
        return frame(virtual, "leakVirtual");
    }

    String platformBlockedAt() {
        return frame(platform, "leakPlatform");
    }

    private static String frame(Thread t, String method) {
        return Arrays.stream(t.getStackTrace())
                .filter(e -> e.getClassName().equals(LeakedThreads.class.getName()) && e.getMethodName().equals(method))
                .map(StackFrame::of).map(StackFrame::toString)
                .findFirst().orElseThrow(() -> new AssertionError(t + " is not in " + method));
    }

    @Override
    public void close() throws InterruptedException {
        virtual.interrupt();
        platform.interrupt();
        assertThat(virtual.join(Duration.ofSeconds(60))).as("leaked virtual thread ended").isTrue();
        assertThat(platform.join(Duration.ofSeconds(60))).as("leaked platform thread ended").isTrue();
    }
}
