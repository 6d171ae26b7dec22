package dev.leakhound.heapprofile;

import dev.leakhound.model.CreationSite;
import dev.leakhound.model.StackFrame;

import java.time.Duration;
import java.util.List;

/**
 * Memory allocated at one stack by threads started at one place.
 *
 * @param stack           the allocation stack, innermost first; JFR names no source file ({@link StackFrame#fileName()}
 *                        is {@code null}) but gives the line
 * @param truncated       JFR cut the stack at its stack depth: outer frames are missing
 * @param startedAt       where the allocating threads were started (JFR's {@code jdk.ThreadStart}: platform threads
 *                        started while recording), {@code null} when unknown: JFR records no start of a virtual
 *                        thread, nor of a thread started before the recording
 * @param samples         how many samples
 * @param virtualSamples  how many of them on virtual threads
 * @param objects         objects (alloc: samples; inuse: sampled live objects)
 * @param bytes           bytes (alloc: the samples' weights; inuse: the objects' sizes)
 * @param types           the allocated classes, most bytes first (at most {@link #MAX_TYPES}, the rest in none)
 * @param oldestAge       inuse: the age of the oldest sampled object when it was written, else {@code null}
 * @param rootPath        inuse, when the recording has it ({@code path-to-gc-roots=true}): the path from a GC root
 *                        to the site's largest sampled object, root first; else empty
 */
public record ProfileSite(List<StackFrame> stack, boolean truncated, CreationSite startedAt, long samples,
                          long virtualSamples, long objects, long bytes, List<TypeShare> types, Duration oldestAge,
                          List<String> rootPath) {
    /** Classes kept per site. */
    public static final int MAX_TYPES = 5;

    /** One allocated class at a site: {@code byte[]}, {@code java.lang.String}. */
    public record TypeShare(String type, long objects, long bytes) {
    }

    public ProfileSite {
        stack = List.copyOf(stack);
        types = List.copyOf(types);
        rootPath = rootPath == null ? List.of() : List.copyOf(rootPath);
    }

    /** The innermost frame, where the allocation happened ({@code null} for an empty stack). */
    public StackFrame top() {
        return stack.isEmpty() ? null : stack.get(0);
    }

    /**
     * The allocating line in the application's words: the innermost frame that is not the JDK's (a {@code
     * StringBuilder} that grows allocates inside the JDK, for the line that appends), else the innermost frame.
     */
    public StackFrame allocatingFrame() {
        for (StackFrame f : stack) {
            if (!f.isJdk()) {
                return f;
            }
        }
        return top();
    }

    /** {@code platform}, {@code virtual} or {@code mixed}: the kind of the allocating threads. */
    public String threadKind() {
        return virtualSamples == 0 ? "platform" : virtualSamples == samples ? "virtual" : "mixed";
    }

    /** The class with the most bytes, {@code null} when none is known. */
    public String mainType() {
        return types.isEmpty() ? null : types.get(0).type();
    }
}
