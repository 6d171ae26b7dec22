package com.example.search;

import dev.leakhound.junit.CheckThreadLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two tests at the same time (junit-platform.properties enables parallel execution): with the agent, which
 * records who started each thread, the leak is blamed on the test that started it, and the other passes,
 * although the leaked threads were started while it ran.
 */
@CheckThreadLeaks
@Execution(ExecutionMode.CONCURRENT)
class ParallelTest {
    private static final boolean LEAKS = Boolean.getBoolean("leakhound.sample.leaks");
    private static final CountDownLatch cleanStarted = new CountDownLatch(1);
    private static final CountDownLatch leaked = new CountDownLatch(1);

    @Test
    void cleanTestAlongside() throws InterruptedException {
        cleanStarted.countDown();
        if (LEAKS) {
            leaked.await(60, TimeUnit.SECONDS);  // the other test's threads now run, started after this test began
        }
        String answer = FirstAnswer.fixed(Replicas.three(), "parallel");
        assertTrue(answer.endsWith(":parallel"), answer);
    }

    /** FAILS: its own leaked threads, and only here (mvn test -Pleaks). */
    @Test
    @EnabledIfSystemProperty(named = "leakhound.sample.leaks", matches = "true")
    void leaksWhileAnotherTestRuns() throws InterruptedException {
        cleanStarted.await(60, TimeUnit.SECONDS);
        try {
            FirstAnswer.leaky(Replicas.three(), "parallel");
        } finally {
            leaked.countDown();
        }
    }
}
