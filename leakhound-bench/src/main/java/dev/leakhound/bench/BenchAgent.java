package dev.leakhound.bench;

import java.lang.instrument.Instrumentation;

/** {@code -javaagent:benchmarks.jar}: keeps the JVM's instrumentation for {@link StartOverhead}; does nothing else. */
public final class BenchAgent {
    static volatile Instrumentation instrumentation;

    private BenchAgent() {
    }

    public static void premain(String args, Instrumentation inst) {
        instrumentation = inst;
    }
}
