package dev.leakhound.micrometer;

import dev.leakhound.capture.LiveThreads;
import org.junit.jupiter.api.Test;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class ThreadCensusTest {

    @Test
    void aCensusIsReusedForItsMaxAge() {
        ThreadCensus census = new ThreadCensus(Duration.ofHours(1));

        Census first = census.get();
        Census second = census.get();

        assertThat(first).isNotNull().isSameAs(second);
        assertThat(census.captures()).isEqualTo(1);
        assertThat(census.captureSeconds()).isGreaterThan(0);
    }

    @Test
    void withMaxAgeZeroEachCallCaptures() {
        ThreadCensus census = new ThreadCensus(Duration.ZERO);

        Census first = census.get();
        Census second = census.get();

        assertThat(second).isNotSameAs(first);
        assertThat(census.captures()).isEqualTo(2);
    }

    @Test
    void theCensusCountsThePlantedLeakAndNamesItsPattern() throws Exception {
        try (Senders leak = new Senders().leak(5)) {
            Census c = new ThreadCensus(Duration.ZERO).get();

            assertThat(c.counts().count(true, Thread.State.WAITING)).isGreaterThanOrEqualTo(5);
            assertThat(c.counts().count(false, Thread.State.RUNNABLE)).isGreaterThan(0);
            assertThat(c.suspects().suspects()).anySatisfy(s -> {
                assertThat(s.group().waitSite().blockingFrame().toString())
                        .startsWith("dev.leakhound.micrometer.Senders.send(Senders.java:");
                assertThat(s.group().count()).isEqualTo(5);
                assertThat(s.pattern().pattern().id()).isEqualTo("abandoned-senders");
                assertThat(c.pattern(s.group())).isEqualTo(s.pattern());
            });
            assertThat(c.deadlocks()).isEmpty();
        }
    }

    @Test
    void aFailedCaptureThrowsNothingKeepsThePreviousCensusAndIsNotRetriedBeforeMaxAge() {
        AtomicInteger calls = new AtomicInteger();
        ThreadCensus census = new ThreadCensus(Duration.ZERO, () -> {
            if (calls.incrementAndGet() == 1) {
                return LiveThreads.capture();
            }
            throw new UncheckedIOException("no room for the dump", new java.io.IOException("disk full"));
        });
        Census first = census.get();

        Census afterFailure = census.get();

        assertThat(afterFailure).isSameAs(first);
        assertThat(census.failures()).isEqualTo(1);
        assertThat(census.lastFailure()).contains("no room for the dump");

        ThreadCensus slow = new ThreadCensus(Duration.ofHours(1), () -> {
            calls.incrementAndGet();
            throw new UncheckedIOException("no room", new java.io.IOException("disk full"));
        });
        int before = calls.get();
        assertThat(slow.get()).isNull();
        assertThat(slow.get()).isNull();
        assertThat(calls.get() - before).as("captures tried within max age after a failure").isEqualTo(1);
    }

    @Test
    void aCallerNeverWaitsForAnotherCallersCapture() throws Exception {
        CountDownLatch inCapture = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        ThreadCensus census = new ThreadCensus(Duration.ZERO, () -> {
            inCapture.countDown();
            try {
                finish.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return LiveThreads.capture();
        });
        CompletableFuture<Census> first = CompletableFuture.supplyAsync(census::get);
        try {
            assertThat(inCapture.await(2, TimeUnit.MINUTES)).isTrue();

            assertThat(census.get()).as("while another caller captures: the previous census, none yet").isNull();
        } finally {
            finish.countDown();
        }
        assertThat(first.get(2, TimeUnit.MINUTES)).isNotNull();
        assertThat(census.captures()).isEqualTo(1);
    }
}
