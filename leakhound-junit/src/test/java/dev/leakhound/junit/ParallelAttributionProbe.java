package dev.leakhound.junit;

import dev.leakhound.agent.instrument.StartTracking;
import dev.leakhound.junit.fixtures.FixtureThreads;
import dev.leakhound.junit.fixtures.ParallelAttributedCase;
import org.junit.platform.testkit.engine.EngineExecutionResults;

import java.lang.instrument.Instrumentation;

/**
 * The child JVM of {@link ParallelAttributionTest}: its agent records thread starts (as {@code leakhound.jar}'s
 * does), then it runs {@link ParallelAttributedCase} in parallel and prints each test's result.
 */
public final class ParallelAttributionProbe {
    private ParallelAttributionProbe() {
    }

    public static void premain(String args, Instrumentation inst) {
        StartTracking.start(inst, 100_000);
    }

    public static void main(String[] args) throws Exception {
        EngineExecutionResults results = TestKit.run(ParallelAttributedCase.class,
                TestKit.PARALLEL, "true",
                "junit.jupiter.execution.parallel.mode.default", "concurrent",
                "junit.jupiter.execution.parallel.mode.classes.default", "same_thread");
        TestKit.printResults(results);
        FixtureThreads.releaseAndJoinAll();
        System.out.println("done");
    }
}
