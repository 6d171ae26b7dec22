package dev.leakhound.bench;

import dev.leakhound.agent.instrument.StartTracking;

import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The cost of recording where threads start: start and join {@code N} (default 1,000,000) short virtual threads,
 * with recording off and on, in pairs in one JVM ({@link Paired}), in two ways: {@code Thread.ofVirtual().start}
 * and {@code submit} to a virtual-thread-per-task executor (whose task wrappers must be unwrapped to find the key).
 *
 * <pre>
 *   java -javaagent:benchmarks.jar -cp benchmarks.jar dev.leakhound.bench.StartOverhead [N] [PAIRS]
 *   java -cp benchmarks.jar dev.leakhound.bench.StartOverhead --no-agent [N] [PAIRS]   (the JVM without hooks)
 * </pre>
 * "off" has the hooks in place but recording switched off (one volatile read per start and end); the run with
 * {@code --no-agent} gives the time of a JVM that was never instrumented, for comparison.
 */
public final class StartOverhead {
    private static final int BATCH = 10_000;
    // One task per way: a task class started from two places in the code is walked at every start (see ThreadStarts).
    private static final Runnable DIRECT = () -> { };
    private static final Runnable SUBMITTED = () -> { };

    private StartOverhead() {
    }

    public static void main(String[] args) throws Exception {
        boolean noAgent = args.length > 0 && args[0].equals("--no-agent");
        int first = noAgent ? 1 : 0;
        int n = args.length > first ? Integer.parseInt(args[first]) : 1_000_000;
        int pairs = args.length > first + 1 ? Integer.parseInt(args[first + 1]) : 7;
        if (noAgent) {
            for (String way : new String[] {"Thread.ofVirtual().start", "executor.submit"}) {
                Paired p = Paired.measure(2, pairs, () -> run(way, n), () -> run(way, n));
                System.out.printf(Locale.ROOT, "no agent  %-26s %,d threads: median %.0f ms%n", way, n,
                        p.baselineMedianMillis());
            }
            return;
        }
        if (BenchAgent.instrumentation == null) {
            throw new IllegalStateException("run with -javaagent:benchmarks.jar (or --no-agent)");
        }
        StartTracking.start(BenchAgent.instrumentation, 250_000);
        for (String way : new String[] {"Thread.ofVirtual().start", "executor.submit"}) {
            Paired p = Paired.measure(2, pairs, () -> {
                StartTracking.stop();
                return run(way, n);
            }, () -> {
                StartTracking.start(BenchAgent.instrumentation, 250_000);
                return run(way, n);
            });
            StartTracking.Stats s = StartTracking.stats();
            System.out.printf(Locale.ROOT, "%-26s %,d threads: off %.0f ms, on %.0f ms, on/off median %.2fx "
                            + "(quartiles %.2f-%.2f); after: %d records left, %d sites, %d stack walks%n",
                    way, n, p.baselineMedianMillis(), p.subjectMedianMillis(), p.ratioAt(0.5), p.ratioAt(0.25),
                    p.ratioAt(0.75), s.tracked(), s.sites(), s.walks());
        }
    }

    private static Object run(String way, int n) throws Exception {
        if (way.equals("executor.submit")) {
            try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
                Future<?>[] batch = new Future<?>[BATCH];
                for (int done = 0; done < n; done += BATCH) {
                    for (int i = 0; i < BATCH; i++) {
                        batch[i] = ex.submit(SUBMITTED);
                    }
                    for (Future<?> f : batch) {
                        f.get();
                    }
                }
            }
            return n;
        }
        Thread[] batch = new Thread[BATCH];
        for (int done = 0; done < n; done += BATCH) {
            for (int i = 0; i < BATCH; i++) {
                batch[i] = Thread.ofVirtual().start(DIRECT);
            }
            for (Thread t : batch) {
                t.join();
            }
        }
        return n;
    }
}
