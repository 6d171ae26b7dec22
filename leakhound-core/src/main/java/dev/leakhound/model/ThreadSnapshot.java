package dev.leakhound.model;

import java.util.List;
import java.util.Objects;

/**
 * One thread, platform or virtual, as captured at one moment. Immutable.
 *
 * <p>Sources differ in what they give; a field a source does not give is {@code null} (or empty),
 * never guessed. For example the JDK 21 JSON dump has no thread state, and no dump says whether a
 * platform thread is a daemon except {@code jstack} and the live capture.
 *
 * @param id            thread id ({@link Thread#threadId()}); never reused within a JVM
 * @param name          thread name; virtual threads often have the empty name
 * @param virtual       whether it is a virtual thread
 * @param daemon        whether it is a daemon thread, or {@code null} when the source does not say
 *                      (virtual threads are always daemon threads)
 * @param state         its state, or {@code null} when the source does not say
 * @param stack         its frames, innermost first; empty for a thread with no Java frames
 * @param blocker       what it is blocked on, or {@code null}
 * @param heldMonitors  the monitors it holds
 * @param container     the thread container (executor) it belongs to, as the JDK names it,
 *                      e.g. {@code java.util.concurrent.ThreadPerTaskExecutor@f6efaab}, {@code <root>};
 *                      {@code null} when the source does not say
 * @param carrierId     id of the carrier thread a mounted virtual thread runs on, or {@code null}
 * @param creationSite  where it was started, or {@code null} (only the Leakhound agent records it)
 */
public record ThreadSnapshot(
        long id,
        String name,
        boolean virtual,
        Boolean daemon,
        Thread.State state,
        List<StackFrame> stack,
        Blocker blocker,
        List<HeldMonitor> heldMonitors,
        String container,
        Long carrierId,
        CreationSite creationSite) {

    public ThreadSnapshot {
        Objects.requireNonNull(name, "name");
        stack = List.copyOf(stack);
        heldMonitors = List.copyOf(heldMonitors);
        if (virtual && daemon == null) {
            daemon = Boolean.TRUE;
        }
    }

    /** The innermost frame, or {@code null} for a thread with no Java frames. */
    public StackFrame topFrame() {
        return stack.isEmpty() ? null : stack.get(0);
    }

    /** {@code #23 "vq"}, or {@code #23} for an unnamed thread. */
    public String label() {
        return name.isEmpty() ? "#" + id : "#" + id + " \"" + name + "\"";
    }

    /** "virtual thread" or "platform thread". */
    public String kind() {
        return virtual ? "virtual thread" : "platform thread";
    }

    /** A copy with the given creation site; used by sources that learn it after capture. */
    public ThreadSnapshot withCreationSite(CreationSite site) {
        return new ThreadSnapshot(id, name, virtual, daemon, state, stack, blocker, heldMonitors, container,
                carrierId, site);
    }
}
