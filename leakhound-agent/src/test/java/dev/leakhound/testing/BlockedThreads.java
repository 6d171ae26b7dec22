package dev.leakhound.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.SynchronousQueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Virtual threads blocked forever in {@link SynchronousQueue#put}, as the seed's multiQuery leaks them;
 * {@link #close()} interrupts them and waits until they end.
 */
public class BlockedThreads implements AutoCloseable {
    public final List<Thread> threads = new ArrayList<>();
    protected final SynchronousQueue<String> nobodyTakes = new SynchronousQueue<>();

    public BlockedThreads(String namePrefix, int n) {
        for (int i = 0; i < n; i++) {
            threads.add(Thread.ofVirtual().name(namePrefix + i).start(this::run));
        }
        await().atMost(Duration.ofSeconds(120)).until(() -> threads.stream().allMatch(BlockedThreads::blockedInPut));
    }

    private void run() {
        try {
            blockForever();
        } catch (InterruptedException e) {
            // the clean-up
        }
    }

    /** Blocks in {@code SynchronousQueue.put}; a subclass overrides it to block at a line of its own. */
    protected void blockForever() throws InterruptedException {
        nobodyTakes.put("nobody takes this");
    }

    private static boolean blockedInPut(Thread t) {
        return t.getState() == Thread.State.WAITING && Arrays.stream(t.getStackTrace())
                .anyMatch(e -> e.getMethodName().equals("blockForever"));
    }

    @Override
    public void close() throws InterruptedException {
        threads.forEach(Thread::interrupt);
        for (Thread t : threads) {
            assertThat(t.join(Duration.ofSeconds(60))).as("thread " + t + " ended").isTrue();
        }
    }
}
