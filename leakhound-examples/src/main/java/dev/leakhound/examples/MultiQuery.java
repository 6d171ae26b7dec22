package dev.leakhound.examples;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * The seed article's {@code multiQuery()}: ask three servers the same question, each in its own
 * virtual thread, and return the first answer.
 *
 * <p>The Go original sends each answer on a channel and returns the first one received. Which kind
 * of channel decides whether the two slower tasks can ever end; {@link Variant} picks one:
 *
 * <ul>
 *   <li>{@link Variant#LEAKY}: an unbuffered channel, here a {@link SynchronousQueue}. Once the caller
 *       has taken the first answer nobody receives any more, so the two slower tasks block forever in
 *       {@link SynchronousQueue#put}. Two virtual threads leak per call.
 *   <li>{@link Variant#BUFFERED}: a channel of capacity 3, here an {@link ArrayBlockingQueue} of 3. The
 *       slower tasks deliver into the buffer, which nobody reads, and end.
 *   <li>{@link Variant#CANCELLING}: no channel; {@link ExecutorService#invokeAny} returns the first
 *       answer and interrupts the slower tasks, so they end at once instead of finishing a useless
 *       query.
 * </ul>
 *
 * <p>The servers are simulated: each answers after a latency chosen by a function of its name. The
 * article draws 1-10 s at random; {@link #multiQuery(Variant)} scales that down to
 * {@link #DEFAULT_MIN_LATENCY}-{@link #DEFAULT_MAX_LATENCY}, and
 * {@link #multiQuery(Variant, Function, ThreadFactory)} takes any latency (for instance a seeded
 * {@link #randomLatency}) and the factory that makes the query threads, so a caller can see them.
 *
 * <p>Run it with {@code java dev.leakhound.examples.MultiQuery [LEAKY|BUFFERED|CANCELLING]}.
 */
public final class MultiQuery {

    /** The three servers asked, in the order their tasks are started. */
    public static final List<String> SERVERS =
            List.of("ns1.dnsserver.com", "ns2.dnsserver.com", "ns3.dnsserver.com");

    /** The shortest latency of {@link #multiQuery(Variant)} (the article: 1 s, here ten times less). */
    public static final Duration DEFAULT_MIN_LATENCY = Duration.ofMillis(100);

    /** The longest latency of {@link #multiQuery(Variant)} (the article: 10 s, here ten times less). */
    public static final Duration DEFAULT_MAX_LATENCY = Duration.ofSeconds(1);

    /** How the answers travel back to the caller. */
    public enum Variant {
        /** Unbuffered {@link SynchronousQueue}: the two slower tasks block forever on {@code put}. */
        LEAKY,
        /** {@link ArrayBlockingQueue} with room for every answer: the slower tasks deliver and end. */
        BUFFERED,
        /** {@link ExecutorService#invokeAny}: the slower tasks are interrupted on the first answer. */
        CANCELLING
    }

    private MultiQuery() {
    }

    /**
     * Asks the {@link #SERVERS} with random latencies of {@link #DEFAULT_MIN_LATENCY} to
     * {@link #DEFAULT_MAX_LATENCY}, each in a new virtual thread, and returns the first answer.
     *
     * @throws InterruptedException if the calling thread is interrupted while waiting
     */
    public static String multiQuery(Variant variant) throws InterruptedException {
        return multiQuery(variant,
                randomLatency(DEFAULT_MIN_LATENCY, DEFAULT_MAX_LATENCY, RandomGenerator.getDefault()),
                Thread.ofVirtual().name("multiquery-", 0).factory());
    }

    /**
     * Asks every one of the {@link #SERVERS} in a thread of its own and returns the first answer, in
     * the form {@code "src=ns2.dnsserver.com use ms=120"}.
     *
     * @param variant how the answers are sent back, and so whether the slower tasks leak
     * @param latency how long each server takes to answer; called once per server, in the order of
     *     {@link #SERVERS}, on the calling thread, before any task starts (so a seeded random
     *     latency gives the same latencies every time)
     * @param threads makes the three query threads (normally virtual threads)
     * @throws InterruptedException if the calling thread is interrupted while waiting
     */
    public static String multiQuery(Variant variant, Function<String, Duration> latency, ThreadFactory threads)
            throws InterruptedException {
        Objects.requireNonNull(variant, "variant");
        Objects.requireNonNull(threads, "threads");
        List<Duration> latencies = SERVERS.stream().map(latency).map(Objects::requireNonNull).toList();
        return switch (variant) {
            // Go: res := make(chan string)
            case LEAKY -> firstAnswer(new SynchronousQueue<>(), latencies, threads);
            // Go: res := make(chan string, 3)
            case BUFFERED -> firstAnswer(new ArrayBlockingQueue<>(SERVERS.size()), latencies, threads);
            case CANCELLING -> firstAnswerCancellingTheOthers(latencies, threads);
        };
    }

    /** Starts one task per server that sends its answer to {@code answers}; returns the first answer. */
    private static String firstAnswer(BlockingQueue<String> answers, List<Duration> latencies, ThreadFactory threads)
            throws InterruptedException {
        for (int i = 0; i < SERVERS.size(); i++) {
            String server = SERVERS.get(i);
            Duration serverLatency = latencies.get(i);
            threads.newThread(() -> {
                try {
                    String answer = queryFromSrc(server, serverLatency);
                    answers.put(answer); // LEAKY: the two slower tasks block here forever, nobody takes any more.
                } catch (InterruptedException e) {
                    // Interrupted while querying or sending: give up, the task ends.
                }
            }).start();
        }
        return answers.take(); // Go: return <-res
    }

    /** Runs one task per server; the first answer wins and the others are interrupted. */
    private static String firstAnswerCancellingTheOthers(List<Duration> latencies, ThreadFactory threads)
            throws InterruptedException {
        List<Callable<String>> queries = new ArrayList<>();
        for (int i = 0; i < SERVERS.size(); i++) {
            String server = SERVERS.get(i);
            Duration serverLatency = latencies.get(i);
            queries.add(() -> queryFromSrc(server, serverLatency));
        }
        // invokeAny interrupts the slower tasks once it has an answer; close() then waits for them to end.
        try (ExecutorService executor = Executors.newThreadPerTaskExecutor(threads)) {
            return executor.invokeAny(queries);
        } catch (ExecutionException e) {
            throw new IllegalStateException("no server answered", e.getCause());
        }
    }

    /**
     * The simulated query: waits {@code latency}, as if the server took that long, and returns
     * {@code "src=<server> use ms=<latency>"}.
     *
     * @throws InterruptedException if interrupted while waiting for the "server"
     */
    public static String queryFromSrc(String server, Duration latency) throws InterruptedException {
        Thread.sleep(latency); // simulates the DNS lookup and the query
        return "src=" + server + " use ms=" + latency.toMillis();
    }

    /**
     * A latency drawn uniformly, to the millisecond, from {@code min} to {@code max} inclusive.
     *
     * @param random the source of randomness; a seeded one ({@code new Random(42)}) makes the
     *     latencies repeatable
     */
    public static Function<String, Duration> randomLatency(Duration min, Duration max, RandomGenerator random) {
        long minMillis = min.toMillis();
        long maxMillis = max.toMillis();
        if (minMillis < 0 || maxMillis < minMillis) {
            throw new IllegalArgumentException("need 0 <= min <= max, got " + min + " and " + max);
        }
        Objects.requireNonNull(random, "random");
        return server -> Duration.ofMillis(random.nextLong(minMillis, maxMillis + 1));
    }

    /**
     * Runs one query with random latencies, prints the answer, then waits as long as the slowest
     * server could take and prints the query threads that are still alive: two with
     * {@code LEAKY}, stuck in {@code SynchronousQueue.put}; none otherwise.
     */
    public static void main(String[] args) throws InterruptedException {
        Variant variant = args.length > 0 ? Variant.valueOf(args[0].toUpperCase(Locale.ROOT)) : Variant.LEAKY;
        List<Thread> started = new CopyOnWriteArrayList<>();
        ThreadFactory virtualThreads = Thread.ofVirtual().name("multiquery-", 0).factory();
        ThreadFactory recording = task -> {
            Thread thread = virtualThreads.newThread(task);
            started.add(thread);
            return thread;
        };

        System.out.println("start multi query (" + variant + "):");
        String res = multiQuery(variant, randomLatency(DEFAULT_MIN_LATENCY, DEFAULT_MAX_LATENCY, new Random()), recording);
        System.out.println("res= " + res);

        // Give the slower servers all the time they could need (the article's commented-out time.Sleep).
        Instant deadline = Instant.now().plus(DEFAULT_MAX_LATENCY).plusMillis(500);
        for (Thread thread : started) {
            Duration left = Duration.between(Instant.now(), deadline);
            if (!left.isNegative()) {
                thread.join(left);
            }
        }
        List<Thread> alive = started.stream().filter(Thread::isAlive).toList();
        System.out.printf("%d of %d query threads still alive%n", alive.size(), started.size());
        for (Thread thread : alive) {
            StackTraceElement[] stack = thread.getStackTrace();
            String where = stack.length == 0 ? "?" : stack[0].toString();
            for (StackTraceElement frame : stack) {
                if (frame.getClassName().startsWith(MultiQuery.class.getName())) {
                    where = frame.toString();
                    break;
                }
            }
            System.out.printf("  %s %s at %s%n", thread, thread.getState(), where);
        }
    }
}
