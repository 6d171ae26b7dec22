package dev.leakhound.bench;

import java.lang.instrument.Instrumentation;

/**
 * {@code -javaagent:benchmarks.jar}: keeps the JVM's instrumentation and does nothing else: the "nop" arm of
 * {@link StartOverhead}, what loading any Java agent costs by itself.
 */
public final class BenchAgent {
    static volatile Instrumentation instrumentation;

    private BenchAgent() {
    }

    public static void premain(String args, Instrumentation inst) {
        instrumentation = inst;
    }
}
