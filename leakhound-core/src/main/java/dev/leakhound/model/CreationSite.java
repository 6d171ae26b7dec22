package dev.leakhound.model;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Where and when a thread was started: the creator's stack at {@code Thread.start}.
 * Thread dumps do not carry it; the Leakhound agent records it when present.
 *
 * @param frames    the creator's innermost frames, starting with the caller of {@code start}
 * @param creator   name of the thread that started it, or {@code null} when unknown
 * @param startedAt when it was started, or {@code null} when unknown
 * @param poolFrames for a worker of a thread pool ({@code ThreadPoolExecutor}): the innermost frames of the code that
 *                  created the pool, from the caller of its constructor (e.g. {@code Executors.newFixedThreadPool},
 *                  then the application's line); empty when not a pool worker or not recorded
 */
public record CreationSite(List<StackFrame> frames, String creator, Instant startedAt, List<StackFrame> poolFrames) {
    public CreationSite {
        frames = List.copyOf(Objects.requireNonNull(frames, "frames"));
        poolFrames = poolFrames == null ? List.of() : List.copyOf(poolFrames);
    }

    /** A thread that is not a pool's worker, or whose pool's creation was not recorded. */
    public CreationSite(List<StackFrame> frames, String creator, Instant startedAt) {
        this(frames, creator, startedAt, List.of());
    }

    /**
     * For a pool's worker, the line that created the pool: the first frame outside the JDK (the application's call
     * to {@code Executors.newFixedThreadPool}), else the first frame; {@code null} when not recorded. The line to
     * fix for a pool never shut down, where {@link #startingFrame()} is only the line that first gave it work.
     */
    public StackFrame poolCreatedAt() {
        for (StackFrame f : poolFrames) {
            if (!f.isJdk()) {
                return f;
            }
        }
        return poolFrames.isEmpty() ? null : poolFrames.get(0);
    }

    /**
     * The line that started the thread: the first frame outside the JDK (an executor's {@code execute} is how,
     * the application's call to it is where), else the first frame, or {@code null} if none was recorded.
     */
    public StackFrame startingFrame() {
        for (StackFrame f : frames) {
            if (!f.isJdk()) {
                return f;
            }
        }
        return frames.isEmpty() ? null : frames.get(0);
    }

    /**
     * What threads are grouped by: the starting frame and the frame that called it. The frames further down (who
     * called that) may differ from thread to thread of one leak, and must not split it into many small groups.
     */
    public List<StackFrame> groupingKey() {
        StackFrame start = startingFrame();
        if (start == null) {
            return List.of();
        }
        int i = frames.indexOf(start);
        return frames.subList(i, Math.min(frames.size(), i + 2));
    }

}
