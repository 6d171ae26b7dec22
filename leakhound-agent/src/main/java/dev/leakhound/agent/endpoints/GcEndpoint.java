package dev.leakhound.agent.endpoints;

import dev.leakhound.agent.gcwatch.GcNotifications;
import dev.leakhound.agent.http.BoundedText;
import dev.leakhound.agent.http.Endpoint;
import dev.leakhound.agent.http.Query;
import dev.leakhound.agent.http.Response;
import dev.leakhound.agent.http.Unavailable;
import dev.leakhound.gc.GcCycle;
import dev.leakhound.gc.HeapTrend;
import dev.leakhound.gc.report.GcTrace;

import java.util.List;
import java.util.Set;

/**
 * {@code /debug/gc}: the last collections as gctrace lines (Go's {@code GODEBUG=gctrace=1}, for the JVM), oldest
 * first, and the verdict on whether the heap left after each collection keeps rising. {@code ?n=N}: the last N only.
 */
public final class GcEndpoint implements Endpoint {
    private final GcNotifications gc;
    private final String off;

    /** @param gc the listener, or {@code null} when it could not start ({@code off} says why) */
    public GcEndpoint(GcNotifications gc, String off) {
        this.gc = gc;
        this.off = off;
    }

    @Override
    public Set<String> params() {
        return Set.of("n");
    }

    @Override
    public void validate(Query q) {
        q.intParam("n", Integer.MAX_VALUE, 1, Integer.MAX_VALUE);
    }

    @Override
    public String description() {
        return "the last garbage collections as gctrace lines (?n=N: the last N), and whether the heap left after"
                + " them keeps rising";
    }

    @Override
    public Response handle(Query q) {
        int n = q.intParam("n", Integer.MAX_VALUE, 1, Integer.MAX_VALUE);
        if (gc == null) {
            throw new Unavailable("the GC listener is off: " + off);
        }
        List<GcCycle> recent = gc.recent();
        List<GcCycle> shown = recent.subList(Math.max(0, recent.size() - n), recent.size());
        BoundedText out = new BoundedText();
        out.line("gc: " + gc.count() + " collections since the agent started; the last " + shown.size()
                + " (" + recent.size() + " kept); collectors: " + String.join(", ", gc.collectors()));
        for (GcCycle c : shown) {
            out.line(GcTrace.line(c, (HeapTrend) null));
        }
        out.line(GcTrace.verdict(HeapTrend.of(recent)));
        return Response.text(out);
    }
}
