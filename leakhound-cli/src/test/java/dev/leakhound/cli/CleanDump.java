package dev.leakhound.cli;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.leakhound.testing.ThreadsAt;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A child JVM of {@link HeapCommandTest}: a program with no leaked thread but {@value #TAKERS} virtual threads
 * blocked for now on a queue that the static field {@link #QUEUE} holds (anyone may still offer to it); dumps its
 * heap ({@code live=true}) to {@code args[0]} once they all wait in {@code take}, and exits.
 */
public final class CleanDump {
    static final int TAKERS = 40;
    static LinkedBlockingQueue<String> QUEUE;

    private CleanDump() {
    }

    public static void main(String[] args) throws Exception {
        QUEUE = new LinkedBlockingQueue<>();
        List<Thread> takers = new ArrayList<>();
        for (int i = 0; i < TAKERS; i++) {
            takers.add(Thread.ofVirtual().name("clean-taker").start(() -> {
                try {
                    QUEUE.take();
                } catch (InterruptedException ignored) {
                    // ends
                }
            }));
        }
        ThreadsAt.await(takers, Thread.State.WAITING, "java.util.concurrent.LinkedBlockingQueue.take");
        takers.clear();
        ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).dumpHeap(args[0], true);
        System.out.println("dumped");
        System.exit(0);
    }
}
