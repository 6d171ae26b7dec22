package dev.leakhound.capture;

import dev.leakhound.analysis.StackGroup;
import dev.leakhound.analysis.ThreadGrouping;
import dev.leakhound.model.ThreadDump;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.SynchronousQueue;

/**
 * Run by {@link Jdk21ThreadDumpTest} in a JVM of a real JDK 21 on this module's class path: three virtual threads
 * wait on a latch, two block in {@code SynchronousQueue.put}; once they all wait, {@link LiveThreads#capture()} of
 * that JVM, printed as one line per suspect group ({@code suspect COUNT VIRTUAL_COUNT CALL BLOCKING_CLASS}), and
 * one line {@code runtime VERSION}. Its threads are daemons: the JVM ends after main.
 */
public final class Jdk21LiveProbe {
    private Jdk21LiveProbe() {
    }

    public static void main(String[] args) throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        SynchronousQueue<String> queue = new SynchronousQueue<>();
        List<Thread> parked = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            parked.add(Thread.ofVirtual().name("probe-latch-" + i).start(() -> {
                try {
                    never.await();
                } catch (InterruptedException e) {
                    // ends
                }
            }));
        }
        for (int i = 0; i < 2; i++) {
            parked.add(Thread.ofVirtual().name("probe-put-" + i).start(() -> {
                try {
                    queue.put("never taken");
                } catch (InterruptedException e) {
                    // ends
                }
            }));
        }
        while (!parked.stream().allMatch(t -> t.getState() == Thread.State.WAITING)) {
            Thread.onSpinWait();
        }
        ThreadDump dump = LiveThreads.capture();
        System.out.println("runtime " + dump.runtimeVersion());
        for (StackGroup g : ThreadGrouping.suspects(ThreadGrouping.group(dump.threads()))) {
            System.out.println("suspect " + g.count() + " " + g.virtualCount() + " " + g.waitSite().call() + " "
                    + (g.waitSite().blockingFrame() == null ? "-" : g.waitSite().blockingFrame().className()));
        }
    }
}
