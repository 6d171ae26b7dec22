package dev.leakhound.agent;

import dev.leakhound.agent.capture.ThreadSource;
import dev.leakhound.analysis.LeakPattern;
import dev.leakhound.testing.BlockedThreads;
import dev.leakhound.testing.Http;
import dev.leakhound.testing.Json;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code /debug/leaks} names each suspect's pattern and its fix, in text and JSON. */
class LeaksPatternTest {

    /** Blocked at a line of its own, in a class of its own (not the test's, which runs while the dump is taken). */
    static final class Leak extends BlockedThreads {
        Leak(String prefix, int n) {
            super(prefix, n);
        }

        @Override
        protected void blockForever() throws InterruptedException {
            nobodyTakes.put("nobody takes this");
        }
    }

    @Test
    void eachSuspectNamesItsPatternAndFix() throws Exception {
        LeakhoundAgent a = LeakhoundAgent.start(AgentOptions.parse("port=0,window=3"), ThreadSource.jdkDump(), false);
        List<BlockedThreads> rounds = new ArrayList<>();
        try {
            a.sample();
            for (int round = 1; round <= 3; round++) {
                rounds.add(new Leak("leaks-pattern-" + round + "-", 2));    // 2 more per round, a queue per round
                a.sample();
            }
            assertThat(a.suspects()).hasSize(1);
            assertThat(Http.get(a.url(), "/debug/leaks").text())
                    .contains("  pattern     abandoned-senders (likely: 6 threads in SynchronousQueue.put on 3 distinct"
                            + " SynchronousQueue$Transferer, 0 takers in the dump)\n"
                            + "  fix         " + LeakPattern.ABANDONED_SENDERS.fix() + "\n");
            Map<String, Object> suspect = Json.objects(Json.object(Json.parse(
                    Http.get(a.url(), "/debug/leaks?format=json").text())).get("suspects")).get(0);
            assertThat(Json.object(suspect.get("pattern"))).containsEntry("id", "abandoned-senders")
                    .containsEntry("certainty", "likely").containsEntry("fix", LeakPattern.ABANDONED_SENDERS.fix());
        } finally {
            a.close();
            for (BlockedThreads b : rounds) {
                b.close();
            }
        }
    }
}
