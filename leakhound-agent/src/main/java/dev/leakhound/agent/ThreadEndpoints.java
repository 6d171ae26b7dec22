package dev.leakhound.agent;

import dev.leakhound.analysis.StackGroup;
import dev.leakhound.analysis.ThreadGrouping;
import dev.leakhound.model.ThreadDump;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * {@code /debug/threads/count}, {@code /debug/threads} and {@code /debug/threads/dump}. They answer from
 * {@link SharedCapture#recent()}: a capture that started at most {@link SharedCapture#FRESHNESS} (1 s) before the
 * request, or the one in progress when it came, so that requests that come together share one capture and at
 * most one runs at a time. {@code /debug/threads/count} takes no capture where the source counts without stacks
 * (the agent's thread containers); with the JDK's JSON dump, it counts the shared capture.
 */
final class ThreadEndpoints {
    /** The largest groups a pprof profile carries: bounds the response when stacks are as many as threads. */
    static final int MAX_PPROF_GROUPS = 10_000;

    private ThreadEndpoints() {
    }

    /**
     * {@code /debug/threads/count}: the number of live threads of all kinds, as a plain number (Go's
     * {@code /goroutines}); {@link SharedCapture#count()}.
     */
    static DebugServer.Endpoint count(SharedCapture threads) {
        return new DebugServer.Endpoint() {
            @Override
            public Set<String> params() {
                return Set.of();
            }

            @Override
            public Response get(Query q) {
                return Response.text(threads.count() + "\n");
            }

            @Override
            public String description() {
                return "the number of live threads, platform and virtual, as a plain number";
            }
        };
    }

    /** {@code /debug/threads}: counts by kind, state and container, as JSON, of {@link SharedCapture#recent()}. */
    static DebugServer.Endpoint counts(SharedCapture threads) {
        return new DebugServer.Endpoint() {
            @Override
            public Set<String> params() {
                return Set.of();
            }

            @Override
            public Response get(Query q) {
                return Response.json(ThreadViews.countsJson(threads.recent(), threads.description()));
            }

            @Override
            public String description() {
                return "thread counts by kind, state and container (JSON; a capture shared for 1 s)";
            }

            @Override
            public String contentType(Query q) {
                return Response.JSON;
            }
        };
    }

    /**
     * {@code /debug/threads/dump}: {@code ?debug=1} (the default) grouped, pprof style; {@code ?debug=2} every
     * thread; {@code ?format=json} grouped as JSON; {@code ?format=pprof} (or {@code ?debug=0}) a gzipped pprof
     * profile with one sample per group, from {@code pprof} when it is there. All of
     * {@link SharedCapture#recent()}.
     *
     * @param blocked      how long each thread has waited (told of each capture by {@code threads})
     * @param samplePeriod the sampler's period in milliseconds, 0 when it does not sample by itself
     * @param pprof groups and capture time to gzipped {@code profile.proto} bytes; if it fails, pprof alone is
     *              switched off (logged once), the text and JSON views go on
     */
    static DebugServer.Endpoint dump(SharedCapture threads, BlockedSince blocked, AgentOptions options,
                                     java.util.function.LongSupplier samplePeriod,
                                     BiFunction<List<StackGroup>, Instant, byte[]> pprof) {
        return new DebugServer.Endpoint() {
            private volatile String pprofOff;

            @Override
            public Set<String> params() {
                return Set.of("debug", "format");
            }

            /** "1", "2", "json" or "pprof". */
            private String mode(Query q) {
                if (q.has("debug") && q.has("format")) {
                    throw new Query.BadRequest("give either debug or format, not both");
                }
                if (q.has("format")) {
                    return q.choice("format", "text", "text", "json", "pprof").equals("text") ? "1" : q.get("format");
                }
                int debug = q.intParam("debug", 1, 0, 2);
                return debug == 0 ? "pprof" : Integer.toString(debug);
            }

            @Override
            public void validate(Query q) {
                mode(q);
            }

            @Override
            public String contentType(Query q) {
                return switch (mode(q)) {
                    case "json" -> Response.JSON;
                    case "pprof" -> Response.BINARY;
                    default -> Response.TEXT;
                };
            }

            @Override
            public Response get(Query q) {
                String mode = mode(q);
                if (mode.equals("pprof") && pprofOff != null) {
                    throw new DebugServer.Unavailable("format=pprof is switched off after an error: " + pprofOff);
                }
                ThreadDump dump = threads.recent();
                if (mode.equals("2")) {
                    return Response.text(ThreadViews.everyThread(dump, blocked, options.maxThreads(), samplePeriod.getAsLong()));
                }
                List<StackGroup> groups = ThreadGrouping.group(dump.threads());
                return switch (mode) {
                    case "json" -> Response.json(ThreadViews.groupedJson(dump, groups, blocked));
                    case "pprof" -> new Response(200, Response.BINARY,
                            pprof(groups.subList(0, Math.min(groups.size(), MAX_PPROF_GROUPS)), dump.capturedAt()),
                            Map.of("Content-Disposition", "attachment; filename=\"threads.pb.gz\""));
                    default -> Response.text(ThreadViews.grouped(dump, groups, blocked));
                };
            }

            private byte[] pprof(List<StackGroup> groups, Instant at) {
                try {
                    return pprof.apply(groups, at);
                } catch (Throwable t) {
                    pprofOff = AgentLog.describe(t);
                    AgentLog.failed("pprof encoder", t);
                    throw new DebugServer.Unavailable(500, "format=pprof failed and is switched off: " + pprofOff, Map.of());
                }
            }

            @Override
            public String description() {
                return "threads grouped by stack (?debug=1, pprof style), every thread with how long it has waited"
                        + " (?debug=2), ?format=json, ?format=pprof (gzipped profile.proto, one sample per group);"
                        + " a capture shared for 1 s";
            }
        };
    }
}
