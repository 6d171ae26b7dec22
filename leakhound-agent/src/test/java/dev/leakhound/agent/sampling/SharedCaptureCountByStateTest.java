package dev.leakhound.agent.sampling;

import dev.leakhound.agent.capture.ContainerThreads;
import dev.leakhound.agent.capture.ThreadSource;
import dev.leakhound.model.ThreadDump;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The counts by kind and state that {@code /metrics} reads at scrape time: shared like the plain count. */
class SharedCaptureCountByStateTest {

    /** A source that counts without stacks: 3 virtual threads waiting, 2 platform running, and 1 of Leakhound's. */
    private static final class CheapSource implements ThreadSource {
        final AtomicInteger counts = new AtomicInteger();

        @Override
        public ThreadDump capture() {
            return ThreadSource.jdkDump().capture();
        }

        @Override
        public ContainerThreads.Counts countByState() {
            counts.incrementAndGet();
            return new ContainerThreads.Counts(3, 2, Map.of(Thread.State.WAITING, 3L), Map.of(Thread.State.RUNNABLE, 2L),
                    Map.of("<root>", 5L), 1);
        }

        @Override
        public boolean countsCheaply() {
            return true;
        }

        @Override
        public String description() {
            return "cheap";
        }
    }

    @Test
    void countedAtMostOncePerFreshnessAndSharedWithThePlainCount() {
        AtomicLong clock = new AtomicLong(1_000_000_000L);
        CheapSource source = new CheapSource();
        SharedCapture captures = new SharedCapture(source, d -> { }, SharedCapture.FRESHNESS, clock::get, Duration.ZERO);

        SharedCapture.StateCount first = captures.countByState();
        assertThat(first.counts().virtualByState()).containsEntry(Thread.State.WAITING, 3L);
        assertThat(first.counts().platformByState()).containsEntry(Thread.State.RUNNABLE, 2L);
        assertThat(first.ageNanos()).isZero();
        assertThat(source.counts).hasValue(1);

        clock.addAndGet(Duration.ofMillis(500).toNanos());
        SharedCapture.StateCount again = captures.countByState();
        assertThat(again.counts()).isSameAs(first.counts());
        assertThat(again.ageNanos()).isEqualTo(Duration.ofMillis(500).toNanos());
        assertThat(captures.count().threads()).as("every thread, Leakhound's own included").isEqualTo(6);
        assertThat(source.counts).as("within the freshness: no new count").hasValue(1);

        clock.addAndGet(Duration.ofSeconds(2).toNanos());
        assertThat(captures.countByState().ageNanos()).isZero();
        assertThat(source.counts).hasValue(2);
    }

    @Test
    void noneWhereTheSourceDoesNotCountCheaply() {
        SharedCapture captures = new SharedCapture(ThreadSource.jdkDump(), d -> { });
        assertThat(captures.countByState()).isNull();
    }
}
