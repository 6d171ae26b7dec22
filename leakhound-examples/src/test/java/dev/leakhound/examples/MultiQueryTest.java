package dev.leakhound.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.leakhound.examples.MultiQuery.Variant;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.SynchronousQueue;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@Timeout(180)
class MultiQueryTest {

    /** Generous: only a failing run waits this long. */
    private static final Duration AWAIT = Duration.ofSeconds(60);

    private final RecordingThreadFactory threads = new RecordingThreadFactory("query-test-");

    @AfterEach
    void endEveryQueryThread() throws InterruptedException {
        threads.interruptAndJoinAll();
    }

    /** {@code fastest} answers at once, the other servers after {@code others}. */
    private static Function<String, Duration> fastest(String fastest, Duration others) {
        return server -> server.equals(fastest) ? Duration.ZERO : others;
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void returnsTheFastestAnswer(Variant variant) throws InterruptedException {
        for (String server : MultiQuery.SERVERS) {
            String answer = MultiQuery.multiQuery(variant, fastest(server, Duration.ofMinutes(1)), threads);

            assertThat(answer).isEqualTo("src=" + server + " use ms=0");
        }
        assertThat(threads.threads()).hasSize(9).allMatch(Thread::isVirtual);
    }

    @Test
    void leakyLeavesTheTwoSlowerTasksBlockedForeverInSynchronousQueuePut() throws InterruptedException {
        String answer = MultiQuery.multiQuery(Variant.LEAKY, fastest("ns2.dnsserver.com", Duration.ofMillis(200)), threads);

        // Normally ns2 (returnsTheFastestAnswer checks that with losers an hour away); on a busy machine its thread
        // may start late enough for a 200 ms loser to win. Either way exactly one answer is taken.
        int winner = MultiQuery.SERVERS.indexOf(answer.substring("src=".length(), answer.indexOf(' ')));
        assertThat(winner).as(answer).isNotNegative();
        // The final state: the winner has ended and both losers are parked in put, where nothing can wake them.
        await().atMost(AWAIT).until(() -> threads.terminated() == 1
                && threads.blockedIn(SynchronousQueue.class, "put") == 2);
        List<Thread> all = threads.threads();
        assertThat(all.get(winner).getState()).isEqualTo(Thread.State.TERMINATED);
        for (Thread loser : all.stream().filter(t -> t != all.get(winner)).toList()) {
            assertThat(RecordingThreadFactory.isBlockedIn(loser, SynchronousQueue.class, "put")).isTrue();
            // ...called from the example's own code, so a thread dump names MultiQuery.java:<line>.
            assertThat(Arrays.stream(loser.getStackTrace()))
                    .anyMatch(f -> f.getClassName().startsWith(MultiQuery.class.getName())
                            && "MultiQuery.java".equals(f.getFileName()) && f.getLineNumber() > 0);
        }
    }

    @Test
    void bufferedLetsTheSlowerTasksDeliverAndEnd() throws InterruptedException {
        String answer = MultiQuery.multiQuery(Variant.BUFFERED, fastest("ns1.dnsserver.com", Duration.ofMillis(200)), threads);

        // normally ns1; on a busy machine a 200 ms loser may win (returnsTheFastestAnswer checks the order)
        assertThat(answer).matches("src=ns[123]\\.dnsserver\\.com use ms=\\d+");
        assertThat(threads.joinAll(AWAIT)).as("all query threads ended").isTrue();
    }

    @Test
    void cancellingEndsTheSlowerTasksAtOnce() throws InterruptedException {
        // The losers would take an hour; only the interrupt from invokeAny can end them in time.
        String answer = MultiQuery.multiQuery(Variant.CANCELLING, fastest("ns3.dnsserver.com", Duration.ofHours(1)), threads);

        assertThat(answer).startsWith("src=ns3.dnsserver.com ");
        assertThat(threads.threads()).hasSize(3);
        assertThat(threads.joinAll(AWAIT)).as("all query threads ended").isTrue();
    }

    @Test
    void seededRandomLatencyIsRepeatableAndWithinBounds() {
        Duration min = Duration.ofMillis(100);
        Duration max = Duration.ofMillis(1000);
        Function<String, Duration> first = MultiQuery.randomLatency(min, max, new Random(42));
        Function<String, Duration> second = MultiQuery.randomLatency(min, max, new Random(42));

        List<Duration> a = MultiQuery.SERVERS.stream().map(first).toList();
        List<Duration> b = MultiQuery.SERVERS.stream().map(second).toList();

        assertThat(a).isEqualTo(b).allSatisfy(d -> assertThat(d).isBetween(min, max));
        assertThat(MultiQuery.randomLatency(min, min, new Random()).apply("x")).isEqualTo(min);
        assertThatThrownBy(() -> MultiQuery.randomLatency(max, min, new Random()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void queryFromSrcAnswersInTheArticlesFormat() throws InterruptedException {
        assertThat(MultiQuery.queryFromSrc("ns1.dnsserver.com", Duration.ofMillis(1)))
                .isEqualTo("src=ns1.dnsserver.com use ms=1");
    }
}
