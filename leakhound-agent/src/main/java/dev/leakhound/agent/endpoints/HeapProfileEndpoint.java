package dev.leakhound.agent.endpoints;

import dev.leakhound.agent.http.BoundedText;
import dev.leakhound.agent.http.Endpoint;
import dev.leakhound.agent.http.Query;
import dev.leakhound.agent.http.Response;
import dev.leakhound.heapprofile.HeapProfile;
import dev.leakhound.heapprofile.report.HeapProfileText;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * {@code /debug/heap/profile}: memory by the stack that allocated it, from the agent's JFR recording
 * ({@link HeapProfiles}; agent option {@code heapProfile=true}). {@code ?kind=alloc&seconds=N}: the sampled
 * allocations of the last N seconds ({@code alloc_objects}/{@code alloc_space}); {@code ?kind=inuse} (the default):
 * JFR's sampled objects still alive, with their age ({@code inuse_objects}/{@code inuse_space}), {@code &roots=1}
 * with the path from a GC root of the largest (rate-limited: a heap walk like a full GC). A gzipped pprof
 * {@code profile.proto} by default, {@code ?debug=1} text, largest first.
 */
public final class HeapProfileEndpoint implements Endpoint {
    static final int DEFAULT_SECONDS = 30;
    static final int DEFAULT_TOP = 20;
    static final int MAX_TOP = 1000;

    private final HeapProfiles profiles;
    private final Function<HeapProfile, byte[]> pprof;

    /** @param pprof a profile to gzipped {@code profile.proto} bytes */
    public HeapProfileEndpoint(HeapProfiles profiles, Function<HeapProfile, byte[]> pprof) {
        this.profiles = profiles;
        this.pprof = pprof;
    }

    @Override
    public Set<String> params() {
        return Set.of("kind", "seconds", "debug", "top", "roots");
    }

    @Override
    public void validate(Query q) {
        String kind = q.choice("kind", "inuse", "inuse", "alloc");
        q.intParam("seconds", DEFAULT_SECONDS, 1, HeapProfiles.MAX_SECONDS);
        q.intParam("debug", 0, 0, 1);
        q.intParam("top", DEFAULT_TOP, 1, MAX_TOP);
        boolean roots = q.flag("roots");
        if (kind.equals("alloc") && roots) {
            throw new Query.BadRequest("roots=1 goes with kind=inuse: allocations have no root paths");
        }
        if (kind.equals("inuse") && q.has("seconds")) {
            throw new Query.BadRequest("seconds=N goes with kind=alloc: kind=inuse is the objects alive now");
        }
    }

    @Override
    public String contentType(Query q) {
        return q.intParam("debug", 0, 0, 1) == 1 ? Response.TEXT : Response.BINARY;
    }

    @Override
    public String description() {
        return "heap profile from JFR (agent option heapProfile=true): ?kind=inuse sampled live objects by allocation"
                + " stack, with their age (&roots=1: their paths from GC roots, a heap walk, at most once per"
                + " heapIntervalMillis), ?kind=alloc&seconds=N (1 to " + HeapProfiles.MAX_SECONDS + ") allocations"
                + " by stack; gzipped pprof, ?debug=1 text, largest first";
    }

    @Override
    public Response handle(Query q) throws Exception {
        validate(q);
        boolean alloc = q.choice("kind", "inuse", "inuse", "alloc").equals("alloc");
        HeapProfile p = alloc
                ? profiles.alloc(Duration.ofSeconds(q.intParam("seconds", DEFAULT_SECONDS, 1, HeapProfiles.MAX_SECONDS)))
                : profiles.inuse(q.flag("roots"));
        if (q.intParam("debug", 0, 0, 1) == 0) {
            return new Response(200, Response.BINARY, pprof.apply(p), Map.of());
        }
        StringWriter text = new StringWriter();
        try (PrintWriter out = new PrintWriter(text)) {
            HeapProfileText.write(p, q.intParam("top", DEFAULT_TOP, 1, MAX_TOP), out);
        }
        BoundedText body = new BoundedText();
        body.append(text);
        return Response.text(body);
    }
}
