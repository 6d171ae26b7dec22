package dev.leakhound;

import dev.leakhound.analysis.LeakPattern;
import dev.leakhound.testing.ThreadsAt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.SynchronousQueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The leak check's failure names each group's pattern and its fix. */
class LeakReportPatternTest {
    private final List<Thread> started = new ArrayList<>();

    @AfterEach
    void cleanUp() throws InterruptedException {
        for (Thread t : started) {
            t.interrupt();
            t.join(ThreadsAt.LIMIT);
            assertThat(t.isAlive()).as("test thread %s ended", t).isFalse();
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void theFailureNamesThePatternAndTheFix(boolean virtual) throws Exception {
        LeakOptions options = LeakOptions.builder().ignoreCurrent().retryFor(Duration.ofMillis(100)).build();
        for (int i = 0; i < 3; i++) {
            SynchronousQueue<String> answers = new SynchronousQueue<>();
            Thread.Builder b = virtual ? Thread.ofVirtual() : Thread.ofPlatform().daemon();
            started.add(b.name("answer-" + i).start(() -> {
                try {
                    answers.put("answer");            // nobody takes: the receiver is gone
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        ThreadsAt.await(started, Thread.State.WAITING, "java.util.concurrent.SynchronousQueue.put");

        assertThatThrownBy(() -> Leakhound.verifyNone(options))
                .isInstanceOf(LeakedThreadsError.class)
                .hasMessageContaining("found 3 leaked threads in 1 group")
                .hasMessageContaining("; 1 of 1 group matches a leak pattern")
                .hasMessageContaining("  pattern     abandoned-senders (likely: 3 threads in SynchronousQueue.put on 3"
                        + " distinct SynchronousQueue$Transferer, 0 takers in the dump)")
                .hasMessageContaining("  fix         " + LeakPattern.ABANDONED_SENDERS.fix())
                .satisfies(e -> assertThat(((LeakedThreadsError) e).report().patterns())
                        .singleElement().satisfies(m -> assertThat(m.pattern()).isEqualTo(LeakPattern.ABANDONED_SENDERS)));
    }
}
