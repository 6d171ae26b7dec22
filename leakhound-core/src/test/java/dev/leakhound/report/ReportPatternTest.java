package dev.leakhound.report;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.leakhound.analysis.LeakPattern;
import dev.leakhound.analysis.PatternMatch;
import dev.leakhound.analysis.StackGroup;
import dev.leakhound.analysis.ThreadGrouping;
import dev.leakhound.model.Blocker;
import dev.leakhound.model.StackFrame;
import dev.leakhound.model.ThreadSnapshot;
import org.junit.jupiter.api.Test;

import java.io.StringWriter;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A group's pattern in text ({@code pattern} and {@code fix} lines) and JSON ({@code "pattern": {...}}). */
class ReportPatternTest {
    private static final StackGroup GROUP = ThreadGrouping.group(List.of(new ThreadSnapshot(7, "q", true, null,
            Thread.State.WAITING, List.of(
                    StackFrame.parse("java.base/java.util.concurrent.SynchronousQueue.put(SynchronousQueue.java:266)"),
                    StackFrame.parse("com.example.App.send(App.java:8)")),
            Blocker.parse(Blocker.Kind.PARKED_ON, "java.util.concurrent.SynchronousQueue$Transferer@1", null),
            List.of(), null, null, null))).get(0);

    @Test
    void textHasAPatternLineAndAFixLine() {
        PatternMatch m = new PatternMatch(LeakPattern.ABANDONED_SENDERS, PatternMatch.Certainty.LIKELY, "1 putter");
        assertThat(TextReport.group(GROUP, m, false)).contains(
                "  blocked at  com.example.App.send(App.java:8)\n"
                + "  pattern     abandoned-senders (likely: 1 putter)\n"
                + "  fix         give the queue a buffer of N");
        assertThat(TextReport.group(GROUP, PatternMatch.unclassified(PatternMatch.Certainty.LIKELY, "seen"), false))
                .contains("  pattern     unclassified (likely: seen)\n").doesNotContain("fix");
        assertThat(TextReport.group(GROUP, false)).doesNotContain("pattern");
    }

    @Test
    void jsonHasAPatternObject() throws Exception {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = JsonReport.generator(w)) {
            JsonReport.writeGroups(g, List.of(GROUP), x -> new PatternMatch(LeakPattern.ORPHAN_WAIT,
                    PatternMatch.Certainty.LIKELY, "no notifier"));
        }
        assertThat(w.toString().replaceAll("\\s+", " ")).contains("\"pattern\" : { \"id\" : \"orphan-wait\","
                + " \"certainty\" : \"likely\", \"evidence\" : \"no notifier\", \"fix\" : \""
                + LeakPattern.ORPHAN_WAIT.fix() + "\" }");
        StringWriter u = new StringWriter();
        try (JsonGenerator g = JsonReport.generator(u)) {
            JsonReport.writeGroups(g, List.of(GROUP), x -> PatternMatch.unclassified(PatternMatch.Certainty.LIKELY, "x"));
        }
        assertThat(u.toString()).contains("\"unclassified\"").doesNotContain("\"fix\"");
    }
}
