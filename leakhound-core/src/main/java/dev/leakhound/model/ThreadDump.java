package dev.leakhound.model;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Every thread of one JVM at one moment: an immutable snapshot.
 *
 * @param capturedAt     when the dump was taken, or {@code null} when the source does not say
 * @param origin         where it came from: a file path, or a description of the live source
 * @param format         the source format
 * @param processId      the dumped process, or {@code null} when not given
 * @param runtimeVersion the JVM's {@code Runtime.version()}, or {@code null} when not given
 * @param threads        the threads, in the order the source listed them
 * @param deadlocks      the deadlocks the JVM found and printed in the dump (jstack, {@code Thread.print});
 *                       empty for formats that do not print them
 */
public record ThreadDump(
        Instant capturedAt,
        String origin,
        DumpFormat format,
        Long processId,
        String runtimeVersion,
        List<ThreadSnapshot> threads,
        List<Deadlock> deadlocks) {

    public ThreadDump {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(format, "format");
        threads = List.copyOf(threads);
        deadlocks = List.copyOf(deadlocks);
    }

    /** A dump without deadlocks. */
    public ThreadDump(Instant capturedAt, String origin, DumpFormat format, Long processId, String runtimeVersion,
                      List<ThreadSnapshot> threads) {
        this(capturedAt, origin, format, processId, runtimeVersion, threads, List.of());
    }

    /** The dump of these threads, described by a header. */
    public ThreadDump(Header header, List<ThreadSnapshot> threads) {
        this(header.capturedAt(), header.origin(), header.format(), header.processId(), header.runtimeVersion(),
                threads, header.deadlocks());
    }

    /** What the dump says of itself, without its threads. */
    public Header header() {
        return new Header(capturedAt, origin, format, processId, runtimeVersion, deadlocks);
    }

    /**
     * A thread dump without its threads: what a streamed read returns, having handed the threads over one by one
     * (the fields as in {@link ThreadDump}).
     */
    public record Header(Instant capturedAt, String origin, DumpFormat format, Long processId,
                         String runtimeVersion, List<Deadlock> deadlocks) {
        public Header {
            Objects.requireNonNull(origin, "origin");
            Objects.requireNonNull(format, "format");
            deadlocks = List.copyOf(deadlocks);
        }

        /** A header without deadlocks. */
        public Header(Instant capturedAt, String origin, DumpFormat format, Long processId, String runtimeVersion) {
            this(capturedAt, origin, format, processId, runtimeVersion, List.of());
        }
    }

    public long virtualCount() {
        return threads.stream().filter(ThreadSnapshot::virtual).count();
    }

    public long platformCount() {
        return threads.size() - virtualCount();
    }
}
