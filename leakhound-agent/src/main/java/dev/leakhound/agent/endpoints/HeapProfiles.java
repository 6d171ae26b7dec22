package dev.leakhound.agent.endpoints;

import dev.leakhound.agent.http.Unavailable;
import dev.leakhound.heapprofile.HeapProfile;

import java.time.Duration;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The heap profiles of {@code /debug/heap/profile}, from the agent's own JFR recording ({@link JfrProfileRecording}),
 * or why there are none: the recording is off ({@code heapProfile=false}), the {@code jdk.jfr} module is absent
 * ({@code --limit-modules}) or JFR is unavailable. This class names no JFR type, so that the agent loads and runs
 * without {@code jdk.jfr}; every failure to start becomes {@link #off()}.
 *
 * <p>Root paths ({@code roots}) make the JVM walk the live heap from the GC roots at a safepoint, as a full GC
 * does: at most once per {@code minIntervalMillis}, else 429 with a {@code Retry-After}.
 */
public final class HeapProfiles implements AutoCloseable {
    /** The answer when the recording is off: how to turn it on. */
    public static final String OFF = "the heap profile recording is off in this agent: start it with"
            + " -javaagent:leakhound.jar=heapProfile=true (or leakhound attach PID --options heapProfile=true);"
            + " it runs a JFR recording of sampled allocations (at most 150/s) and JFR's sample of live objects,"
            + " bounded (32 MB, 6 minutes in JFR's repository), see docs/services.md, \"Heap profile by allocating"
            + " line\"";

    /** Seconds of allocations an alloc profile covers at most. */
    public static final int MAX_SECONDS = JfrProfileRecording.MAX_SECONDS;

    private final Source source;
    private final String off;
    private final long minIntervalNanos;
    private final LongSupplier clock;
    private long lastRootsNanos;
    private boolean rootsTaken;

    /** What reads the profiles: the JFR recording. */
    interface Source extends AutoCloseable {
        HeapProfile alloc(Duration last) throws Exception;

        HeapProfile inuse(boolean roots) throws Exception;

        @Override
        void close();
    }

    private HeapProfiles(Source source, String off, long minIntervalMillis, LongSupplier clock) {
        this.source = source;
        this.off = off;
        this.minIntervalNanos = minIntervalMillis * 1_000_000L;
        this.clock = clock;
    }

    /** Profiles that answer 503 with {@code why}. */
    public static HeapProfiles off(String why) {
        return new HeapProfiles(null, why, 0, System::nanoTime);
    }

    /**
     * Starts the agent's recording; never throws: when it cannot start, the profiles are {@link #off()} with why.
     *
     * @param minIntervalMillis the minimum time between two requests with root paths
     */
    public static HeapProfiles start(long minIntervalMillis, LongSupplier nanoClock) {
        if (ModuleLayer.boot().findModule("jdk.jfr").isEmpty()) {
            return new HeapProfiles(null, "the heap profile needs JFR, and the jdk.jfr module is not in this JVM"
                    + " (started with --limit-modules, or a runtime image without it)", minIntervalMillis, nanoClock);
        }
        try {
            return new HeapProfiles(JfrProfileRecording.start(), null, minIntervalMillis, nanoClock);
        } catch (Throwable t) {                  // JFR disabled, refused, or a class missing: the rest of the agent runs
            return new HeapProfiles(null, "the heap profile recording could not start: "
                    + dev.leakhound.agent.AgentLog.describe(t), minIntervalMillis, nanoClock);
        }
    }

    /** Why there are no profiles, or {@code null} when the recording runs. */
    public String off() {
        return off;
    }

    /** Allocations by stack over the last {@code last} (at most {@link #MAX_SECONDS}). */
    HeapProfile alloc(Duration last) throws Exception {
        return running().alloc(last);
    }

    /** The sampled objects still alive by allocation stack; with {@code roots}, rate-limited, their root paths. */
    HeapProfile inuse(boolean roots) throws Exception {
        Source s = running();
        if (roots) {
            synchronized (this) {
                long now = clock.getAsLong();
                if (rootsTaken && now - lastRootsNanos < minIntervalNanos) {
                    long wait = Math.max(1, (minIntervalNanos - (now - lastRootsNanos) + 999_999_999L) / 1_000_000_000L);
                    throw new Unavailable(429, "too many requests: roots=1 walks the live heap from the GC roots (a"
                            + " pause like a full GC's) and runs at most once every " + (minIntervalNanos / 1e9)
                            + " s; try again in " + wait + " s, or ask without roots", Map.of("Retry-After",
                            Long.toString(wait)));
                }
                rootsTaken = true;
                lastRootsNanos = now;
            }
        }
        return s.inuse(roots);
    }

    private Source running() {
        if (source == null) {
            throw new Unavailable(off);
        }
        return source;
    }

    /** Stops the recording; JFR drops its buffered events. */
    @Override
    public void close() {
        if (source != null) {
            source.close();
        }
    }
}
