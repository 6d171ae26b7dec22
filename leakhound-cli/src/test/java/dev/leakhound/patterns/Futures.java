package dev.leakhound.patterns;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/** lost-future: waiting on a future that nobody will complete. */
final class Futures {
    private Futures() {
    }

    /** Platform threads wait on a {@link Library.ResultHolder}; the code that should set it failed first. */
    static final class ResultNeverSet {
        static void start(Probe p) {
            Library.ResultHolder<String> token = new Library.ResultHolder<>();
            for (int i = 0; i < 2; i++) {
                Thread.ofPlatform().name(p.name()).daemon().start(() -> {
                    p.arrive();
                    try {
                        token.await();
                    } catch (InterruptedException | ExecutionException ignored) {
                        // ends
                    }
                });
            }
            try {
                refresh(token);
            } catch (IllegalStateException expected) {
                // the failure path forgets token.set(...)
            }
        }

        private static void refresh(Library.ResultHolder<String> token) {
            if (token != null) {
                throw new IllegalStateException("auth server unreachable");
            }
        }
    }

    /** Virtual threads {@code join} futures of a pending-request map that was dropped with its dispatcher. */
    static final class PendingRequestsDropped {
        static void start(Probe p) {
            Map<Integer, CompletableFuture<String>> pending = new HashMap<>();
            for (int id = 0; id < 3; id++) {
                CompletableFuture<String> response = new CompletableFuture<>();
                pending.put(id, response);
                Thread.ofVirtual().name(p.name()).start(() -> {
                    p.arrive();
                    response.join();
                });
            }
            pending.clear();                                  // the connection closed: nobody completes them
        }
    }

    /** Virtual threads wait on a {@link FutureTask} that was never handed to an executor. */
    static final class TaskNeverSubmitted {
        static void start(Probe p) {
            FutureTask<byte[]> thumbnail = new FutureTask<>(() -> new byte[16]);
            for (int i = 0; i < 2; i++) {
                Thread.ofVirtual().name(p.name()).start(() -> {
                    p.arrive();
                    try {
                        thumbnail.get();
                    } catch (InterruptedException | ExecutionException ignored) {
                        // ends
                    }
                });
            }
        }
    }
}
