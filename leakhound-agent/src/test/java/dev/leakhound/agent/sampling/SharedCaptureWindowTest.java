package dev.leakhound.agent.sampling;

import dev.leakhound.agent.sampling.ThreadEndpointsSharedCaptureTest.CountingSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The reuse window of {@link SharedCapture#recent()} on the test's clock, with a budget that never binds (an allowance
 * of an hour), so that the window alone decides: it counts from the END of a capture, so a capture longer than the
 * window (100k threads: about a second) is answered again right after it; the requests that come during a capture
 * share it; no answer is older than the window while a new capture is allowed.
 */
@Timeout(120)
class SharedCaptureWindowTest {
    private static final long WINDOW = SharedCapture.FRESHNESS.toNanos();
    private static final Duration NO_BUDGET = Duration.ofHours(1);

    @Test
    void theWindowCountsFromTheEndOfACaptureLongerThanIt() {
        AtomicLong clock = new AtomicLong(1_000_000_000L);
        CountingSource source = new CountingSource(false, clock, WINDOW * 3 / 2);      // each capture: 1.5 s
        SharedCapture captures = new SharedCapture(source, d -> { }, SharedCapture.FRESHNESS, clock::get, NO_BUDGET);

        SharedCapture.Answer first = captures.recent();
        assertThat(first.capture().length()).isEqualTo(Duration.ofMillis(1500));
        assertThat(first.ageNanos()).isZero();

        clock.addAndGet(WINDOW - 1);                     // 2.5 s after its start, just under 1 s after its end
        SharedCapture.Answer again = captures.recent();
        assertThat(source.captures).as("within the window from its end: no new capture").hasValue(1);
        assertThat(again.capture()).isSameAs(first.capture());
        assertThat(again.ageNanos()).isEqualTo(WINDOW - 1);
        assertThat(again.nextInNanos()).as("the window's rest").isEqualTo(1);

        clock.addAndGet(1);                              // 1 s after its end: the window is over
        SharedCapture.Answer next = captures.recent();
        assertThat(source.captures).hasValue(2);
        assertThat(next.capture()).isNotSameAs(first.capture());
        assertThat(next.ageNanos()).isZero();
    }

    @Test
    void noAnswerIsOlderThanTheWindowWhileANewCaptureIsAllowed() {
        AtomicLong clock = new AtomicLong(1_000_000_000L);
        CountingSource source = new CountingSource(false, clock, WINDOW * 2);          // each capture: 2 s
        SharedCapture captures = new SharedCapture(source, d -> { }, SharedCapture.FRESHNESS, clock::get, NO_BUDGET);
        long step = WINDOW / 3 + 7;
        for (int i = 0; i < 12; i++) {
            SharedCapture.Answer a = captures.recent();
            assertThat(a.ageNanos()).as("request %d", i).isLessThan(WINDOW);
            clock.addAndGet(step);
        }
        // 12 requests 0.33 s apart, each capture 2 s long: a new capture every third request (0, 3, 6, 9); counted from
        // the captures' starts, the window would be over at every request.
        assertThat(source.captures).hasValue(4);
    }

    @Test
    void theRequestsThatComeDuringACaptureShareIt() throws Exception {
        AtomicLong clock = new AtomicLong(1_000_000_000L);
        CountingSource source = new CountingSource(false, clock, 0);
        source.started = new CountDownLatch(1);
        source.release = new CountDownLatch(1);
        SharedCapture captures = new SharedCapture(source, d -> { }, SharedCapture.FRESHNESS, clock::get, NO_BUDGET);
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<Future<SharedCapture.Answer>> answers = new ArrayList<>();
            answers.add(clients.submit(captures::recent));
            assertThat(source.started.await(30, TimeUnit.SECONDS)).as("the first request captures").isTrue();
            for (int i = 0; i < 7; i++) {
                answers.add(clients.submit(captures::recent));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> captures.waiting() == 7);
            clock.addAndGet(5 * WINDOW);                 // the capture runs 5 s: longer than the window, not MAX_WAIT

            source.release.countDown();
            SharedCapture.Capture shared = answers.get(0).get(60, TimeUnit.SECONDS).capture();
            assertThat(shared.length()).isEqualTo(Duration.ofSeconds(5));
            for (Future<SharedCapture.Answer> a : answers) {
                assertThat(a.get(60, TimeUnit.SECONDS).capture()).isSameAs(shared);
                assertThat(a.get().ageNanos()).isZero();
            }
            assertThat(source.captures).as("one capture for the 8 requests").hasValue(1);
            assertThat(captures.recent().capture()).as("and right after its end").isSameAs(shared);
            assertThat(source.captures).hasValue(1);
        } finally {
            source.release.countDown();
            clients.shutdownNow();
            assertThat(clients.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
    }
}
