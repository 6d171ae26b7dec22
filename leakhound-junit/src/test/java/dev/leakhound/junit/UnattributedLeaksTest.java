package dev.leakhound.junit;

import dev.leakhound.LeakedThreadsError;
import dev.leakhound.junit.fixtures.ConcurrentClasses;
import dev.leakhound.junit.fixtures.FixtureThreads;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineExecutionResults;

import java.util.List;

import static dev.leakhound.junit.TestKit.PARALLEL;
import static dev.leakhound.junit.TestKit.failedNames;
import static dev.leakhound.junit.TestKit.failure;
import static dev.leakhound.junit.TestKit.leakhoundReportEntries;
import static dev.leakhound.junit.TestKit.run;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Parallel execution without the agent: a leak seen while other classes ran fails no class (the check cannot show who
 * started it) but the run, once, at its end, listing the tests that ran meanwhile. This JVM has no agent; with it,
 * {@link ParallelAttributionTest} shows the leak pinned on its test.
 */
@CheckThreadLeaks // dogfooding: each test must end the fixtures' threads in its @AfterEach
class UnattributedLeaksTest {
    private static final String LEAKER = ConcurrentClasses.Leaker.class.getName();
    private static final String BYSTANDER = ConcurrentClasses.Bystander.class.getName();

    @AfterEach
    void endFixtureThreads() throws Exception {
        FixtureThreads.releaseAndJoinAll();
    }

    private static EngineExecutionResults runConcurrently(Class<?>... classes) {
        ConcurrentClasses.reset();
        return run(List.of(classes),
                PARALLEL, "true",
                "junit.jupiter.execution.parallel.mode.default", "concurrent",
                "junit.jupiter.execution.parallel.config.strategy", "fixed",
                "junit.jupiter.execution.parallel.config.fixed.parallelism", "4");
    }

    @Test
    void aLeakSeenWhileOtherClassesRanFailsNoClassButTheRunOnceAtItsEnd() {
        EngineExecutionResults results = runConcurrently(ConcurrentClasses.Leaker.class, ConcurrentClasses.Bystander.class);

        results.testEvents().assertStatistics(s -> s.started(2).succeeded(2).failed(0));
        assertThat(failedNames(results.containerEvents())).as("only the engine fails, no class")
                .containsExactly("JUnit Jupiter");
        Throwable failure = failure(results.containerEvents(), "JUnit Jupiter");
        assertThat(failure).isInstanceOf(LeakedThreadsError.class);
        assertThat(((LeakedThreadsError) failure).report().count()).as("reported once").isEqualTo(1);
        assertThat(failure.getMessage())
                .contains("1 leaked thread", "\"concurrent-leak\"")
                .contains("note: unattributed: these threads were started while tests ran in parallel "
                        + "(junit.jupiter.execution.parallel.enabled=true), and without the Leakhound agent nothing "
                        + "tells which test started them")
                .contains("With the agent in the test JVM (-javaagent, see above) each leak fails the test that "
                        + "started it")
                .contains("the Leakhound agent records it")
                .containsPattern("note: #\\d+ \"concurrent-leak\" started while these ran: .*test " + LEAKER.replace("$", "\\$")
                        + "\\.leaks\\(\\)")
                .containsPattern("started while these ran: .*test " + BYSTANDER.replace("$", "\\$") + "\\.waits\\(\\)");
        assertThat(leakhoundReportEntries(results)).anySatisfy(e -> assertThat(e)
                .contains("1 leaked thread was seen after class " + BYSTANDER + ", but other tests ran at the same time")
                .contains("not blamed on class " + BYSTANDER));
    }

    @Test
    void aLeakSeenWhileOtherClassesRanButEndedByItsOwnerBeforeTheEndOfTheRunFailsNothing() {
        EngineExecutionResults results = runConcurrently(ConcurrentClasses.CleaningLeaker.class,
                ConcurrentClasses.CheckedBystander.class);

        results.testEvents().assertStatistics(s -> s.started(2).succeeded(2).failed(0));
        assertThat(failedNames(results.containerEvents())).isEmpty();
        assertThat(leakhoundReportEntries(results)).anySatisfy(e -> assertThat(e)
                .contains("1 leaked thread was seen after class " + ConcurrentClasses.CheckedBystander.class.getName()));
    }
}
