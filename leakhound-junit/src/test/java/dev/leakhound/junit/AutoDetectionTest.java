package dev.leakhound.junit;

import dev.leakhound.LeakedThreadsError;
import dev.leakhound.junit.fixtures.FixtureThreads;
import dev.leakhound.junit.fixtures.LeakingVirtualThreadCase;
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

/** Suite-wide checking through JUnit's extension auto-detection, and the configuration parameters. */
@CheckThreadLeaks // dogfooding: each test must end the fixtures' threads in its @AfterEach
class AutoDetectionTest {

    @AfterEach
    void endFixtureThreads() throws Exception {
        FixtureThreads.releaseAndJoinAll();
    }

    @Test
    void withoutAutoDetectionAnUnannotatedClassIsNotChecked() {
        run(UnannotatedLeakCase.class).testEvents().assertStatistics(s -> s.started(2).succeeded(2).failed(0));
    }

    @Test
    void withAutoDetectionAnUnannotatedClassIsCheckedPerTest() {
        EngineExecutionResults results = run(UnannotatedLeakCase.class, AUTODETECTION, "true");

        assertThat(failedNames(results.testEvents())).containsExactly("leaks()");
        assertThat(failure(results.testEvents(), "leaks()"))
                .isInstanceOf(LeakedThreadsError.class)
                .hasMessageContaining("\"unannotated-leak\"");
    }

    @Test
    void scopeParameterSelectsClassScope() {
        EngineExecutionResults results = run(UnannotatedLeakCase.class, AUTODETECTION, "true",
                "leakhound.scope", "CLASS");

        results.testEvents().assertStatistics(s -> s.started(2).succeeded(2).failed(0));
        assertThat(failure(results.containerEvents(), "UnannotatedLeakCase"))
                .hasMessageContaining("\"unannotated-leak\"");
    }

    @Test
    void ignoreThreadNamesParameterIgnoresMatchingThreads() {
        run(UnannotatedLeakCase.class, AUTODETECTION, "true",
                "leakhound.ignoreThreadNames", "something-else, unannotated-.*")
                .testEvents().assertStatistics(s -> s.started(2).succeeded(2).failed(0));
    }

    @Test
    void ignoreThreadNamesParameterAddsToTheAnnotation() {
        run(LeakingVirtualThreadCase.class, "leakhound.ignoreThreadNames", "leaky-.*")
                .testEvents().assertStatistics(s -> s.started(1).succeeded(1).failed(0));
    }

    @Test
    void anInvalidParameterFailsTheClassWithAMessageNamingIt() {
        EngineExecutionResults results = run(UnannotatedLeakCase.class, AUTODETECTION, "true",
                "leakhound.retryMillis", "soon");

        results.testEvents().assertStatistics(s -> s.started(0));
        assertThat(failure(results.containerEvents(), "UnannotatedLeakCase"))
                .isInstanceOf(ExtensionConfigurationException.class)
                .hasMessageContaining("leakhound.retryMillis")
                .hasMessageContaining("'soon'");
    }

    @Test
    void retryMillisParameterZeroStillFindsTheLeak() {
        EngineExecutionResults results = run(UnannotatedLeakCase.class, AUTODETECTION, "true",
                "leakhound.retryMillis", "0");

        assertThat(failure(results.testEvents(), "leaks()")).hasMessageContaining("after 1 capture over");
    }

    @Test
    void anAnnotatedClassWithAutoDetectionIsCheckedOnce() {
        EngineExecutionResults results = run(LeakingVirtualThreadCase.class, AUTODETECTION, "true");

        Throwable failure = failure(results.testEvents(), "startsAVirtualThread()");
        assertThat(failure).isInstanceOf(LeakedThreadsError.class);
        assertThat(failure.getSuppressed()).isEmpty();
    }
}
