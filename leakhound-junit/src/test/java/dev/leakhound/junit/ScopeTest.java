package dev.leakhound.junit;

import dev.leakhound.LeakedThreadsError;
import dev.leakhound.junit.fixtures.ClassScopeAfterAllCleanupCase;
import dev.leakhound.junit.fixtures.ClassScopeCase;
import dev.leakhound.junit.fixtures.FixtureThreads;
import dev.leakhound.junit.fixtures.MethodOverridesClassCase;
import dev.leakhound.junit.fixtures.MethodScopeCase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineExecutionResults;

import static dev.leakhound.junit.TestKit.failedNames;
import static dev.leakhound.junit.TestKit.failure;
import static dev.leakhound.junit.TestKit.run;
import static org.assertj.core.api.Assertions.assertThat;

/** Which test or class is blamed, per scope, and which annotation applies. */
@CheckThreadLeaks // dogfooding: each test must end the fixtures' threads in its @AfterEach
class ScopeTest {

    @AfterEach
    void endFixtureThreads() throws Exception {
        FixtureThreads.releaseAndJoinAll();
    }

    @Test
    void methodScopeBlamesOnlyTheLeakingTestNotTheCleanTestThatRunsWhileItsThreadIsAlive() {
        EngineExecutionResults results = run(MethodScopeCase.class);

        assertThat(failedNames(results.testEvents())).containsExactly("leaks()");
        assertThat(failure(results.testEvents(), "leaks()")).hasMessageContaining("\"method-scope-leak\"");
        assertThat(failedNames(results.containerEvents())).isEmpty();
    }

    @Test
    void classScopeReportsTheLeakOnTheClass() {
        EngineExecutionResults results = run(ClassScopeCase.class);

        results.testEvents().assertStatistics(s -> s.started(2).succeeded(2).failed(0));
        assertThat(failedNames(results.containerEvents())).containsExactly("ClassScopeCase");
        assertThat(failure(results.containerEvents(), "ClassScopeCase"))
                .isInstanceOf(LeakedThreadsError.class)
                .hasMessageContaining("found 1 leaked thread")
                .hasMessageContaining("\"class-scope-leak\"")
                .hasMessageContaining("note: scope CLASS: checked once for the whole class "
                        + ClassScopeCase.class.getName());
    }

    @Test
    void classScopeChecksAfterAfterAllSoThreadsStoppedThereAreNotReported() {
        EngineExecutionResults results = run(ClassScopeAfterAllCleanupCase.class);

        results.testEvents().assertStatistics(s -> s.started(2).succeeded(2).failed(0));
        assertThat(failedNames(results.containerEvents())).isEmpty();
    }

    @Test
    void aMethodAnnotationOverridesTheClassAnnotationForThatMethod() {
        EngineExecutionResults results = run(MethodOverridesClassCase.class);

        assertThat(failedNames(results.testEvents())).containsExactly("usesItsOwnAnnotation()");
        assertThat(failure(results.testEvents(), "usesItsOwnAnnotation()"))
                .hasMessageContaining("\"ignored-by-class-but-not-by-method\"")
                .hasMessageNotContaining("\"ignored-by-class\"");
    }
}
