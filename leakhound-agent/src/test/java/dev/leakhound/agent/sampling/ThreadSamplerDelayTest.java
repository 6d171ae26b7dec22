package dev.leakhound.agent.sampling;

import dev.leakhound.agent.capture.ThreadSource;
import dev.leakhound.model.ThreadDump;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bound on the host's CPU: all captures together, the sampler's and the endpoints', take at most 5% of one
 * core. Real captures of this JVM's threads, on a clock of the test's own that each capture moves on by the length
 * the test gives it, so that no verdict depends on how fast the machine is.
 */
class ThreadSamplerDelayTest {

    /** The JDK's JSON dump of this JVM, taking {@code lengthNanos} on {@code clock}, counted. */
    private static final class TimedSource implements ThreadSource {
        final ThreadSource real = ThreadSource.jdkDump();
        final AtomicLong clock;
        final AtomicInteger captures = new AtomicInteger();
        volatile long lengthNanos;

        TimedSource(AtomicLong clock, long lengthNanos) {
            this.clock = clock;
            this.lengthNanos = lengthNanos;
        }

        @Override
        public ThreadDump capture() {
            captures.incrementAndGet();
            ThreadDump d = real.capture();
            clock.addAndGet(lengthNanos);
            return d;
        }

        @Override
        public String description() {
            return "timed " + real.description();
        }
    }

    @Test
    void quickSamplesKeepThePeriod() {
        assertThat(ThreadSampler.nextDelayMillis(5000, TimeUnit.MILLISECONDS.toNanos(20))).isEqualTo(5000);
        assertThat(ThreadSampler.nextDelayMillis(100, 0)).isEqualTo(100);
        assertThat(ThreadSampler.nextDelayMillis(100, -1)).isEqualTo(100);   // a clock that went back
    }

    @Test
    void slowSamplesStretchTheDelayToTwentyTimesTheirLengthFromStartToStart() {
        long sample = TimeUnit.SECONDS.toNanos(1);                   // 100k threads, about
        long delay = ThreadSampler.nextDelayMillis(5000, sample);
        assertThat(delay).isEqualTo(19_000);
        assertThat(1000.0 / (1000 + delay)).isLessThanOrEqualTo(ThreadSampler.MAX_SHARE + 1e-9);
        assertThat(ThreadSampler.nextDelayMillis(5000, TimeUnit.MILLISECONDS.toNanos(300))).isEqualTo(5700);
    }

    @Test
    void theBudgetGatesEveryStartAndChargesAddUp() {
        CaptureBudget b = new CaptureBudget(Duration.ZERO);
        assertThat(b.waitNanos(-5)).as("nothing charged yet").isZero();
        b.charge(0, 1_000);
        assertThat(b.waitNanos(1_000)).isEqualTo(19_000);
        assertThat(b.waitNanos(20_000)).isZero();
        b.charge(1_000, 1_010);                                       // a short one (a count) ran meanwhile
        assertThat(b.waitNanos(1_010)).as("charged after the first one's pace").isEqualTo(19_190);
        assertThat(b.captures()).isEqualTo(2);
        assertThat(b.spentNanos()).isEqualTo(1_010);
    }

    @Test
    void anEndpointsCaptureDelaysTheSamplerAsItsOwnWould() {
        AtomicLong clock = new AtomicLong(7_000_000_000L);
        TimedSource source = new TimedSource(clock, TimeUnit.SECONDS.toNanos(1));
        SharedCapture captures = new SharedCapture(source, d -> { }, SharedCapture.FRESHNESS, clock::get, Duration.ZERO);
        ThreadSampler sampler = new ThreadSampler(captures, 5000);
        List<Integer> sampled = new ArrayList<>();
        sampler.addListener((dump, groups) -> sampled.add(dump.threads().size()));

        captures.recent();                                            // a request: 1 s of capture
        assertThat(source.captures).hasValue(1);
        assertThat(sampler.step()).as("no capture for 19 s after it").isEqualTo(19_000);
        assertThat(sampled).as("the request's capture is the sample").hasSize(1);
        assertThat(sampler.step()).isEqualTo(19_000);
        assertThat(sampled).as("and only once").hasSize(1);
        assertThat(source.captures).hasValue(1);

        clock.addAndGet(TimeUnit.SECONDS.toNanos(19));
        assertThat(sampler.step()).isEqualTo(19_000);
        assertThat(sampled).hasSize(2);
        assertThat(source.captures).hasValue(2);
        assertThat(captures.recent().ageNanos()).as("the request right after answers from the sample").isZero();
        assertThat(source.captures).hasValue(2);
    }

    /**
     * A dashboard that asks every second, the sampler every 5 s, for ten minutes of the test's clock, with captures
     * of 1.5 s (about 150k threads): the captures take at most 5% of the time, the dashboard is always answered, and
     * the sampler keeps sampling. Before the shared budget, the dashboard alone took a capture on every request.
     */
    @Test
    void theSamplerAndTheEndpointsTogetherStayWithinTheBudget() {
        long length = TimeUnit.MILLISECONDS.toNanos(1500);
        AtomicLong clock = new AtomicLong(0);
        TimedSource source = new TimedSource(clock, length);
        SharedCapture captures = new SharedCapture(source, d -> { }, SharedCapture.FRESHNESS, clock::get,
                CaptureBudget.ALLOWANCE);
        ThreadSampler sampler = new ThreadSampler(captures, 5000);
        AtomicInteger samples = new AtomicInteger();
        sampler.addListener((dump, groups) -> samples.incrementAndGet());

        long start = clock.get();
        long end = start + TimeUnit.MINUTES.toNanos(10);
        long nextSample = start;
        long nextRequest = start + TimeUnit.MILLISECONDS.toNanos(300);
        long oldest = 0;
        int requests = 0;
        while (clock.get() < end) {
            if (nextSample - nextRequest <= 0) {
                clock.set(Math.max(clock.get(), nextSample));
                nextSample = clock.get() + TimeUnit.MILLISECONDS.toNanos(sampler.step());
            } else {
                clock.set(Math.max(clock.get(), nextRequest));
                SharedCapture.Answer a = captures.recent();
                oldest = Math.max(oldest, a.ageNanos());
                requests++;
                nextRequest = clock.get() + TimeUnit.SECONDS.toNanos(1);
            }
        }
        double elapsed = clock.get() - start;
        double spent = (double) source.captures.get() * length;
        assertThat(spent / elapsed).as("share of the time spent capturing, %d captures", source.captures.get())
                .isLessThanOrEqualTo(CaptureBudget.MAX_SHARE + (length + CaptureBudget.ALLOWANCE.toNanos()) / elapsed);
        assertThat(captures.captureSeconds()).isEqualTo(spent / 1e9);
        assertThat(requests).isGreaterThan(500);
        assertThat(Duration.ofNanos(oldest)).as("answers are at most one budget interval old")
                .isLessThanOrEqualTo(Duration.ofNanos(CaptureBudget.idleAfterNanos(length) + TimeUnit.SECONDS.toNanos(1)));
        assertThat(samples.get()).as("the sampler samples at the budget's pace, the dashboard's captures too")
                .isGreaterThanOrEqualTo(source.captures.get() - 1).isGreaterThanOrEqualTo(10);
    }

    /**
     * Issue 11: the first capture of a cold JVM took 1.6 s (the capture's code loaded and compiled), the next ones
     * 20 ms; the 5% rule then spaced the first samples 31 s apart. With the budget's allowance, the sampler keeps its
     * period from the first sample on.
     */
    @Test
    void aSlowFirstCaptureDoesNotSetThePace() {
        AtomicLong clock = new AtomicLong(0);
        TimedSource source = new TimedSource(clock, TimeUnit.MILLISECONDS.toNanos(1600));
        SharedCapture captures = new SharedCapture(source, d -> { }, SharedCapture.FRESHNESS, clock::get,
                CaptureBudget.ALLOWANCE);
        ThreadSampler sampler = new ThreadSampler(captures, 5000);
        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            long delay = sampler.step();
            delays.add(delay);
            source.lengthNanos = TimeUnit.MILLISECONDS.toNanos(20);      // warm from the second capture on
            clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(delay));
        }
        assertThat(delays).as("every sample a period after the last").containsOnly(5000L);
        assertThat(source.captures).hasValue(20);
    }

    /** The allowance is spent once: captures that stay slow (1 s each) are paced at 5% after it. */
    @Test
    void capturesThatStaySlowArePacedOnceTheAllowanceIsSpent() {
        AtomicLong clock = new AtomicLong(0);
        TimedSource source = new TimedSource(clock, TimeUnit.SECONDS.toNanos(1));
        SharedCapture captures = new SharedCapture(source, d -> { }, SharedCapture.FRESHNESS, clock::get,
                CaptureBudget.ALLOWANCE);
        ThreadSampler sampler = new ThreadSampler(captures, 5000);
        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            long delay = sampler.step();
            delays.add(delay);
            clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(delay));
        }
        // 2 s of allowance (40 s of pace), 1 s captures (20 s of pace each) 6 s apart: two at the period, the third
        // 7 s after the end of the last, then the pace of 5%, 20 s from one start to the next
        assertThat(delays.subList(0, 4)).containsExactly(5000L, 5000L, 7000L, 19_000L);
        assertThat(delays.subList(4, 12)).containsOnly(19_000L);
        double share = source.captures.get() * 1.0 / (clock.get() / 1e9);
        assertThat(share).isLessThanOrEqualTo(CaptureBudget.MAX_SHARE + 2.0 / (clock.get() / 1e9) + 1e-9);
    }

    @Test
    void aViewOfACaptureIsMadeOnceForEveryoneWhoAsks() throws Exception {
        SharedCapture.Capture c = new SharedCapture(ThreadSource.jdkDump(), d -> { }).recent().capture();
        AtomicInteger made = new AtomicInteger();
        CountDownLatch making = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread first = Thread.ofPlatform().start(() -> c.view("v", () -> {
            made.incrementAndGet();
            making.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "made";
        }));
        try {
            assertThat(making.await(30, TimeUnit.SECONDS)).isTrue();
            List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread second = Thread.ofPlatform().start(() -> seen.add(c.view("v", () -> {
                made.incrementAndGet();
                return "again";
            })));
            release.countDown();
            second.join(TimeUnit.SECONDS.toMillis(30));
            assertThat(seen).containsExactly("made");
            assertThat(c.view("v", () -> "later")).isEqualTo("made");
            assertThat(made).hasValue(1);
        } finally {
            release.countDown();
            first.join(TimeUnit.SECONDS.toMillis(30));
        }
    }
}
