package dev.leakhound.agent;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The debug HTTP server, on the JDK's own {@code com.sun.net.httpserver} (no dependency).
 *
 * <p>Security, in the order a request meets it:
 * <ol>
 *   <li>It binds a loopback address unless told otherwise, and refuses to start on any other address without a
 *       token ({@link AgentOptions}).</li>
 *   <li>With a token, every request must carry {@code Authorization: Bearer <token>}, compared in constant
 *       time; otherwise 401 with {@code WWW-Authenticate: Bearer}. Without a token (loopback only), the
 *       {@code Host} header must name a loopback address ({@code localhost}, {@code 127.x.x.x}, {@code [::1]}),
 *       otherwise 403: a web page cannot read the server through DNS rebinding.</li>
 *   <li>Only the exact paths of the endpoints, otherwise 404, whatever the method.</li>
 *   <li>GET and HEAD only, otherwise 405 with {@code Allow: GET, HEAD}; except an endpoint that says
 *       {@link Endpoint#post()}, which takes POST only (GET and HEAD get 405 with {@code Allow: POST}), and a POST
 *       that carries an {@code Origin} header gets 403. Only {@code /debug/leaks/proof} does ({@code heapProof=true}):
 *       it pauses the host for a heap dump and writes it to disk, which a crawler, a prefetch or a link followed by
 *       mistake must not trigger, nor a web page: browsers send cross-site POSTs without asking, but always with
 *       an {@code Origin}, which clients like curl do not send. A POST's body is never read (the JDK drains at
 *       most 64 KB of it when the exchange closes, under the response deadline).</li>
 *   <li>Only the parameters an endpoint knows, with values it accepts, otherwise 400 and one line saying why.</li>
 * </ol>
 * Every response is bounded (each endpoint caps what it lists, and text stops at {@link BoundedText#DEFAULT_LIMIT});
 * no endpoint reads or writes files of the user's or shows environment variables or system properties (the heap
 * proof writes its dump to a private directory of its own and removes it, and never serves it).
 * An endpoint that fails with anything but a bad request is logged once and switched off (503 from then on);
 * the server itself and the other endpoints go on.
 *
 * <p>Slow clients ({@link ClientDeadlines}): a worker that has taken a connection (its first bytes have come)
 * waits at most 10 s for the rest of the request, and at most 30 s for the client to take the response; then the
 * connection is closed. A connection that sends nothing holds no worker; the JDK closes it after its idle
 * interval (30 s by default).
 *
 * <p>Threads, all daemon: {@code leakhound-http-dispatcher} (the JDK's dispatcher, renamed),
 * {@code leakhound-http-timer} (the JDK's idle-connection timer, renamed), {@code leakhound-http-watchdog}
 * (the deadlines) and at most two {@code leakhound-http-N} workers; a request that finds both busy and 32
 * waiting has its connection closed.
 */
public final class DebugServer implements AutoCloseable {

    /** What a path answers. */
    public interface Endpoint {
        /** The query parameters it accepts. */
        Set<String> params();

        /** Checks the parameters' values; throws {@link Query.BadRequest}. Called for HEAD instead of {@link #get}. */
        default void validate(Query q) {
        }

        /**
         * The answer to a GET, or to a POST for an endpoint that takes POST ({@link #post()}). May throw
         * {@link Query.BadRequest} (400) or {@link Unavailable} (503).
         */
        Response get(Query q) throws Exception;

        /**
         * Whether this endpoint takes POST, and only POST, instead of GET and HEAD: for an answer that costs the
         * host so much, or changes so much, that nothing but a deliberate request may trigger it.
         */
        default boolean post() {
            return false;
        }

        /** One line for the index page. */
        String description();

        /** The {@code Content-Type} of a GET with these parameters, for HEAD. */
        default String contentType(Query q) {
            return Response.TEXT;
        }
    }

    /** The endpoint cannot answer now, or at all: 503 with this message (or another status, e.g. 429). */
    public static final class Unavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int status;
        private final transient Map<String, String> headers;

        public Unavailable(String message) {
            this(503, message, Map.of());
        }

        public Unavailable(int status, String message, Map<String, String> headers) {
            super(message, null, false, false);
            this.status = status;
            this.headers = Map.copyOf(headers);
        }

        Response response() {
            Response r = Response.error(status, getMessage());
            for (Map.Entry<String, String> e : headers.entrySet()) {
                r = r.withHeader(e.getKey(), e.getValue());
            }
            return r;
        }
    }

    private final HttpServer server;
    private final ThreadPoolExecutor executor;
    private final ClientDeadlines deadlines;
    private final Map<String, Endpoint> routes;
    private final byte[] tokenHash;
    private final URI url;
    private final Map<String, String> switchedOff = new ConcurrentHashMap<>();

    private DebugServer(HttpServer server, ThreadPoolExecutor executor, ClientDeadlines deadlines,
                        Map<String, Endpoint> routes, String token) {
        this.server = server;
        this.executor = executor;
        this.deadlines = deadlines;
        this.routes = routes;
        this.tokenHash = token == null ? null : sha256(token);
        InetSocketAddress a = server.getAddress();
        String host = a.getAddress().getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        this.url = URI.create("http://" + host + ":" + a.getPort() + "/");
    }

    /**
     * Binds and starts the server with these endpoints (path to endpoint).
     *
     * @throws IOException if the address cannot be bound (e.g. the port is taken)
     * @throws IllegalArgumentException if a non-loopback address has no token
     */
    public static DebugServer start(AgentOptions options, Map<String, Endpoint> endpoints) throws IOException {
        return start(options, endpoints, ClientDeadlines.Timeouts.DEFAULT);
    }

    /** {@link #start(AgentOptions, Map)} with other deadlines for slow clients (tests). */
    static DebugServer start(AgentOptions options, Map<String, Endpoint> endpoints, ClientDeadlines.Timeouts timeouts)
            throws IOException {
        InetAddress address = options.bindAddress();
        if (!address.isLoopbackAddress() && options.token() == null) {
            throw new IllegalArgumentException("refusing to serve on " + address.getHostAddress()
                    + " (not a loopback address) without a token");
        }
        Map<String, Endpoint> routes = new LinkedHashMap<>(endpoints);
        Set<Thread> before = liveThreads();
        HttpServer server = HttpServer.create(new InetSocketAddress(address, options.port()), 16);
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor executor = new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(32),
                r -> {
                    Thread t = new Thread(r, "leakhound-http-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.AbortPolicy());
        executor.allowCoreThreadTimeOut(true);
        ClientDeadlines deadlines = new ClientDeadlines(executor, timeouts);
        DebugServer ds = new DebugServer(server, executor, deadlines, routes, options.token());
        try {
            server.setExecutor(deadlines);
            server.createContext("/", ds::handle);
            // The JDK's dispatcher thread inherits the daemon status of the thread that starts it:
            // start it from a daemon thread so that it never keeps the host alive.
            Throwable[] failure = new Throwable[1];
            Thread starter = new Thread(() -> {
                try {
                    server.start();
                } catch (Throwable t) {
                    failure[0] = t;
                }
            }, "leakhound-http-start");
            starter.setDaemon(true);
            starter.start();
            joinUninterruptibly(starter);
            if (failure[0] != null) {
                throw new IOException("could not start the HTTP server: " + AgentLog.describe(failure[0]), failure[0]);
            }
            renameJdkThreads(before);
            return ds;
        } catch (IOException | RuntimeException | Error e) {
            server.stop(0);
            executor.shutdownNow();
            deadlines.close();
            throw e;
        }
    }

    /** {@code http://127.0.0.1:6060/}. */
    public URI url() {
        return url;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The paths served, in order. */
    public List<String> paths() {
        return List.copyOf(routes.keySet());
    }

    /** Stops at once: open exchanges are closed; waits a little for the workers and the watchdog to end. */
    @Override
    public void close() {
        try {
            server.stop(0);
        } finally {
            executor.shutdownNow();
            try {
                executor.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                deadlines.close();
            }
        }
    }

    // ---------------------------------------------------------------- requests

    private void handle(HttpExchange ex) {
        try (ex) {
            if (!deadlines.requestRead()) {
                return;                  // the request came after its deadline: its connection is being closed
            }
            Response r = answer(ex);
            deadlines.sending();
            send(ex, r);
        } catch (IOException e) {
            // the client went away, or was too slow to take the response: nothing to do
        } catch (Throwable t) {
            AgentLog.failed("debug server", t);
        }
    }

    private Response answer(HttpExchange ex) {
        if (tokenHash != null && !authorized(ex.getRequestHeaders().getFirst("Authorization"))) {
            return Response.error(401, "unauthorized: send the header 'Authorization: Bearer <token>'")
                    .withHeader("WWW-Authenticate", "Bearer realm=\"leakhound\"");
        }
        if (tokenHash == null && !loopbackHost(ex.getRequestHeaders().getFirst("Host"))) {
            return Response.error(403, "forbidden: the Host header must name a loopback address (localhost, 127.0.0.1, [::1])");
        }
        String method = ex.getRequestMethod();
        boolean head = method.equals("HEAD");
        String path = ex.getRequestURI().getRawPath();
        Endpoint endpoint = path == null ? null : routes.get(path);
        if (endpoint == null) {
            return Response.error(404, "no such endpoint: " + Query.printable(String.valueOf(path))
                    + " (see " + (routes.containsKey("/debug/") ? "/debug/" : String.join(", ", routes.keySet())) + ")");
        }
        if (endpoint.post()) {
            if (!method.equals("POST")) {
                return Response.error(405, "method " + Query.printable(method) + " not allowed: POST only")
                        .withHeader("Allow", "POST");
            }
            if (ex.getRequestHeaders().containsKey("Origin")) {
                return Response.error(403, "forbidden: a POST from a web page (with an Origin header) is refused");
            }
        } else if (!head && !method.equals("GET")) {
            return Response.error(405, "method " + Query.printable(method) + " not allowed: GET or HEAD only")
                    .withHeader("Allow", "GET, HEAD");
        }
        String off = switchedOff.get(path);
        if (off != null) {
            return Response.error(503, path + " is switched off after an error: " + off);
        }
        try {
            Query q = Query.parse(ex.getRequestURI().getRawQuery(), endpoint.params());
            if (head) {
                endpoint.validate(q);
                return new Response(200, endpoint.contentType(q), new byte[0], Map.of());
            }
            Response r = endpoint.get(q);
            return Objects.requireNonNull(r, "endpoint answered nothing");
        } catch (Query.BadRequest e) {
            return Response.error(400, "bad request: " + e.getMessage());
        } catch (Unavailable e) {
            return e.response();
        } catch (Throwable t) {
            String reason = AgentLog.describe(t);
            switchedOff.put(path, reason);
            AgentLog.failed("endpoint " + path, t);
            return Response.error(500, path + " failed and is switched off: " + reason);
        }
    }

    private static void send(HttpExchange ex, Response r) throws IOException {
        var h = ex.getResponseHeaders();
        h.set("Content-Type", r.contentType());
        h.set("Cache-Control", "no-store");
        h.set("X-Content-Type-Options", "nosniff");
        for (Map.Entry<String, String> e : r.headers().entrySet()) {
            h.set(e.getKey(), e.getValue());
        }
        boolean head = ex.getRequestMethod().equals("HEAD");
        if (head || r.body().length == 0) {
            ex.sendResponseHeaders(r.status(), -1);
            return;
        }
        ex.sendResponseHeaders(r.status(), r.body().length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(r.body());
        }
    }

    /** Whether a {@code Host} header ({@code host[:port]}) names a loopback address; no header is HTTP/1.0: allowed. */
    static boolean loopbackHost(String header) {
        if (header == null) {
            return true;
        }
        String h = header.strip();
        String host;
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            if (end < 0) {
                return false;
            }
            host = h.substring(1, end);
        } else {
            int colon = h.lastIndexOf(':');
            host = colon >= 0 ? h.substring(0, colon) : h;
        }
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        return AgentOptions.isLoopback(host);
    }

    private boolean authorized(String header) {
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        String given = header.substring(7).strip();
        // Hashes of equal length, compared in constant time: neither the token nor its length leaks.
        return MessageDigest.isEqual(sha256(given), tokenHash);
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---------------------------------------------------------------- threads

    private static Set<Thread> liveThreads() {
        return new HashSet<>(Thread.getAllStackTraces().keySet());
    }

    /** Gives the JDK's server threads made just now names of Leakhound's, so that they are told apart and ignored. */
    private static void renameJdkThreads(Set<Thread> before) {
        try {
            for (Thread t : liveThreads()) {
                if (before.contains(t)) {
                    continue;
                }
                switch (t.getName()) {
                    case "HTTP-Dispatcher" -> t.setName("leakhound-http-dispatcher");
                    case "idle-timeout-task", "server-timer" -> t.setName("leakhound-http-timer");
                    case "req-rsp-timeout-task" -> t.setName("leakhound-http-timer2");
                    default -> {
                    }
                }
            }
        } catch (RuntimeException e) {
            // names only: the server works without
        }
    }

    private static void joinUninterruptibly(Thread t) {
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
