package dev.leakhound.proof;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.leakhound.testing.ThreadsAt;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The child JVM of {@link MonitorProofTest}: threads in {@code Object.wait()} and deadlocks, platform and virtual, and
 * their look-alikes; then a JSON thread dump to {@code args[1]} and a heap dump ({@code live=true}) to {@code args[0]}.
 * {@code leak-*} must be proven ({@code leak-sync-*}, deadlocked on {@code synchronized}, only with the thread dump;
 * the deadlocks' locks are reachable from a static field, which cannot break a cycle), {@code control-*} never.
 */
public final class MonitorScenario {
    /** The deadlocks' monitors and locks, reachable: a cycle cannot break even so. */
    static final List<Object> LOCKS = new ArrayList<>();
    /** Keeps the interruptible cycle's threads reachable: someone may interrupt them. */
    static final List<Thread> INTERRUPTIBLE = new ArrayList<>();
    private static final List<Thread> STARTED = new ArrayList<>();
    private static final List<Thread.State> STATES = new ArrayList<>();
    private static final List<String> FRAMES = new ArrayList<>();

    private MonitorScenario() {
    }

    private interface Blocking {
        void run() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        start();
        ThreadsAt.await(MonitorScenario::settled, () -> "not in place:" + ThreadsAt.describe(STARTED) + " " + FRAMES);
        STARTED.clear();                                       // this list must not be what keeps them reachable
        HotSpotDiagnosticMXBean bean = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        bean.dumpThreads(args[1], HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
        bean.dumpHeap(args[0], true);
        System.out.println("dumped");
        System.out.flush();
        System.exit(0);
    }

    private static void start() throws Exception {
        // Object.wait() on a monitor nobody else has: nobody can notify
        Object p = new Object();
        thread(false, "leak-orphan-wait-platform", Thread.State.WAITING, "java.lang.Object.wait", () -> waitOn(p));
        Object v = new Object();
        thread(true, "leak-orphan-wait-virtual", Thread.State.WAITING, "java.lang.Object.wait", () -> waitOn(v));
        Object u = new Object();
        thread(true, "", Thread.State.WAITING, "java.lang.Object.wait", () -> waitOn(u));   // unnamed: by tid

        // the look-alike: its notifier is alive (a timed wait that holds the monitor in its frame)
        Object watched = new Object();
        SynchronousQueue<String> never = new SynchronousQueue<>();
        thread(false, "control-notifier", Thread.State.TIMED_WAITING, "java.util.concurrent.SynchronousQueue.poll",
                () -> notifyWhenTold(watched, never));
        thread(true, "control-wait-notifier-alive", Thread.State.WAITING, "java.lang.Object.wait",
                () -> waitOn(watched));

        // a BLOCKED thread whose monitor's owner runs (waits with a timeout while it holds it)
        Object busy = new Object();
        CountDownLatch owns = new CountDownLatch(1);
        thread(false, "control-monitor-owner", Thread.State.TIMED_WAITING, "java.util.concurrent.SynchronousQueue.poll",
                () -> holdWhile(busy, owns, never));
        owns.await();
        thread(false, "control-blocked-owner-runs", Thread.State.BLOCKED, MonitorScenario.class.getName() + ".enter",
                () -> enter(busy));
        thread(true, "control-blocked-owner-runs-virtual", Thread.State.BLOCKED,
                MonitorScenario.class.getName() + ".enter", () -> enter(busy));

        // deadlocks on synchronized, platform and virtual
        syncCycle(false, "leak-sync-platform");
        syncCycle(true, "leak-sync-virtual");
        // deadlocks on ReentrantLock.lock(), platform and virtual: the heap shows the owners
        lockCycle(false, "leak-lock-platform", false);
        lockCycle(true, "leak-lock-virtual", false);
        // lockInterruptibly with the threads reachable: an interrupt can break it
        lockCycle(true, "control-interruptible-cycle", true);

        // a ReentrantLock whose owner ended without unlocking: lock() waits for good, though the lock is reachable
        ReentrantLock orphaned = new ReentrantLock();
        LOCKS.add(orphaned);
        Thread taker = Thread.ofPlatform().name("lock-taker").start(orphaned::lock);
        taker.join();
        String lock = "java.util.concurrent.locks.ReentrantLock.lock";
        thread(false, "leak-lock-owner-ended", Thread.State.WAITING, lock, orphaned::lock);
        thread(true, "leak-lock-owner-ended-virtual", Thread.State.WAITING, lock, orphaned::lock);
        // a lock whose owner runs (waits with a timeout while it holds it)
        ReentrantLock busyLock = new ReentrantLock();
        CountDownLatch ownsLock = new CountDownLatch(1);
        thread(false, "control-lock-owner", Thread.State.TIMED_WAITING, "java.util.concurrent.SynchronousQueue.poll",
                () -> {
                    busyLock.lock();
                    ownsLock.countDown();
                    while (never.poll(1, TimeUnit.HOURS) == null) {
                        busyLock.getHoldCount();
                    }
                });
        ownsLock.await();
        thread(true, "control-lock-owner-runs", Thread.State.WAITING, lock, busyLock::lock);
    }

    private static void syncCycle(boolean virtual, String name) {
        Object a = new Object();
        Object b = new Object();
        LOCKS.add(a);
        LOCKS.add(b);
        CountDownLatch both = new CountDownLatch(2);
        String at = MonitorScenario.class.getName() + ".lockBoth";
        thread(virtual, name + "-a", Thread.State.BLOCKED, at, () -> lockBoth(a, b, both));
        thread(virtual, name + "-b", Thread.State.BLOCKED, at, () -> lockBoth(b, a, both));
    }

    private static void lockCycle(boolean virtual, String name, boolean interruptibly) {
        ReentrantLock a = new ReentrantLock();
        ReentrantLock b = new ReentrantLock();
        LOCKS.add(a);
        LOCKS.add(b);
        CountDownLatch both = new CountDownLatch(2);
        String at = "java.util.concurrent.locks.ReentrantLock." + (interruptibly ? "lockInterruptibly" : "lock");
        Thread x = thread(virtual, name + "-a", Thread.State.WAITING, at, () -> lockBoth(a, b, both, interruptibly));
        Thread y = thread(virtual, name + "-b", Thread.State.WAITING, at, () -> lockBoth(b, a, both, interruptibly));
        if (interruptibly) {
            INTERRUPTIBLE.add(x);
            INTERRUPTIBLE.add(y);
        } else if (!virtual) {
            // behind the deadlock: a thread that wants a lock of the cycle, once the cycle holds it
            ThreadsAt.await(List.of(x, y), Thread.State.WAITING, at);
            thread(false, "leak-lock-behind-deadlock", Thread.State.WAITING, at, a::lock);
        }
    }

    static void waitOn(Object monitor) throws InterruptedException {
        synchronized (monitor) {
            monitor.wait();
        }
    }

    static void enter(Object monitor) {
        synchronized (monitor) {
            monitor.hashCode();
        }
    }

    private static void notifyWhenTold(Object monitor, SynchronousQueue<String> told) throws InterruptedException {
        while (told.poll(1, TimeUnit.HOURS) == null) {
            synchronized (monitor) {
                monitor.notifyAll();
            }
        }
    }

    private static void holdWhile(Object monitor, CountDownLatch owns, SynchronousQueue<String> told)
            throws InterruptedException {
        synchronized (monitor) {
            owns.countDown();
            while (told.poll(1, TimeUnit.HOURS) == null) {
                monitor.hashCode();
            }
        }
    }

    static void lockBoth(Object first, Object second, CountDownLatch both) throws InterruptedException {
        synchronized (first) {
            both.countDown();
            both.await();
            synchronized (second) {
                second.hashCode();
            }
        }
    }

    static void lockBoth(ReentrantLock first, ReentrantLock second, CountDownLatch both, boolean interruptibly)
            throws InterruptedException {
        first.lock();
        both.countDown();
        both.await();
        if (interruptibly) {
            second.lockInterruptibly();
        } else {
            second.lock();
        }
    }

    private static Thread thread(boolean virtual, String name, Thread.State state, String frame, Blocking b) {
        Runnable r = () -> {
            try {
                b.run();
            } catch (Exception ignored) {
                // interrupted: ends
            }
        };
        Thread t = virtual ? Thread.ofVirtual().name(name).unstarted(r)
                : Thread.ofPlatform().name(name).daemon(true).unstarted(r);
        STARTED.add(t);
        STATES.add(state);
        FRAMES.add(frame);
        t.start();
        return t;
    }

    private static boolean settled() {
        for (int i = 0; i < STARTED.size(); i++) {
            if (!ThreadsAt.at(STARTED.get(i), STATES.get(i), FRAMES.get(i))) {
                return false;
            }
        }
        return true;
    }
}
