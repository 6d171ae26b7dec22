package dev.leakhound.agent;

import dev.leakhound.testing.ThreadsAt;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.SynchronousQueue;

/**
 * The child JVM of {@link ProofEndpointTest}: {@value #LEAKED} virtual threads {@code proof-leaked} blocked forever in
 * {@code SynchronousQueue.put} on queues only they know (the seed's multiQuery leak), and a control,
 * {@code proof-control}, taking from a queue a static field holds (anyone could feed it), and two virtual threads
 * {@code proof-deadlock-a} and {@code -b} deadlocked on {@code synchronized} (their monitors in a static field: only
 * the thread dump the agent takes with the heap dump can prove them). Started with the agent
 * ({@code -javaagent}, so with its thread start hooks, as in a service): once all are blocked it prints
 * {@code url <server url>} and runs until its standard input ends.
 */
public final class ProofHost {
    static final int LEAKED = 3;
    static final BlockingQueue<String> CONTROL_QUEUE = new LinkedBlockingQueue<>();
    static final Object[] MONITORS = {new Object(), new Object()};

    private ProofHost() {
    }

    public static void main(String[] args) throws Exception {
        List<Thread> started = new ArrayList<>();
        for (int i = 0; i < LEAKED; i++) {
            started.add(Thread.ofVirtual().name("proof-leaked").start(ProofHost::putForever));
        }
        started.add(Thread.ofVirtual().name("proof-control").start(ProofHost::takeFromControl));
        CountDownLatch both = new CountDownLatch(2);
        List<Thread> deadlocked = List.of(
                Thread.ofVirtual().name("proof-deadlock-a").start(() -> lockBoth(MONITORS[0], MONITORS[1], both)),
                Thread.ofVirtual().name("proof-deadlock-b").start(() -> lockBoth(MONITORS[1], MONITORS[0], both)));
        ThreadsAt.await(deadlocked, Thread.State.BLOCKED, ProofHost.class.getName() + ".lockBoth");
        // each in the call it stays in (not merely WAITING somewhere on its way): the proof reads them there
        ThreadsAt.await(started.subList(0, LEAKED), Thread.State.WAITING, "java.util.concurrent.SynchronousQueue.put");
        ThreadsAt.await(started.get(LEAKED), Thread.State.WAITING, "java.util.concurrent.LinkedBlockingQueue.take");
        started.clear();                         // this list must not be what keeps them reachable
        String status = System.getProperty(Agent.STATUS_PROPERTY, "no agent");
        System.out.println(status.startsWith("running http://") ? "url " + status.substring(8) : status);
        System.out.flush();
        while (System.in.read() >= 0) {
            // until the test closes our standard input
        }
    }

    private static void putForever() {
        SynchronousQueue<String> nobodyTakes = new SynchronousQueue<>();
        try {
            nobodyTakes.put("result");
        } catch (InterruptedException ignored) {
        }
    }

    private static void lockBoth(Object first, Object second, CountDownLatch both) {
        synchronized (first) {
            both.countDown();
            try {
                both.await();
            } catch (InterruptedException e) {
                return;
            }
            synchronized (second) {
                second.hashCode();
            }
        }
    }

    private static void takeFromControl() {
        try {
            CONTROL_QUEUE.take();
        } catch (InterruptedException ignored) {
        }
    }
}
