package dev.leakhound.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.leakhound.examples.SentinelAgent.Variant;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(180)
class SentinelAgentTest {

    /** Generous: only a failing run waits this long. */
    private static final Duration AWAIT = Duration.ofSeconds(60);
    private static final int CHECKS = 4;
    private static final int ROUNDS = 3;

    private final AtomicInteger checksRun = new AtomicInteger();
    private final List<Runnable> checks = Collections.nCopies(CHECKS, checksRun::incrementAndGet);
    private final RecordingThreadFactory threads = new RecordingThreadFactory("check-test-");

    @AfterEach
    void endEveryCheckerThread() throws InterruptedException {
        threads.interruptAndJoinAll(); // interrupting is the only way out for LEAKY checkers blocked on done.put
    }

    private SentinelAgent agent(Variant variant, Duration period) {
        return new SentinelAgent(variant, period, checks, threads);
    }

    @Test
    void leakyAgentLeavesEveryCheckerAfterTheFirstRoundBlockedInPut() throws InterruptedException {
        try (SentinelAgent agent = agent(Variant.LEAKY, SentinelAgent.DEFAULT_PERIOD)) {
            for (int round = 1; round <= ROUNDS; round++) {
                assertThat(agent.runRound()).isEqualTo(round);
            }

            assertThat(checksRun).hasValue(ROUNDS * CHECKS);
            assertThat(threads.threads()).hasSize(ROUNDS * CHECKS).allMatch(Thread::isVirtual);
            // runRound returned once every check had run; the checkers then reach put and stay there.
            // Round 1 fills each check's done queue and ends; every later checker stays.
            await().atMost(AWAIT).until(() -> threads.terminated() == CHECKS
                    && threads.blockedIn(ArrayBlockingQueue.class, "put") == (ROUNDS - 1) * CHECKS);
            assertThat(agent.liveCheckers()).isEqualTo((ROUNDS - 1) * CHECKS);
        }
        // close() stops the agent but frees none of them: that is the leak.
        assertThat(threads.blockedIn(ArrayBlockingQueue.class, "put")).isEqualTo((ROUNDS - 1) * CHECKS);
    }

    @Test
    void fixedAgentLeavesNoChecker() throws InterruptedException {
        try (SentinelAgent agent = agent(Variant.FIXED, SentinelAgent.DEFAULT_PERIOD)) {
            for (int round = 1; round <= ROUNDS; round++) {
                assertThat(agent.runRound()).isEqualTo(round);
            }

            assertThat(checksRun).hasValue(ROUNDS * CHECKS);
            assertThat(threads.threads()).hasSize(ROUNDS * CHECKS);
            assertThat(threads.joinAll(AWAIT)).as("all checker threads ended").isTrue();
            await().atMost(AWAIT).until(() -> agent.liveCheckers() == 0);
        }
    }

    @Test
    void startRunsRoundsEveryPeriodUntilClosed() throws InterruptedException {
        SentinelAgent agent = agent(Variant.FIXED, Duration.ofMillis(10));
        try (agent) {
            agent.start();
            assertThatThrownBy(agent::start).isInstanceOf(IllegalStateException.class);
            await().atMost(AWAIT).until(() -> agent.rounds() >= ROUNDS);
        }
        // close() waited for the round in progress: no round is half started, and none starts later.
        int rounds = agent.rounds();
        assertThat(threads.threads()).hasSize(rounds * CHECKS);
        assertThat(threads.joinAll(AWAIT)).as("all checker threads ended").isTrue();
        assertThatThrownBy(agent::start).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(agent::runRound).isInstanceOf(IllegalStateException.class);
        assertThat(agent.rounds()).isEqualTo(rounds);
    }

    @Test
    void scheduledLeakyRoundsLeakEveryRound() throws InterruptedException {
        SentinelAgent agent = agent(Variant.LEAKY, Duration.ofMillis(10));
        try (agent) {
            agent.start();
            await().atMost(AWAIT).until(() -> agent.rounds() >= ROUNDS);
        }
        int stuck = (agent.rounds() - 1) * CHECKS;
        // the checkers whose put went through must have ended too, or liveCheckers still counts them
        await().atMost(AWAIT).until(() -> threads.blockedIn(ArrayBlockingQueue.class, "put") == stuck
                && threads.terminated() == CHECKS);
        assertThat(agent.liveCheckers()).isEqualTo(stuck);
    }

    @Test
    void aFailingCheckDoesNotStopTheRound() throws InterruptedException {
        List<Runnable> failing = List.of(() -> {
            throw new IllegalStateException("disk unreachable");
        }, checksRun::incrementAndGet);
        try (SentinelAgent agent = new SentinelAgent(Variant.FIXED, SentinelAgent.DEFAULT_PERIOD, failing, threads)) {
            assertThat(agent.runRound()).isEqualTo(1);
            assertThat(checksRun).hasValue(1);
            assertThat(threads.joinAll(AWAIT)).isTrue();
        }
    }
}
