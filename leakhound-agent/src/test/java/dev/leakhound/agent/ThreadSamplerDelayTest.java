package dev.leakhound.agent;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The sampler's bound on the host's CPU: a sample takes at most 5% of the time from one start to the next. */
class ThreadSamplerDelayTest {

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
}
