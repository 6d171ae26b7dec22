package dev.leakhound.junit;

import dev.leakhound.LeakedThreadsError;
import dev.leakhound.junit.fixtures.AnnotatedFramesCase;
import dev.leakhound.junit.fixtures.FixtureThreads;
import dev.leakhound.junit.fixtures.UnannotatedFramesCase;
import dev.leakhound.junit.fixtures.UnannotatedLeakCase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.platform.testkit.engine.EngineExecutionResults;

import static dev.leakhound.junit.TestKit.AUTODETECTION;
import static dev.leakhound.junit.TestKit.failedNames;
import static dev.leakhound.junit.TestKit.failure;
import static dev.leakhound.junit.TestKit.run;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every attribute of {@code @CheckThreadLeaks} as a configuration parameter ({@code leakhound.*}), for a whole suite
 * checked through auto-detection, and the ignore lists added to an annotation's. This JVM has no agent.
 */
@CheckThreadLeaks // dogfooding: each test must end the fixtures' threads in its @AfterEach
class SuiteWideSettingsTest {
    private static final String WORKER_LOOP = "dev.leakhound.junit.fixtures.IgnoredLeaksCase.workerLoop";
    private static final String OUTER_LOOP = "dev.leakhound.junit.fixtures.IgnoredLeaksCase.outerLoop";

    @AfterEach
    void endFixtureThreads() throws Exception {
        FixtureThreads.releaseAndJoinAll();
    }

    @Test
    void withoutTheFrameParametersBothLeaksFail() {
        EngineExecutionResults results = run(UnannotatedFramesCase.class, AUTODETECTION, "true");

        assertThat(failedNames(results.testEvents()))
                .containsExactlyInAnyOrder("leaksThreadWithTopFrame()", "leaksThreadWithFrameBelowTheTop()");
    }

    @Test
    void ignoreTopFramesAndIgnoreAnyFramesParametersIgnoreMatchingThreadsSuiteWide() {
        EngineExecutionResults results = run(UnannotatedFramesCase.class, AUTODETECTION, "true",
                "leakhound.ignoreTopFrames", "org.example.Other.run, " + WORKER_LOOP,
                "leakhound.ignoreAnyFrames", OUTER_LOOP);

        results.testEvents().assertStatistics(s -> s.started(2).succeeded(2).failed(0));
    }

    @Test
    void eachFrameParameterIgnoresOnlyWhatItNames() {
        EngineExecutionResults results = run(UnannotatedFramesCase.class, AUTODETECTION, "true",
                "leakhound.ignoreTopFrames", WORKER_LOOP);

        assertThat(failedNames(results.testEvents())).containsExactly("leaksThreadWithFrameBelowTheTop()");
    }

    @Test
    void frameParametersAddToTheAnnotation() {
        run(AnnotatedFramesCase.class,
                "leakhound.ignoreTopFrames", WORKER_LOOP,
                "leakhound.ignoreAnyFrames", OUTER_LOOP)
                .testEvents().assertStatistics(s -> s.started(2).succeeded(2).failed(0));
    }

    @Test
    void showAllFramesParameterUnfoldsTheJdkFrames() {
        String folded = failure(run(UnannotatedLeakCase.class, AUTODETECTION, "true").testEvents(), "leaks()")
                .getMessage();
        String all = failure(run(UnannotatedLeakCase.class, AUTODETECTION, "true",
                "leakhound.showAllFrames", "true").testEvents(), "leaks()").getMessage();

        assertThat(folded).contains(" JDK frame").doesNotContain("java.lang.VirtualThread.park(");
        assertThat(all).contains("java.lang.VirtualThread.park(").doesNotContain(" JDK frame");
    }

    @Test
    void ignoreStartSitesWithoutTheAgentSaysThatItNeedsIt() {
        EngineExecutionResults results = run(UnannotatedLeakCase.class, AUTODETECTION, "true",
                "leakhound.ignoreStartSites", "dev.leakhound.junit.fixtures.FixtureThreads");

        assertThat(failure(results.testEvents(), "leaks()"))
                .isInstanceOf(LeakedThreadsError.class)
                .hasMessageContaining("\"unannotated-leak\"")
                .hasMessageContaining("note: threads are ignored by start site (dev.leakhound.junit.fixtures."
                        + "FixtureThreads), but where threads are started is recorded by the Leakhound agent only, "
                        + "which is not loaded in this JVM: no thread matched them");
    }

    @Test
    void badValuesFailTheClassWithAMessageNamingTheParameterAndTheValue() {
        assertBad("leakhound.showAllFrames", "yes",
                "leakhound: configuration parameter leakhound.showAllFrames must be 'true' or 'false', not 'yes'");
        assertBad("leakhound.ignoreTopFrames", "workerLoop",
                "leakhound: ignoreTopFrames: expected fully.qualified.Class.method, not 'workerLoop' "
                        + "(from configuration parameter leakhound.ignoreTopFrames)");
        assertBad("leakhound.ignoreAnyFrames", "org.example.Lib.run()",
                "leakhound: ignoreAnyFrames: expected fully.qualified.Class.method, not 'org.example.Lib.run()' "
                        + "(from configuration parameter leakhound.ignoreAnyFrames)");
        assertBad("leakhound.ignoreStartSites", "org.example.Lib.<clinit>()",
                "leakhound: ignoreStartSites: expected a start site as fully.qualified.Class.method, or a class or "
                        + "package prefix of it (e.g. org.example.Lib.<clinit>), not 'org.example.Lib.<clinit>()' "
                        + "(from configuration parameter leakhound.ignoreStartSites)");
        assertBad("leakhound.ignoreThreadNames", "[unclosed",
                "leakhound: ignoreThreadNames: not a regular expression: '[unclosed' "
                        + "(from configuration parameter leakhound.ignoreThreadNames)");
    }

    private static void assertBad(String key, String value, String message) {
        EngineExecutionResults results = run(UnannotatedLeakCase.class, AUTODETECTION, "true", key, value);

        results.testEvents().assertStatistics(s -> s.started(0));
        assertThat(failure(results.containerEvents(), "UnannotatedLeakCase")).as(key)
                .isInstanceOf(ExtensionConfigurationException.class)
                .hasMessageStartingWith(message);
    }
}
