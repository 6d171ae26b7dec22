package dev.leakhound.cli;

import java.lang.instrument.Instrumentation;

/**
 * The {@code Launcher-Agent-Class} of {@code leakhound.jar}: {@code java -jar leakhound.jar} calls it before
 * {@code main} with the JVM's {@link Instrumentation}. It only keeps it; the demo uses it to record where its
 * threads start, as the agent does in a service. Nothing else changes for the other commands.
 */
public final class LauncherAgent {
    private static volatile Instrumentation instrumentation;

    private LauncherAgent() {
    }

    public static void agentmain(String args, Instrumentation inst) {
        instrumentation = inst;
    }

    /** The instrumentation, or {@code null} when not started with {@code java -jar leakhound.jar}. */
    public static Instrumentation instrumentation() {
        return instrumentation;
    }
}
