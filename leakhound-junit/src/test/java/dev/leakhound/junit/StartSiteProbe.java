package dev.leakhound.junit;

import dev.leakhound.agent.instrument.StartTracking;
import dev.leakhound.junit.fixtures.FixtureThreads;
import dev.leakhound.junit.fixtures.StartSiteCase;
import org.junit.platform.testkit.engine.EngineExecutionResults;

import java.lang.instrument.Instrumentation;

/**
 * The child JVM of {@link StartSiteTest}: its agent records thread starts, then it runs {@link StartSiteCase}
 * suite-wide with {@code leakhound.ignoreStartSites} naming the library's static initialiser, and prints each result.
 */
public final class StartSiteProbe {
    private StartSiteProbe() {
    }

    public static void premain(String args, Instrumentation inst) {
        StartTracking.start(inst, 100_000);
    }

    public static void main(String[] args) throws Exception {
        EngineExecutionResults results = TestKit.run(StartSiteCase.class,
                TestKit.AUTODETECTION, "true",
                "leakhound.ignoreStartSites", "dev.leakhound.junit.fixtures.TimerSingleton.<clinit>");
        TestKit.printResults(results);
        FixtureThreads.releaseAndJoinAll();
        System.out.println("done");
    }
}
