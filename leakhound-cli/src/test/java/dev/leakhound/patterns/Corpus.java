package dev.leakhound.patterns;

import java.util.List;

import static dev.leakhound.patterns.Scenario.CONTROL;
import static dev.leakhound.patterns.Scenario.at;
import static java.lang.Thread.State.BLOCKED;
import static java.lang.Thread.State.TIMED_WAITING;
import static java.lang.Thread.State.WAITING;

/**
 * Every program of the pattern corpus, with the pattern it shows (or {@link Scenario#CONTROL}) and where its
 * threads block. {@link CorpusMain} runs them all in one JVM; {@link PatternCorpusTest} scores the reports.
 */
final class Corpus {
    private Corpus() {
    }

    private static final String SYNC_PUT = "java.util.concurrent.SynchronousQueue.put";
    private static final String SYNC_TAKE = "java.util.concurrent.SynchronousQueue.take";
    private static final String LATCH_AWAIT = "java.util.concurrent.CountDownLatch.await";
    private static final String LOCK = "java.util.concurrent.locks.ReentrantLock.lock";
    private static final String OBJECT_WAIT = "java.lang.Object.wait";
    private static final String SLEEP = "java.lang.Thread.sleep";
    private static final String POOL_IDLE = "java.util.concurrent.ThreadPoolExecutor.getTask";
    private static final String LBQ_TAKE = "java.util.concurrent.LinkedBlockingQueue.take";

    static final List<Scenario> ALL = List.of(
            // abandoned-senders
            new Scenario("first-replica-wins", "abandoned-senders", Senders.FirstReplicaWins.class,
                    "virtual, Thread.ofVirtual, SynchronousQueue",
                    "the article's multiQuery: 4 replicas asked, the first answer taken, 3 senders left in put",
                    Senders.FirstReplicaWins::start, List.of(at(WAITING, SYNC_PUT, 3)), 1),
            new Scenario("mailbox-fan-in", "abandoned-senders", Senders.MailboxFanIn.class,
                    "platform, Mailbox around ArrayBlockingQueue(1)",
                    "4 senders, a buffer of 1, one receive: 2 senders left in put",
                    Senders.MailboxFanIn::start,
                    List.of(at(WAITING, "java.util.concurrent.ArrayBlockingQueue.put", 2)), 2),
            new Scenario("transfer-fan-out", "abandoned-senders", Senders.TransferFanOut.class,
                    "virtual, newVirtualThreadPerTaskExecutor (service-wide), LinkedTransferQueue.transfer",
                    "3 tasks hand over a quote, the caller takes one: 2 left in transfer (the executor is live and"
                            + " could shutdownNow them: the heap cannot prove it)",
                    Senders.TransferFanOut::start,
                    List.of(at(WAITING, "java.util.concurrent.LinkedTransferQueue.transfer", 2)), 1),
            // abandoned-receiver
            new Scenario("job-workers-no-poison-pill", "abandoned-receiver", Receivers.JobWorkersNoPoisonPill.class,
                    "platform, LinkedBlockingQueue",
                    "workers loop on take; the feeder finished without a poison pill and dropped the queue",
                    Receivers.JobWorkersNoPoisonPill::start, List.of(at(WAITING, LBQ_TAKE, 2)), 0),
            new Scenario("event-bus-never-closed", "abandoned-receiver", Receivers.EventBusNeverClosed.class,
                    "virtual, EventBus around LinkedBlockingDeque",
                    "subscribers loop on take; the bus is dropped without close()",
                    Receivers.EventBusNeverClosed::start,
                    List.of(at(WAITING, "java.util.concurrent.LinkedBlockingDeque.take", 3)), 0),
            // abandoned-after-timeout
            new Scenario("fallback-after-get", "abandoned-after-timeout", AfterTimeout.FallbackAfterGet.class,
                    "platform, FutureTask, get(timeout), Mailbox around SynchronousQueue",
                    "the caller's get(5 ms) times out and returns a default; the task stays in take, never cancelled",
                    AfterTimeout.FallbackAfterGet::start, List.of(at(WAITING, SYNC_TAKE, 3)), 0),
            new Scenario("supply-async-or-timeout", "abandoned-after-timeout", AfterTimeout.SupplyAsyncOrTimeout.class,
                    "virtual, CompletableFuture.supplyAsync on an Executor lambda, orTimeout",
                    "orTimeout completes the caller's stage; the supplier stays in take",
                    AfterTimeout.SupplyAsyncOrTimeout::start, List.of(at(WAITING, SYNC_TAKE, 2)), 0),
            new Scenario("common-pool-get-timeout", "abandoned-after-timeout", AfterTimeout.CommonPoolGetTimeout.class,
                    "ForkJoinPool.commonPool, supplyAsync, get(timeout)",
                    "the caller's get times out; the common pool's worker stays in take (the pool is static: the"
                            + " heap cannot prove it)",
                    AfterTimeout.CommonPoolGetTimeout::start, List.of(at(WAITING, SYNC_TAKE, 1)), 0),
            // lost-future
            new Scenario("result-never-set", "lost-future", Futures.ResultNeverSet.class,
                    "platform, ResultHolder around CompletableFuture.get",
                    "the code that sets the result failed first; the waiters stay in get",
                    Futures.ResultNeverSet::start,
                    List.of(at(WAITING, "java.util.concurrent.CompletableFuture.get", 2)), 0),
            new Scenario("pending-requests-dropped", "lost-future", Futures.PendingRequestsDropped.class,
                    "virtual, CompletableFuture.join",
                    "the map of pending requests is cleared with nothing completed",
                    Futures.PendingRequestsDropped::start,
                    List.of(at(WAITING, "java.util.concurrent.CompletableFuture.join", 3)), 0),
            new Scenario("task-never-submitted", "lost-future", Futures.TaskNeverSubmitted.class,
                    "virtual, FutureTask.get",
                    "a FutureTask that was never given to an executor",
                    Futures.TaskNeverSubmitted::start,
                    List.of(at(WAITING, "java.util.concurrent.FutureTask.get", 2)), 0),
            // latch-never-released
            new Scenario("startup-count-down-skipped", "latch-never-released", Latches.StartupCountDownSkipped.class,
                    "platform, CountDownLatch",
                    "a latch of 3, one initializer fails before countDown: the 2 waiters stay in await",
                    Latches.StartupCountDownSkipped::start, List.of(at(WAITING, LATCH_AWAIT, 2)), 3),
            new Scenario("barrier-short-of-parties", "latch-never-released", Latches.BarrierShortOfParties.class,
                    "virtual, CyclicBarrier",
                    "a barrier of 4 parties, 3 arrive",
                    Latches.BarrierShortOfParties::start,
                    List.of(at(WAITING, "java.util.concurrent.CyclicBarrier.await", 3)), 0),
            new Scenario("phaser-coordinator-gone", "latch-never-released", Latches.PhaserCoordinatorGone.class,
                    "virtual, Phaser",
                    "the coordinator's registered party never arrives",
                    Latches.PhaserCoordinatorGone::start,
                    List.of(at(WAITING, "java.util.concurrent.Phaser.arriveAndAwaitAdvance", 2)), 0),
            // lock-never-released
            new Scenario("early-return-keeps-lock", "lock-never-released", Locks.EarlyReturnKeepsLock.class,
                    "platform, ReentrantLock",
                    "the holder returned early without unlock and ended; 2 threads queue in lock",
                    Locks.EarlyReturnKeepsLock::start, List.of(at(WAITING, LOCK, 2)), 1),
            new Scenario("read-lock-leaked-by-cache", "lock-never-released", Locks.ReadLockLeakedByCache.class,
                    "virtual, Cache around ReentrantReadWriteLock",
                    "a reader failed and kept the read lock, and ended; writers queue in writeLock().lock",
                    Locks.ReadLockLeakedByCache::start,
                    List.of(at(WAITING, "java.util.concurrent.locks.ReentrantReadWriteLock$WriteLock.lock", 2)), 1),
            new Scenario("permits-never-returned", "lock-never-released", Locks.PermitsNeverReturned.class,
                    "virtual, ConnectionPool around Semaphore",
                    "two borrowers ended without returning their permit; 3 more wait in acquire",
                    Locks.PermitsNeverReturned::start,
                    List.of(at(WAITING, "java.util.concurrent.Semaphore.acquire", 3)), 2),
            new Scenario("monitor-held-by-stuck-thread", "abandoned-receiver", Locks.StuckMonitorHolder.class,
                    "platform, LinkedBlockingQueue.take inside synchronized",
                    "it takes from a queue nobody feeds, holding a monitor others need",
                    Locks.StuckMonitorHolder::start,
                    List.of(at(WAITING, LBQ_TAKE, 1),
                            at(BLOCKED, Locks.MonitorWaiters.class.getName() + ".register", 2)), 0),
            new Scenario("waiters-of-stuck-monitor", "lock-never-released", Locks.MonitorWaiters.class,
                    "virtual, synchronized",
                    "blocked entering a monitor whose holder never leaves it (started with monitor-held-by-stuck-thread)",
                    p -> { }, List.of(), 0),
            // orphan-wait
            new Scenario("ready-flag-never-marked", "orphan-wait", Waits.ReadyFlagNeverMarked.class,
                    "platform, ReadyFlag with synchronized/wait",
                    "nobody holds the flag to mark it: Object.wait with nobody to notify",
                    Waits.ReadyFlagNeverMarked::start, List.of(at(WAITING, OBJECT_WAIT, 2)), 0),
            new Scenario("gate-never-opened", "orphan-wait", Waits.GateNeverOpened.class,
                    "virtual, Gate with ReentrantLock/Condition",
                    "Condition.await on a gate nobody else holds",
                    Waits.GateNeverOpened::start,
                    List.of(at(WAITING,
                            "java.util.concurrent.locks.AbstractQueuedSynchronizer$ConditionObject.await", 3)), 0),
            new Scenario("virtual-wait-on-job", "orphan-wait", Waits.VirtualWaitOnJob.class,
                    "virtual, synchronized/wait",
                    "virtual threads in Object.wait on a private job object",
                    Waits.VirtualWaitOnJob::start, List.of(at(WAITING, OBJECT_WAIT, 2)), 0),
            // forgotten-pool
            new Scenario("fixed-pool-per-request", "forgotten-pool", Pools.FixedPoolPerRequest.class,
                    "platform, Executors.newFixedThreadPool",
                    "a pool made per call and never shut down: 2 idle workers nobody can reach",
                    Pools.FixedPoolPerRequest::start, List.of(at(WAITING, POOL_IDLE, 2)), 0),
            new Scenario("scheduler-per-client", "forgotten-pool", Pools.SchedulerPerClient.class,
                    "platform, JobRunner around newScheduledThreadPool",
                    "a client's scheduled pool, the client dropped without shutdown",
                    Pools.SchedulerPerClient::start,
                    List.of(at(WAITING, "java.util.concurrent.ScheduledThreadPoolExecutor$DelayedWorkQueue.take", 2)),
                    0),
            // deadlock
            new Scenario("transfer-both-ways", "deadlock", Deadlocks.TransferBothWays.class,
                    "platform, synchronized",
                    "two transfers lock two accounts in opposite orders",
                    Deadlocks.TransferBothWays::start,
                    List.of(at(BLOCKED, Deadlocks.TransferBothWays.class.getName() + ".transfer", 2)), 0),
            new Scenario("virtual-lock-order", "deadlock", Deadlocks.VirtualLockOrder.class,
                    "virtual, ReentrantLock",
                    "two virtual threads take two locks in opposite orders",
                    Deadlocks.VirtualLockOrder::start, List.of(at(WAITING, LOCK, 2)), 0),
            new Scenario("three-way-ring", "deadlock", Deadlocks.ThreeWayRing.class,
                    "virtual, synchronized",
                    "a cycle of three monitors",
                    Deadlocks.ThreeWayRing::start,
                    List.of(at(BLOCKED, Deadlocks.ThreeWayRing.class.getName() + ".pass", 3)), 0),
            // controls
            new Scenario("idle-pool-still-referenced", CONTROL, Controls.IdlePoolStillReferenced.class,
                    "platform, newFixedThreadPool in a static field",
                    "idle workers of a pool that is still reachable (it can be used or shut down)",
                    Controls.IdlePoolStillReferenced::start, List.of(at(WAITING, POOL_IDLE, 2)), 0),
            new Scenario("latch-with-live-releaser", CONTROL, Controls.LatchWithLiveReleaser.class,
                    "platform waiter, virtual releaser, CountDownLatch",
                    "the releaser is alive (asleep with a timeout) and holds the latch",
                    Controls.LatchWithLiveReleaser::start,
                    List.of(at(WAITING, LATCH_AWAIT, 1), at(TIMED_WAITING, SLEEP, 1)), 0),
            new Scenario("consumer-with-live-producer", CONTROL, Controls.ConsumerWithLiveProducer.class,
                    "virtual consumers, platform producer, LinkedBlockingQueue",
                    "the producer is alive and holds the queue",
                    Controls.ConsumerWithLiveProducer::start,
                    List.of(at(WAITING, LBQ_TAKE, 2), at(TIMED_WAITING, SLEEP, 1)), 0),
            new Scenario("watcher-on-shared-monitor", CONTROL, Controls.WatcherOnSharedMonitor.class,
                    "platform, synchronized/wait",
                    "a live notifier thread holds the monitor the watchers wait on",
                    Controls.WatcherOnSharedMonitor::start,
                    List.of(at(WAITING, OBJECT_WAIT, 2), at(TIMED_WAITING, SLEEP, 1)), 0),
            new Scenario("timed-poller", CONTROL, Controls.TimedPoller.class,
                    "platform, LinkedBlockingQueue.poll(1 h)",
                    "it waits with a timeout: it wakes by itself",
                    Controls.TimedPoller::start,
                    List.of(at(TIMED_WAITING, "java.util.concurrent.LinkedBlockingQueue.poll", 1)), 0),
            new Scenario("future-with-live-completer", CONTROL, Controls.FutureWithLiveCompleter.class,
                    "virtual waiter, platform completer, CompletableFuture",
                    "the completer is alive and holds the future",
                    Controls.FutureWithLiveCompleter::start,
                    List.of(at(WAITING, "java.util.concurrent.CompletableFuture.get", 1), at(TIMED_WAITING, SLEEP, 1)),
                    0),
            new Scenario("lock-with-live-holder", CONTROL, Controls.LockWithLiveHolder.class,
                    "virtual, ReentrantLock",
                    "the holder is alive (asleep with a timeout) and will unlock",
                    Controls.LockWithLiveHolder::start,
                    List.of(at(WAITING, LOCK, 2), at(TIMED_WAITING, SLEEP, 1)), 0));
}
