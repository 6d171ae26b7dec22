package dev.leakhound.agent.http;

import dev.leakhound.agent.AgentLog;
import dev.leakhound.agent.AgentOptions;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The debug HTTP server, on a small HTTP/1.1 transport of its own ({@link HttpConnections}; no dependency, and none
 * of the JDK server's JVM-wide settings).
 *
 * <p>Security, in the order a request meets it:
 * <ol>
 *   <li>It binds a loopback address unless told otherwise, and refuses to start on any other address without a
 *       token ({@link AgentOptions}).</li>
 *   <li>With a token, every request must carry {@code Authorization: Bearer <token>}, compared in constant
 *       time; otherwise 401 with {@code WWW-Authenticate: Bearer}; but for what holds no data ({@link Endpoint#open}: the
 *       {@code /debug/} page and its assets, which a browser loads before it can send a token). Without a token (loopback only), the
 *       {@code Host} header must name a loopback address ({@code localhost}, {@code 127.x.x.x}, {@code [::1]}),
 *       otherwise 403: a web page cannot read the server through DNS rebinding.</li>
 *   <li>Only the exact paths of the endpoints, otherwise 404, whatever the method.</li>
 *   <li>GET and HEAD only, otherwise 405 with {@code Allow: GET, HEAD}; except an endpoint that says
 *       {@link Endpoint#post()}, which takes POST only (GET and HEAD get 405 with {@code Allow: POST}), and a POST
 *       that carries an {@code Origin} header gets 403. Only {@code /debug/leaks/proof} does ({@code heapProof=true}):
 *       it pauses the host for a heap dump and writes it to disk, which a crawler, a prefetch or a link followed by
 *       mistake must not trigger, nor a web page: browsers send cross-site POSTs without asking, but always with
 *       an {@code Origin}, which clients like curl do not send. A POST's body is never read (after the answer, at
 *       most 64 KB of it are read and dropped for at most 2 s, so that closing does not reset the answer away).</li>
 *   <li>Only the parameters an endpoint knows, with values it accepts, otherwise 400 and one line saying why.</li>
 * </ol>
 * Every response is bounded (each endpoint caps what it lists, and text stops at {@link BoundedText#DEFAULT_LIMIT});
 * no endpoint reads or writes files of the user's or shows environment variables or system properties (the heap
 * proof writes its dump to a private directory of its own and removes it, and never serves it).
 * An endpoint that fails with anything but a bad request is logged once and switched off (503 from then on);
 * the server itself and the other endpoints go on. A request line and headers that are not HTTP/1.x (or larger
 * than 32 KB) get 400 (431, 505) and one line.
 *
 * <p>Clients ({@link ConnectionLimits}, {@link HttpConnections}): at most 16 connections (fewer under a descriptor
 * limit below 1024: at most 1/64 of it); a connection must send its first byte within 5 s and its whole request
 * line and headers within 10 s, and take its response within 30 s, else it is closed; one request per connection.
 * When all connections are taken, a new one replaces the oldest that has not sent its whole request, so a silent
 * or slow client holds no worker, no thread and no descriptor for long, and a probe gets in during such a flood.
 *
 * <p>Threads, all daemon platform threads ended by {@link #close()}: {@code leakhound-http-dispatcher} (every
 * connection's reads and writes, without blocking) and at most two {@code leakhound-http-N} workers (the endpoints'
 * answers; they end after 30 s idle); a request that finds both busy and 32 waiting gets 503.
 */
public final class DebugServer implements AutoCloseable {

    private final HttpConnections connections;
    private final Map<String, Endpoint> routes;
    private final byte[] tokenHash;
    private final URI url;
    private final Map<String, String> switchedOff = new ConcurrentHashMap<>();

    private DebugServer(InetSocketAddress address, ConnectionLimits limits, Map<String, Endpoint> routes, String token)
            throws IOException {
        this.routes = routes;
        this.tokenHash = token == null ? null : sha256(token);
        this.connections = HttpConnections.start(address, limits, this::answer);
        InetSocketAddress a = connections.address();
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
        return start(options, endpoints, ConnectionLimits.DEFAULT);
    }

    /** {@link #start(AgentOptions, Map)} with other limits for clients (tests, benchmarks). */
    static DebugServer start(AgentOptions options, Map<String, Endpoint> endpoints, ConnectionLimits limits)
            throws IOException {
        InetAddress address = options.bindAddress();
        if (!address.isLoopbackAddress() && options.token() == null) {
            throw new IllegalArgumentException("refusing to serve on " + address.getHostAddress()
                    + " (not a loopback address) without a token");
        }
        return new DebugServer(new InetSocketAddress(address, options.port()), limits, new LinkedHashMap<>(endpoints),
                options.token());
    }

    /** {@code http://127.0.0.1:6060/}. */
    public URI url() {
        return url;
    }

    public int port() {
        return url.getPort();
    }

    /** The paths served, in order. */
    public List<String> paths() {
        return List.copyOf(routes.keySet());
    }

    /** Connections open now (tests, benchmarks). */
    int openConnections() {
        return connections.openConnections();
    }

    /** Stops at once: open connections are closed; waits a little (5 s at most) for the server's threads to end. */
    @Override
    public void close() {
        connections.close();
    }

    // ---------------------------------------------------------------- requests

    /** The answer to a request; never throws. */
    private Response answer(HttpRequestHead request) {
        String method = request.method();
        boolean head = method.equals("HEAD");
        String path = request.rawPath();
        Endpoint endpoint = path == null ? null : routes.get(path);
        boolean open = endpoint != null && (head || method.equals("GET")) && endpoint.open(request.header("Accept"));
        if (tokenHash != null && !open && !authorized(request.header("Authorization"))) {
            return Response.error(401, "unauthorized: send the header 'Authorization: Bearer <token>'")
                    .withHeader("WWW-Authenticate", "Bearer realm=\"leakhound\"");
        }
        if (tokenHash == null && !loopbackHost(request.header("Host"))) {
            return Response.error(403, "forbidden: the Host header must name a loopback address (localhost, 127.0.0.1, [::1])");
        }
        if (endpoint == null) {
            return Response.error(404, "no such endpoint: " + Query.printable(String.valueOf(path))
                    + " (see " + (routes.containsKey("/debug/") ? "/debug/" : String.join(", ", routes.keySet())) + ")");
        }
        if (endpoint.post()) {
            if (!method.equals("POST")) {
                return Response.error(405, "method " + Query.printable(method) + " not allowed: POST only")
                        .withHeader("Allow", "POST");
            }
            if (request.header("Origin") != null) {
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
            Query q = Query.parse(request.rawQuery(), endpoint.params()).withAccept(request.header("Accept"));
            if (head) {
                endpoint.validate(q);
                return new Response(200, endpoint.contentType(q), new byte[0], endpoint.headers(q));
            }
            Response r = endpoint.handle(q);
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
}
