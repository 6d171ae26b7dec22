package dev.leakhound.agent.endpoints;

import dev.leakhound.agent.http.Query;
import dev.leakhound.capture.LiveThreads;
import dev.leakhound.model.ThreadDump;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
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

    @Test
    void refusesNoCapacity() {
        assertThatThrownBy(() -> new HistoryEndpoint(0, 5000, null)).isInstanceOf(IllegalArgumentException.class);
    }
}
