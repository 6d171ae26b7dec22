package dev.leakhound.agent;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Deadlines for the debug server's clients, so that a slow or silent client cannot hold a worker for good;
 * without the JDK's {@code sun.net.httpserver.maxReqTime}/{@code maxRspTime}, which are global to the JVM and
 * would change the host's own servers.
 *
 * <p>Why: the JDK's server (JDK 25's {@code sun.net.httpserver.ServerImpl}) hands a connection to a worker as
 * soon as its first byte arrives, and the worker reads the request line and headers with blocking reads that
 * have no timeout: a client that sends half a request holds a worker until it closes the connection, two of
 * them hold both. (A connection that sends nothing holds no worker: it waits in the dispatcher's selector until
 * the JDK closes it as idle.) Likewise a client that does not read a large response, or announces a body it
 * does not send, holds its worker in the write, or in the close that drains the body.
 *
 * <p>How: each exchange runs through {@link #execute} and is given two deadlines: {@link Timeouts#request()}
 * from the moment the worker takes the connection until the handler has the request ({@link #requestRead()}),
 * and {@link Timeouts#response()} from the moment the handler starts sending ({@link #sending()}) until the
 * exchange ends; none while an endpoint computes its answer. At a deadline the worker is interrupted: its
 * blocking channel read or write fails with {@link java.nio.channels.ClosedByInterruptException}, which closes
 * the connection, and the JDK and the handler treat it as a client gone. The interrupt is sent only while that
 * exchange is in the phase that timed out, and cleared when the exchange ends: it never reaches an endpoint or
 * the next exchange.
 *
 * <p>One daemon thread, {@code leakhound-http-watchdog}, ended by {@link #close()}; at most one timer per
 * running exchange.
 */
final class ClientDeadlines implements Executor, AutoCloseable {

    /**
     * @param request  to send the request line and headers, from its first byte
     * @param response to take the whole response (and to send the body it announced, if any)
     */
    record Timeouts(Duration request, Duration response) {
        static final Timeouts DEFAULT = new Timeouts(Duration.ofSeconds(10), Duration.ofSeconds(30));

        Timeouts {
            if (request.isNegative() || request.isZero() || response.isNegative() || response.isZero()) {
                throw new IllegalArgumentException("timeouts must be positive: " + request + ", " + response);
            }
        }
    }

    private enum Phase { REQUEST, ANSWER, RESPONSE, TIMED_OUT, DONE }

    /** One exchange on its worker thread. */
    private final class Watch {
        private final Thread worker = Thread.currentThread();
        private Phase phase;                  // guarded by this
        private ScheduledFuture<?> timer;     // guarded by this

        /** Moves from {@code from} to {@code to}, with a deadline or none; false if not in {@code from}. */
        synchronized boolean move(Phase from, Phase to, Duration deadline) {
            if (phase != from) {
                return false;
            }
            cancelTimer();
            phase = to;
            if (deadline != null) {
                try {
                    timer = watchdog.schedule(() -> expire(to), deadline.toNanos(), TimeUnit.NANOSECONDS);
                } catch (RejectedExecutionException e) {
                    // closed: the server is stopping and closes every connection itself
                }
            }
            return true;
        }

        private synchronized void expire(Phase armed) {
            if (phase == armed) {
                phase = Phase.TIMED_OUT;
                worker.interrupt();
            }
        }

        /** Called by the worker when the exchange has ended. */
        synchronized void end() {
            cancelTimer();
            if (phase == Phase.TIMED_OUT) {
                Thread.interrupted();        // ours, maybe not consumed by a channel: not for the next exchange
            }
            phase = Phase.DONE;
        }

        private void cancelTimer() {
            if (timer != null) {
                timer.cancel(false);
                timer = null;
            }
        }
    }

    private final Executor workers;
    private final Timeouts timeouts;
    private final ScheduledThreadPoolExecutor watchdog;
    private final ThreadLocal<Watch> current = new ThreadLocal<>();

    /** Runs exchanges on {@code workers}; starts the watchdog thread. */
    ClientDeadlines(Executor workers, Timeouts timeouts) {
        this.workers = Objects.requireNonNull(workers, "workers");
        this.timeouts = Objects.requireNonNull(timeouts, "timeouts");
        this.watchdog = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "leakhound-http-watchdog");
            t.setDaemon(true);
            return t;
        });
        watchdog.setRemoveOnCancelPolicy(true);               // a cancelled timer leaves the queue at once
        watchdog.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        watchdog.prestartCoreThread();
    }

    /** Runs the JDK's exchange (read the request, call the handler) on a worker, under the request deadline. */
    @Override
    public void execute(Runnable exchange) {
        workers.execute(() -> {
            Watch w = new Watch();
            w.move(null, Phase.REQUEST, timeouts.request());
            current.set(w);
            try {
                exchange.run();
            } finally {
                current.remove();
                w.end();
            }
        });
    }

    /**
     * Called by the handler on entry: the request has been read, no deadline until {@link #sending()}. False if
     * it came too late: the connection is being closed, the handler must not answer.
     */
    boolean requestRead() {
        Watch w = current.get();
        return w == null || w.move(Phase.REQUEST, Phase.ANSWER, null);
    }

    /** Called by the handler before it sends the response: the response deadline runs until the exchange ends. */
    void sending() {
        Watch w = current.get();
        if (w != null) {
            w.move(Phase.ANSWER, Phase.RESPONSE, timeouts.response());
        }
    }

    /** Ends the watchdog thread (waits at most 5 s); exchanges still running have no deadline from then on. */
    @Override
    public void close() {
        watchdog.shutdownNow();
        try {
            watchdog.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
