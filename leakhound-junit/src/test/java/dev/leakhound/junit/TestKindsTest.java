package dev.leakhound.junit;

import dev.leakhound.LeakedThreadsError;
import dev.leakhound.junit.fixtures.FixtureThreads;
import dev.leakhound.junit.fixtures.NestedCase;
import dev.leakhound.junit.fixtures.NestedClassScopeCase;
import dev.leakhound.junit.fixtures.ParameterizedLeakCase;
import dev.leakhound.junit.fixtures.RepeatedLeakCase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineExecutionResults;

import static dev.leakhound.junit.TestKit.failedNames;
import static dev.leakhound.junit.TestKit.failure;
import static dev.leakhound.junit.TestKit.run;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code @Nested}, {@code @ParameterizedTest} and {@code @RepeatedTest}. */
@CheckThreadLeaks // dogfooding: each test must end the fixtures' threads in its @AfterEach
class TestKindsTest {

    @AfterEach
    void endFixtureThreads() throws Exception {
        FixtureThreads.releaseAndJoinAll();
    }

    @Test
    void nestedClassesInheritTheAnnotationAndOnlyTheLeakingNestedTestFails() {
        EngineExecutionResults results = run(NestedCase.class);

        results.testEvents().assertStatistics(s -> s.started(5).succeeded(4).failed(1));
        assertThat(failedNames(results.testEvents())).containsExactly("innerLeaks()");
        assertThat(failure(results.testEvents(), "innerLeaks()")).hasMessageContaining("\"nested-leak\"");
        assertThat(failedNames(results.containerEvents())).isEmpty();
    }

    @Test
    void aNestedClassLeakUnderClassScopeFailsTheNestedClassAndIsNotBlamedOnTheOuterClassAgain() {
        EngineExecutionResults results = run(NestedClassScopeCase.class);

        results.testEvents().assertStatistics(s -> s.started(2).succeeded(2).failed(0));
        assertThat(failedNames(results.containerEvents())).containsExactly("Inner");
        assertThat(failure(results.containerEvents(), "Inner"))
                .isInstanceOf(LeakedThreadsError.class)
                .hasMessageContaining("\"nested-class-scope-leak\"")
                .hasMessageContaining("whole class " + NestedClassScopeCase.Inner.class.getName());
    }

    @Test
    void onlyTheLeakingParameterFails() {
        EngineExecutionResults results = run(ParameterizedLeakCase.class);

        results.testEvents().assertStatistics(s -> s.started(3).succeeded(2).failed(1));
        assertThat(failedNames(results.testEvents())).containsExactly("[2] leak");
        assertThat(failure(results.testEvents(), "[2] leak")).hasMessageContaining("\"parameterized-leak\"");
    }

    @Test
    void onlyTheLeakingRepetitionFails() {
        EngineExecutionResults results = run(RepeatedLeakCase.class);

        results.testEvents().assertStatistics(s -> s.started(3).succeeded(2).failed(1));
        assertThat(failedNames(results.testEvents())).containsExactly("repetition 2 of 3");
        assertThat(failure(results.testEvents(), "repetition 2 of 3")).hasMessageContaining("\"repetition-2-leak\"");
    }
}
