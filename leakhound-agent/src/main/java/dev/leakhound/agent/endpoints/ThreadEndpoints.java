package dev.leakhound.agent.endpoints;

import dev.leakhound.agent.AgentLog;
import dev.leakhound.agent.AgentOptions;
import dev.leakhound.agent.capture.LiveDeadlocks;
import dev.leakhound.agent.http.Endpoint;
import dev.leakhound.agent.http.Query;
import dev.leakhound.agent.http.Response;
import dev.leakhound.agent.http.Unavailable;
import dev.leakhound.agent.sampling.BlockedSince;
import dev.leakhound.agent.sampling.SharedCapture;
import dev.leakhound.analysis.StackGroup;
import dev.leakhound.model.ThreadDump;
import dev.leakhound.report.DeadlockReport;
import dev.leakhound.report.TextFormat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * {@code /debug/threads/count}, {@code /debug/threads} and {@code /debug/threads/dump}. They answer from
 * {@link SharedCapture#recent()}: a capture that ended at most {@link SharedCapture#FRESHNESS} (1 s) before the
 * request, or the one in progress when it came, or a new one if the captures' CPU budget (5% of one core, shared
 * with the sampler) allows it, else the last one again. Every answer says how old its capture is: the
 * {@code Age} header (seconds), a {@code capture:} line in the text views, a {@code capture} object in JSON.
 * What is made of a capture (its groups, the text views, the pprof profile) is made once per capture and shared
 * by the requests answered from it. {@code /debug/threads/count} takes no capture where the source counts without
 * stacks (the agent's thread containers); with the JDK's JSON dump, it counts the shared capture.
 */
public final class ThreadEndpoints {
    /** The largest groups a pprof profile carries: bounds the response when stacks are as many as threads. */
    static final int MAX_PPROF_GROUPS = 10_000;

    private ThreadEndpoints() {
    }

    /**
     * {@code /debug/threads/count}: the number of live threads of all kinds, as a plain number (Go's
     * {@code /goroutines}); {@link SharedCapture#count()}.
     */
    public static Endpoint count(SharedCapture threads) {
        return new Endpoint() {
            @Override
            public Response handle(Query q) {
                SharedCapture.Count c = threads.count();
                return new Response(200, Response.TEXT, (c.threads() + "\n").getBytes(StandardCharsets.UTF_8),
                        c.headers());
            }

            @Override
            public String description() {
                return "the number of live threads, platform and virtual, as a plain number";
            }
        };
    }

    /** {@code /debug/threads}: counts by kind, state and container, as JSON, of {@link SharedCapture#recent()}. */
    public static Endpoint counts(SharedCapture threads) {
        return new Endpoint() {
            @Override
            public Response handle(Query q) {
                SharedCapture.Answer a = threads.recent();
                return new Response(200, Response.JSON, ThreadViews.countsJson(a, threads.description()), a.headers());
            }

            @Override
            public String description() {
                return "thread counts by kind, state and container (JSON; a capture shared for 1 s, its age in \"capture\")";
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
    public static Endpoint dump(SharedCapture threads, BlockedSince blocked, AgentOptions options,
                                     java.util.function.LongSupplier samplePeriod,
                                     BiFunction<List<StackGroup>, Instant, byte[]> pprof) {
        return dump(threads, blocked, options, samplePeriod, pprof, null);
    }

    /**
     * As above, the text and JSON views with the live deadlocks first ({@code deadlocks}: the agent's
     * {@link LiveDeadlocks}; {@code null} for none): a {@code deadlocks:} line and each cycle in text, a top-level
     * {@code "deadlocks"} array in JSON.
     */
    public static Endpoint dump(SharedCapture threads, BlockedSince blocked, AgentOptions options,
                                     java.util.function.LongSupplier samplePeriod,
                                     BiFunction<List<StackGroup>, Instant, byte[]> pprof,
                                     java.util.function.Supplier<LiveDeadlocks.Result> deadlocks) {
        return new Endpoint() {
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
            public Response handle(Query q) {
                String mode = mode(q);
                if (mode.equals("pprof") && pprofOff != null) {
                    throw new Unavailable("format=pprof is switched off after an error: " + pprofOff);
                }
                SharedCapture.Answer a = threads.recent();
                SharedCapture.Capture c = a.capture();
                ThreadDump dump = c.dump();
                LiveDeadlocks.Result dl = mode.equals("pprof") || deadlocks == null ? null : deadlocks.get();
                return switch (mode) {
                    case "2" -> text(a, dl, c.view("debug=2", () -> ThreadViews.everyThread(dump, blocked,
                            options.maxThreads(), samplePeriod.getAsLong(), c.ownThreads()).toBytes()));
                    case "json" -> new Response(200, Response.JSON, ThreadViews.groupedJson(a, c.groups(), blocked, dl),
                            a.headers());
                    case "pprof" -> {
                        byte[] profile = c.view("pprof", () -> pprof(c.groups().subList(0,
                                Math.min(c.groups().size(), MAX_PPROF_GROUPS)), dump.capturedAt()));
                        Map<String, String> h = new java.util.LinkedHashMap<>(a.headers());
                        h.put("Content-Disposition", "attachment; filename=\"threads.pb.gz\"");
                        yield new Response(200, Response.BINARY, profile, h);
                    }
                    default -> text(a, dl, c.view("debug=1", () -> ThreadViews.grouped(dump, c.groups(), blocked,
                            c.ownThreads()).toBytes()));
                };
            }

            private byte[] pprof(List<StackGroup> groups, Instant at) {
                try {
                    return pprof.apply(groups, at);
                } catch (Throwable t) {
                    pprofOff = AgentLog.describe(t);
                    AgentLog.failed("pprof encoder", t);
                    throw new Unavailable(500, "format=pprof failed and is switched off: " + pprofOff, Map.of());
                }
            }

            @Override
            public String description() {
                return "threads grouped by stack (?debug=1, pprof style), every thread with how long it has waited"
                        + " (?debug=2), ?format=json, ?format=pprof (gzipped profile.proto, one sample per group);"
                        + " a capture shared for 1 s, at most 5% of one core for all captures; its age in the Age header";
            }
        };
    }

    /**
     * A text view made once per capture, with the answer's {@code capture:} line after its first line, and the
     * deadlocks (when searched) after it.
     */
    private static Response text(SharedCapture.Answer a, LiveDeadlocks.Result deadlocks, byte[] view) {
        String lines = deadlocks == null ? a.line() : a.line() + "\n" + deadlocksText(deadlocks);
        return new Response(200, Response.TEXT, afterFirstLine(view, lines), a.headers());
    }

    /** {@code deadlocks: none}, or the count, each cycle with pattern and fix, and a blank line; without a last break. */
    static String deadlocksText(LiveDeadlocks.Result r) {
        StringBuilder sb = new StringBuilder("deadlocks: ");
        if (r.deadlocks().isEmpty()) {
            sb.append("none");
        } else {
            sb.append(r.deadlocks().size()).append(" (").append(TextFormat.plural(r.threads(), "thread"))
              .append(", found at ").append(r.at()).append(")");
        }
        if (r.note() != null) {
            sb.append("\n  (").append(r.note()).append(')');
        }
        if (!r.deadlocks().isEmpty()) {
            sb.append("\n\n").append(DeadlockReport.text(r.deadlocks()).replace("\n== ", "\n\n== "));
        }
        return sb.toString().stripTrailing();
    }

    /** {@code text} with {@code line} inserted after its first line (at its end if it has a single line). */
    static byte[] afterFirstLine(byte[] text, String line) {
        byte[] l = (line + "\n").getBytes(StandardCharsets.UTF_8);
        int cut = 0;
        while (cut < text.length && text[cut++] != '\n') {
            // to just after the first newline
        }
        byte[] out = new byte[text.length + l.length];
        System.arraycopy(text, 0, out, 0, cut);
        System.arraycopy(l, 0, out, cut, l.length);
        System.arraycopy(text, cut, out, cut + l.length, text.length - cut);
        return out;
    }
}
