package dev.leakhound.patterns;

import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.SynchronousQueue;

/** abandoned-senders: N senders, one receive, and the receiver returns. */
final class Senders {
    private Senders() {
    }

    /** The article's multiQuery, new form: ask every replica on a virtual thread, keep the first answer. */
    static final class FirstReplicaWins {
        static void start(Probe p) throws InterruptedException {
            String best = fastest(p, List.of("eu-west", "us-east", "ap-south", "sa-east"));
            assert !best.isEmpty();
        }

        private static String fastest(Probe p, List<String> replicas) throws InterruptedException {
            SynchronousQueue<String> answers = new SynchronousQueue<>();
            for (String replica : replicas) {
                Thread.ofVirtual().name(p.name()).start(() -> {
                    p.arrive();
                    try {
                        answers.put(replica + ": 42 rows");
                    } catch (InterruptedException ignored) {
                        // ends
                    }
                });
            }
            return answers.take();
        }
    }

    /** Platform threads send into a {@link Library.Mailbox} of one slot; the reader takes one message and leaves. */
    static final class MailboxFanIn {
        static void start(Probe p) throws InterruptedException {
            Library.Mailbox<String> inbox = new Library.Mailbox<>(new ArrayBlockingQueue<>(1));
            for (int i = 0; i < 4; i++) {
                int shard = i;
                Thread.ofPlatform().name(p.name()).daemon().start(() -> {
                    p.arrive();
                    try {
                        inbox.send("shard " + shard + " done");
                    } catch (InterruptedException ignored) {
                        // ends
                    }
                });
            }
            String first = inbox.receive();
            assert first.startsWith("shard");
        }
    }

    /**
     * Tasks of a service-wide {@code newVirtualThreadPerTaskExecutor} hand their result over with
     * {@link LinkedTransferQueue#transfer}; the caller takes one. The executor lives as long as the service (a
     * dropped one would take its blocked threads with it at the next GC: the JVM collects those).
     */
    static final class TransferFanOut {
        static final ExecutorService SERVICE_EXECUTOR = Executors.newVirtualThreadPerTaskExecutor();

        static void start(Probe p) throws InterruptedException {
            LinkedTransferQueue<Integer> quotes = new LinkedTransferQueue<>();
            for (int i = 0; i < 3; i++) {
                int price = 100 + i;
                SERVICE_EXECUTOR.execute(() -> {
                    p.arrive();
                    try {
                        quotes.transfer(price);
                    } catch (InterruptedException ignored) {
                        // ends
                    }
                });
            }
            int cheapest = quotes.take();
            assert cheapest > 0;
        }
    }
}
