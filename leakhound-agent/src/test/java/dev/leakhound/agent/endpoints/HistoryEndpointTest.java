package dev.leakhound.agent.endpoints;

import dev.leakhound.agent.http.Query;
import dev.leakhound.analysis.GrowingGroup;
import dev.leakhound.analysis.ThreadGrouping;
import dev.leakhound.capture.LiveThreads;
import dev.leakhound.model.DumpFormat;
import dev.leakhound.model.StackFrame;
import dev.leakhound.model.ThreadDump;
import dev.leakhound.model.ThreadSnapshot;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The history's memory is bounded: the last {@code capacity} samples, nothing else of a dump. */
class HistoryEndpointTest {

    @Test
    void keepsTheLastCapacitySamplesOnly() throws Exception {
        ThreadDump live = LiveThreads.capture();
        HistoryEndpoint h = new HistoryEndpoint(3, 5000, null);
        for (int i = 0; i < 10; i++) {
            ThreadDump d = new ThreadDump(Instant.ofEpochSecond(1_800_000_000L + i), live.origin(), live.format(),
                    live.processId(), live.runtimeVersion(), live.threads());
            h.add(d, List.of());
        }
        List<HistoryEndpoint.Sample> kept = h.samples();
        assertThat(kept).extracting(HistoryEndpoint.Sample::time)
                .containsExactly(1_800_000_007.0, 1_800_000_008.0, 1_800_000_009.0);
        long threads = 0;
        for (long n : kept.getLast().platform()) {
            threads += n;
        }
        for (long n : kept.getLast().virtual()) {
            threads += n;
        }
        assertThat(threads).isEqualTo(live.threads().size());
        String json = new String(h.handle(Query.parse(null, Set.of())).body(), StandardCharsets.UTF_8);
        assertThat(json).contains("\"capacity\" : 3", "\"gc\" : null", "\"time\" : 1.800000009E9")
                .doesNotContain("1.800000006E9");
    }

    /**
     * The worst a sample can hold: more suspect sites than are kept, each with a label longer than the longest kept.
     * A full ring stays within its bound, in memory (a label seen in every sample is kept once) and in its answer.
     */
    @Test
    void aFullRingOfTheLargestSamplesStaysBounded() throws Exception {
        List<ThreadSnapshot> threads = new java.util.ArrayList<>();
        for (int site = 0; site < 15; site++) {
            String cls = "com.example.S" + site + "Long".repeat(72);       // a class name of some 300 characters
            for (int t = 0; t <= site; t++) {
                threads.add(new ThreadSnapshot(site * 100L + t, "t" + site + "-" + t, true, true, Thread.State.WAITING,
                        List.of(new StackFrame("java.base", "java.util.concurrent.SynchronousQueue", "put",
                                        "SynchronousQueue.java", 1),
                                new StackFrame(null, cls, "send", "Sender.java", 10 + site)),
                        null, List.of(), null, null, null));
            }
        }
        Instant now = Instant.ofEpochSecond(1_800_000_000L);
        List<GrowingGroup> suspects = ThreadGrouping.group(threads).stream()
                .map(g -> new GrowingGroup(g, List.of(g.count()), now, now, 1, 1, 1, 1, now, Duration.ZERO))
                .toList();
        assertThat(suspects).hasSize(15);
        HistoryEndpoint h = new HistoryEndpoint(HistoryEndpoint.DEFAULT_CAPACITY, 5000, null);
        for (int i = 0; i < HistoryEndpoint.DEFAULT_CAPACITY + 40; i++) {
            h.add(new ThreadDump(now.plusSeconds(i), "test", DumpFormat.JDK_JSON, 1L, "25", threads), suspects);
        }
        List<HistoryEndpoint.Sample> kept = h.samples();
        assertThat(kept).hasSize(HistoryEndpoint.DEFAULT_CAPACITY);
        assertThat(kept.getFirst().time()).isEqualTo(1_800_000_040.0);
        for (HistoryEndpoint.Sample s : kept) {
            assertThat(s.sites()).hasSize(HistoryEndpoint.MAX_SITES);
            assertThat(s.sites().keySet()).allSatisfy(label -> assertThat(label).hasSizeLessThanOrEqualTo(200));
            assertThat(s.sites().values()).allSatisfy(n -> assertThat(n).isGreaterThanOrEqualTo(6));   // the top 10: 15..6
        }
        // one String per label for the whole ring
        List<String> first = List.copyOf(kept.getFirst().sites().keySet());
        List<String> last = List.copyOf(kept.getLast().sites().keySet());
        for (int i = 0; i < first.size(); i++) {
            assertThat(last.get(i)).isSameAs(first.get(i));
        }
        byte[] body = h.handle(Query.parse(null, Set.of())).body();
        assertThat(body.length).as("the answer of a full ring of the largest samples").isLessThan(1_500_000);
    }

    @Test
    void refusesNoCapacity() {
        assertThatThrownBy(() -> new HistoryEndpoint(0, 5000, null)).isInstanceOf(IllegalArgumentException.class);
    }
}
