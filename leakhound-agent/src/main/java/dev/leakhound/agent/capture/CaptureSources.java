package dev.leakhound.agent.capture;

import dev.leakhound.model.ThreadDump;

import java.lang.instrument.Instrumentation;

/**
 * A {@link ThreadSource} on the JDK's thread containers where they can be opened, else the JDK's JSON dump, with a
 * description that says which and why. The agent loaded with {@code -javaagent} or {@code leakhound attach}
 * uses it.
 */
public final class CaptureSources {
    private CaptureSources() {
    }

    /** The fast source if {@link ContainerThreads#open(Instrumentation)} succeeds, else the JSON dump. */
    public static ThreadSource best(Instrumentation inst) {
        return best(inst, reason -> { });
    }

    /**
     * As {@link #best(Instrumentation)}, and tells {@code onFallback} why when it falls back to the JSON dump.
     */
    public static ThreadSource best(Instrumentation inst, java.util.function.Consumer<String> onFallback) {
        ContainerThreads ct = ContainerThreads.open(inst);
        if (!ct.isAvailable()) {
            onFallback.accept(ct.unavailableReason());
            ThreadSource dump = ThreadSource.jdkDump();
            String why = dump.description() + "; the faster capture is unavailable: " + ct.unavailableReason();
            return new ThreadSource() {
                @Override
                public ThreadDump capture() {
                    return dump.capture();
                }

                @Override
                public String description() {
                    return why;
                }
            };
        }
        return new ThreadSource() {
            @Override
            public ThreadDump capture() {
                return ct.snapshot();
            }

            @Override
            public int count() {
                return (int) Math.min(Integer.MAX_VALUE, ct.count().total());
            }

            @Override
            public ContainerThreads.Counts countByState() {
                return ct.count();
            }

            @Override
            public boolean countsCheaply() {
                return true;
            }

            @Override
            public String description() {
                return "JDK thread containers (jdk.internal.vm.ThreadContainers) + Thread.getStackTrace";
            }
        };
    }
}
