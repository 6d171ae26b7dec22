package dev.leakhound.agent.http;

import dev.leakhound.agent.AgentLog;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The debug server's HTTP/1.1 transport: one thread, {@code leakhound-http-dispatcher}, accepts, reads and writes
 * every connection without blocking (a {@link Selector}); answers are computed by at most two workers,
 * {@code leakhound-http-N}. A client costs no thread however slowly it sends or reads, only a slot of
 * {@link ConnectionLimits#maxConnections()} and a buffer.
 *
 * <p>Why not the JDK's {@code com.sun.net.httpserver}: its limits on connections and times
 * ({@code sun.net.httpserver.maxConnections}, {@code idleInterval}, {@code maxReqTime}, ...) are system properties
 * read once for the whole JVM, so setting them would change the host's own servers; without them it accepts every
 * connection (6,000 silent ones took all 4,096 descriptors of a host) and reads requests on its workers with
 * blocking reads (two clients sending a byte a second held both workers).
 *
 * <p>Per connection, in order ({@link State}): the request line and headers must come within
 * {@link ConnectionLimits#request()}, their first byte within {@link ConnectionLimits#idle()}, else the connection
 * is closed unanswered; a worker computes the answer (no deadline: an endpoint bounds itself); the response must be
 * taken within {@link ConnectionLimits#response()}; then the server closes its side, and reads and drops what the
 * client still sends for at most {@link ConnectionLimits#linger()} (a close with unread bytes would reset the
 * connection, and the client could lose the answer). One request per connection ({@code Connection: close}).
 *
 * <p>When {@link ConnectionLimits#maxConnections()} are open, a new connection is taken only by closing an old one:
 * the oldest still sending its request (silent or slow clients), else the oldest lingering, else the oldest being
 * sent its response; while every connection is being answered, new ones wait in the kernel's backlog. So
 * descriptors stay bounded, and a client that sends its request at once (a probe) gets in during a flood of silent
 * or slow connections. Responses being sent hold at most {@link ConnectionLimits#maxResponseBytes()}: above, the
 * oldest are cut.
 */
final class HttpConnections implements AutoCloseable {

    /** The head at most: the request line and headers (a browser's cookies for localhost fit). */
    static final int MAX_HEAD = 32 << 10;
    /** Bytes read and dropped after the response at most. */
    private static final int MAX_LINGER_BYTES = 64 << 10;
    /**
     * Connections the kernel completes before the server takes them (its own memory, not descriptors of the host):
     * room for a burst of connects, so that a probe's is not dropped (and retried a second later) during a flood.
     */
    private static final int BACKLOG = 128;
    /** New connections taken per turn of the loop at most, so that the requests of those taken are read first. */
    private static final int ACCEPT_BATCH = 8;
    /** A failed accept (e.g. the host is out of descriptors) pauses accepting for this long instead of spinning. */
    private static final long ACCEPT_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private enum State { READING, ANSWERING, WRITING, LINGERING, CLOSED }

    /** One connection; touched by the dispatcher thread only (a worker hands its answer over through {@link #done}). */
    private static final class Conn {
        final SocketChannel channel;
        final long acceptedAt;
        final long acceptedTurn;
        SelectionKey key;
        State state = State.READING;
        byte[] head = new byte[1024];
        int headLength;
        int searched;
        ByteBuffer[] out;
        long outBytes;
        long phaseStart;
        int lingered;

        Conn(SocketChannel channel, long now, long turn) {
            this.channel = channel;
            this.acceptedAt = now;
            this.acceptedTurn = turn;
            this.phaseStart = now;
        }
    }

    private record Done(Conn conn, ByteBuffer[] response, long bytes) {
    }

    private final ServerSocketChannel listener;
    private final Selector selector;
    private final SelectionKey acceptKey;
    private final ConnectionLimits limits;
    private final Function<HttpRequestHead, Response> handler;
    private final ThreadPoolExecutor workers;
    /** {@link System#nanoTime()}, or a test's: its values may be anywhere, so they are only ever subtracted. */
    private final LongSupplier clock;
    private final Thread dispatcher;
    /** Open connections in the order they were accepted (the oldest first). */
    private final LinkedHashSet<Conn> open = new LinkedHashSet<>();
    private final Queue<Done> done = new ConcurrentLinkedQueue<>();
    private final ByteBuffer scratch = ByteBuffer.allocate(8192);
    private volatile boolean closing;
    private long responseBytes;
    private volatile int openCount;
    private boolean acceptPaused;
    private long acceptPausedUntil;
    /** Turns of the dispatcher's loop so far. */
    private long turn;

    private HttpConnections(ServerSocketChannel listener, Selector selector, ConnectionLimits limits,
                            Function<HttpRequestHead, Response> handler, ThreadFactory workerThreads,
                            LongSupplier clock) throws IOException {
        this.clock = clock;
        this.listener = listener;
        this.selector = selector;
        this.limits = limits;
        this.handler = handler;
        listener.configureBlocking(false);
        this.acceptKey = listener.register(selector, SelectionKey.OP_ACCEPT);
        this.workers = new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(32),
                workerThreads, new ThreadPoolExecutor.AbortPolicy());
        workers.allowCoreThreadTimeOut(true);
        this.dispatcher = daemon("leakhound-http-dispatcher", this::run);
    }

    /**
     * Binds {@code address} and serves each request's head with {@code handler} (called on a worker; it must not
     * throw).
     *
     * @throws IOException if the address cannot be bound
     */
    static HttpConnections start(InetSocketAddress address, ConnectionLimits limits,
                                 Function<HttpRequestHead, Response> handler) throws IOException {
        AtomicInteger n = new AtomicInteger();
        return start(address, limits, handler, r -> daemon("leakhound-http-" + n.incrementAndGet(), r),
                System::nanoTime);
    }

    /**
     * {@link #start(InetSocketAddress, ConnectionLimits, Function)} with the workers' threads made by
     * {@code workerThreads}, and times read from {@code nanoClock} (tests).
     */
    static HttpConnections start(InetSocketAddress address, ConnectionLimits limits,
                                 Function<HttpRequestHead, Response> handler, ThreadFactory workerThreads,
                                 LongSupplier nanoClock) throws IOException {
        Selector selector = Selector.open();
        ServerSocketChannel listener = null;
        try {
            listener = ServerSocketChannel.open();
            listener.bind(address, BACKLOG);
            HttpConnections c = new HttpConnections(listener, selector, limits, handler, workerThreads, nanoClock);
            c.dispatcher.start();
            return c;
        } catch (IOException | RuntimeException | Error e) {
            if (listener != null) {
                closeQuietly(listener);
            }
            closeQuietly(selector);
            throw e;
        }
    }

    InetSocketAddress address() {
        return (InetSocketAddress) listener.socket().getLocalSocketAddress();
    }

    /** Closes every connection and the listening socket, and ends the threads (waits for each at most 5 s). */
    @Override
    public void close() {
        closing = true;
        try {
            selector.wakeup();
        } catch (RuntimeException e) {
            // closed already
        }
        workers.shutdownNow();
        boolean interrupted = false;
        long until = clock.getAsLong() + TimeUnit.SECONDS.toNanos(5);
        try {
            while (dispatcher.isAlive() && until - clock.getAsLong() > 0) {   // nanoTime may wrap: subtract
                try {
                    dispatcher.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(until - clock.getAsLong())));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            workers.awaitTermination(Math.max(0, until - clock.getAsLong()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            interrupted = true;
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- the dispatcher's loop

    private void run() {
        try {
            while (!closing) {
                turn++;
                Thread.interrupted();                          // not ours to take: it would make every select return
                long now = clock.getAsLong();
                long wait = expire(now);
                takeAnswers();
                acceptKey.interestOps(canAccept(now) ? SelectionKey.OP_ACCEPT : 0);
                if (acceptPaused) {
                    wait = Math.min(wait, acceptPausedUntil - now);
                }
                selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait) + 1));
                boolean acceptable = false;
                for (Iterator<SelectionKey> it = selector.selectedKeys().iterator(); it.hasNext(); ) {
                    SelectionKey k = it.next();
                    it.remove();
                    if (k == acceptKey) {
                        acceptable = k.isValid();
                    } else if (k.attachment() instanceof Conn c) {
                        try {
                            ready(c, k);
                        } catch (OutOfMemoryError e) {
                            close(c);                          // the host's heap is full: drop this one, not the server
                        }
                    }
                }
                if (acceptable) {
                    accept();
                }
            }
        } catch (ClosedSelectorException e) {
            // closed under us: stop
        } catch (Throwable t) {
            AgentLog.failed("debug server", t);
        } finally {
            for (Conn c : List.copyOf(open)) {
                close(c);
            }
            closeQuietly(listener);
            closeQuietly(selector);
            workers.shutdownNow();
        }
    }

    /** Closes connections past their deadline; the time until the next deadline. */
    private long expire(long now) {
        long next = TimeUnit.SECONDS.toNanos(1);
        for (Conn c : List.copyOf(open)) {
            long deadline = switch (c.state) {
                case READING -> c.acceptedAt + (c.headLength == 0 ? limits.idle() : limits.request()).toNanos();
                case WRITING -> c.phaseStart + limits.response().toNanos();
                case LINGERING -> c.phaseStart + limits.linger().toNanos();
                case ANSWERING, CLOSED -> Long.MAX_VALUE;
            };
            if (deadline == Long.MAX_VALUE) {
                continue;
            }
            if (deadline - now <= 0) {
                cut(c);
            } else {
                next = Math.min(next, deadline - now);
            }
        }
        return next;
    }

    private boolean canAccept(long now) {
        if (acceptPaused && acceptPausedUntil - now > 0) {
            return false;
        }
        acceptPaused = false;
        return open.size() < limits.maxConnections() || victim() != null;
    }

    private void accept() {
        for (int i = 0; i < ACCEPT_BATCH && canAccept(clock.getAsLong()); i++) {
            SocketChannel ch;
            try {
                ch = listener.accept();
            } catch (IOException e) {
                acceptPaused = true;                           // e.g. out of descriptors: wait instead of spinning
                acceptPausedUntil = clock.getAsLong() + ACCEPT_PAUSE_NANOS;
                return;
            }
            if (ch == null) {
                return;
            }
            Conn c = new Conn(ch, clock.getAsLong(), turn);
            open.add(c);
            openCount = open.size();
            try {
                ch.configureBlocking(false);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                c.key = ch.register(selector, SelectionKey.OP_READ, c);
            } catch (IOException | RuntimeException e) {
                close(c);
            }
            if (open.size() > limits.maxConnections()) {
                Conn v = victim();                             // there is one: canAccept said so
                cut(v != null ? v : c);
            }
        }
    }

    /**
     * The connection to close for a new one: the oldest still reading its request, else lingering, else writing;
     * {@code null} if all are being answered. Those accepted in this turn of the loop are spared: each connection
     * is read at least once before it can be cut, so a client that sends its request at once (a probe) gets in.
     */
    private Conn victim() {
        Conn lingering = null;
        Conn writing = null;
        for (Conn c : open) {
            if (c.acceptedTurn == turn) {
                continue;
            }
            switch (c.state) {
                case READING -> {
                    return c;
                }
                case LINGERING -> lingering = lingering == null ? c : lingering;
                case WRITING -> writing = writing == null ? c : writing;
                default -> {
                }
            }
        }
        return lingering != null ? lingering : writing;
    }

    private void ready(Conn c, SelectionKey k) {
        try {
            if (!k.isValid()) {
                close(c);
            } else if (c.state == State.READING && k.isReadable()) {
                read(c);
            } else if (c.state == State.WRITING && k.isWritable()) {
                write(c);
            } else if (c.state == State.LINGERING && k.isReadable()) {
                linger(c);
            }
        } catch (IOException | RuntimeException e) {
            close(c);                                          // the client went away, or broke the protocol
        }
    }

    private void read(Conn c) throws IOException {
        while (true) {
            if (c.headLength == c.head.length) {
                if (c.head.length >= MAX_HEAD) {
                    respond(c, Response.error(431, "request header fields too large: at most " + MAX_HEAD + " bytes"),
                            false);
                    return;
                }
                c.head = java.util.Arrays.copyOf(c.head, Math.min(MAX_HEAD, c.head.length * 2));
            }
            ByteBuffer b = ByteBuffer.wrap(c.head, c.headLength, c.head.length - c.headLength);
            int n = c.channel.read(b);
            if (n < 0) {
                close(c);
                return;
            }
            if (n == 0) {
                return;
            }
            c.headLength += n;
            int end = HttpRequestHead.end(c.head, c.searched, c.headLength);
            c.searched = c.headLength;
            if (end >= 0) {
                received(c, end);
                return;
            }
        }
    }

    /** The whole head has come: parse it and hand it to a worker. */
    private void received(Conn c, int end) {
        HttpRequestHead request;
        try {
            request = HttpRequestHead.parse(c.head, end);
        } catch (HttpRequestHead.Malformed e) {
            respond(c, Response.error(e.status, e.getMessage()), false);
            return;
        }
        c.head = null;                                         // not needed any more
        c.state = State.ANSWERING;
        c.key.interestOps(0);
        boolean head = request.method().equals("HEAD");
        Runnable task = () -> {
            ByteBuffer[] bytes = null;
            try {
                bytes = render(handler.apply(request), head);
            } catch (Throwable t) {
                // e.g. out of memory: this connection is cut, the server goes on (and its own failure, logged under
                // "debug server", is not hidden by this one: each part is logged once)
                AgentLog.once("debug server request", "a request failed and its connection was cut: "
                        + AgentLog.describe(t));
            } finally {
                done.add(new Done(c, bytes, bytes == null ? 0 : size(bytes)));
                selector.wakeup();
            }
        };
        try {
            workers.execute(task);
        } catch (RejectedExecutionException e) {
            respond(c, Response.error(503, "busy: too many requests in progress").withHeader("Retry-After", "1"),
                    head);
        } catch (OutOfMemoryError e) {
            // The pool starts a worker here (they end after 30 s idle): a host at its thread limit (a thread leak,
            // the very thing this agent looks for) throws "unable to create native thread". That is this request's
            // failure, not the dispatcher's: thrown on, it would end the dispatcher and the server with it.
            // The pool may have queued the task before it failed to start a worker for it: it must not run later
            // (a heap proof answered 503 and taken all the same).
            workers.remove(task);
            AgentLog.once("debug server request", "cannot start a thread to answer a request: "
                    + AgentLog.describe(e));
            respond(c, Response.error(503, "busy: cannot start a thread to answer (" + AgentLog.describe(e) + ")")
                    .withHeader("Retry-After", "1"), head);
        }
    }

    /** Answers handed over by the workers: start sending them. */
    private void takeAnswers() {
        for (Done d; (d = done.poll()) != null; ) {
            if (d.conn.state != State.ANSWERING) {
                continue;                                      // cut or closed meanwhile
            }
            if (d.response == null) {
                cut(d.conn);
            } else {
                send(d.conn, d.response, d.bytes);
            }
        }
    }

    private void respond(Conn c, Response r, boolean head) {
        ByteBuffer[] bytes = render(r, head);
        send(c, bytes, size(bytes));
    }

    private void send(Conn c, ByteBuffer[] response, long bytes) {
        // Keep the responses in flight bounded: cut the oldest ones (clients that do not read) to make room.
        while (responseBytes + bytes > limits.maxResponseBytes()) {
            Conn oldest = open.stream().filter(o -> o.state == State.WRITING).findFirst().orElse(null);
            if (oldest == null) {
                break;                                         // this one alone: it was bounded by its endpoint
            }
            cut(oldest);
        }
        c.state = State.WRITING;
        c.phaseStart = clock.getAsLong();
        c.out = response;
        c.outBytes = bytes;
        responseBytes += bytes;
        try {
            c.key.interestOps(SelectionKey.OP_WRITE);
            write(c);
        } catch (IOException | RuntimeException e) {
            close(c);
        }
    }

    private void write(Conn c) throws IOException {
        c.channel.write(c.out);
        // Every buffer, not the last only: an empty body has nothing left however much of the head is unsent.
        for (ByteBuffer b : c.out) {
            if (b.hasRemaining()) {
                return;                                        // the rest when the client has taken some
            }
        }
        responseBytes -= c.outBytes;
        c.out = null;
        c.outBytes = 0;
        c.state = State.LINGERING;
        c.phaseStart = clock.getAsLong();
        c.channel.shutdownOutput();
        c.key.interestOps(SelectionKey.OP_READ);
    }

    private void linger(Conn c) throws IOException {
        while (true) {
            scratch.clear();
            int n = c.channel.read(scratch);
            if (n < 0 || (c.lingered += Math.max(0, n)) > MAX_LINGER_BYTES) {
                close(c);                                      // the client closed too (or sends too much)
                return;
            }
            if (n == 0) {
                return;
            }
        }
    }

    /**
     * Closes a connection the server gives up on (past a deadline, or to make room): at once, with a reset, so that
     * the kernel drops what it still held for it (a response not taken: up to megabytes) and keeps no state.
     */
    private void cut(Conn c) {
        if (c.state != State.CLOSED && c.state != State.LINGERING) {
            try {
                c.channel.setOption(StandardSocketOptions.SO_LINGER, 0);
            } catch (IOException | RuntimeException e) {
                // closed anyway below
            }
        }
        close(c);
    }

    private void close(Conn c) {
        if (c.state == State.CLOSED) {
            return;
        }
        if (c.state == State.WRITING) {
            responseBytes -= c.outBytes;
        }
        c.state = State.CLOSED;
        c.out = null;
        c.head = null;
        open.remove(c);
        openCount = open.size();
        if (c.key != null) {
            c.key.cancel();
        }
        closeQuietly(c.channel);
    }

    /** Connections open now. */
    int openConnections() {
        return openCount;
    }

    /** Whether the dispatcher thread is still alive (tests: {@link #close()} ends it). */
    boolean dispatching() {
        return dispatcher.isAlive();
    }

    // ---------------------------------------------------------------- responses

    /** The status line and headers, and the body unless {@code head} (the body is not copied). */
    static ByteBuffer[] render(Response r, boolean head) {
        Map<String, String> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        h.put("Content-Type", r.contentType());
        h.put("Cache-Control", "no-store");
        h.put("X-Content-Type-Options", "nosniff");
        h.putAll(r.headers());
        h.put("Connection", "close");
        if (!head) {
            h.put("Content-Length", Integer.toString(r.body().length));
        }
        StringBuilder sb = new StringBuilder(256);
        sb.append("HTTP/1.1 ").append(r.status()).append(' ').append(reason(r.status())).append("\r\n");
        for (Map.Entry<String, String> e : h.entrySet()) {
            sb.append(oneLine(e.getKey())).append(": ").append(oneLine(e.getValue())).append("\r\n");
        }
        sb.append("\r\n");
        ByteBuffer start = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
        return head ? new ByteBuffer[] {start} : new ByteBuffer[] {start, ByteBuffer.wrap(r.body())};
    }

    private static long size(ByteBuffer[] buffers) {
        long n = 0;
        for (ByteBuffer b : buffers) {
            n += b.remaining();
        }
        return n;
    }

    /** No line break can end a header early (a header value is ours, but may quote a client). */
    private static String oneLine(String s) {
        return s.replace('\r', ' ').replace('\n', ' ');
    }

    static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 429 -> "Too Many Requests";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 503 -> "Service Unavailable";
            case 505 -> "HTTP Version Not Supported";
            default -> "Status " + status;
        };
    }

    // ---------------------------------------------------------------- threads

    /** A daemon platform thread that inherits no thread-local values of the host's thread that starts it. */
    private static Thread daemon(String name, Runnable r) {
        return Thread.ofPlatform().name(name).daemon(true).inheritInheritableThreadLocals(false).unstarted(r);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // nothing left to do
        }
    }
}
