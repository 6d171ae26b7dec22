package dev.leakhound.proof;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.leakhound.testing.ThreadsAt;

import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The child JVM of {@link StackSizeTest}: {@value #THREADS} virtual threads, each blocked for good on a latch only it
 * holds, 0 to 29 frames deep; a heap dump ({@code live=true}) to {@code args[0]}; then the JVM's own class histogram
 * ({@code GC.class_histogram}) of the same heap, printed after {@code dumped}.
 */
public final class StackScenario {
    static final int THREADS = 300;

    private StackScenario() {
    }

    public static void main(String[] args) throws Exception {
        List<Thread> started = start();
        ThreadsAt.await(started, Thread.State.WAITING, "java.util.concurrent.CountDownLatch.await");
        started.clear();                                       // this list must not be what keeps them reachable
        ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).dumpHeap(args[0], true);
        System.out.println("dumped");
        Object histogram = ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[] {new String[0]}, new String[] {String[].class.getName()});
        System.out.println(histogram);
        System.out.flush();
        System.exit(0);
    }

    private static List<Thread> start() {
        List<Thread> started = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            int depth = i % 30;
            started.add(Thread.ofVirtual().name("leak-deep-" + depth).start(() -> {
                try {
                    deep(depth, new CountDownLatch(1));
                } catch (InterruptedException ignored) {
                    // ends
                }
            }));
        }
        return started;
    }

    private static void deep(int depth, CountDownLatch never) throws InterruptedException {
        if (depth == 0) {
            never.await();
        } else {
            deep(depth - 1, never);
        }
    }
}
