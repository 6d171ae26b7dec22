package dev.leakhound.junit;

import dev.leakhound.LeakedThreadsError;
import dev.leakhound.junit.fixtures.DeadlockingCase;
import dev.leakhound.junit.fixtures.FixtureThreads;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineExecutionResults;

import static dev.leakhound.junit.TestKit.failure;
import static dev.leakhound.junit.TestKit.run;
import static org.assertj.core.api.Assertions.assertThat;

/** A test that leaves deadlocked threads is told it is a deadlock, with the cycle, the pattern and the fix. */
@CheckThreadLeaks // dogfooding: the fixture's threads are ended in @AfterEach
class DeadlockReportTest {

    @AfterEach
    void endFixtureThreads() throws Exception {
        FixtureThreads.releaseAndJoinAll();
    }

    @Test
    void aDeadlockLeftByATestIsNamed() {
        EngineExecutionResults results = run(DeadlockingCase.class);

        results.testEvents().assertStatistics(s -> s.started(1).failed(1));
        Throwable failure = failure(results.testEvents(), "leavesADeadlock()");
        assertThat(failure).isInstanceOf(LeakedThreadsError.class);
        assertThat(((LeakedThreadsError) failure).report().deadlocks()).hasSize(1);
        assertThat(failure.getMessage())
                .contains("found 2 leaked threads in ")
                .contains(", 2 of them in a deadlock (still there after ")
                .contains("== deadlock 1 of 1: 2 threads, each holding a lock the next one wants ==")
                .contains("#" + DeadlockingCase.first.threadId() + " \"case-deadlock-1\" (platform thread)\n")
                .contains("#" + DeadlockingCase.second.threadId() + " \"case-deadlock-2\" (platform thread)\n")
                .containsPattern("    wants java\\.util\\.concurrent\\.locks\\.ReentrantLock\\$NonfairSync@\\w+, waiting at"
                        + " dev\\.leakhound\\.junit\\.fixtures\\.DeadlockingCase\\.lockBoth\\(DeadlockingCase\\.java:\\d+\\)")
                .contains("  pattern: deadlock (likely: 2 threads, each holding a java.util.concurrent lock the next"
                        + " wants)\n  fix:     take the locks in one order, or tryLock with a timeout\n");
    }
}
