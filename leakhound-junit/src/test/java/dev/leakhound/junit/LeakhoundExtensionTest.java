package dev.leakhound.junit;

import dev.leakhound.LeakOptions;
import dev.leakhound.LeakReport;
import dev.leakhound.LeakedThreadsError;
import dev.leakhound.junit.fixtures.BadConfigurationCase;
import dev.leakhound.junit.fixtures.ConstructorLeakCase;
import dev.leakhound.junit.fixtures.ExecutorCase;
import dev.leakhound.junit.fixtures.FailingAndLeakingCase;
import dev.leakhound.junit.fixtures.FixtureThreads;
import dev.leakhound.junit.fixtures.IgnoredLeaksCase;
import dev.leakhound.junit.fixtures.LeakingPlatformThreadCase;
import dev.leakhound.junit.fixtures.LeakingVirtualThreadCase;
import dev.leakhound.junit.fixtures.OnlyThroughTestKit;
import dev.leakhound.junit.fixtures.ThreadEndsInRetryWindowCase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineExecutionResults;

import java.io.UncheckedIOException;
import java.io.IOException;
import java.util.Set;

import static dev.leakhound.junit.TestKit.failure;
import static dev.leakhound.junit.TestKit.run;
import static org.assertj.core.api.Assertions.assertThat;

/** What a leaking test fails with, and what does not count as a leak. */
@CheckThreadLeaks // dogfooding: each test must end the fixtures' threads in its @AfterEach
class LeakhoundExtensionTest {

    @AfterEach
    void endFixtureThreads() throws Exception {
        LeakingVirtualThreadCase.leak = true;
        ExecutorCase.closeInAfterEach = true;
        FailingCapture.failBaseline = false;
        FailingCapture.failCheck = false;
        FixtureThreads.releaseAndJoinAll();
    }

    @Test
    void aVirtualThreadLeftInSynchronousQueuePutFailsTheTestWithTheReport() {
        EngineExecutionResults results = run(LeakingVirtualThreadCase.class);

        results.testEvents().assertStatistics(s -> s.started(1).succeeded(0).failed(1));
        Throwable failure = failure(results.testEvents(), "startsAVirtualThread()");
        Thread putter = LeakingVirtualThreadCase.putter;
        assertThat(failure).isInstanceOf(LeakedThreadsError.class);
        assertThat(((LeakedThreadsError) failure).report().count()).isEqualTo(1);
        assertThat(failure.getMessage())
                .contains("found 1 leaked thread")
                .contains("1 virtual thread WAITING in SynchronousQueue.put")
                .contains("#" + putter.threadId() + " \"leaky-putter\"")
                .contains("SynchronousQueue$Transferer")
                .contains("blocked at")
                .contains("LeakingVirtualThreadCase.java:" + LeakingVirtualThreadCase.blockedLine + ")");
        assertThat(putter.isAlive()).as("the check does not end the thread").isTrue();
    }

    @Test
    void theSameTestWithoutTheLeakPasses() {
        LeakingVirtualThreadCase.leak = false;

        run(LeakingVirtualThreadCase.class).testEvents().assertStatistics(s -> s.started(1).succeeded(1).failed(0));
        assertThat(LeakingVirtualThreadCase.putter.isAlive()).isFalse();
    }

    @Test
    void threadsThatEndWithinTheRetryWindowAreNotReported() {
        // stopped by the fixture's own @AfterEach (the check runs after it), or as the test's last statement;
        // neither is joined, so the check may still see them alive in its first capture
        run(ThreadEndsInRetryWindowCase.class).testEvents()
                .assertStatistics(s -> s.started(2).succeeded(2).failed(0));
    }

    @Test
    void aPlatformThreadLeftInCountDownLatchAwaitFailsTheTest() {
        EngineExecutionResults results = run(LeakingPlatformThreadCase.class);

        results.testEvents().assertStatistics(s -> s.started(1).failed(1));
        assertThat(failure(results.testEvents(), "startsAPlatformThread()"))
                .isInstanceOf(LeakedThreadsError.class)
                .hasMessageContaining("1 platform thread WAITING in CountDownLatch.await")
                .hasMessageContaining("#" + LeakingPlatformThreadCase.waiter.threadId() + " \"leaky-waiter\"")
                .hasMessageContaining("FixtureThreads.awaitGate(FixtureThreads.java:");
    }

    @Test
    void anExecutorClosedInAfterEachIsNotReported() {
        // the pool's two workers are busy when the test method returns: only @AfterEach releases and closes them
        run(ExecutorCase.class).testEvents().assertStatistics(s -> s.started(1).succeeded(1).failed(0));
    }

    @Test
    void anExecutorNotClosedIsReportedWithItsIdleWorkers() {
        ExecutorCase.closeInAfterEach = false;

        EngineExecutionResults results = run(ExecutorCase.class);

        results.testEvents().assertStatistics(s -> s.started(1).failed(1));
        assertThat(failure(results.testEvents(), "runsBlockingTasks()"))
                .hasMessageContaining("2 platform threads WAITING")
                .hasMessageContaining("container   java.util.concurrent.ThreadPoolExecutor@")
                .hasMessageContaining("\"case-pool-1\"")
                .hasMessageContaining("\"case-pool-2\"");
    }

    @Test
    void threadsStartedByTheTestInstanceConstructorCount() {
        EngineExecutionResults results = run(ConstructorLeakCase.class);

        results.testEvents().assertStatistics(s -> s.started(1).failed(1));
        assertThat(failure(results.testEvents(), "usesTheWorker()"))
                .hasMessageContaining("\"started-by-constructor\"");
    }

    @Test
    void threadsMatchedByTheAnnotationsIgnoreRulesAreNotReported() {
        run(IgnoredLeaksCase.class).testEvents().assertStatistics(s -> s.started(3).succeeded(3).failed(0));
    }

    @Test
    void aTestThatFailedKeepsItsOwnFailureAndCarriesTheLeakReportAsSuppressed() {
        EngineExecutionResults results = run(FailingAndLeakingCase.class);

        Throwable failure = failure(results.testEvents(), "failsAndLeaks()");
        assertThat(failure).isNotInstanceOf(LeakedThreadsError.class).hasMessage(FailingAndLeakingCase.FAILURE);
        assertThat(failure.getSuppressed()).singleElement()
                .isInstanceOf(LeakedThreadsError.class)
                .extracting(Throwable::getMessage).asString().contains("\"leaked-by-failing-test\"");
    }

    @Test
    void invalidSettingsFailTheTestWithAClearMessage() {
        EngineExecutionResults results = run(BadConfigurationCase.class);

        assertThat(failure(results.testEvents(), "badRegex()"))
                .isInstanceOf(ExtensionConfigurationException.class)
                .hasMessageContaining("leakhound: ignoreThreadNames: not a regular expression: '[unclosed'");
        assertThat(failure(results.testEvents(), "negativeRetry()"))
                .isInstanceOf(ExtensionConfigurationException.class)
                .hasMessageContaining("leakhound: retryMillis must be 0 or more, not -1");
    }

    @Test
    void whenTheBaselineCannotBeCapturedTheTestFailsAndSaysWhy() {
        FailingCapture.failBaseline = true;

        EngineExecutionResults results = run(CaptureFailsCase.class);

        assertThat(failure(results.testEvents(), "leaks()"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("leakhound: could not capture the live threads before test")
                .hasMessageContaining("CaptureFailsCase.leaks()")
                .hasMessageContaining("disk full")
                .hasRootCauseInstanceOf(IOException.class);
    }

    @Test
    void whenTheCheckCannotCaptureTheTestFailsRatherThanPasses() {
        FailingCapture.failCheck = true;

        EngineExecutionResults results = run(CaptureFailsCase.class);

        assertThat(failure(results.testEvents(), "leaks()"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("leakhound: could not check test")
                .hasMessageContaining("leaks cannot be ruled out")
                .hasMessageContaining("disk full");
    }

    /** A capture that fails when told to, else the real one. */
    static final class FailingCapture implements ThreadCapture {
        static volatile boolean failBaseline;
        static volatile boolean failCheck;

        @Override
        public dev.leakhound.Baseline baseline() {
            if (failBaseline) {
                throw new UncheckedIOException(new IOException("disk full"));
            }
            return LIVE.baseline();
        }

        @Override
        public LeakReport find(LeakOptions options) {
            if (failCheck) {
                throw new UncheckedIOException(new IOException("disk full"));
            }
            return LIVE.find(options);
        }
    }

    /** A fixture with an extension whose capture fails. Nested: Surefire does not run it by itself. */
    @OnlyThroughTestKit
    static class CaptureFailsCase {
        @RegisterExtension
        static final LeakhoundExtension LEAKHOUND = new LeakhoundExtension(new FailingCapture());

        @Test
        void leaks() {
            FixtureThreads.leakVirtual("leak-while-capture-fails");
        }
    }
}
