package dev.leakhound.analysis;

import dev.leakhound.capture.LiveThreads;
import dev.leakhound.model.Blocker;
import dev.leakhound.model.CreationSite;
import dev.leakhound.model.StackFrame;
import dev.leakhound.model.ThreadSnapshot;
import dev.leakhound.testing.ThreadsAt;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.SynchronousQueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class GrowthDetectorTest {
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

    private static List<StackFrame> stack(String app) {
        return List.of(
                StackFrame.parse("java.base/java.util.concurrent.SynchronousQueue.put(SynchronousQueue.java:266)"),
                StackFrame.parse("com.example." + app + "(App.java:8)"));
    }

    private static final List<StackFrame> LEAK = stack("App.send");
    private static final List<StackFrame> OTHER = stack("App.other");
    private static final String TRANSFERER = "java.util.concurrent.SynchronousQueue$Transferer@a";

    /** A group of {@code n} threads with ids {@code firstId, firstId+1, ...} at the given site. */
    private static StackGroup group(List<StackFrame> stack, Thread.State state, long firstId, int n) {
        List<ThreadSnapshot> threads = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            // a fresh list per thread: equal stacks from different captures are different instances
            threads.add(new ThreadSnapshot(firstId + i, "", true, null, state, new ArrayList<>(stack),
                    Blocker.parse(Blocker.Kind.PARKED_ON, TRANSFERER, null), List.of(), "<root>", null, null));
        }
        return new StackGroup(state, Blocker.Kind.PARKED_ON, "java.util.concurrent.SynchronousQueue$Transferer",
                threads.get(0).stack(), threads);
    }

    private static StackGroup waiting(List<StackFrame> stack, long firstId, int n) {
        return group(stack, Thread.State.WAITING, firstId, n);
    }

    /** Feeds the counts of one site, one sample a minute; the oldest threads keep their ids. */
    private static List<GrowingGroup> feed(GrowthDetector d, int... counts) {
        List<GrowingGroup> last = List.of();
        for (int i = 0; i < counts.length; i++) {
            List<StackGroup> groups = counts[i] == 0 ? List.of() : List.of(waiting(LEAK, 1000, counts[i]));
            last = d.add(T0.plus(Duration.ofMinutes(i)), groups);
        }
        return last;
    }

    @Test
    void growingSiteIsReportedWithRatesCountsAndOldestThread() {
        GrowthDetector d = new GrowthDetector(3, 2);
        assertThat(d.add(T0, List.of(waiting(LEAK, 1000, 5), waiting(OTHER, 1, 4)))).isEmpty();
        assertThat(d.add(T0.plusSeconds(60), List.of(waiting(LEAK, 1000, 10), waiting(OTHER, 1, 4)))).isEmpty();
        List<GrowingGroup> found = d.add(T0.plusSeconds(120),
                List.of(waiting(LEAK, 1000, 15), waiting(OTHER, 1, 4)));

        assertThat(found).hasSize(1);
        GrowingGroup g = found.get(0);
        assertThat(g.count()).isEqualTo(15);
        assertThat(g.counts()).containsExactly(5, 10, 15);
        assertThat(g.growth()).isEqualTo(10);
        assertThat(g.growthPerSample()).isEqualTo(5.0);
        assertThat(g.growthPerMinute()).isCloseTo(5.0, within(1e-9));
        assertThat(g.trend()).isEqualTo(1.0);
        assertThat(g.windowStart()).isEqualTo(T0);
        assertThat(g.windowEnd()).isEqualTo(T0.plusSeconds(120));
        assertThat(g.oldestSeen()).isEqualTo(T0);
        assertThat(g.oldestAge()).isEqualTo(Duration.ofMinutes(2));
        assertThat(g.waitSite().call()).isEqualTo("SynchronousQueue.put");
        assertThat(g.waitSite().blockingFrame().toString()).isEqualTo("com.example.App.send(App.java:8)");
        assertThat(g.state()).isEqualTo(Thread.State.WAITING);
        assertThat(g.stack()).isEqualTo(LEAK);
        assertThat(g.creationSite()).isNull();
        assertThat(d.suspects()).isEqualTo(found);
        assertThat(d.samples()).isEqualTo(3);
        assertThat(d.lastSampleAt()).isEqualTo(T0.plusSeconds(120));
        assertThat(d.trackedSites()).isEqualTo(2);
        assertThat(d.trackedThreads()).isEqualTo(15 + 4);
    }

    @Test
    void judgedFromTheThirdSampleBeforeTheWindowIsFull() {
        // the agent's window: 6 samples; a leak running from start-up is named at the third sample, not the sixth
        assertThat(feed(new GrowthDetector(6, 2), 2, 32)).isEmpty();
        assertThat(feed(new GrowthDetector(6, 2), 2, 32, 62)).singleElement().satisfies(g -> {
            assertThat(g.counts()).containsExactly(2, 32, 62);
            assertThat(g.windowStart()).isEqualTo(T0);
            assertThat(g.growthPerSample()).isEqualTo(30.0);
            assertThat(g.growing()).isTrue();
        });
        // while the window fills, the latest count must be above every earlier one: a pool that grew once and stays
        assertThat(feed(new GrowthDetector(6, 2), 4, 20, 20)).isEmpty();
        assertThat(feed(new GrowthDetector(6, 2), 4, 20, 20, 20, 20, 20)).isEmpty();
        assertThat(feed(new GrowthDetector(2, 1), 1, 2)).hasSize(1);      // a window of 2 is judged at 2
        assertThat(new GrowthDetector(6, 2).minSamples()).isEqualTo(3);
        assertThat(new GrowthDetector(2, 2).minSamples()).isEqualTo(2);
    }

    @Test
    void flatSiteIsNotReported() {
        assertThat(feed(new GrowthDetector(), 7, 7, 7, 7, 7)).isEmpty();
    }

    @Test
    void aSuspectStaysNamedWhileTheThreadsItHadStayStuck() {
        GrowthDetector d = new GrowthDetector(3, 2);
        assertThat(feed(d, 0, 3, 6)).singleElement().satisfies(g -> assertThat(g.growing()).isTrue());
        // the leak stops; its 6 threads (ids 1000..1005) stay where they are for ten samples
        for (int i = 3; i < 13; i++) {
            d.add(T0.plus(Duration.ofMinutes(i)), List.of(waiting(LEAK, 1000, 6)));
            boolean windowStillRising = i == 3;                       // 3 6 6 at sample 4, then 6 6 6
            assertThat(d.suspects()).as("sample %d", i + 1).singleElement().satisfies(g -> {
                assertThat(g.growing()).isEqualTo(windowStillRising);
                assertThat(g.stuckThreads()).isEqualTo(6);
                assertThat(g.namedAt()).isEqualTo(T0.plus(Duration.ofMinutes(2)));
                assertThat(g.oldestSeen()).isEqualTo(T0.plus(Duration.ofMinutes(1)));
            });
        }
        // two of them end: still named by the other four
        d.add(T0.plus(Duration.ofMinutes(13)), List.of(waiting(LEAK, 1002, 4)));
        assertThat(d.suspects()).singleElement().satisfies(g -> assertThat(g.stuckThreads()).isEqualTo(4));
        // all end; as many others come, at the same site: not the threads it was named for
        d.add(T0.plus(Duration.ofMinutes(14)), List.of(waiting(LEAK, 5000, 4)));
        assertThat(d.suspects()).isEmpty();
    }

    @Test
    void aBurstStaysNamedWhileItsThreadsAreStuck() {
        // the agent's window; a burst of 10 leaked threads between two samples, then nothing more
        GrowthDetector d = new GrowthDetector(6, 2);
        feed(d, 0, 0, 0, 0, 0, 0);
        int named = 0;
        for (int i = 6; i < 40; i++) {
            named += d.add(T0.plus(Duration.ofMinutes(i)), List.of(waiting(LEAK, 1000, 10))).isEmpty() ? 0 : 1;
        }
        // not at the burst's first sample (0 0 0 0 0 10: tau 1/3), from the second on, every sample
        assertThat(named).isEqualTo(33);
        assertThat(d.suspects()).singleElement().satisfies(g -> assertThat(g.count()).isEqualTo(10));
    }

    @Test
    void aSlowLeakDoesNotFlicker() {
        // one thread every third sample (one every 15 s, samples every 5 s), the agent's window
        GrowthDetector d = new GrowthDetector(6, 2);
        int first = -1;
        for (int i = 0; i < 60; i++) {
            int count = 1 + i / 3;
            boolean named = !d.add(T0.plus(Duration.ofSeconds(5L * i)), List.of(waiting(LEAK, 1000, count))).isEmpty();
            if (named && first < 0) {
                first = i;
            }
            if (first >= 0) {
                assertThat(named).as("sample %d, named first at %d", i + 1, first + 1).isTrue();
            }
        }
        assertThat(first).isBetween(0, 8);
    }

    @Test
    void aBusySiteWhoseThreadsComeAndGoLosesItsName() {
        GrowthDetector d = new GrowthDetector(3, 2);
        assertThat(feed(d, 1, 3, 6)).hasSize(1);
        // as many threads, but others: those it was named for went on
        d.add(T0.plus(Duration.ofMinutes(3)), List.of(waiting(LEAK, 7000, 6)));
        d.add(T0.plus(Duration.ofMinutes(4)), List.of(waiting(LEAK, 8000, 5)));
        assertThat(d.suspects()).isEmpty();
    }

    @Test
    void threadsStartedBeforeTheAttachCountWithTheirBlockingSite() {
        CreationSite site = new CreationSite(List.of(StackFrame.parse("com.example.App.start(App.java:3)")), "main", T0);
        GrowthDetector d = new GrowthDetector(6, 2);
        // 26 threads leaked before the attach: no start recorded for them
        d.add(T0, List.of(waiting(LEAK, 1, 26)));
        d.add(T0.plusSeconds(5), List.of(join(waiting(LEAK, 1, 26), started(waiting(LEAK, 100, 15), site))));
        List<GrowingGroup> found = d.add(T0.plusSeconds(10),
                List.of(join(waiting(LEAK, 1, 26), started(waiting(LEAK, 100, 30), site))));
        assertThat(found).singleElement().satisfies(g -> {
            assertThat(g.count()).isEqualTo(56);
            assertThat(g.counts()).containsExactly(26, 41, 56);
            assertThat(g.creationSite()).isEqualTo(site);
            assertThat(g.oldestSeen()).isEqualTo(T0);
        });
        // the leak stops: the 56, those from before the attach among them, keep it named
        assertThat(d.add(T0.plusSeconds(60),
                List.of(join(waiting(LEAK, 1, 26), started(waiting(LEAK, 100, 30), site)))))
                .singleElement().satisfies(g -> assertThat(g.stuckThreads()).isEqualTo(56));
    }

    /**
     * Seen on a real attach: recording start sites retransforms {@code VirtualThread}, and the threads parked before
     * (in its old code) show its frames with no file or line, the others with them: one blocking line still.
     */
    @Test
    void jdkFramesRetransformedByAnAttachedAgentAreTheSameSite() {
        List<StackFrame> before = List.of(
                StackFrame.parse("java.base/java.lang.VirtualThread.park(Unknown Source)"),
                StackFrame.parse("java.base/java.util.concurrent.locks.LockSupport.park(LockSupport.java:221)"),
                StackFrame.parse("com.example.App.await(App.java:90)"),
                StackFrame.parse("java.base/java.lang.VirtualThread.run(Unknown Source)"));
        List<StackFrame> after = List.of(
                StackFrame.parse("java.base/java.lang.VirtualThread.park(VirtualThread.java:742)"),
                StackFrame.parse("java.base/java.util.concurrent.locks.LockSupport.park(LockSupport.java:221)"),
                StackFrame.parse("com.example.App.await(App.java:90)"),
                StackFrame.parse("java.base/java.lang.VirtualThread.run(VirtualThread.java:460)"));
        CreationSite site = new CreationSite(List.of(StackFrame.parse("com.example.App.start(App.java:3)")), "main", T0);
        GrowthDetector d = new GrowthDetector(6, 2);
        d.add(T0, List.of(waiting(before, 1, 26)));
        d.add(T0.plusSeconds(5), List.of(waiting(before, 1, 26), started(waiting(after, 100, 2), site)));
        assertThat(d.add(T0.plusSeconds(10), List.of(waiting(before, 1, 26), started(waiting(after, 100, 4), site))))
                .singleElement().satisfies(g -> {
                    assertThat(g.counts()).containsExactly(26, 28, 30);
                    assertThat(g.count()).isEqualTo(30);
                    assertThat(g.creationSite()).isEqualTo(site);
                });
        // an application frame at another line is another site
        List<StackFrame> elsewhere = new ArrayList<>(after);
        elsewhere.set(2, StackFrame.parse("com.example.App.await(App.java:91)"));
        assertThat(GrowthDetector.SiteKey.withoutJdkLines(elsewhere))
                .isNotEqualTo(GrowthDetector.SiteKey.withoutJdkLines(before));
        assertThat(GrowthDetector.SiteKey.withoutJdkLines(after)).isEqualTo(GrowthDetector.SiteKey.withoutJdkLines(before));
    }

    /** Idle workers of thread pools: {@code pools} distinct containers over {@code n} threads. */
    private static StackGroup idleWorkers(long firstId, int n, int pools) {
        List<StackFrame> stack = List.of(
                StackFrame.parse("java.base/jdk.internal.misc.Unsafe.park(Native Method)"),
                StackFrame.parse("java.base/java.util.concurrent.locks.LockSupport.park(LockSupport.java:371)"),
                StackFrame.parse("java.base/java.util.concurrent.LinkedBlockingQueue.take(LinkedBlockingQueue.java:435)"),
                StackFrame.parse("java.base/java.util.concurrent.ThreadPoolExecutor.getTask(ThreadPoolExecutor.java:1070)"),
                StackFrame.parse("java.base/java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1130)"),
                StackFrame.parse("java.base/java.lang.Thread.run(Thread.java:1583)"));
        List<ThreadSnapshot> threads = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            threads.add(new ThreadSnapshot(firstId + i, "pool-" + (i % pools) + "-thread-" + i, false, null,
                    Thread.State.WAITING, new ArrayList<>(stack),
                    Blocker.parse(Blocker.Kind.PARKED_ON, "java.util.concurrent.locks.AbstractQueuedSynchronizer$ConditionObject@b", null),
                    List.of(), "java.util.concurrent.ThreadPoolExecutor@" + (i % pools), null, null));
        }
        return new StackGroup(Thread.State.WAITING, Blocker.Kind.PARKED_ON,
                "java.util.concurrent.locks.AbstractQueuedSynchronizer$ConditionObject", threads.get(0).stack(), threads);
    }

    @Test
    void idleWorkersOfOnePoolAreNotNamedButThoseOfManyForgottenPoolsAre() {
        GrowthDetector one = new GrowthDetector(3, 2);
        GrowthDetector many = new GrowthDetector(3, 2);
        for (int i = 0; i < 5; i++) {
            int n = 2 + 4 * i;                                        // a pool filling up to its core size
            one.add(T0.plusSeconds(5L * i), List.of(idleWorkers(1, n, 1)));
            many.add(T0.plusSeconds(5L * i), List.of(idleWorkers(1, n, n)));   // one worker per forgotten pool
        }
        assertThat(one.suspects()).isEmpty();
        assertThat(many.suspects()).singleElement().satisfies(g -> assertThat(g.count()).isEqualTo(18));
    }

    @Test
    void noisyRiseIsReportedAndNoisyJitterIsNot() {
        GrowthDetector rising = new GrowthDetector(5, 3);
        List<GrowingGroup> found = feed(rising, 10, 14, 13, 19, 22);
        assertThat(found).singleElement().satisfies(g -> {
            assertThat(g.growth()).isEqualTo(12);
            assertThat(g.trend()).isCloseTo(0.8, within(1e-9));
            assertThat(g.growthPerSample()).isEqualTo(3.0);
        });
        // last above first, but no trend: a busy site, not a leak
        assertThat(feed(new GrowthDetector(5, 1), 9, 12, 10, 8, 11)).isEmpty();
        // a rise that falls back at the end: tau = (1 + 1 - 1) / 3 < 0.5
        assertThat(feed(new GrowthDetector(3, 1), 0, 5, 3)).isEmpty();
        // growth below the minimum
        assertThat(feed(new GrowthDetector(3, 5), 1, 2, 3)).isEmpty();
    }

    @Test
    void siteThatDisappearsIsDroppedAndNotReported() {
        GrowthDetector d = new GrowthDetector(3, 1);
        assertThat(feed(d, 1, 2, 3)).hasSize(1);
        d.add(T0.plus(Duration.ofMinutes(3)), List.of());            // the threads ended
        assertThat(d.suspects()).isEmpty();
        assertThat(d.trackedThreads()).isZero();                     // ids of ended threads are forgotten
        d.add(T0.plus(Duration.ofMinutes(4)), List.of());
        assertThat(d.trackedSites()).isEqualTo(1);                   // still in the window: 3 0 0
        d.add(T0.plus(Duration.ofMinutes(5)), List.of());
        assertThat(d.trackedSites()).isZero();                       // 0 0 0: dropped
    }

    @Test
    void timedAndRunnableGroupsAreIgnored() {
        GrowthDetector d = new GrowthDetector(2, 1);
        d.add(T0, List.of(group(LEAK, Thread.State.TIMED_WAITING, 1, 1), group(OTHER, Thread.State.RUNNABLE, 10, 1)));
        d.add(T0.plusSeconds(1), List.of(group(LEAK, Thread.State.TIMED_WAITING, 1, 5),
                group(OTHER, Thread.State.RUNNABLE, 10, 5)));
        assertThat(d.suspects()).isEmpty();
        assertThat(d.trackedSites()).isZero();
        assertThat(d.trackedThreads()).isZero();
    }

    @Test
    void groupsOfOneSiteInOneSampleAreAddedUpAndCreationSiteIsKept() {
        CreationSite site = new CreationSite(List.of(StackFrame.parse("com.example.App.start(App.java:3)")), "main", T0);
        GrowthDetector d = new GrowthDetector(2, 2);
        d.add(T0, List.of(started(waiting(LEAK, 1, 1), site)));
        List<GrowingGroup> found = d.add(T0.plusSeconds(10),
                List.of(started(waiting(LEAK, 1, 1), site), started(waiting(LEAK, 100, 2), site)));
        assertThat(found).singleElement().satisfies(g -> {
            assertThat(g.count()).isEqualTo(3);
            assertThat(g.counts()).containsExactly(1, 3);
            assertThat(g.creationSite()).isEqualTo(site);
            assertThat(g.oldestSeen()).isEqualTo(T0);                // thread #1, seen in the first sample
            assertThat(g.growthPerMinute()).isCloseTo(12.0, within(1e-9));
        });
    }

    @Test
    void oneBlockingLineReachedFromTwoStartingPlacesIsTwoSites() {
        CreationSite here = new CreationSite(List.of(StackFrame.parse("com.example.App.start(App.java:3)")), "main", T0);
        CreationSite there = new CreationSite(List.of(StackFrame.parse("com.example.App.other(App.java:9)")), "main", T0);
        GrowthDetector d = new GrowthDetector(2, 2);
        d.add(T0, List.of(started(waiting(LEAK, 1, 1), here), started(waiting(LEAK, 50, 5), there)));
        // "here" grows by 2, "there" shrinks by 1: together +1, which alone would not be reported
        List<GrowingGroup> found = d.add(T0.plusSeconds(10),
                List.of(started(waiting(LEAK, 1, 3), here), started(waiting(LEAK, 50, 4), there)));
        assertThat(found).singleElement().satisfies(g -> {
            assertThat(g.creationSite()).isEqualTo(here);
            assertThat(g.counts()).containsExactly(1, 3);
        });
    }

    @Test
    void aGroupListingTwoStartSitesIsStillJudgedPerStartSite() {
        CreationSite here = new CreationSite(List.of(StackFrame.parse("com.example.App.start(App.java:3)")), "main", T0);
        CreationSite there = new CreationSite(List.of(StackFrame.parse("com.example.App.other(App.java:9)")), "main", T0);
        GrowthDetector d = new GrowthDetector(2, 2);
        d.add(T0, List.of(together(started(waiting(LEAK, 1, 1), here), started(waiting(LEAK, 50, 5), there))));
        // as ThreadGrouping now gives them: one group for the blocking line, its start sites inside
        List<GrowingGroup> found = d.add(T0.plusSeconds(10),
                List.of(together(started(waiting(LEAK, 1, 3), here), started(waiting(LEAK, 50, 4), there))));
        assertThat(found).singleElement().satisfies(g -> {
            assertThat(g.creationSite()).isEqualTo(here);
            assertThat(g.counts()).containsExactly(1, 3);
            assertThat(g.waitSite().blockingFrame()).isEqualTo(LEAK.get(1));
        });
    }

    /** One group of the threads of both, as ThreadGrouping gives them. */
    private static StackGroup join(StackGroup a, StackGroup b) {
        List<ThreadSnapshot> all = new java.util.ArrayList<>(a.threads());
        all.addAll(b.threads());
        return new StackGroup(a.state(), a.blockerKind(), a.blockerClass(), a.stack(), all);
    }

    private static StackGroup together(StackGroup a, StackGroup b) {
        List<ThreadSnapshot> all = new java.util.ArrayList<>(a.threads());
        all.addAll(b.threads());
        StackGroup g = new StackGroup(a.state(), a.blockerKind(), a.blockerClass(), a.stack(), all);
        assertThat(g.startSites()).hasSize(2);
        return g;
    }

    private static StackGroup started(StackGroup g, CreationSite site) {
        return new StackGroup(g.state(), g.blockerKind(), g.blockerClass(), g.stack(),
                g.threads().stream().map(t -> t.withCreationSite(site)).toList());
    }

    @Test
    void timeGoingBackIsClampedAndNoTimeSpanGivesNaNPerMinute() {
        GrowthDetector d = new GrowthDetector(2, 1);
        d.add(T0, List.of(waiting(LEAK, 1, 1)));
        List<GrowingGroup> found = d.add(T0.minusSeconds(30), List.of(waiting(LEAK, 1, 3)));
        assertThat(found).singleElement().satisfies(g -> {
            assertThat(g.windowEnd()).isEqualTo(T0);
            assertThat(g.growthPerMinute()).isNaN();
            assertThat(g.oldestAge()).isEqualTo(Duration.ZERO);
        });
    }

    @Test
    void sitesAreBoundedAbsentOnesEvictedFirstThenSmallest() {
        GrowthDetector d = new GrowthDetector(3, 1, 0.5, 3, 1000);
        // sample 1: sites a(1) b(2) c(3)
        d.add(T0, List.of(waiting(stack("A.a"), 1, 1), waiting(stack("B.b"), 10, 2), waiting(stack("C.c"), 20, 3)));
        assertThat(d.trackedSites()).isEqualTo(3);
        // sample 2: c grows, d(5) and e(4) appear, a and b are absent: a and b go first
        d.add(T0.plusSeconds(1), List.of(waiting(stack("C.c"), 20, 4), waiting(stack("D.d"), 30, 5),
                waiting(stack("E.e"), 40, 4)));
        assertThat(d.trackedSites()).isEqualTo(3);
        // sample 3: all present and two more: the smallest (f=1, g=2) are evicted; c, d and e stay and grow
        List<GrowingGroup> found = d.add(T0.plusSeconds(2), List.of(waiting(stack("C.c"), 20, 6),
                waiting(stack("D.d"), 30, 7), waiting(stack("E.e"), 40, 5), waiting(stack("F.f"), 50, 1),
                waiting(stack("G.g"), 60, 2)));
        assertThat(d.trackedSites()).isEqualTo(3);
        // sorted by growth: d grew 0 to 7, e 0 to 5, c 3 to 6
        assertThat(found).extracting(g -> g.waitSite().blockingFrame().className())
                .containsExactly("com.example.D", "com.example.E", "com.example.C");
        assertThat(found).extracting(GrowingGroup::growth).containsExactly(7, 5, 3);
        assertThat(found.get(2).counts()).containsExactly(3, 4, 6);
    }

    @Test
    void trackedThreadsAreBoundedKeepingTheOldest() {
        GrowthDetector d = new GrowthDetector(2, 1, 0.5, 100, 10);
        d.add(T0, List.of(waiting(LEAK, 100, 8)));                    // ids 100..107 at T0
        assertThat(d.trackedThreads()).isEqualTo(8);
        List<GrowingGroup> found = d.add(T0.plusSeconds(60), List.of(waiting(LEAK, 1, 20), waiting(LEAK, 100, 8)));
        assertThat(d.trackedThreads()).isEqualTo(10);                 // 8 known kept, 2 of the 20 new ones
        assertThat(found).singleElement().satisfies(g -> {
            assertThat(g.count()).isEqualTo(28);
            assertThat(g.oldestSeen()).isEqualTo(T0);
            assertThat(g.oldestAge()).isEqualTo(Duration.ofMinutes(1));
        });
        GrowthDetector none = new GrowthDetector(2, 1, 0.5, 100, 0);
        none.add(T0, List.of(waiting(LEAK, 1, 1)));
        assertThat(none.add(T0.plusSeconds(1), List.of(waiting(LEAK, 1, 3)))).singleElement()
                .satisfies(g -> assertThat(g.oldestSeen()).isNull());
    }

    @Test
    void threadThatLeavesAndComesBackStartsAgain() {
        GrowthDetector d = new GrowthDetector(2, 1);
        d.add(T0, List.of(waiting(LEAK, 1, 1)));
        d.add(T0.plusSeconds(60), List.of(waiting(OTHER, 1, 1)));     // thread 1 moved to another site
        d.add(T0.plusSeconds(120), List.of(waiting(OTHER, 1, 1), waiting(OTHER, 2, 1)));
        assertThat(d.suspects()).singleElement().satisfies(g -> assertThat(g.oldestSeen()).isEqualTo(T0));
        d.add(T0.plusSeconds(180), List.of());
        d.add(T0.plusSeconds(240), List.of(waiting(OTHER, 1, 3)));
        assertThat(d.suspects()).singleElement().satisfies(g -> assertThat(g.oldestSeen()).isEqualTo(T0.plusSeconds(240)));
    }

    @Test
    void kendallTau() {
        assertThat(GrowthDetector.kendallTau(new int[]{1, 2, 3})).isEqualTo(1.0);
        assertThat(GrowthDetector.kendallTau(new int[]{3, 2, 1})).isEqualTo(-1.0);
        assertThat(GrowthDetector.kendallTau(new int[]{0, 5, 5})).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(GrowthDetector.kendallTau(new int[]{4, 4, 4})).isZero();
    }

    @Test
    void rejectsBadSettings() {
        assertThatThrownBy(() -> new GrowthDetector(1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new GrowthDetector(3, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new GrowthDetector(3, 1, 1.5, 10, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new GrowthDetector(3, 1, Double.NaN, 10, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new GrowthDetector(3, 1, 0.5, 0, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new GrowthDetector(3, 1, 0.5, 1, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    // ---- live threads ----

    private static final int PER_ROUND = 25;
    private static final int CONTROL = 7;

    /** Each call is one round of the leak: threads that offer into a queue nobody takes from. */
    private static void leakRound(SynchronousQueue<Integer> queue, List<Thread> started) {
        for (int i = 0; i < PER_ROUND; i++) {
            started.add(Thread.ofVirtual().name("growth-leak").start(() -> {
                try {
                    queue.put(1);
                } catch (InterruptedException e) {
                    // the test ends it
                }
            }));
        }
    }

    /** In the call each stays in, not merely WAITING somewhere on its way: the counts must be exact. */
    private static void awaitAllWaiting(List<Thread> threads, String blockingCall) {
        ThreadsAt.await(threads, Thread.State.WAITING, blockingCall);
    }

    @Test
    void findsRealVirtualThreadsLeakingIntoASynchronousQueue() throws Exception {
        SynchronousQueue<Integer> queue = new SynchronousQueue<>();
        CountDownLatch never = new CountDownLatch(1);
        List<Thread> leaked = new ArrayList<>();
        List<Thread> control = new ArrayList<>();
        try {
            for (int i = 0; i < CONTROL; i++) {
                control.add(Thread.ofVirtual().name("growth-control").start(() -> {
                    try {
                        never.await();
                    } catch (InterruptedException e) {
                        // the test ends it
                    }
                }));
            }
            awaitAllWaiting(control, "java.util.concurrent.CountDownLatch.await");
            GrowthDetector d = new GrowthDetector(4, 2);
            d.add(LiveThreads.capture());                               // before the leak
            for (int round = 1; round <= 3; round++) {
                leakRound(queue, leaked);
                awaitAllWaiting(leaked, "java.util.concurrent.SynchronousQueue.put");
                d.add(LiveThreads.capture());
            }

            List<GrowingGroup> suspects = d.suspects();
            GrowingGroup leak = suspects.stream()
                    .filter(g -> "SynchronousQueue.put".equals(g.waitSite().call())).findFirst().orElseThrow();
            assertThat(leak.count()).isEqualTo(3 * PER_ROUND);
            assertThat(leak.counts()).containsExactly(0, PER_ROUND, 2 * PER_ROUND, 3 * PER_ROUND);
            assertThat(leak.growth()).isEqualTo(3 * PER_ROUND);
            assertThat(leak.growthPerSample()).isEqualTo(PER_ROUND);
            assertThat(leak.growthPerMinute()).isPositive();
            assertThat(leak.trend()).isEqualTo(1.0);
            assertThat(leak.state()).isEqualTo(Thread.State.WAITING);
            assertThat(leak.waitSite().blockingFrame().className()).isEqualTo(GrowthDetectorTest.class.getName());
            assertThat(leak.group().threads()).allMatch(ThreadSnapshot::virtual);
            assertThat(leak.oldestSeen()).isNotNull();
            assertThat(leak.oldestAge()).isPositive();
            // the flat control group, and everything else of the JVM, is not a suspect
            assertThat(suspects).hasSize(1);
            assertThat(suspects).noneMatch(g -> "CountDownLatch.await".equals(g.waitSite().call()));
        } finally {
            for (Thread t : leaked) {
                t.interrupt();
            }
            for (Thread t : control) {
                t.interrupt();
            }
            for (Thread t : leaked) {
                t.join();
            }
            for (Thread t : control) {
                t.join();
            }
        }
    }
}
