package dev.leakhound;

import dev.leakhound.analysis.StackGroup;
import dev.leakhound.model.Blocker;
import dev.leakhound.model.ThreadSnapshot;
import dev.leakhound.testing.ThreadsAt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class LeakhoundTest {
    /** Generous: only a failing run waits this long. */
    private static final Duration AWAIT = Duration.ofSeconds(60);
    private final List<Thread> started = new ArrayList<>();
    private final List<ExecutorService> executors = new ArrayList<>();

    @AfterEach
    void cleanUp() throws InterruptedException {
        for (Thread t : started) {
            t.interrupt();
            t.join(60_000);
            assertThat(t.isAlive()).as("test thread %s ended", t).isFalse();
        }
        for (ExecutorService e : executors) {
            e.shutdownNow();
            assertThat(e.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        }
    }

    private static LeakOptions baseline() {
        return LeakOptions.builder().ignoreCurrent().build();
    }

    private Thread startVirtual(String name, Runnable r) {
        Thread t = Thread.ofVirtual().name(name).start(r);
        started.add(t);
        return t;
    }

    private static void awaitParkedOn(Thread t, Class<?> blockerClass) {
        await().atMost(AWAIT).until(() ->
                t.getState() == Thread.State.WAITING && blockerClass.isInstance(LockSupport.getBlocker(t)));
    }

    @Test
    void reportsVirtualThreadBlockedInSynchronousQueuePut() throws Exception {
        LeakOptions options = baseline();
        SynchronousQueue<String> queue = new SynchronousQueue<>();
        int[] line = new int[1];
        Thread leak = startVirtual("answer-sender", () -> {
            try {
                line[0] = new Throwable().getStackTrace()[0].getLineNumber() + 1;
                queue.put("answer");                                   // blocks forever: nobody takes
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        awaitParkedOn(leak, Class.forName("java.util.concurrent.SynchronousQueue$Transferer"));

        assertThatThrownBy(() -> Leakhound.verifyNone(options))
                .isInstanceOf(LeakedThreadsError.class)
                .hasMessageContaining("1 leaked thread")
                .hasMessageContaining("#" + leak.threadId() + " \"answer-sender\"")
                .hasMessageContaining("1 virtual thread WAITING in SynchronousQueue.put")
                .hasMessageContaining("parked on java.util.concurrent.SynchronousQueue$Transferer@")
                .hasMessageContaining("blocked at  dev.leakhound.LeakhoundTest.lambda$")
                .hasMessageContaining("(LeakhoundTest.java:" + line[0] + ")");

        LeakReport report = Leakhound.find(options.toBuilder().retry(RetryPolicy.none()).build());
        assertThat(report.count()).isEqualTo(1);
        StackGroup g = report.groups().get(0);
        assertThat(g.state()).isEqualTo(Thread.State.WAITING);
        assertThat(g.blockerKind()).isEqualTo(Blocker.Kind.PARKED_ON);
        assertThat(g.blockerClass()).isEqualTo("java.util.concurrent.SynchronousQueue$Transferer");
        assertThat(g.waitSite().call()).isEqualTo("SynchronousQueue.put");
        assertThat(g.waitSite().blockingFrame().lineNumber()).isEqualTo(line[0]);
        assertThat(report.attempts()).isEqualTo(1);
    }

    @Test
    void passesWhenNothingLeaks() throws Exception {
        LeakOptions options = baseline();
        SynchronousQueue<String> queue = new SynchronousQueue<>();
        Thread sender = startVirtual("sender", () -> {
            try {
                queue.put("answer");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(queue.take()).isEqualTo("answer");
        sender.join();
        Leakhound.verifyNone(options);
    }

    @Test
    void threadEndingWithinTheRetryWindowIsNotReported() throws Exception {
        LeakOptions base = baseline();
        CountDownLatch release = new CountDownLatch(1);
        Thread finishing = startVirtual("finishing", () -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        awaitParkedOn(finishing, Class.forName("java.util.concurrent.CountDownLatch$Sync"));
        AtomicInteger retries = new AtomicInteger();
        // The first capture sees the thread; before the second, it is let go and ends.
        RetryPolicy releaseThenRetry = (attempt, elapsed) -> {
            retries.incrementAndGet();
            release.countDown();
            finishing.join(AWAIT);
            return attempt < 5;
        };
        LeakReport report = Leakhound.find(base.toBuilder().retry(releaseThenRetry).build());
        assertThat(report.isEmpty()).isTrue();
        assertThat(report.attempts()).isEqualTo(2);
        assertThat(retries).hasValue(1);
    }

    @Test
    void defaultRetryGivesAFinishingThreadItsChance() throws Exception {
        LeakOptions base = baseline();
        CountDownLatch release = new CountDownLatch(1);
        Thread finishing = startVirtual("finishing", () -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        awaitParkedOn(finishing, Class.forName("java.util.concurrent.CountDownLatch$Sync"));
        // The thread ends between the first capture and the default policy's first pause. (Released before the
        // check, it had to end within the default half second: on a busy machine it sometimes did not.)
        RetryPolicy defaults = base.retry();
        AtomicInteger calls = new AtomicInteger();
        RetryPolicy endsAfterTheFirstCapture = (attempt, elapsed) -> {
            if (calls.incrementAndGet() == 1) {
                release.countDown();
                finishing.join(AWAIT);
            }
            return defaults.awaitRetry(attempt, elapsed);
        };
        Leakhound.verifyNone(base.toBuilder().retry(endsAfterTheFirstCapture).build());
        assertThat(calls).hasValue(1);
    }

    @Test
    void theDefaultRetryCapturesAgainForHalfASecondAfterTheFirstCapture() throws Exception {
        RetryPolicy p = RetryPolicy.defaultPolicy();
        assertThat(p.awaitRetry(1, Duration.ZERO)).isTrue();
        assertThat(p.awaitRetry(9, Duration.ofMillis(499))).isTrue();
        assertThat(p.awaitRetry(1, Duration.ofMillis(500))).isFalse();
        assertThat(p.awaitRetry(30, Duration.ofSeconds(5))).isFalse();
    }

    @Test
    void reportsPlatformThreadInObjectWaitAndGroupsEqualStacks() throws Exception {
        LeakOptions options = baseline();
        Object monitor = new Object();
        for (int i = 0; i < 3; i++) {
            Thread t = Thread.ofPlatform().name("waiter-" + i).daemon(true).start(() -> {
                synchronized (monitor) {
                    try {
                        monitor.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            started.add(t);
        }
        // all three in Object.wait (one may still be BLOCKED entering the monitor, or on its way)
        await().atMost(AWAIT).until(() -> started.stream()
                .allMatch(t -> ThreadsAt.at(t, Thread.State.WAITING, "java.lang.Object.wait")));

        LeakReport report = Leakhound.find(options.toBuilder().retry(RetryPolicy.none()).build());
        assertThat(report.groups()).hasSize(1);
        StackGroup g = report.groups().get(0);
        assertThat(g.count()).isEqualTo(3);
        assertThat(g.virtualCount()).isZero();
        assertThat(g.waitSite().call()).isEqualTo("Object.wait");
        assertThat(g.blockerKind()).isEqualTo(Blocker.Kind.WAITING_ON);
        assertThat(g.blockerClass()).isEqualTo("java.lang.Object");
        assertThat(g.threads()).allSatisfy(t -> assertThat(t.daemon()).isTrue());
        assertThat(report.toString()).contains("3 platform threads WAITING in Object.wait, waiting on java.lang.Object@"
                + Integer.toHexString(System.identityHashCode(monitor)));
    }

    @Test
    void reportsThreadBlockedEnteringMonitor() throws Exception {
        LeakOptions options = baseline();
        Object lock = new Object();
        synchronized (lock) {
            Thread t = startVirtual("enterer", () -> enter(lock));
            // BLOCKED on this monitor, in enter: not on a class-loading lock on its way
            await().atMost(AWAIT).until(() -> ThreadsAt.at(t, Thread.State.BLOCKED, getClass().getName() + ".enter"));
            LeakReport report = Leakhound.find(options.toBuilder().retry(RetryPolicy.none()).build());
            StackGroup g = report.groups().get(0);
            assertThat(g.state()).isEqualTo(Thread.State.BLOCKED);
            assertThat(g.blockerKind()).isEqualTo(Blocker.Kind.ENTERING);
            assertThat(g.waitSite().call()).isEqualTo("synchronized");
            assertThat(report.toString()).contains("1 virtual thread BLOCKED in synchronized, waiting to lock java.lang.Object@");
        }
    }

    private static void enter(Object lock) {
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    @Test
    void ignoreRulesHideMatchingThreads() throws Exception {
        LeakOptions base = baseline();
        SynchronousQueue<String> queue = new SynchronousQueue<>();
        Thread leak = startVirtual("ignored-sender", () -> {
            try {
                queue.put("x");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        awaitParkedOn(leak, Class.forName("java.util.concurrent.SynchronousQueue$Transferer"));
        LeakOptions.Builder once = base.toBuilder().retry(RetryPolicy.none());
        String lambda = "dev.leakhound.LeakhoundTest.lambda$ignoreRulesHideMatchingThreads$";

        assertThat(Leakhound.find(once.build()).count()).isEqualTo(1);
        assertThat(Leakhound.find(base.toBuilder().retry(RetryPolicy.none())
                .ignoreThreadNames("ignored-.*").build()).isEmpty()).isTrue();
        assertThat(Leakhound.find(base.toBuilder().retry(RetryPolicy.none())
                .ignoreTopFrame("java.lang.VirtualThread.park").build()).isEmpty()).isTrue();
        assertThat(Leakhound.find(base.toBuilder().retry(RetryPolicy.none())
                .ignoreAnyFrame("java.util.concurrent.SynchronousQueue.put").build()).isEmpty()).isTrue();
        assertThat(Leakhound.find(base.toBuilder().retry(RetryPolicy.none())
                .ignoreAnyFrame("java.util.concurrent.SynchronousQueue.take").build()).count()).isEqualTo(1);
        assertThat(Leakhound.find(base.toBuilder().retry(RetryPolicy.none())
                .ignoreContainers("<root>").build()).isEmpty()).isTrue();
        assertThat(Leakhound.find(base.toBuilder().retry(RetryPolicy.none())
                .ignoreThreadIds(List.of(leak.threadId())).build()).isEmpty()).isTrue();
        // The top application frame counts as a top frame: the lambda's own name.
        ThreadSnapshot snap = Leakhound.find(once.build()).leakedThreads().get(0);
        String appTop = snap.stack().stream().filter(f -> f.className().startsWith("dev.leakhound"))
                .findFirst().orElseThrow().className() + "." + snap.stack().stream()
                .filter(f -> f.className().startsWith("dev.leakhound")).findFirst().orElseThrow().methodName();
        assertThat(appTop).startsWith(lambda);
        assertThat(Leakhound.find(base.toBuilder().retry(RetryPolicy.none())
                .ignoreTopFrame(appTop).build()).isEmpty()).isTrue();
    }

    @Test
    void reportsThreadsOfAnExecutorLeftOpenWithTheirContainer() throws Exception {
        LeakOptions options = baseline();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        executors.add(pool);
        CountDownLatch never = new CountDownLatch(1);
        pool.submit(() -> {
            never.await();
            return null;
        });
        await().atMost(AWAIT).until(() -> Leakhound.find(
                options.toBuilder().retry(RetryPolicy.none()).build()).count() == 1);
        LeakReport report = Leakhound.find(options.toBuilder().retry(RetryPolicy.none()).build());
        StackGroup g = report.groups().get(0);
        assertThat(g.waitSite().call()).isEqualTo("CountDownLatch.await");
        assertThat(g.containers()).singleElement().asString().startsWith("java.util.concurrent.ThreadPoolExecutor@");
        assertThat(g.threads().get(0).daemon()).isFalse();
    }

    @Test
    void defaultIgnoresKeepTheJdkAndRunnerThreadsOut() {
        // With no baseline, this JVM's own threads (main test runner, JDK service threads) are ignored.
        LeakReport report = Leakhound.find(LeakOptions.builder().retry(RetryPolicy.none()).build());
        assertThat(report.leakedThreads()).extracting(ThreadSnapshot::name)
                .doesNotContain("Reference Handler", "Finalizer", "Signal Dispatcher", "Common-Cleaner");
        // Without the defaults they do show.
        LeakReport all = Leakhound.find(LeakOptions.builder().withoutDefaultIgnores().retry(RetryPolicy.none()).build());
        assertThat(all.leakedThreads()).extracting(ThreadSnapshot::name)
                .contains("Reference Handler", "Finalizer");
    }

    @Test
    void taskStuckOnAPooledThreadOfTheBaselineIsReported() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(1);
        executors.add(pool);
        pool.submit(() -> { }).get();                      // the worker exists, idle, before the baseline
        LeakOptions options = baseline();
        java.util.concurrent.LinkedBlockingQueue<String> queue = new java.util.concurrent.LinkedBlockingQueue<>();
        pool.submit(() -> queue.take());                   // the code under test leaves a task stuck on it
        await().atMost(AWAIT).until(() -> Leakhound.find(
                options.toBuilder().retry(RetryPolicy.none()).build()).count() == 1);
        LeakReport report = Leakhound.find(options.toBuilder().retry(RetryPolicy.none()).build());
        assertThat(report.groups().get(0).waitSite().call()).isEqualTo("LinkedBlockingQueue.take");
        assertThat(report.groups().get(0).waitSite().blockingFrame().className()).isEqualTo(getClass().getName());
        // but the idle worker itself, as it was at the baseline, is not a leak
        queue.put("done");
        await().atMost(AWAIT).until(() -> Leakhound.find(
                options.toBuilder().retry(RetryPolicy.none()).build()).isEmpty());
    }

    @Test
    void interruptStopsTheRetryAndKeepsTheFlag() throws Exception {
        LeakOptions base = baseline();
        CountDownLatch never = new CountDownLatch(1);
        Thread leak = startVirtual("stuck", () -> {
            try {
                never.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        awaitParkedOn(leak, Class.forName("java.util.concurrent.CountDownLatch$Sync"));
        Thread.currentThread().interrupt();
        try {
            LeakReport report = Leakhound.find(base.toBuilder().retryFor(Duration.ofSeconds(30)).build());
            assertThat(report.count()).isEqualTo(1);
            assertThat(report.attempts()).isEqualTo(1);
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }
}
