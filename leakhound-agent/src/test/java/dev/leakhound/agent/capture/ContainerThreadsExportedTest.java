package dev.leakhound.agent.capture;

import dev.leakhound.analysis.StackGroup;
import dev.leakhound.analysis.ThreadGrouping;
import dev.leakhound.capture.LiveThreads;
import dev.leakhound.model.Blocker;
import dev.leakhound.model.DumpFormat;
import dev.leakhound.model.ThreadDump;
import dev.leakhound.model.ThreadSnapshot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Runs in the surefire execution started with {@code --add-exports java.base/jdk.internal.vm=ALL-UNNAMED}. */
class ContainerThreadsExportedTest {
    private final CountDownLatch release = new CountDownLatch(1);
    private final Object waitLock = new Object();
    private final Object heldLock = new Object();
    private final CountDownLatch heldLockTaken = new CountDownLatch(1);
    private volatile boolean stop;
    private final List<Thread> started = new ArrayList<>();

    @BeforeEach
    void exported() {
        // Only the surefire execution that exports jdk.internal.vm runs these (it sets the property); a -Dtest
        // filter that also picks them into the default execution skips them there.
        boolean exported = Object.class.getModule().isExported("jdk.internal.vm", getClass().getModule());
        if (Boolean.getBoolean("leakhound.test.jdkInternalVmExported")) {
            assertTrue(exported, "the execution should export java.base/jdk.internal.vm");
        }
        Assumptions.assumeTrue(exported, "java.base/jdk.internal.vm is not exported to the tests");
    }

    @AfterEach
    void cleanUp() throws InterruptedException {
        stop = true;
        release.countDown();
        synchronized (waitLock) {
            waitLock.notifyAll();
        }
        for (Thread t : started) {
            t.interrupt();
        }
        for (Thread t : started) {
            t.join(TimeUnit.SECONDS.toMillis(60));
            assertTrue(!t.isAlive(), t + " did not end");
        }
    }

    private Thread start(Thread.Builder b, String name, Runnable r) {
        Thread t = b.name(name).start(r);
        started.add(t);
        return t;
    }

    private static void awaitState(Thread t, Thread.State want, String topMethod) {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);   // generous: only a failing run waits
        while (true) {
            StackTraceElement[] st = t.getStackTrace();
            if (t.getState() == want && st.length > 0 && inTop(st, topMethod)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                fail(t + " never reached " + want + " in " + topMethod);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);   // poll; spinning would starve them
        }
    }

    private static boolean inTop(StackTraceElement[] st, String method) {
        for (int i = 0; i < Math.min(st.length, 8); i++) {
            if ((st[i].getClassName() + "." + st[i].getMethodName()).contains(method)) {
                return true;
            }
        }
        return false;
    }

    private void startScenario() throws InterruptedException {
        SynchronousQueue<Object> queue = new SynchronousQueue<>();
        Thread vq = start(Thread.ofVirtual(), "lh-ct-vq", () -> {
            try {
                queue.put("x");
            } catch (InterruptedException ignored) {
            }
        });
        Thread vl = start(Thread.ofVirtual(), "lh-ct-vlatch", () -> {
            try {
                release.await();
            } catch (InterruptedException ignored) {
            }
        });
        Thread pw = start(Thread.ofPlatform().daemon(true), "lh-ct-pwait", () -> {
            synchronized (waitLock) {
                while (!stop) {
                    try {
                        waitLock.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        });
        Thread holder = start(Thread.ofPlatform().daemon(true), "lh-ct-pholder", () -> {
            synchronized (heldLock) {
                heldLockTaken.countDown();
                try {
                    release.await();
                } catch (InterruptedException ignored) {
                }
            }
        });
        heldLockTaken.await();
        Thread pb = start(Thread.ofPlatform().daemon(true), "lh-ct-pblocked", () -> {
            synchronized (heldLock) {
                stop = stop || false;
            }
        });
        Thread ps = start(Thread.ofPlatform().daemon(true), "lh-ct-psleep", () -> {
            while (!stop) {
                try {
                    Thread.sleep(3_600_000);       // the state under test, not synchronisation
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        awaitState(vq, Thread.State.WAITING, "SynchronousQueue.put");
        awaitState(vl, Thread.State.WAITING, "CountDownLatch.await");
        awaitState(pw, Thread.State.WAITING, "Object.wait0");
        awaitState(holder, Thread.State.WAITING, "CountDownLatch.await");
        awaitState(pb, Thread.State.BLOCKED, "ContainerThreadsExportedTest.lambda$startScenario");
        awaitState(ps, Thread.State.TIMED_WAITING, "Thread.sleep");
    }

    private static Map<String, ThreadSnapshot> ours(ThreadDump d) {
        return d.threads().stream().filter(t -> t.name().startsWith("lh-ct-"))
                .collect(Collectors.toMap(ThreadSnapshot::name, Function.identity()));
    }

    @Test
    void availableWhenExported() {
        ContainerThreads ct = ContainerThreads.open();
        assertTrue(ct.isAvailable(), ct.unavailableReason());
        assertNull(ct.unavailableReason());
        assertTrue(ContainerThreads.open(null).isAvailable());

        ThreadSource source = CaptureSources.best(null);
        assertTrue(source.description().startsWith("JDK thread containers"), source.description());
        assertEquals(ContainerThreads.ORIGIN, source.capture().origin());
        assertTrue(source.count() > 0);
    }

    @Test
    void snapshotAgreesWithTheJdkJsonDump() throws InterruptedException {
        startScenario();
        ContainerThreads ct = ContainerThreads.open();
        // JDK threads (carriers, pool workers) come and go between the two captures, more of them on a busy
        // machine: the whole dumps are compared at a calm moment (a capture that missed a kind never would be)
        ThreadDump[] pair = new ThreadDump[2];
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).until(() -> {
            pair[0] = ct.snapshot();
            pair[1] = LiveThreads.capture();
            return Math.abs(pair[0].threads().size() - pair[1].threads().size()) <= 3;
        });
        ThreadDump fast = pair[0];
        ThreadDump json = pair[1];
        assertEquals(DumpFormat.LIVE, fast.format());
        Map<String, ThreadSnapshot> f = ours(fast);
        Map<String, ThreadSnapshot> j = ours(json);
        assertEquals(j.keySet(), f.keySet());
        assertEquals(6, f.size());
        for (String name : j.keySet()) {
            ThreadSnapshot a = f.get(name);
            ThreadSnapshot b = j.get(name);
            assertEquals(b.id(), a.id(), name);
            assertEquals(b.virtual(), a.virtual(), name);
            assertEquals(b.state(), a.state(), name);
            assertEquals(b.stack(), a.stack(), name);
            assertEquals(b.container(), a.container(), name);
            if (b.blocker() != null && b.blocker().kind() == Blocker.Kind.PARKED_ON) {
                assertNotNull(a.blocker(), name);
                assertEquals(b.blocker().className(), a.blocker().className(), name);
                assertEquals(b.blocker().identity(), a.blocker().identity(), name);
            }
        }
        assertEquals(Blocker.Kind.PARKED_ON, f.get("lh-ct-vq").blocker().kind());
        assertEquals("java.util.concurrent.SynchronousQueue$Transferer", f.get("lh-ct-vq").blocker().className());
        assertEquals("java.util.concurrent.CountDownLatch$Sync", f.get("lh-ct-vlatch").blocker().className());
        assertNull(f.get("lh-ct-psleep").blocker());
        // Platform monitors come from ThreadMXBean, as in LiveThreads.
        assertEquals(Blocker.Kind.WAITING_ON, f.get("lh-ct-pwait").blocker().kind());
        assertEquals(j.get("lh-ct-pwait").blocker().identity(), f.get("lh-ct-pwait").blocker().identity());
        assertEquals(Blocker.Kind.ENTERING, f.get("lh-ct-pblocked").blocker().kind());
        assertEquals(f.get("lh-ct-pholder").id(), f.get("lh-ct-pblocked").blocker().ownerId());
        // The whole dump: the same threads (the JSON dump may list a few JDK threads that came or went).
        assertTrue(Math.abs(fast.threads().size() - json.threads().size()) <= 3,
                fast.threads().size() + " vs " + json.threads().size());                // as awaited above
    }

    @Test
    void countsByKindAndState() throws InterruptedException {
        startScenario();
        ContainerThreads.Counts c = ContainerThreads.open().count();
        assertTrue(c.virtual() >= 2, c.toString());
        assertTrue(c.platform() >= 4, c.toString());
        assertTrue(c.virtualByState().getOrDefault(Thread.State.WAITING, 0L) >= 2, c.toString());
        assertTrue(c.platformByState().getOrDefault(Thread.State.BLOCKED, 0L) >= 1, c.toString());
        assertTrue(c.platformByState().getOrDefault(Thread.State.TIMED_WAITING, 0L) >= 1, c.toString());
        assertTrue(c.byContainer().containsKey("<root>"), c.toString());
        assertEquals(c.total(), c.byContainer().values().stream().mapToLong(Long::longValue).sum());
    }

    @Test
    void manyThreadsInParallelGroupLikeThreadGrouping() throws InterruptedException {
        int n = 6_000;                                   // enough for several leakhound-capture workers
        for (int i = 0; i < n; i++) {
            start(Thread.ofVirtual(), "lh-ct-many-" + i, () -> {
                try {
                    release.await();
                } catch (InterruptedException ignored) {
                }
            });
        }
        for (Thread t : started) {
            awaitState(t, Thread.State.WAITING, "CountDownLatch.await");
        }
        ContainerThreads ct = ContainerThreads.open();
        ThreadDump d = ct.snapshot();
        List<ThreadSnapshot> many = d.threads().stream().filter(t -> t.name().startsWith("lh-ct-many-")).toList();
        assertEquals(n, many.size());
        for (ThreadSnapshot t : many) {                  // interned: one list for one stack
            assertSame(many.get(0).stack(), t.stack());
        }
        List<StackGroup> reference = ThreadGrouping.group(many);
        assertEquals(1, reference.size());

        List<ContainerThreads.Group> groups = ct.groups(3);
        ContainerThreads.Group g = groups.stream().filter(x -> x.stack().equals(many.get(0).stack()))
                .findFirst().orElseThrow();
        assertEquals(n, g.count());
        assertEquals(n, g.virtualCount());
        assertEquals(3, g.sampleIds().size());
        assertEquals(Thread.State.WAITING, g.state());
        assertEquals(Blocker.Kind.PARKED_ON, g.blockerKind());
        assertEquals("java.util.concurrent.CountDownLatch$Sync", g.blockerClass());
        assertEquals(groups.get(0), g);                  // largest first

        // No worker outlives the call.
        assertTrue(ct.snapshot().threads().stream().noneMatch(t -> t.name().startsWith("leakhound-capture-")
                && t.state() != Thread.State.RUNNABLE));
        Thread[] all = new Thread[Thread.activeCount() + 10];
        int k = Thread.enumerate(all);
        for (int i = 0; i < k; i++) {
            assertTrue(!all[i].getName().startsWith("leakhound-capture-"), all[i] + " outlived the capture");
        }
    }

    /**
     * The workers take slices of the threads as they go: every thread is in the snapshot once, in the order the
     * containers list them (as one worker reads them), with its own stack; and the direct groups count what
     * {@code ThreadGrouping} makes of the snapshot.
     */
    @Test
    void slicesReadEveryThreadOnceInTheContainersOrder() throws InterruptedException {
        int perSite = 2_500;                             // 3 sites: 7,500 threads, ~15 slices
        SynchronousQueue<Object> queue = new SynchronousQueue<>();
        for (int i = 0; i < perSite; i++) {
            start(Thread.ofVirtual(), "lh-ct-latch-" + i, () -> {
                try {
                    release.await();
                } catch (InterruptedException ignored) {
                }
            });
            start(Thread.ofVirtual(), "lh-ct-put-" + i, () -> {
                try {
                    queue.put("x");
                } catch (InterruptedException ignored) {
                }
            });
            start(Thread.ofVirtual(), "lh-ct-sleep-" + i, () -> {
                try {
                    Thread.sleep(TimeUnit.HOURS.toMillis(1));    // the thread's place to wait, not a synchronisation
                } catch (InterruptedException ignored) {
                }
            });
        }
        for (Thread t : started) {
            String name = t.getName();
            awaitState(t, name.contains("sleep") ? Thread.State.TIMED_WAITING : Thread.State.WAITING,
                    name.contains("latch") ? "CountDownLatch.await" : name.contains("put") ? "SynchronousQueue"
                            : "sleep");
        }
        ContainerThreads ct = ContainerThreads.open();
        List<Long> order = new ArrayList<>();
        ct.forEach((c, t) -> order.add(t.threadId()));
        ThreadDump d = ct.snapshot();
        List<Long> ours = d.threads().stream().filter(t -> t.name().startsWith("lh-ct-")).map(ThreadSnapshot::id)
                .toList();
        assertEquals(3 * perSite, ours.size());
        assertEquals(order.stream().filter(new java.util.HashSet<>(ours)::contains).toList(), ours, "the containers' order");
        Map<Long, Thread> byId = started.stream().collect(Collectors.toMap(Thread::threadId, Function.identity()));
        for (ThreadSnapshot t : d.threads()) {
            Thread live = byId.get(t.id());
            if (live != null) {
                assertEquals(live.getName(), t.name());
                assertEquals(java.util.Arrays.stream(live.getStackTrace())
                        .map(dev.leakhound.model.StackFrame::of).toList(), t.stack(), t.name());
            }
        }
        Map<List<dev.leakhound.model.StackFrame>, Long> reference = ThreadGrouping.group(d.threads()).stream()
                .filter(g -> g.threads().get(0).name().startsWith("lh-ct-"))
                .collect(Collectors.toMap(StackGroup::stack, g -> (long) g.count()));
        assertEquals(3, reference.size(), reference.toString());
        for (ContainerThreads.Group g : ct.groups(1)) {
            if (reference.containsKey(g.stack())) {
                assertEquals(reference.get(g.stack()), g.count(), g.stack().toString());
            }
        }
    }
}
