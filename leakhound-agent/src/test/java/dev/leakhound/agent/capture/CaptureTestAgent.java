package dev.leakhound.agent.capture;

import dev.leakhound.model.ThreadDump;
import dev.leakhound.testing.ThreadsAt;

import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/** The premain and main of the child JVM of {@link ContainerThreadsTest}. */
public final class CaptureTestAgent {
    private static volatile Instrumentation inst;

    private CaptureTestAgent() {
    }

    public static void premain(String args, Instrumentation instrumentation) {
        inst = instrumentation;
    }

    public static void main(String[] args) throws Exception {
        System.out.println("before=" + ContainerThreads.open().isAvailable());
        ContainerThreads ct = ContainerThreads.open(inst);
        System.out.println("available=" + ct.isAvailable() + " " + ct.unavailableReason());
        CountDownLatch release = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            threads.add(Thread.ofVirtual().name("child-parked").start(() -> {
                try {
                    release.await();
                } catch (InterruptedException ignored) {
                }
            }));
        }
        try {
            ThreadsAt.await(threads, Thread.State.WAITING, "java.util.concurrent.CountDownLatch.await");
            ThreadDump d = ct.snapshot();
            long parked = d.threads().stream().filter(t -> t.name().equals("child-parked")
                    && t.state() == Thread.State.WAITING && t.blocker() != null).count();
            System.out.println("parked=" + parked + " of " + threads.size());
        } finally {
            release.countDown();
            for (Thread t : threads) {
                t.join();
            }
        }
    }
}
