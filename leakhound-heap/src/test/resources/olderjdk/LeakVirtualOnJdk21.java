import com.sun.management.HotSpotDiagnosticMXBean;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Run by a JDK 21: three virtual threads and three platform threads wait on latches only they hold (JDK 21's heap
 * dumps have a thread root and frames for the platform threads only); then the live heap is dumped to args[0].
 */
public class LeakVirtualOnJdk21 {
    public static void main(String[] args) throws Exception {
        List<Thread> started = startThreads();
        while (!started.stream().allMatch(t -> t.getState() == Thread.State.WAITING)) {
            Thread.onSpinWait();
        }
        ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).dumpHeap(args[0], true);
        System.out.println("dumped");
    }

    private static List<Thread> startThreads() {
        List<Thread> started = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            CountDownLatch never = new CountDownLatch(1);
            started.add(Thread.ofVirtual().name("jdk21-virtual-leak-" + i).start(() -> {
                try {
                    never.await();
                } catch (InterruptedException e) {
                    // ends
                }
            }));
            CountDownLatch alsoNever = new CountDownLatch(1);
            started.add(Thread.ofPlatform().daemon(true).name("jdk21-platform-leak-" + i).start(() -> {
                try {
                    alsoNever.await();
                } catch (InterruptedException e) {
                    // ends
                }
            }));
        }
        return started;
    }
}
