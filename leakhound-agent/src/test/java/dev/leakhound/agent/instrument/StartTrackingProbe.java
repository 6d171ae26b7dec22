package dev.leakhound.agent.instrument;

import dev.leakhound.agent.capture.ContainerThreads;
import dev.leakhound.analysis.StackGroup;
import dev.leakhound.analysis.ThreadGrouping;
import dev.leakhound.capture.CreationSites;
import dev.leakhound.capture.LiveThreads;
import dev.leakhound.model.CreationSite;
import dev.leakhound.model.StackFrame;
import dev.leakhound.model.ThreadDump;
import dev.leakhound.testing.ThreadsAt;

import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * The child JVM of {@link StartTrackingTest}: a real JVM whose {@code Thread} and {@code VirtualThread} this agent
 * instruments. Each check prints {@code ok NAME} or {@code FAIL NAME: why}; the last line is {@code done}.
 * A thread's expected line is taken on the same source line as its start ({@link #line()}).
 */
public final class StartTrackingProbe {
    private static volatile Instrumentation inst;
    private static int failures;

    private StartTrackingProbe() {
    }

    public static void premain(String args, Instrumentation instrumentation) {
        inst = instrumentation;
    }

    public static void main(String[] args) throws Exception {
        check("before the agent, nothing is recorded", !CreationSites.recording(), "recording");
        String note = StartTracking.start(inst, 100_000);
        check("tasks are unwrapped", note == null, note);
        check("installing twice is harmless", StartTracking.start(inst, 100_000) == null, "second start failed");

        platformThread();
        virtualThread();
        executors();
        oddPool();
        threadFactory();
        namedClassFromTwoPlaces();
        ownerTags();
        handedToCodeElsewhere();
        churn();
        capturesCarryTheSites();
        fullTable();
        off();
        System.out.println(failures == 0 ? "done" : "done with " + failures + " failures");
    }

    private static void platformThread() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        Thread t = new Thread(() -> await(release), "probe-platform");
        t.start(); int line = line();
        expectSite("platform Thread.start", t, "platformThread", line, "main");
        release.countDown();
        t.join();
        check("platform end removes the record", CreationSites.of(t.threadId()) == null, "still there");
    }

    private static void virtualThread() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        Thread t = Thread.ofVirtual().start(() -> await(release)); int line = line();
        expectSite("Thread.ofVirtual().start", t, "virtualThread", line, "main");
        CreationSite site = CreationSites.of(t.threadId());
        check("the start time is recorded", site != null && site.startedAt() != null
                && Math.abs(site.startedAt().toEpochMilli() - System.currentTimeMillis()) < 60_000, String.valueOf(site));
        release.countDown();
        t.join();
        check("virtual end removes the record", CreationSites.of(t.threadId()) == null, "still there");
        // Many starts from one lambda: one site, the stack walked only a few times.
        checkWalks("one lambda started 500 times walks the stack at most 4 times", 500, () -> { }, 4);
        // The checks of its place space out as they keep finding the same one: 200,000 starts walk about 10 times
        // (3, then after 1024, 2048, ... 65,536 starts), not once per 1024 starts (195 walks).
        checkWalks("one lambda started 200,000 times walks the stack at most 20 times", 200_000, () -> { }, 20);
    }

    /**
     * Starts and joins {@code count} virtual threads running {@code task}, in batches of at most 1,000, and checks
     * that the creator's stack was walked at most {@code most} times. The JDK may start platform threads meanwhile
     * (a carrier for the virtual threads, more of them on a busy machine), and each such start walks too (a JDK
     * class stands for no place): they are counted out.
     */
    private static void checkWalks(String name, int count, Runnable task, int most) throws InterruptedException {
        Set<Long> platformBefore = platformThreadIds();
        long walks = StartTracking.stats().walks();
        Thread[] batch = new Thread[Math.min(count, 1000)];
        for (int done = 0; done < count; done += batch.length) {
            for (int i = 0; i < batch.length; i++) {
                batch[i] = Thread.ofVirtual().start(task);
            }
            for (Thread t : batch) {
                t.join();
            }
        }
        long walked = StartTracking.stats().walks() - walks;
        long jdkStarts = platformThreadIds().stream().filter(id -> !platformBefore.contains(id)).count();
        check(name, walked <= most + jdkStarts, walked + " walks, " + jdkStarts + " platform threads started meanwhile");
    }

    /**
     * Slots are reused as threads end: two creators (named apart) start short virtual threads at once, each of which
     * looks up its own record while it runs (it must find it, with its creator), while a reader looks up the ids
     * of threads that are ending, whose slots are being claimed again: a record it gets must be that thread's, never
     * pieced together from the next one's.
     */
    private static void churn() throws InterruptedException {
        java.util.concurrent.ConcurrentHashMap<Long, String> creatorOf = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.concurrent.atomic.AtomicLong lastId = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicInteger ownWrong = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger own = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger otherWrong = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger other = new java.util.concurrent.atomic.AtomicInteger();
        AtomicReference<String> example = new AtomicReference<>();
        Runnable lookSelfUp = () -> {
            CreationSite site = CreationSites.of(Thread.currentThread().threadId());
            own.incrementAndGet();
            if (site == null || !Thread.currentThread().getName().equals("v-" + site.creator())) {
                ownWrong.incrementAndGet();
                example.compareAndSet(null, Thread.currentThread().getName() + " found " + site);
            }
        };
        Runnable create = () -> {
            String me = Thread.currentThread().getName();
            Thread.Builder builder = Thread.ofVirtual().name("v-" + me);
            Thread[] batch = new Thread[500];
            for (int done = 0; done < 20_000; done += batch.length) {
                CountDownLatch started = new CountDownLatch(1);
                Runnable task = () -> {
                    lookSelfUp.run();
                    await(started);                           // alive until its whole batch is started
                };
                for (int i = 0; i < batch.length; i++) {
                    batch[i] = builder.start(task);
                    creatorOf.put(batch[i].threadId(), me);
                    lastId.accumulateAndGet(batch[i].threadId(), Math::max);
                }
                started.countDown();
                for (Thread t : batch) {
                    try {
                        t.join();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        };
        Thread a = Thread.ofPlatform().name("creator-0").start(create);
        Thread b = Thread.ofPlatform().name("creator-1").start(create);
        Thread reader = Thread.ofPlatform().name("reader").start(() -> {
            while (a.isAlive() || b.isAlive()) {
                long newest = lastId.get();
                for (long id = Math.max(1, newest - 1000); id <= newest; id++) {
                    CreationSite site = CreationSites.of(id);
                    String expected = creatorOf.get(id);
                    if (site != null && expected != null) {
                        other.incrementAndGet();
                        if (!expected.equals(site.creator())) {
                            otherWrong.incrementAndGet();
                            example.compareAndSet(null, "thread #" + id + " of " + expected + " read as " + site);
                        }
                    }
                }
            }
        });
        a.join();
        b.join();
        reader.join();
        check("slots reused under churn: 40,000 threads each find their own record, a reader never another's",
                ownWrong.get() == 0 && own.get() == 40_000 && otherWrong.get() == 0 && other.get() > 0,
                ownWrong.get() + " of " + own.get() + " own lookups wrong, " + otherWrong.get() + " of " + other.get()
                        + " lookups by the reader wrong, e.g. " + example.get());
    }

    private static void executors() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<Thread> submitted = new AtomicReference<>();
        AtomicReference<Thread> executed = new AtomicReference<>();
        CountDownLatch running = new CountDownLatch(2);
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<?> f = ex.submit(() -> { submitted.set(Thread.currentThread()); running.countDown(); await(release); }); int submitLine = line();
            ex.execute(() -> { executed.set(Thread.currentThread()); running.countDown(); await(release); }); int executeLine = line();
            running.await();
            expectSite("executor.submit (FutureTask unwrapped)", submitted.get(), "executors", submitLine, "main");
            expectSite("executor.execute", executed.get(), "executors", executeLine, "main");
            CreationSite site = CreationSites.of(submitted.get().threadId());
            check("the executor's frames come first, the starting frame is ours", site != null
                    && site.frames().get(0).className().startsWith("java.util.concurrent."), String.valueOf(site));
            release.countDown();
            f.get();
        }
        CountDownLatch poolRelease = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(1, r -> new Thread(r, "probe-pool")); int createdLine = line();
        try {
            CountDownLatch started = new CountDownLatch(1);
            AtomicReference<Thread> worker = new AtomicReference<>();
            pool.execute(() -> { worker.set(Thread.currentThread()); started.countDown(); await(poolRelease); }); int poolLine = line();
            started.await();
            expectSite("a pool's worker thread: started by the first execute", worker.get(), "executors", poolLine, "main");
            // The line to fix is the one that created the pool: recorded too, and both are said.
            CreationSite site = CreationSites.of(worker.get().threadId());
            StackFrame created = site == null ? null : site.poolCreatedAt();
            check("a pool's worker knows where its pool was created", created != null
                    && created.className().equals(StartTrackingProbe.class.getName())
                    && created.methodName().equals("executors") && created.lineNumber() == createdLine, String.valueOf(site));
            String where = site == null ? "" : dev.leakhound.report.TextReport.where(site);
            check("a pool's worker is reported with both lines", where.equals("pool created at " + created
                    + "; worker started at " + site.startingFrame() + " by \"main\""), where);
            check("a thread that is no pool's worker has no pool", CreationSites.of(Thread.currentThread().threadId()) == null
                    || CreationSites.of(Thread.currentThread().threadId()).poolFrames().isEmpty(), "main has a pool");
        } finally {
            poolRelease.countDown();
            pool.shutdown();
        }
    }

    /** A pool whose class overrides equals and hashCode: never a map key inside the hooks, its workers still run. */
    static final class OddPool extends java.util.concurrent.ThreadPoolExecutor {
        OddPool() {
            super(1, 1, 0, java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.LinkedBlockingQueue<>());
        }

        @Override
        public boolean equals(Object o) {
            throw new AssertionError("the hooks called the host's equals");
        }

        @Override
        public int hashCode() {
            throw new AssertionError("the hooks called the host's hashCode");
        }
    }

    private static void oddPool() throws Exception {
        OddPool pool = new OddPool();
        try {
            AtomicReference<Thread> worker = new AtomicReference<>();
            pool.submit(() -> worker.set(Thread.currentThread())).get();
            CreationSite site = CreationSites.of(worker.get().threadId());
            check("a pool with its own equals and hashCode runs, its worker recorded without the pool",
                    site != null && site.poolFrames().isEmpty(), String.valueOf(site));
        } finally {
            pool.shutdown();
        }
    }

    private static void threadFactory() throws InterruptedException {
        ThreadFactory factory = Thread.ofVirtual().name("probe-factory-", 0).factory();
        CountDownLatch release = new CountDownLatch(1);
        Thread t = factory.newThread(() -> await(release));
        t.start(); int line = line();
        expectSite("ThreadFactory.newThread, then start(): where start() was called", t, "threadFactory", line, "main");
        release.countDown();
        t.join();
    }

    /** A named Runnable class started at two lines: the second line is noticed (at most 64 starts later). */
    private static void namedClassFromTwoPlaces() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            Thread.ofVirtual().start(new Named()).join();
        }
        Thread last = null;
        int line = 0;
        for (int i = 0; i < 70; i++) {
            last = Thread.ofVirtual().unstarted(new Named());
            last.start(); line = line();
            last.join();
        }
        CountDownLatch release = new CountDownLatch(1);
        Thread t = Thread.ofVirtual().unstarted(new Named(release));
        t.start(); line = line();
        expectSite("a named class started from a second place is then walked at every start", t,
                "namedClassFromTwoPlaces", line, "main");
        release.countDown();
        t.join();
    }

    private static void ownerTags() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<Thread> grandchild = new AtomicReference<>();
        CountDownLatch started = new CountDownLatch(1);
        long self = Thread.currentThread().threadId();
        CreationSites.setOwner(self, "test-A");
        Thread child;
        try {
            child = Thread.ofVirtual().start(() -> {
                grandchild.set(Thread.ofPlatform().start(() -> await(release)));
                started.countDown();
                await(release);
            });
        } finally {
            CreationSites.setOwner(self, null);
        }
        Thread untagged = Thread.ofVirtual().start(() -> await(release));
        started.await();
        check("a tagged thread's child carries the tag", "test-A".equals(CreationSites.ownerOf(child.threadId())),
                CreationSites.ownerOf(child.threadId()));
        check("and its grandchild too", "test-A".equals(CreationSites.ownerOf(grandchild.get().threadId())),
                CreationSites.ownerOf(grandchild.get().threadId()));
        check("a thread started after the tag was removed has none", CreationSites.ownerOf(untagged.threadId()) == null,
                CreationSites.ownerOf(untagged.threadId()));
        // Once its test is over, a tag is not passed on: a pooled thread started in test B starts threads later.
        CountDownLatch go = new CountDownLatch(1);
        AtomicReference<Thread> afterRetire = new AtomicReference<>();
        CreationSites.setOwner(self, "test-B");
        Thread pooled;
        try {
            pooled = Thread.ofVirtual().start(() -> {
                await(go);
                afterRetire.set(Thread.ofVirtual().start(() -> await(release)));
            });
        } finally {
            CreationSites.setOwner(self, null);
        }
        CreationSites.retireOwner("test-B");
        go.countDown();
        pooled.join();
        check("a retired tag still marks the threads started under it", CreationSites.ownerOf(pooled.threadId()) == null
                || "test-B".equals(CreationSites.ownerOf(pooled.threadId())), "wrong tag");
        check("but threads they start afterwards do not inherit it",
                CreationSites.ownerOf(afterRetire.get().threadId()) == null,
                CreationSites.ownerOf(afterRetire.get().threadId()));
        release.countDown();
        afterRetire.get().join();
        child.join();
        grandchild.get().join();
        untagged.join();
    }

    /**
     * A lambda written here but started by a method of another class: the starting line is that method, and the
     * caller (this class, at each call's line) must be told apart at every start, not taken from the first one.
     */
    private static void handedToCodeElsewhere() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        List<Integer> lines = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            threads.add(StartTrackingSpawner.spawn(() -> await(release))); lines.add(line());
        }
        Thread other = StartTrackingSpawner.spawn(() -> await(release)); int otherLine = line();
        threads.add(other);
        lines.add(otherLine);
        for (int i = 0; i < threads.size(); i++) {
            CreationSite site = CreationSites.of(threads.get(i).threadId());
            int expected = lines.get(i);
            check("handed to another class #" + i + ": started in it, called from here", site != null
                    && site.startingFrame().className().equals(StartTrackingSpawner.class.getName())
                    && site.frames().stream().anyMatch(f -> f.methodName().equals("handedToCodeElsewhere")
                    && f.lineNumber() == expected), "expected a frame at line " + expected + ", got " + site);
        }
        release.countDown();
        for (Thread t : threads) {
            t.join();
        }
    }

    private static void capturesCarryTheSites() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        twoPlaces = release;
        int threeLine = 0;
        int twoLine = 0;
        // Two method references to one method: one stack (no lambda frame), two task classes, two start lines.
        for (int i = 0; i < 3; i++) {
            threads.add(Thread.ofVirtual().name("probe-two-places").start(StartTrackingProbe::awaitTwoPlaces)); threeLine = line();
        }
        for (int i = 0; i < 2; i++) {
            threads.add(Thread.ofVirtual().name("probe-two-places").start(StartTrackingProbe::awaitTwoPlaces)); twoLine = line();
        }
        // in await, where they stay: a thread WAITING elsewhere for a moment would make a group of its own
        ThreadsAt.await(threads, Thread.State.WAITING, "java.util.concurrent.CountDownLatch.await");
        try {
            ThreadDump json = LiveThreads.capture();
            check("the JDK's JSON dump is given creation sites", json.threads().stream()
                    .filter(t -> t.name().equals("probe-two-places")).allMatch(t -> t.creationSite() != null), "missing");
            // One leak, one group: grouped by what blocks them, the two start sites listed inside with their counts.
            List<StackGroup> groups = ThreadGrouping.group(json.threads().stream()
                    .filter(t -> t.name().equals("probe-two-places")).toList());
            check("one blocking line started from two places is one group listing both (3 and 2)", groups.size() == 1
                    && groups.get(0).count() == 5 && groups.get(0).startSites().size() == 2
                    && groups.get(0).startSites().get(0).count() == 3 && groups.get(0).startSites().get(1).count() == 2
                    && groups.get(0).startSites().get(0).site().startingFrame().lineNumber() == threeLine
                    && groups.get(0).startSites().get(1).site().startingFrame().lineNumber() == twoLine,
                    groups.toString());
            String report = dev.leakhound.report.TextReport.group(groups.get(0), false);
            check("the report lists both start sites with their counts", report.contains("  started at  3 threads at "
                    + StartTrackingProbe.class.getName() + ".capturesCarryTheSites(") && report.contains(
                    "\n              2 threads at " + StartTrackingProbe.class.getName() + ".capturesCarryTheSites("),
                    report);
            // ... and threads at that line without a recorded start (started before the agent) join it, counted.
            List<dev.leakhound.model.ThreadSnapshot> withUnrecorded = new ArrayList<>(json.threads().stream()
                    .filter(t -> t.name().equals("probe-two-places")).toList());
            withUnrecorded.add(withUnrecorded.get(0).withCreationSite(null));
            StackGroup mixed = ThreadGrouping.group(withUnrecorded).get(0);
            String mixedReport = dev.leakhound.report.TextReport.group(mixed, false);
            check("threads without a start site join the group, counted", ThreadGrouping.group(withUnrecorded).size() == 1
                    && mixed.withoutStartSite() == 1 && mixedReport.contains("\n              1 without a recorded start"
                    + " site (started before the agent was loaded, or not recorded)\n"), mixedReport);
            ContainerThreads ct = ContainerThreads.open(inst);
            ThreadDump fast = ct.snapshot();
            check("the containers' snapshot is given creation sites", fast.threads().stream()
                    .filter(t -> t.name().equals("probe-two-places")).allMatch(t -> t.creationSite() != null), "missing");
            List<ContainerThreads.Group> ours = ct.groups(5).stream().filter(g -> g.startSites().keySet().stream()
                    .anyMatch(k -> k.get(0).methodName().equals("capturesCarryTheSites"))).toList();
            check("the containers' groups list the start sites inside one group too", ours.size() == 1
                    && ours.get(0).count() == 5 && ours.get(0).startSites().size() == 2
                    && ours.get(0).startSites().values().stream().sorted().toList().equals(List.of(2L, 3L)), ours.toString());
        } finally {
            release.countDown();
            for (Thread t : threads) {
                t.join();
            }
        }
    }

    private static void fullTable() throws InterruptedException {
        StartTracking.stop();
        StartTracking.start(inst, 8);
        CountDownLatch release = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        try {
            for (int i = 0; i < 40; i++) {
                threads.add(Thread.ofVirtual().start(() -> await(release)));
            }
            long recorded = threads.stream().filter(t -> CreationSites.of(t.threadId()) != null).count();
            check("a full table records what fits and counts the rest", recorded <= 8
                    && StartTracking.stats().missed() >= 32 - 8, recorded + " recorded, " + StartTracking.stats());
        } finally {
            release.countDown();
            for (Thread t : threads) {
                t.join();
            }
            StartTracking.stop();
            StartTracking.start(inst, 100_000);
        }
    }

    private static void off() throws InterruptedException {
        StartTracking.stop();
        CountDownLatch release = new CountDownLatch(1);
        Thread t = Thread.ofVirtual().start(() -> await(release));
        check("stopped: nothing recorded, nothing found", !CreationSites.recording()
                && CreationSites.of(t.threadId()) == null, "recorded");
        release.countDown();
        t.join();
    }

    private static void expectSite(String name, Thread t, String method, int line, String creator) {
        CreationSite site = CreationSites.of(t.threadId());
        StackFrame f = site == null ? null : site.startingFrame();
        check(name, f != null && f.className().equals(StartTrackingProbe.class.getName())
                && f.methodName().equals(method) && f.lineNumber() == line
                && creator.equals(site.creator()), "expected " + method + ":" + line + ", got " + site);
    }

    private static void check(String name, boolean ok, String why) {
        if (ok) {
            System.out.println("ok " + name);
        } else {
            failures++;
            System.out.println("FAIL " + name + ": " + why);
        }
    }

    /** The ids of the live platform threads (those carriers are). */
    private static Set<Long> platformThreadIds() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::threadId).collect(Collectors.toSet());
    }

    /** The caller's line number. */
    private static int line() {
        return StackWalker.getInstance().walk(s -> s.skip(1).findFirst()).orElseThrow().getLineNumber();
    }

    private static volatile CountDownLatch twoPlaces;

    private static void awaitTwoPlaces() {
        await(twoPlaces);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A named task class, for the check of one class started from two places. */
    private static final class Named implements Runnable {
        private final CountDownLatch release;

        Named() {
            this(null);
        }

        Named(CountDownLatch release) {
            this.release = release;
        }

        @Override
        public void run() {
            if (release != null) {
                await(release);
            }
        }
    }
}
