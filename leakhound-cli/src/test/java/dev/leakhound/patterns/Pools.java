package dev.leakhound.patterns;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** forgotten-pool: idle workers of a pool nobody can reach or shut down. */
final class Pools {
    private Pools() {
    }

    /** A request handler makes a fixed pool for its two sub-tasks and never shuts it down. */
    static final class FixedPoolPerRequest {
        static void start(Probe p) throws Exception {
            int total = handle(p, 20, 22);
            assert total == 42;
        }

        private static int handle(Probe p, int a, int b) throws Exception {
            ExecutorService pool = Executors.newFixedThreadPool(2, p.factory());
            Future<Integer> left = pool.submit(() -> a);
            Future<Integer> right = pool.submit(() -> b);
            return left.get() + right.get();                // the bug: no pool.shutdown() (or try-with-resources)
        }
    }

    /** A client object owns a {@link Library.JobRunner} (a scheduled pool); the client is dropped unclosed. */
    static final class SchedulerPerClient {
        static void start(Probe p) {
            Library.JobRunner jobs = new Library.JobRunner(2, p.factory());
            jobs.runSoon(() -> { });
            jobs.runSoon(() -> { });
        }
    }
}
