package dev.leakhound.patterns;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** abandoned-after-timeout: the caller waits with a timeout, gives up, and never cancels the task. */
final class AfterTimeout {
    private AfterTimeout() {
    }

    /** A {@link FutureTask} on a platform thread; {@code get(timeout)} falls back to a default. */
    static final class FallbackAfterGet {
        static void start(Probe p) throws InterruptedException, ExecutionException {
            for (int i = 0; i < 3; i++) {
                String price = priceOrDefault(p, "sku-" + i);
                assert price != null;
            }
        }

        private static String priceOrDefault(Probe p, String sku) throws InterruptedException, ExecutionException {
            Library.Mailbox<String> backend = new Library.Mailbox<>(new SynchronousQueue<>());
            FutureTask<String> call = new FutureTask<>(() -> {
                p.arrive();
                return backend.receive();                   // the backend never answers
            });
            Thread.ofPlatform().name(p.name()).daemon().start(call);
            try {
                return call.get(5, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                return "9.99";                              // the bug: call.cancel(true) is missing
            }
        }
    }

    /**
     * {@code CompletableFuture.supplyAsync} with {@code orTimeout}, on an executor that starts a virtual thread per
     * task ({@code Thread.ofVirtual()::start}: not a {@code newVirtualThreadPerTaskExecutor}, whose threads the JVM
     * collects with the executor once it is dropped).
     */
    static final class SupplyAsyncOrTimeout {
        static void start(Probe p) {
            Executor executor = task -> Thread.ofVirtual().name(p.name()).start(task);
            for (int i = 0; i < 2; i++) {
                SynchronousQueue<String> replies = new SynchronousQueue<>();
                String profile = CompletableFuture.supplyAsync(() -> {
                    p.arrive();
                    try {
                        return replies.take();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }, executor).orTimeout(5, TimeUnit.MILLISECONDS).exceptionally(e -> "anonymous").join();
                assert profile != null;
            }
        }
    }

    /** {@code supplyAsync} on the common pool, {@code get(timeout)}: the pool's worker stays blocked. */
    static final class CommonPoolGetTimeout {
        static void start(Probe p) throws InterruptedException, ExecutionException {
            Library.Mailbox<Integer> sensor = new Library.Mailbox<>(new SynchronousQueue<>());
            CompletableFuture<Integer> reading = CompletableFuture.supplyAsync(() -> {
                p.arrive();
                try {
                    return sensor.receive();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            try {
                reading.get(5, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                // the bug: reading.cancel(true) would not even help (supplyAsync ignores interrupts): nothing ends it
            }
        }
    }
}
