package dev.leakhound.proof;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.leakhound.testing.ThreadsAt;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;

/**
 * The child JVM of {@link ReachExplanationTest}: the common cases the proof must explain in the user's words, then a
 * heap dump ({@code live=true}) to {@code args[0]}.
 * <ul>
 *   <li>{@value #TAKERS} virtual threads taking from a queue held by the static field {@link #QUEUE}: not leaked,
 *       reachable from that field through the queue's chain of waiters.</li>
 *   <li>A fixed pool of {@value #KEPT_WORKERS}, idle, held by the static field {@link #KEPT_POOL}: not leaked.</li>
 *   <li>A fixed pool of {@value #DROPPED_WORKERS}, idle, never shut down and held by nothing: its workers are leaked.</li>
 *   <li>A platform thread awaiting a latch held at the end of a chain of {@value #LINKS} links, the first held by the
 *       static field {@link #CHAIN}: not leaked, and the path to it repeats one step {@code LINKS - 1} times.</li>
 *   <li>The same behind {@value #ZIGZAGS} links of two classes in turn, held by {@link #ZIGZAG}: a path longer than
 *       the explanation shows.</li>
 * </ul>
 * Every thread is waited for in its blocking call before the dump.
 */
public final class ReachScenario {
    static final int TAKERS = 40;
    static final int KEPT_WORKERS = 3;
    static final int DROPPED_WORKERS = 2;
    static final String TAKE = "java.util.concurrent.LinkedBlockingQueue.take";
    static LinkedBlockingQueue<String> QUEUE;
    static ExecutorService KEPT_POOL;
    static final int LINKS = 30;
    static final String AWAIT = "java.util.concurrent.CountDownLatch.await";
    static Link CHAIN;
    static final int ZIGZAGS = 120;
    static Zig ZIGZAG;
    private static final List<Thread> STARTED = new ArrayList<>();

    private ReachScenario() {
    }

    /** A link of a chain: the last one holds the latch. */
    static final class Link {
        final Link next;
        final CountDownLatch latch;

        Link(Link next, CountDownLatch latch) {
            this.next = next;
            this.latch = latch;
        }
    }

    public static void main(String[] args) throws Exception {
        QUEUE = new LinkedBlockingQueue<>();
        for (int i = 0; i < TAKERS; i++) {
            track(Thread.ofVirtual().name("queue-taker").unstarted(() -> {
                try {
                    QUEUE.take();
                } catch (InterruptedException ignored) {
                    // ends
                }
            })).start();
        }
        KEPT_POOL = startedPool(KEPT_WORKERS);
        dropAPool();
        Thread[] chainWaiter = {chainOfLinks(), zigzagOfLinks()};       // emptied before the dump: main's frame must not hold it
        ThreadsAt.await(() -> {
            synchronized (STARTED) {
                return STARTED.size() == TAKERS + KEPT_WORKERS + DROPPED_WORKERS
                        && STARTED.stream().allMatch(t -> ThreadsAt.at(t, Thread.State.WAITING, TAKE))
                        && ThreadsAt.at(chainWaiter[0], Thread.State.WAITING, AWAIT)
                        && ThreadsAt.at(chainWaiter[1], Thread.State.WAITING, AWAIT);
            }
        }, () -> {
            synchronized (STARTED) {
                return "not all WAITING in " + TAKE + " or " + AWAIT + ":" + ThreadsAt.describe(STARTED)
                        + ThreadsAt.describe(List.of(chainWaiter));
            }
        });
        synchronized (STARTED) {
            STARTED.clear();                                   // this list must not be what keeps them reachable
        }
        chainWaiter[0] = null;
        chainWaiter[1] = null;
        ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).dumpHeap(args[0], true);
        System.out.println("dumped");
        System.out.flush();
        System.exit(0);
    }

    /** A link of a chain whose links alternate between this class and {@link Zag}. */
    static class Zig {
        Zig next;
        CountDownLatch latch;
    }

    static final class Zag extends Zig {
    }

    /** In a method of its own: when it returns, only {@link #ZIGZAG} holds the latch. */
    private static Thread zigzagOfLinks() {
        CountDownLatch latch = new CountDownLatch(1);
        Zig link = new Zig();
        link.latch = latch;
        for (int i = 1; i < ZIGZAGS; i++) {
            Zig before = i % 2 == 0 ? new Zig() : new Zag();
            before.next = link;
            link = before;
        }
        ZIGZAG = link;
        return Thread.ofPlatform().name("zigzag-waiter").daemon(true).start(() -> {
            try {
                latch.await();
            } catch (InterruptedException ignored) {
                // ends
            }
        });
    }

    /** In a method of its own: when it returns, only {@link #CHAIN} holds the latch. */
    private static Thread chainOfLinks() {
        CountDownLatch latch = new CountDownLatch(1);
        Link link = new Link(null, latch);
        for (int i = 1; i < LINKS; i++) {
            link = new Link(link, null);
        }
        CHAIN = link;
        return Thread.ofPlatform().name("chain-waiter").daemon(true).start(() -> {
            try {
                latch.await();
            } catch (InterruptedException ignored) {
                // ends
            }
        });
    }

    /** In a method of its own: when it returns, nothing holds the pool, which was never shut down. */
    private static void dropAPool() throws InterruptedException {
        startedPool(DROPPED_WORKERS);
    }

    /** A fixed pool with the JDK's default thread names, each of its workers started by a task that has ended. */
    private static ExecutorService startedPool(int workers) throws InterruptedException {
        ThreadFactory names = Executors.defaultThreadFactory();
        ExecutorService pool = Executors.newFixedThreadPool(workers, r -> track(names.newThread(r)));
        CountDownLatch ran = new CountDownLatch(workers);
        for (int i = 0; i < workers; i++) {
            pool.execute(ran::countDown);
        }
        ran.await();
        return pool;
    }

    private static Thread track(Thread t) {
        synchronized (STARTED) {
            STARTED.add(t);
        }
        return t;
    }
}
