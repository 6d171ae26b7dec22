package dev.leakhound.agent.http;

import java.lang.management.ManagementFactory;
import java.time.Duration;

/**
 * What the debug server grants a client ({@link HttpConnections}): how many connections it holds at once, and how
 * long a connection may take over each phase. Every limit is the server's own: nothing here is a system property
 * (the JDK server's {@code sun.net.httpserver.*} limits are global to the JVM and would change the host's servers).
 *
 * @param maxConnections   open connections at most (so at most this many descriptors, plus the listening socket
 *                         and the selector's two); when full, the oldest connection that has not finished sending
 *                         its request is closed to let a new one in
 * @param idle             to send the first byte of a request, from the accept
 * @param request          to send the whole request line and headers, from the accept
 * @param response         to take the whole response, from its first byte written
 * @param linger           after the response, to close its side (the server reads and drops what it sends
 *                         meanwhile, e.g. a body, so that the close does not reset the answer away)
 * @param maxResponseBytes responses being sent, in bytes, at most: above, the oldest ones are cut
 */
record ConnectionLimits(int maxConnections, Duration idle, Duration request, Duration response, Duration linger,
                        long maxResponseBytes) {

    /** Connections at most, whatever the host's descriptor limit: a debug port serves a few people and scrapers. */
    static final int MAX_CONNECTIONS = 16;
    /** The debug server's share of the host's descriptor limit: at most 1/64 (a limit of 1024 gives 16). */
    static final int DESCRIPTOR_SHARE = 64;
    /** Connections at least, even under a tiny descriptor limit. */
    static final int MIN_CONNECTIONS = 4;

    static final ConnectionLimits DEFAULT = new ConnectionLimits(connectionsFor(maxDescriptors()),
            Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(2), 64L << 20);

    ConnectionLimits {
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be positive: " + maxConnections);
        }
        for (Duration d : new Duration[] {idle, request, response, linger}) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("timeouts must be positive: " + d);
            }
        }
        if (maxResponseBytes < 1) {
            throw new IllegalArgumentException("maxResponseBytes must be positive: " + maxResponseBytes);
        }
    }

    ConnectionLimits withMaxConnections(int n) {
        return new ConnectionLimits(n, idle, request, response, linger, maxResponseBytes);
    }

    ConnectionLimits withTimeouts(Duration idle, Duration request, Duration response) {
        return new ConnectionLimits(maxConnections, idle, request, response, linger, maxResponseBytes);
    }

    ConnectionLimits withMaxResponseBytes(long bytes) {
        return new ConnectionLimits(maxConnections, idle, request, response, linger, bytes);
    }

    /** {@value #MAX_CONNECTIONS}, or less under a descriptor limit below 1024 (never below {@value #MIN_CONNECTIONS}). */
    static int connectionsFor(long maxDescriptors) {
        if (maxDescriptors <= 0) {
            return MAX_CONNECTIONS;                            // unknown
        }
        return (int) Math.max(MIN_CONNECTIONS, Math.min(MAX_CONNECTIONS, maxDescriptors / DESCRIPTOR_SHARE));
    }

    /** The process's descriptor limit ({@code ulimit -n}), or -1 when the platform does not say. */
    private static long maxDescriptors() {
        try {
            if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean u) {
                return u.getMaxFileDescriptorCount();
            }
        } catch (Throwable t) {
            // no jdk.management: the fixed maximum applies
        }
        return -1;
    }
}
