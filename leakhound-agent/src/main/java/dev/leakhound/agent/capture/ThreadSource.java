package dev.leakhound.agent.capture;

import dev.leakhound.capture.LiveThreads;
import dev.leakhound.model.ThreadDump;

/**
 * Where the agent gets the live threads from: {@link ContainerThreads} (the JDK's thread containers, read in this
 * JVM) where they can be opened, else the JDK's JSON thread dump ({@link #jdkDump()}, {@link LiveThreads#capture()});
 * {@link CaptureSources#best} picks one and says why. The sampler and the debug server see only this interface.
 */
public interface ThreadSource {

    /** Every live thread, platform and virtual, now. */
    ThreadDump capture();

    /** How many live threads there are now, of all kinds. */
    default int count() {
        return capture().threads().size();
    }

    /**
     * Live threads by kind and state, read without stacks, where {@link #countsCheaply()}; else {@code null}.
     */
    default ContainerThreads.Counts countByState() {
        return null;
    }

    /**
     * Whether {@link #count()} is much cheaper than {@link #capture()} (it reads no stacks). When it is not,
     * {@code SharedCapture.count()} (agent.sampling) counts a shared capture instead of taking one of its own.
     */
    default boolean countsCheaply() {
        return false;
    }

    /** A few words for reports, e.g. {@code JDK thread dump (JSON)}. */
    String description();

    /** The JDK's JSON thread dump, the only public API that lists virtual threads. */
    static ThreadSource jdkDump() {
        return new ThreadSource() {
            @Override
            public ThreadDump capture() {
                return LiveThreads.capture();
            }

            @Override
            public String description() {
                return "JDK thread dump (HotSpotDiagnosticMXBean.dumpThreads, JSON)";
            }
        };
    }
}
