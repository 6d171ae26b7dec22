package dev.leakhound.junit;

import dev.leakhound.LeakedThreadsError;
import dev.leakhound.junit.fixtures.FixtureThreads;
import dev.leakhound.junit.fixtures.ParallelCase;
import dev.leakhound.junit.fixtures.ParallelMethodOnlyCase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineExecutionResults;

import static dev.leakhound.junit.TestKit.PARALLEL;
import static dev.leakhound.junit.TestKit.failedNames;
import static dev.leakhound.junit.TestKit.failure;
import static dev.leakhound.junit.TestKit.leakhoundReportEntries;
import static dev.leakhound.junit.TestKit.run;
import static org.assertj.core.api.Assertions.assertThat;

/** With parallel execution, per-test attribution is impossible: the check falls back to the class, and says so. */
@CheckThreadLeaks // dogfooding: each test must end the fixtures' threads in its @AfterEach
class ParallelExecutionTest {
    private static final String FALLBACK = "parallel execution is enabled (junit.jupiter.execution.parallel.enabled=true)";
    private static final String CLASSES_TOO = "Test classes run concurrently as well";

    @AfterEach
    void endFixtureThreads() throws Exception {
        FixtureThreads.releaseAndJoinAll();
    }

    @Test
    void sequentiallyTheLeakingTestItselfFails() {
        EngineExecutionResults results = run(ParallelCase.class);

        assertThat(failedNames(results.testEvents())).containsExactly("leaks()");
        assertThat(leakhoundReportEntries(results)).isEmpty();
    }

    @Test
    void inParallelTheClassIsCheckedInsteadWithAReportEntryAndANote() {
        EngineExecutionResults results = run(ParallelCase.class,
                PARALLEL, "true",
                "junit.jupiter.execution.parallel.mode.default", "concurrent",
                "junit.jupiter.execution.parallel.mode.classes.default", "same_thread");

        results.testEvents().assertStatistics(s -> s.started(2).succeeded(2).failed(0));
        assertThat(failedNames(results.containerEvents())).containsExactly("ParallelCase");
        Throwable failure = failure(results.containerEvents(), "ParallelCase");
        assertThat(failure).isInstanceOf(LeakedThreadsError.class)
                .hasMessageContaining("\"parallel-leak\"")
                .hasMessageContaining("note: " + FALLBACK)
                .hasMessageContaining("checked once for the whole class " + ParallelCase.class.getName())
                .hasMessageNotContaining(CLASSES_TOO);
        assertThat(leakhoundReportEntries(results)).singleElement().asString()
                .startsWith(FALLBACK).doesNotContain(CLASSES_TOO);
    }

    @Test
    void whenClassesRunConcurrentlyTooTheNoteSaysEvenTheClassCheckIsNotExact() {
        EngineExecutionResults results = run(ParallelCase.class,
                PARALLEL, "true",
                "junit.jupiter.execution.parallel.mode.classes.default", "concurrent");

        results.testEvents().assertStatistics(s -> s.started(2).succeeded(2).failed(0));
        assertThat(failure(results.containerEvents(), "ParallelCase"))
                .hasMessageContaining("note: " + FALLBACK)
                .hasMessageContaining(CLASSES_TOO)
                .hasMessageContaining("junit.jupiter.execution.parallel.mode.classes.default");
        assertThat(leakhoundReportEntries(results)).singleElement().asString().contains(CLASSES_TOO);
    }

    @Test
    void registeredOnAMethodOnlyItStillChecksPerTestButWarns() {
        EngineExecutionResults results = run(ParallelMethodOnlyCase.class, PARALLEL, "true");

        assertThat(failure(results.testEvents(), "leaks()"))
                .hasMessageContaining("\"parallel-method-only-leak\"")
                .hasMessageContaining("registered on this test method only");
        assertThat(leakhoundReportEntries(results)).singleElement().asString()
                .contains("registered on this test method only");
    }
}
