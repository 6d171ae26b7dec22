package dev.leakhound.report;

import dev.leakhound.analysis.StackGroup;
import dev.leakhound.analysis.ThreadGrouping;
import dev.leakhound.model.Blocker;
import dev.leakhound.model.StackFrame;
import dev.leakhound.model.ThreadSnapshot;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class JsonReportTest {
    private static final List<StackFrame> PUT = List.of(
            StackFrame.parse("java.base/java.util.concurrent.SynchronousQueue.put(SynchronousQueue.java:266)"),
            StackFrame.parse("com.example.App.send(App.java:8)"));

    private static ThreadSnapshot t(long id, Thread.State state, List<StackFrame> stack, String blocker) {
        Blocker b = blocker == null ? null : Blocker.parse(Blocker.Kind.PARKED_ON, blocker, null);
        // copy the stack: equal stacks from different sources are different list instances
        return new ThreadSnapshot(id, "t" + id, true, null, state, new ArrayList<>(stack), b, List.of(), "<root>",
                null, null);
    }

    @Test
    void jsonReportCarriesTheGroupFields() throws Exception {
        List<StackGroup> groups = ThreadGrouping.group(List.of(
                t(7, Thread.State.WAITING, PUT, "java.util.concurrent.SynchronousQueue$Transferer@a")));
        String json = JsonReport.groupsToString(groups);
        List<String> fields = new ArrayList<>();
        try (JsonParser p = new JsonFactory().createParser(json)) {
            for (JsonToken tok; (tok = p.nextToken()) != null; ) {
                if (tok == JsonToken.FIELD_NAME) {
                    fields.add(p.currentName());
                }
            }
        }
        assertThat(fields).contains("count", "virtualCount", "state", "waitingIn", "blockedAt",
                "blockedWithoutTimeout", "blocker", "kind", "class", "objects", "containers", "threads", "stack");
        assertThat(json).contains("\"waitingIn\" : \"SynchronousQueue.put\"")
                .contains("\"blockedAt\" : \"com.example.App.send(App.java:8)\"");
    }
}
