package dev.leakhound.examples;

import dev.leakhound.LeakOptions;
import dev.leakhound.LeakReport;
import dev.leakhound.LeakedThreadsError;
import dev.leakhound.Leakhound;
import dev.leakhound.analysis.StackGroup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The seed's programs under Leakhound's own leak check: the leaky variants fail it, the fixed ones pass. */
@Timeout(240)
class SeedProgramsLeakTest {
    /** Generous: only a failing run waits this long. */
    private static final Duration AWAIT = Duration.ofSeconds(60);
    private final RecordingThreadFactory threads = new RecordingThreadFactory("seed-");

    @AfterEach
    void endLeakedThreads() throws InterruptedException {
        threads.interruptAndJoinAll();
    }

    /** The line of the example's source that contains {@code code}: the report must name it. */
    private static int lineOf(String file, String code) throws IOException {
        List<String> lines = Files.readAllLines(Path.of("src/main/java/dev/leakhound/examples", file));
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(code)) {
                return i + 1;
            }
        }
        throw new AssertionError(code + " not found in " + file);
    }

    private static Function<String, Duration> firstServerAnswersAtOnce() {
        return server -> server.equals(MultiQuery.SERVERS.get(0)) ? Duration.ZERO : Duration.ofMillis(20);
    }

    @Test
    void leakyMultiQueryFailsTheCheckNamingTheBlockingLine() throws Exception {
        LeakOptions before = LeakOptions.builder().ignoreCurrent().build();
        String answer = MultiQuery.multiQuery(MultiQuery.Variant.LEAKY, firstServerAnswersAtOnce(), threads);
        assertThat(answer).startsWith("src=ns");          // normally ns1; on a busy machine a 20 ms loser may win
        // the two losers parked in put, and the winner ended (else the check, which waits only half a second for
        // threads to end, may count it too)
        await().atMost(AWAIT).until(() -> threads.blockedIn(SynchronousQueue.class, "put") == 2
                && threads.terminated() == 1);

        int line = lineOf("MultiQuery.java", "answers.put(answer);");
        assertThatThrownBy(() -> Leakhound.verifyNone(before))
                .isInstanceOf(LeakedThreadsError.class)
                .hasMessageContaining("found 2 leaked threads in 1 group")
                .hasMessageContaining("2 virtual threads WAITING in SynchronousQueue.put, parked on java.util.concurrent.SynchronousQueue$Transferer@")
                .hasMessageContaining("blocked at  dev.leakhound.examples.MultiQuery.lambda$firstAnswer$0(MultiQuery.java:" + line + ")");
    }

    @ParameterizedTest
    @EnumSource(value = MultiQuery.Variant.class, names = {"BUFFERED", "CANCELLING"})
    void fixedMultiQueriesPassTheCheck(MultiQuery.Variant variant) throws Exception {
        LeakOptions before = LeakOptions.builder().ignoreCurrent().build();
        String answer = MultiQuery.multiQuery(variant, firstServerAnswersAtOnce(), threads);
        assertThat(answer).startsWith("src=ns");          // normally ns1; on a busy machine a 20 ms loser may win
        // The losers of BUFFERED deliver after 20 ms and end by themselves (a leaky variant's never would); the check
        // comes after, not within the half second it waits for threads to end (a busy machine may need more).
        assertThat(threads.joinAll(AWAIT)).as("the query threads ended by themselves").isTrue();
        Leakhound.verifyNone(before);
    }

    @Test
    void leakySentinelAgentLeaksEveryRoundAndFailsTheCheck() throws Exception {
        LeakOptions before = LeakOptions.builder().ignoreCurrent().build();
        AtomicInteger checksRun = new AtomicInteger();
        List<Runnable> checks = List.of(checksRun::incrementAndGet, checksRun::incrementAndGet);
        try (SentinelAgent agent = new SentinelAgent(SentinelAgent.Variant.LEAKY, SentinelAgent.DEFAULT_PERIOD,
                checks, threads)) {
            for (int round = 1; round <= 3; round++) {
                agent.runRound();
                int stuck = (round - 1) * checks.size();
                // the stuck ones in put, and the ones whose put went through (one per check) ended: the capture
                // below has no retry, so a checker still on its way out would count as leaked
                await().atMost(AWAIT).until(() -> threads.blockedIn(ArrayBlockingQueue.class, "put") == stuck
                        && threads.terminated() == checks.size());
                LeakReport report = Leakhound.find(before.toBuilder().retryFor(Duration.ZERO).build());
                assertThat(report.count()).as("leaked after round %d", round).isEqualTo(stuck);
            }
        }
        int line = lineOf("SentinelAgent.java", "done.put(1);");
        LeakReport report = Leakhound.find(before);
        assertThat(report.groups()).hasSize(1);
        StackGroup group = report.groups().get(0);
        assertThat(group.count()).isEqualTo(4);
        assertThat(group.waitSite().call()).isEqualTo("ArrayBlockingQueue.put");
        assertThat(group.waitSite().blockingFrame().fileName()).isEqualTo("SentinelAgent.java");
        assertThat(group.waitSite().blockingFrame().lineNumber()).isEqualTo(line);
        assertThatThrownBy(() -> Leakhound.verifyNone(before))
                .hasMessageContaining("4 virtual threads WAITING in ArrayBlockingQueue.put")
                .hasMessageContaining("(SentinelAgent.java:" + line + ")");
    }

    @Test
    void fixedSentinelAgentPassesTheCheck() throws Exception {
        LeakOptions before = LeakOptions.builder().ignoreCurrent().build();
        List<Runnable> checks = List.of(() -> { }, () -> { });
        try (SentinelAgent agent = new SentinelAgent(SentinelAgent.Variant.FIXED, SentinelAgent.DEFAULT_PERIOD,
                checks, threads)) {
            for (int round = 1; round <= 3; round++) {
                agent.runRound();
            }
        }
        // runRound returns when the checks are done; the checkers then end by themselves (a leaky one never would).
        // The check comes after, not within the half second it waits for threads to end.
        assertThat(threads.joinAll(AWAIT)).as("the checkers ended by themselves").isTrue();
        Leakhound.verifyNone(before);
    }
}
