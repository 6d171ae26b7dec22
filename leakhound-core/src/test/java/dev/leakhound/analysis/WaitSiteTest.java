package dev.leakhound.analysis;

import dev.leakhound.model.Blocker;
import dev.leakhound.model.StackFrame;
import dev.leakhound.model.ThreadSnapshot;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Wait sites of stacks as JDK 21 and JDK 25 print them, for the usual ways to block. */
class WaitSiteTest {

    private static ThreadSnapshot thread(Thread.State state, Blocker blocker, String... frames) {
        List<StackFrame> stack = Arrays.stream(frames).map(StackFrame::parse).toList();
        return new ThreadSnapshot(1, "t", true, null, state, stack, blocker, List.of(), null, null, null);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        SynchronousQueue.put (JDK 25)  | SynchronousQueue.put | java.base/java.lang.VirtualThread.park(VirtualThread.java:742);java.base/java.lang.System$1.parkVirtualThread(System.java:2285);java.base/java.util.concurrent.locks.LockSupport.park(LockSupport.java:367);java.base/java.util.concurrent.LinkedTransferQueue$DualNode.await(LinkedTransferQueue.java:458);java.base/java.util.concurrent.SynchronousQueue$Transferer.xferLifo(SynchronousQueue.java:194);java.base/java.util.concurrent.SynchronousQueue.xfer(SynchronousQueue.java:235);java.base/java.util.concurrent.SynchronousQueue.put(SynchronousQueue.java:266);com.example.App.lambda$main$0(App.java:8);java.base/java.lang.VirtualThread.run(VirtualThread.java:460)
        SynchronousQueue.put (JDK 21)  | SynchronousQueue.put | java.base/java.lang.VirtualThread.parkOnCarrierThread(VirtualThread.java:675);java.base/java.lang.VirtualThread.park(VirtualThread.java:607);java.base/java.lang.System$2.parkVirtualThread(System.java:2639);java.base/jdk.internal.misc.VirtualThreads.park(VirtualThreads.java:54);java.base/java.util.concurrent.locks.LockSupport.park(LockSupport.java:219);java.base/java.util.concurrent.SynchronousQueue$TransferStack.transfer(SynchronousQueue.java:401);java.base/java.util.concurrent.SynchronousQueue.put(SynchronousQueue.java:887);com.example.App.lambda$main$0(App.java:8);java.base/java.lang.VirtualThread.run(VirtualThread.java:309)
        CompletableFuture.get          | CompletableFuture.get | java.base/jdk.internal.misc.Unsafe.park(Native Method);java.base/java.util.concurrent.locks.LockSupport.park(LockSupport.java:371);java.base/java.util.concurrent.CompletableFuture$Signaller.block(CompletableFuture.java:1909);java.base/java.util.concurrent.ForkJoinPool.unmanagedBlock(ForkJoinPool.java:4367);java.base/java.util.concurrent.ForkJoinPool.managedBlock(ForkJoinPool.java:4313);java.base/java.util.concurrent.CompletableFuture.waitingGet(CompletableFuture.java:1947);java.base/java.util.concurrent.CompletableFuture.get(CompletableFuture.java:2123);com.example.App.run(App.java:20);java.base/java.lang.Thread.run(Thread.java:1474)
        ReentrantLock.lock             | ReentrantLock.lock | java.base/jdk.internal.misc.Unsafe.park(Native Method);java.base/java.util.concurrent.locks.LockSupport.park(LockSupport.java:221);java.base/java.util.concurrent.locks.AbstractQueuedSynchronizer.acquire(AbstractQueuedSynchronizer.java:790);java.base/java.util.concurrent.locks.AbstractQueuedSynchronizer.acquire(AbstractQueuedSynchronizer.java:1030);java.base/java.util.concurrent.locks.ReentrantLock$Sync.lock(ReentrantLock.java:154);java.base/java.util.concurrent.locks.ReentrantLock.lock(ReentrantLock.java:323);com.example.App.run(App.java:30)
        Object.wait                    | Object.wait | java.base/java.lang.Object.wait0(Native Method);java.base/java.lang.Object.wait(Object.java:389);java.base/java.lang.Object.wait(Object.java:351);com.example.App.run(App.java:40)
        Thread.sleep                   | Thread.sleep | java.base/java.lang.Thread.sleepNanos0(Native Method);java.base/java.lang.Thread.sleepNanos(Thread.java:509);java.base/java.lang.Thread.sleep(Thread.java:540);com.example.App.run(App.java:50)
        idle pool worker (JDK 25)      | LinkedBlockingQueue.take | java.base/jdk.internal.misc.Unsafe.park(Native Method);java.base/java.util.concurrent.locks.LockSupport.park(LockSupport.java:371);java.base/java.util.concurrent.LinkedBlockingQueue$ConditionNode.block(LinkedBlockingQueue.java:519);java.base/java.util.concurrent.ForkJoinPool.unmanagedBlock(ForkJoinPool.java:4367);java.base/java.util.concurrent.ForkJoinPool.managedBlock(ForkJoinPool.java:4313);java.base/java.util.concurrent.locks.AbstractQueuedSynchronizer$ConditionObject.await(AbstractQueuedSynchronizer.java:1735);java.base/java.util.concurrent.LinkedBlockingQueue.take(LinkedBlockingQueue.java:435);java.base/java.util.concurrent.ThreadPoolExecutor.getTask(ThreadPoolExecutor.java:1070);java.base/java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1130);java.base/java.util.concurrent.ThreadPoolExecutor$Worker.run(ThreadPoolExecutor.java:642);java.base/java.lang.Thread.run(Thread.java:1474)
        executor close                 | ThreadPerTaskExecutor.close | java.base/java.lang.VirtualThread.park(VirtualThread.java:742);java.base/java.lang.System$1.parkVirtualThread(System.java:2285);java.base/java.util.concurrent.locks.LockSupport.park(LockSupport.java:367);java.base/java.util.concurrent.CountDownLatch.await(CountDownLatch.java:230);java.base/java.util.concurrent.ThreadPerTaskExecutor.awaitTermination(ThreadPerTaskExecutor.java:201);java.base/java.util.concurrent.ThreadPerTaskExecutor.close(ThreadPerTaskExecutor.java:250);com.example.App.run(App.java:60)
        """)
    void callIsTheApiTheCodeCalled(String name, String call, String frames) {
        WaitSite w = WaitSite.of(thread(Thread.State.WAITING, null, frames.split(";")));
        assertThat(w.call()).as(name).isEqualTo(call);
    }

    @Test
    void blockingFrameIsTheFirstApplicationFrame() {
        WaitSite w = WaitSite.of(thread(Thread.State.WAITING, null,
                "java.base/java.lang.Object.wait0(Native Method)",
                "java.base/java.lang.Object.wait(Object.java:351)",
                "com.example.App.run(App.java:40)",
                "com.example.Main.main(Main.java:3)"));
        assertThat(w.blockingFrame()).hasToString("com.example.App.run(App.java:40)");
        assertThat(w.callFrame()).hasToString("java.lang.Object.wait(Object.java:351)");
    }

    @Test
    void enteringAMonitorInApplicationCodeIsSynchronized() {
        WaitSite w = WaitSite.of(thread(Thread.State.BLOCKED,
                Blocker.parse(Blocker.Kind.ENTERING, "java.lang.Object@1", null),
                "com.example.App.lambda$main$2(App.java:13)",
                "java.base/java.lang.VirtualThread.run(VirtualThread.java:460)"));
        assertThat(w.call()).isEqualTo("synchronized");
        assertThat(w.blockingFrame().lineNumber()).isEqualTo(13);
    }

    @Test
    void noFramesNoCall() {
        WaitSite w = WaitSite.of(thread(Thread.State.RUNNABLE, null));
        assertThat(w.call()).isNull();
        assertThat(w.blockingFrame()).isNull();
    }

    @Test
    void blockedWithoutTimeoutFollowsTheStateAndInfersOnlyWhenItIsUnknown() {
        String[] parked = {"java.base/java.lang.VirtualThread.park(VirtualThread.java:607)",
                "java.base/java.util.concurrent.locks.LockSupport.park(LockSupport.java:219)",
                "com.example.App.run(App.java:8)"};
        String[] timed = {"java.base/java.lang.VirtualThread.parkNanos(VirtualThread.java:631)",
                "java.base/java.util.concurrent.locks.LockSupport.parkNanos(LockSupport.java:269)",
                "com.example.App.run(App.java:8)"};
        assertThat(WaitSite.isBlockedWithoutTimeout(thread(Thread.State.WAITING, null, parked))).isTrue();
        assertThat(WaitSite.isBlockedWithoutTimeout(thread(Thread.State.BLOCKED, null, parked))).isTrue();
        assertThat(WaitSite.isBlockedWithoutTimeout(thread(Thread.State.TIMED_WAITING, null, parked))).isFalse();
        assertThat(WaitSite.isBlockedWithoutTimeout(thread(Thread.State.RUNNABLE, null, parked))).isFalse();
        assertThat(WaitSite.isBlockedWithoutTimeout(thread(null, null, parked))).isTrue();
        assertThat(WaitSite.isBlockedWithoutTimeout(thread(null, null, timed))).isFalse();
    }
}
