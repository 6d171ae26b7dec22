package dev.leakhound.cli.demo;

import dev.leakhound.agent.AgentOptions;
import dev.leakhound.agent.LeakhoundAgent;
import dev.leakhound.agent.capture.ThreadSource;
import dev.leakhound.analysis.GrowingGroup;
import dev.leakhound.analysis.PatternMatch;
import dev.leakhound.analysis.Patterns;
import dev.leakhound.analysis.WaitSite;
import dev.leakhound.capture.LiveThreads;
import dev.leakhound.examples.SentinelAgent;
import dev.leakhound.model.CreationSite;
import dev.leakhound.model.StackFrame;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The live part of {@code leakhound demo}: the seed's sentinel agent runs in this JVM with Leakhound's agent and
 * debug server on. After each round it takes one sample for the growth detector ({@link LeakhoundAgent#sample()})
 * and asks the server, over real HTTP, for {@code /debug/threads/count}.
 */
final class LiveSentinelDemo {

    /** The growth detector's window, in samples (one per round): a leak is reported at its third round. */
    static final int WINDOW = 3;
    /** The suspect must be reported within this many rounds of the first leaked thread. */
    static final int SUSPECT_WITHIN_ROUNDS = 3;
    private static final String INDENT = "   ";
    private static final String NO_CREATION_SITE =
            "not recorded yet (creation sites come with the agent's instrumentation)";
    /** The URLs printed to try, each fetched once to show it answers. */
    private static final List<String> TRY = List.of("/debug/threads/count", "/debug/threads/dump?debug=1",
            "/debug/leaks", "/debug/gc", "/metrics");

    private final PrintWriter out;
    private final SentinelAgent.Variant variant;
    private final int rounds;
    private final Duration period;
    private final List<Runnable> checks;
    private final Duration settleTimeout;

    /** What the live run found: the counts per round, the round of the first suspect (0: none), the problems. */
    record Outcome(List<Integer> counts, int suspectRound, String url, List<String> problems) {
    }

    LiveSentinelDemo(PrintWriter out, SentinelAgent.Variant variant, int rounds, Duration period,
                     List<Runnable> checks, Duration settleTimeout) {
        this.out = out;
        this.variant = variant;
        this.rounds = rounds;
        this.period = period;
        this.checks = checks;
        this.settleTimeout = settleTimeout;
    }

    Outcome run() throws InterruptedException {
        boolean leaky = variant == SentinelAgent.Variant.LEAKY;
        List<Integer> counts = new ArrayList<>();
        List<String> wrong = new ArrayList<>();
        int suspectRound = 0;
        int firstLeakRound = 0;
        String url = null;
        int port = portToUse();
        LeakhoundAgent agent;
        try {
            agent = startAgent(port);
        } catch (IllegalStateException e) {
            wrong.add("could not start Leakhound's agent: " + e.getMessage());
            return new Outcome(counts, 0, null, wrong);
        }
        try (ThreadRecorder threads =
                     new ThreadRecorder("sentinel-live-" + variant.name().toLowerCase(Locale.ROOT) + "-check-");
             HttpClient http = HttpClient.newBuilder().executor(Runnable::run)
                     .connectTimeout(Duration.ofSeconds(5)).build()) {
            if (agent.url() == null && port != 0) {
                out.println(INDENT + "port " + port + " could not be used: " + agent.partsOff().get("debug server")
                        + "; trying any free port");
                agent.close();
                agent = startAgent(0);
            }
            if (agent.url() == null) {
                wrong.add("the debug server did not start: " + agent.partsOff().get("debug server"));
                return new Outcome(counts, 0, null, wrong);
            }
            URI base = agent.url();
            url = base.toString();
            String hostPort = base.getHost() + ":" + base.getPort();
            out.println(INDENT + "Leakhound's agent and debug server: " + base
                    + (base.getPort() == AgentOptions.DEFAULT_PORT ? " (the default port)"
                    : " (port " + AgentOptions.DEFAULT_PORT + " was taken: any free port)"));
            out.println(INDENT + "after each round: one sample for the leak detector (window " + WINDOW
                    + " samples), then GET " + base.resolve("/debug/threads/count"));
            // Two requests first, so the server's two worker threads exist before round 1 and do not show as growth.
            get(http, base.resolve("/debug/threads/count"));
            get(http, base.resolve("/debug/threads/count"));

            try (SentinelAgent sentinel = new SentinelAgent(variant, period, checks, threads)) {
                long next = System.nanoTime();
                for (int round = 1; round <= rounds; round++) {
                    if (round > 1) {
                        waitUntil(next);
                    }
                    next += period.toNanos();
                    sentinel.runRound();
                    if (!threads.awaitSettled(settleTimeout)) {
                        wrong.add("checker threads still running after " + settleTimeout.toSeconds() + " s: "
                                + threads.unsettled());
                    }
                    if (firstLeakRound == 0 && !threads.alive().isEmpty()) {
                        firstLeakRound = round;
                    }
                    List<GrowingGroup> suspects = agent.sample();
                    HttpResponse<String> r = get(http, base.resolve("/debug/threads/count"));
                    Integer count = parseCount(r);
                    if (count == null) {
                        wrong.add("GET /debug/threads/count answered " + r.statusCode() + " '" + r.body().strip() + "'");
                        break;
                    }
                    String change = counts.isEmpty() ? "" : String.format(Locale.ROOT, " (%+d)", count - counts.getLast());
                    counts.add(count);
                    out.printf(Locale.ROOT, "%sround %d: live threads %d%s%s%n", INDENT, round, count, change,
                            round == 1 ? "   (curl " + hostPort + "/debug/threads/count answered " + count + ")" : "");
                    List<GrowingGroup> ours = suspects.stream().filter(LiveSentinelDemo::isSentinel).toList();
                    if (!suspects.isEmpty() && suspectRound == 0) {
                        suspectRound = round;
                        for (GrowingGroup g : suspects) {
                            printSuspect(g);
                        }
                        if (leaky) {
                            checkSuspect(ours, threads, wrong);
                        }
                    } else if (!ours.isEmpty()) {
                        GrowingGroup g = ours.getFirst();
                        out.printf(Locale.ROOT, "%s   the suspect again: %d threads, %s%n", INDENT, g.count(), growth(g));
                    }
                }
            }

            out.println(INDENT + "URLs to try while a program runs with the agent (each answered here"
                    + (leaky ? ", with the leaked threads still there):" : "):"));
            for (String path : TRY) {
                HttpResponse<String> r = get(http, base.resolve(path));
                String curl = path.contains("?") ? "curl '" + hostPort + path + "'" : "curl " + hostPort + path;
                out.printf(Locale.ROOT, "%s  %-52s -> %d, %d bytes%n", INDENT, curl, r.statusCode(), r.body().length());
                if (r.statusCode() != 200) {
                    wrong.add("GET " + path + " answered " + r.statusCode());
                }
            }

            judge(leaky, counts, suspectRound, firstLeakRound, wrong);
            int stuck = threads.alive().size();
            int left = threads.stopAll(settleTimeout);
            if (stuck > 0) {
                out.println(INDENT + "clean-up: interrupted the " + stuck + " blocked threads; "
                        + (left == 0 ? "all ended" : left + " did not end"));
            }
            if (left > 0) {
                wrong.add(left + " threads did not end when interrupted");
            }
        } catch (IOException e) {
            wrong.add("the debug server did not answer: " + e);
        } finally {
            agent.close();
        }
        if (url != null) {
            out.println(INDENT + "stopped the agent and its server (" + url + " is closed)");
        }
        return new Outcome(counts, suspectRound, url, wrong);
    }

    private void judge(boolean leaky, List<Integer> counts, int suspectRound, int firstLeakRound, List<String> wrong) {
        String arrows = counts.stream().map(String::valueOf).collect(Collectors.joining(" -> "));
        if (leaky) {
            for (int i = 1; i < counts.size(); i++) {
                if (counts.get(i) <= counts.get(i - 1)) {
                    wrong.add("the live thread count did not rise in round " + (i + 1) + ": " + arrows);
                    break;
                }
            }
            if (firstLeakRound == 0) {
                wrong.add("no checker thread leaked");
            } else if (suspectRound == 0) {
                wrong.add("no suspect from the leak detector");
            } else if (suspectRound - firstLeakRound > SUSPECT_WITHIN_ROUNDS) {
                wrong.add("the suspect came " + (suspectRound - firstLeakRound) + " rounds after the first leak");
            }
            if (wrong.isEmpty()) {
                out.println(INDENT + "=> as expected: the live thread count rises every round (" + arrows
                        + "); the leak detector named the done.put(1) line in round " + suspectRound
                        + ", " + (suspectRound - firstLeakRound) + " round(s) after the first leak (round "
                        + firstLeakRound + ")");
            }
        } else {
            if (counts.stream().distinct().count() != 1) {
                wrong.add("the live thread count is not flat: " + arrows);
            }
            if (suspectRound != 0) {
                wrong.add("the leak detector reported a suspect in round " + suspectRound);
            }
            if (wrong.isEmpty()) {
                out.println(INDENT + "=> as expected: the live thread count is flat (" + arrows + ") and no suspect");
            }
        }
        if (!wrong.isEmpty()) {
            out.println(INDENT + "=> NOT as expected: " + String.join("; ", wrong));
        }
    }

    private static boolean isSentinel(GrowingGroup g) {
        StackFrame at = g.waitSite().blockingFrame();
        return at != null && at.className().equals(SentinelAgent.class.getName());
    }

    /** The suspect must be the checkers on done.put(1): ArrayBlockingQueue.put at the line their live stacks show. */
    private static void checkSuspect(List<GrowingGroup> ours, ThreadRecorder threads, List<String> wrong) {
        if (ours.size() != 1) {
            wrong.add(ours.size() + " suspects blocked in SentinelAgent instead of 1");
            return;
        }
        GrowingGroup g = ours.getFirst();
        StackFrame live = DemoCommand.exampleFrame(threads.alive(), SentinelAgent.class);
        if (!"ArrayBlockingQueue.put".equals(g.waitSite().call()) || !g.waitSite().blockingFrame().equals(live)) {
            wrong.add("the suspect waits in " + g.waitSite().call() + " at " + g.waitSite().blockingFrame()
                    + ", not in ArrayBlockingQueue.put at " + live);
        }
        PatternMatch p = Patterns.of(LiveThreads.capture().threads()).classify(g.group());
        if (p.pattern() != dev.leakhound.analysis.LeakPattern.ABANDONED_SENDERS) {
            wrong.add("the suspect is named " + p.pattern().id() + " (" + p.evidence() + "), not abandoned-senders");
        }
    }

    private void printSuspect(GrowingGroup g) {
        WaitSite w = g.waitSite();
        String kind = g.group().virtualCount() == g.count() ? " virtual" : "";
        out.printf(Locale.ROOT, "%s   SUSPECT from the leak detector: %d%s threads %s in %s, %s%n", INDENT,
                g.count(), kind, g.state(), w.call(), growth(g));
        line("blocked at", String.valueOf(w.blockingFrame()));
        line("growth", String.format(Locale.ROOT, "+%.1f threads per round (counts over the window: %s)",
                g.growthPerSample(), g.counts().stream().map(String::valueOf).collect(Collectors.joining(" -> "))));
        line("wait site", g.state() + " in " + (w.callFrame() == null ? w.call() : w.callFrame())
                + (g.group().blockerClass() == null ? "" : ", parked on a " + g.group().blockerClass()));
        PatternMatch p = Patterns.of(LiveThreads.capture().threads()).classify(g.group());
        line("pattern", p.pattern().id() + " (" + p.certainty().id() + ": " + p.evidence() + ")");
        if (p.pattern().fix() != null) {
            line("fix", p.pattern().fix());
        }
        CreationSite site = g.creationSite();
        line("started at", site == null || site.startingFrame() == null ? NO_CREATION_SITE
                : site.startingFrame().toString());
    }

    private void line(String label, String text) {
        out.printf(Locale.ROOT, "%s     %-11s %s%n", INDENT, label, text);
    }

    private static String growth(GrowingGroup g) {
        return String.format(Locale.ROOT, "+%d over the last %d rounds", g.growth(), g.counts().size() - 1);
    }

    private LeakhoundAgent startAgent(int port) {
        AgentOptions d = AgentOptions.defaults();
        AgentOptions options = new AgentOptions(AgentOptions.DEFAULT_HOST, port, null, true, d.sampleMillis(),
                WINDOW, d.minGrowth(), false, d.gcHistory(), d.maxThreads(), d.heapIntervalMillis(), false,
                false, d.maxTrackedThreads(), false, d.proofHeapMb());
        // No scheduled sampling: one sample per round, so the detector's window counts rounds.
        return LeakhoundAgent.start(options, ThreadSource.jdkDump(), false);
    }

    /** 6060 when it is free on the loopback address, else 0 (any free port). */
    private static int portToUse() {
        try (ServerSocket s = new ServerSocket(AgentOptions.DEFAULT_PORT, 1,
                InetAddress.getByName(AgentOptions.DEFAULT_HOST))) {
            return AgentOptions.DEFAULT_PORT;
        } catch (IOException e) {
            return 0;
        }
    }

    private static HttpResponse<String> get(HttpClient http, URI uri) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static Integer parseCount(HttpResponse<String> r) {
        if (r.statusCode() != 200) {
            return null;
        }
        try {
            return Integer.parseInt(r.body().strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static void waitUntil(long nanoTime) throws InterruptedException {
        long left = nanoTime - System.nanoTime();
        if (left > 0) {
            Thread.sleep(Duration.ofNanos(left));      // the agent's schedule, not synchronisation
        }
    }
}
