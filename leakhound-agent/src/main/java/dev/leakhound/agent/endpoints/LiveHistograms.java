package dev.leakhound.agent.endpoints;

import dev.leakhound.agent.http.Unavailable;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Class histograms of this JVM's live heap for {@code /debug/heap}, from the JDK's own diagnostic command
 * ({@code jcmd PID GC.class_histogram}), through the {@code com.sun.management:type=DiagnosticCommand} MBean: no
 * file, no other process. (Not the class histograms that leakhound-core parses from such text, nor those counted
 * from an HPROF dump by leakhound-heap.)
 *
 * <p>Heavy: the command forces a full collection first, so that only live objects count. Hence the rate limit:
 * at most one histogram per {@code minIntervalMillis}; a request before that is refused with 429 and a
 * {@code Retry-After}.
 */
public final class LiveHistograms {
    private static final String MBEAN = "com.sun.management:type=DiagnosticCommand";

    private final long minIntervalNanos;
    private final LongSupplier clock;
    private long lastNanos;
    private boolean taken;

    LiveHistograms(long minIntervalMillis) {
        this(minIntervalMillis, System::nanoTime);
    }

    public LiveHistograms(long minIntervalMillis, LongSupplier nanoClock) {
        this.minIntervalNanos = minIntervalMillis * 1_000_000L;
        this.clock = nanoClock;
    }

    /**
     * The text of {@code GC.class_histogram} now, or {@link Unavailable} with status 429 when the
     * last one was taken less than the minimum interval ago.
     */
    synchronized String histogramText() throws Exception {
        long now = clock.getAsLong();
        if (taken && now - lastNanos < minIntervalNanos) {
            long waitSeconds = Math.max(1, (minIntervalNanos - (now - lastNanos) + 999_999_999L) / 1_000_000_000L);
            throw new Unavailable(429, "too many requests: /debug/heap forces a full GC and runs at most"
                    + " once every " + (minIntervalNanos / 1_000_000_000.0) + " s; try again in " + waitSeconds + " s",
                    Map.of("Retry-After", Long.toString(waitSeconds)));
        }
        taken = true;
        lastNanos = now;
        return invoke();
    }

    /** {@code GC.class_histogram} through the platform MBean server. */
    static String invoke() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        Object result = server.invoke(new ObjectName(MBEAN), "gcClassHistogram",
                new Object[] {new String[0]}, new String[] {String[].class.getName()});
        if (!(result instanceof String s)) {
            throw new IllegalStateException("GC.class_histogram gave " + (result == null ? "nothing" : result.getClass().getName()));
        }
        return s;
    }
}
