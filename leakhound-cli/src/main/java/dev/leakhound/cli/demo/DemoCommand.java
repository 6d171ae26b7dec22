package dev.leakhound.cli.demo;

import dev.leakhound.LeakOptions;
import dev.leakhound.LeakReport;
import dev.leakhound.Leakhound;
import dev.leakhound.agent.AgentOptions;
import dev.leakhound.agent.instrument.StartTracking;
import dev.leakhound.analysis.LeakPattern;
import dev.leakhound.analysis.PatternMatch;
import dev.leakhound.analysis.StackGroup;
import dev.leakhound.analysis.WaitSite;
import dev.leakhound.cli.LauncherAgent;
import dev.leakhound.cli.Main;
import dev.leakhound.examples.MultiQuery;
import dev.leakhound.examples.SentinelAgent;
import dev.leakhound.gc.HeapTrend;
import dev.leakhound.model.StackFrame;
import dev.leakhound.model.ThreadSnapshot;
import dev.leakhound.report.TextReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.lang.instrument.Instrumentation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;

/**
 * {@code leakhound demo}: two leaky programs from a field report on goroutine leaks in Go, ported to Java
 * ({@code leakhound-examples}), run in this JVM under the leak check.
 *
 * <p>Steps 1-5 run by default; {@code --all} adds the live step (Leakhound's agent and debug server in this JVM)
 * and the post-mortem (another JVM's GC log and heap dump). Every leak shown ends with a {@code fix:} line.
 *
 * <p>Each step takes a baseline ({@link LeakOptions.Builder#ignoreCurrent()}), runs an example from
 * {@code leakhound-examples}, waits until its threads have either ended or blocked, and asks
 * {@link Leakhound#find(LeakOptions)} what is left. The leaky variants must leak exactly the threads that
 * are still alive, blocked where the article says; the fixed ones must leak nothing. The threads the
 * examples leak are made by a factory of the demo's, which interrupts them at the end of each step (their
 * blocking calls are interruptible), so the demo leaves nothing behind.
 */
@Command(name = "demo",
        header = "Runs two leaky programs, and their fixes, under the leak check.",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        usageHelpAutoWidth = false,
        description = {
                "Runs two programs from a field report on goroutine leaks in Go, ported to",
                "Java, in this JVM under the leak check, and prints what it found and how to",
                "fix it (the report names each leak's pattern and its fix; a 'pattern:' and",
                "a 'fix:' line after every leak say it for the program):",
                "  1. MultiQuery LEAKY (unbuffered SynchronousQueue): the 2 slower queries",
                "     leak, blocked forever in SynchronousQueue.put;",
                "  2. MultiQuery BUFFERED (queue of 3) and 3. CANCELLING (invokeAny): no leak;",
                "  4. SentinelAgent LEAKY (leftover done queues of capacity 1): the number",
                "     of leaked checker threads grows every round;",
                "  5. SentinelAgent FIXED: no leak.",
                "With --all, also:",
                "  6. SentinelAgent LIVE, buggy (--fixed: the fixed agent) with Leakhound's",
                "     agent and debug server on 127.0.0.1:6060 (any free port if taken): per",
                "     round the live thread count, fetched from /debug/threads/count, and",
                "     the leak detector's suspect with the blocking line; then the URLs.",
                "  7. Post-mortem: another JVM runs the buggy agent with its GC log on,",
                "     drops it and dumps its heap; the GC log shows the live heap growing,",
                "     and the dump proves the blocked checkers leaked (as leakhound gc and",
                "     leakhound heap do).",
                "The leaked threads are interrupted at the end of each step, the agent and",
                "its server stopped at the end. Takes seconds (--all: a few more).",
                ""},
        footer = {
                "",
                "demo exits 0 when it came out as expected: the leak check found the planted",
                "leaks where expected and none elsewhere (finding them is the point, so 0,",
                "not 1); 1 when it did not (the closing line says what differed)."})
public final class DemoCommand implements Callable<Integer> {

    /** How long a step waits for the example's threads to end or block. */
    static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(10);
    /** How long the leak check gives threads to end before it reports them. */
    private static final Duration RETRY = Duration.ofMillis(200);
    /** MultiQuery's server latencies: the article's 1-10 s, scaled down. */
    private static final Duration MIN_LATENCY = Duration.ofMillis(50);
    private static final Duration MAX_LATENCY = Duration.ofMillis(250);
    /** The sentinel agent's checks and how long each takes. */
    private static final Map<String, Duration> CHECKS = checks();
    private static final String INDENT = "   ";

    /** The fixes of the field report, after each leak the demo shows. */
    static final String FIX_MULTI_QUERY = "fix: give the channel a buffer of 3, one slot per server (step 2: "
            + "new ArrayBlockingQueue<>(3), Go: make(chan string, 3)), or cancel the losers once the first answer "
            + "is in (step 3: invokeAny interrupts them)";
    static final String FIX_SENTINEL = "fix: drain or close the done queue: nothing reads it any more, so remove it, "
            + "as the report's fix did (step 5: a checker ends when its check is done)";
    /**
     * Why the report names multiQuery's leak abandoned-senders: the receiver, multiQuery's caller, took the first
     * answer and returned; the others are senders left with no receiver.
     */
    static final String PATTERN_MULTI_QUERY = "pattern: abandoned-senders: multiQuery's caller took the first answer "
            + "and returned; the 2 slower queries are senders whose receiver is gone";
    /**
     * Why the sentinel agent's is abandoned-senders too: the checkers put into the done queues, whose receiver (the
     * shutdown handler that waited for every checker) the refactoring removed; not abandoned-receiver (nobody takes),
     * not a forgotten pool (no pool: a thread per check), not a lost future or latch (the round's latch is released).
     */
    static final String PATTERN_SENTINEL = "pattern: abandoned-senders: the checkers put into the done queues, whose "
            + "only receiver (the shutdown handler waiting for every checker) the refactoring removed; from round 2 on "
            + "each queue of 1 is full and every checker waits for room that never comes";
    static final String FIX_SENTINEL_AGAIN = "fix: as in step 4, drain or close the done queue (step 5 removes it)";

    @Spec
    CommandSpec spec;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "4",
            description = "Rounds of SentinelAgent (a monitoring service, not a Java agent), buggy and fixed,"
                    + " 2 to 100 (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--period-ms", paramLabel = "M", defaultValue = "100",
            description = "Milliseconds between the starts of two rounds, 1 to 10000 (default: ${DEFAULT-VALUE};"
                    + " the Go original: 10000).")
    long periodMs;

    @Option(names = "--all",
            description = "Also runs step 6, live (the buggy agent with Leakhound's agent and debug server in this"
                    + " JVM), and step 7, a post-mortem (another JVM's GC log and heap dump).")
    boolean all;

    @Option(names = "--fixed",
            description = "With --all: step 6 runs the fixed SentinelAgent, a flat thread count and no suspect.")
    boolean fixed;

    private PrintWriter out;
    private final List<String> problems = new ArrayList<>();

    /**
     * As the agent does in a service: with {@code java -jar leakhound.jar} the JVM hands us its instrumentation
     * ({@link LauncherAgent}), and every report of the demo says where its threads were started.
     */
    private static String recordCreationSites() {
        Instrumentation inst = LauncherAgent.instrumentation();
        if (inst == null) {
            return "not recorded (run through leakhound.jar to have them)";
        }
        try {
            StartTracking.start(inst, AgentOptions.defaults().maxTrackedThreads());
            return "recorded (Thread.start and VirtualThread.start instrumented, as the agent does)";
        } catch (RuntimeException e) {
            return "not recorded: " + e.getMessage();
        }
    }

    @Override
    public Integer call() throws InterruptedException {
        if (rounds < 2 || rounds > 100) {
            throw new ParameterException(spec.commandLine(), "--rounds must be from 2 to 100, not " + rounds);
        }
        if (periodMs < 1 || periodMs > 10_000) {
            throw new ParameterException(spec.commandLine(), "--period-ms must be from 1 to 10000, not " + periodMs);
        }
        if (fixed && !all) {
            throw new ParameterException(spec.commandLine(), "--fixed changes step 6, which runs with --all only");
        }
        out = spec.commandLine().getOut();
        long start = System.nanoTime();
        String sites = recordCreationSites();              // first, so that every step's threads have one
        LeakOptions beforeDemo = LeakOptions.builder().ignoreCurrent().retryFor(Duration.ofSeconds(2)).build();

        out.println("leakhound demo: two leaky programs from a field report on goroutine leaks in Go (multiQuery,");
        out.println("a monitoring agent), ported to Java, run in this JVM under the leak check");
        out.println("(each step: baseline = LeakOptions.builder().ignoreCurrent(), run the program, Leakhound.find)");
        out.println("creation sites: " + sites);

        String leakyQueries = multiQueryLeaky();
        boolean buffered = multiQueryWithoutLeak(2, MultiQuery.Variant.BUFFERED,
                "answers over an ArrayBlockingQueue of 3 (Go: make(chan string, 3))");
        boolean cancelling = multiQueryWithoutLeak(3, MultiQuery.Variant.CANCELLING,
                "invokeAny interrupts the slower queries");
        List<Integer> growth = sentinel(4, SentinelAgent.Variant.LEAKY);
        List<Integer> fixedCounts = sentinel(5, SentinelAgent.Variant.FIXED);
        LiveSentinelDemo.Outcome live = null;
        PostMortemDemo.Outcome postMortem = null;
        if (all) {
            live = live(6);
            postMortem = postMortem(7);
        }

        out.println();
        out.println("Afterwards: the leak check against a baseline taken before the demo");
        LeakReport left = Leakhound.find(beforeDemo);
        printIndented(left.toString());
        if (!left.isEmpty()) {
            problems.add(left.count() + " threads of the demo still alive after the clean-up");
        }

        double seconds = (System.nanoTime() - start) / 1e9;
        out.println();
        String summary = String.format(Locale.ROOT,
                "MultiQuery leaky leaked %s, buffered %s, cancelling %s; "
                        + "SentinelAgent buggy leaked %s checker threads over %d rounds, fixed %s",
                leakyQueries, buffered ? "none" : "some", cancelling ? "none" : "some",
                growth.stream().map(String::valueOf).collect(Collectors.joining(" -> ")), rounds,
                fixedCounts.stream().allMatch(n -> n == 0) ? "none" : fixedCounts.stream().map(String::valueOf)
                        .collect(Collectors.joining(" -> ")));
        if (all) {
            summary += String.format(Locale.ROOT, "; live %s: thread count %s, %s; post-mortem: %s",
                    fixed ? "fixed" : "buggy",
                    live.counts().stream().map(String::valueOf).collect(Collectors.joining(" -> ")),
                    live.suspectRound() == 0 ? "no suspect" : "suspect in round " + live.suspectRound(),
                    postMortemInWords(postMortem));
        } else {
            out.println("More: ./leakhound demo --all also runs the buggy SentinelAgent live, with Leakhound's agent and");
            out.println("debug server on (step 6), and a post-mortem of another JVM: its GC log and a heap dump (step 7).");
            out.println();
        }
        if (problems.isEmpty()) {
            out.printf(Locale.ROOT, "demo: as expected (%.1f s): %s%n", seconds, summary);
        } else {
            out.printf(Locale.ROOT, "demo: NOT as expected (%.1f s): %s. Found: %s%n",
                    seconds, String.join("; ", problems), summary);
        }
        out.flush();
        return problems.isEmpty() ? Main.EXIT_OK : Main.EXIT_FOUND;
    }

    // ---------------------------------------------------------------- MultiQuery

    /** Step 1. Returns what leaked, in a few words. */
    private String multiQueryLeaky() throws InterruptedException {
        heading(1, "MultiQuery LEAKY: answers over an unbuffered SynchronousQueue (Go: make(chan string))");
        LeakOptions before = LeakOptions.builder().ignoreCurrent().retryFor(RETRY).build();
        try (ThreadRecorder threads = new ThreadRecorder("multiquery-leaky-")) {
            runQuery(MultiQuery.Variant.LEAKY, threads);
            LeakReport report = checkAfterSettling(before, threads);
            printIndented(report.toString());

            List<String> wrong = new ArrayList<>();
            sameThreads(report, threads, wrong);
            if (report.count() != 2) {
                wrong.add(report.count() + " leaked threads instead of 2");
            }
            StackFrame at = null;
            if (report.groups().size() != 1) {
                wrong.add(report.groups().size() + " groups instead of 1");
            } else {
                StackGroup g = report.groups().get(0);
                WaitSite w = g.waitSite();
                at = w.blockingFrame();
                if (g.virtualCount() != g.count()) {
                    wrong.add("not all virtual threads");
                }
                if (!"SynchronousQueue.put".equals(w.call())) {
                    wrong.add("waiting in " + w.call() + ", not SynchronousQueue.put");
                }
                StackFrame live = exampleFrame(threads.alive(), MultiQuery.class);
                if (at == null || !at.className().equals(MultiQuery.class.getName())
                        || !"MultiQuery.java".equals(at.fileName()) || !at.equals(live)) {
                    wrong.add("blocked at " + at + ", not at the example's line " + live);
                }
            }
            expectPattern(report, LeakPattern.ABANDONED_SENDERS, wrong);
            verdict(wrong, "MultiQuery LEAKY",
                    "the 2 slower queries block forever in SynchronousQueue.put at " + shortFrame(at));
            if (!report.isEmpty()) {
                out.println(INDENT + PATTERN_MULTI_QUERY);
                out.println(INDENT + FIX_MULTI_QUERY);
            }
            cleanUp(threads);
            return leakedInWords(report);
        }
    }

    /** Steps 2 and 3. Returns whether nothing leaked. */
    private boolean multiQueryWithoutLeak(int step, MultiQuery.Variant variant, String how) throws InterruptedException {
        heading(step, "MultiQuery " + variant + ": " + how);
        LeakOptions before = LeakOptions.builder().ignoreCurrent().retryFor(RETRY).build();
        try (ThreadRecorder threads = new ThreadRecorder("multiquery-" + variant.name().toLowerCase(Locale.ROOT) + "-")) {
            runQuery(variant, threads);
            LeakReport report = checkAfterSettling(before, threads);
            printIndented(report.toString());
            List<String> wrong = new ArrayList<>();
            if (!report.isEmpty()) {
                wrong.add(report.count() + " leaked threads instead of none");
            }
            verdict(wrong, "MultiQuery " + variant, "no leak: all " + threads.threads().size()
                    + " query threads ended");
            cleanUp(threads);
            return report.isEmpty();
        }
    }

    /** Runs one query with random latencies, printing them and the answer. */
    private void runQuery(MultiQuery.Variant variant, ThreadRecorder threads) throws InterruptedException {
        Function<String, Duration> random = MultiQuery.randomLatency(MIN_LATENCY, MAX_LATENCY, RandomGenerator.getDefault());
        Map<String, Duration> latencies = new LinkedHashMap<>();
        Function<String, Duration> recorded = server -> {
            Duration d = random.apply(server);
            latencies.put(server, d);
            return d;
        };
        String answer = MultiQuery.multiQuery(variant, recorded, threads);
        StringJoiner sj = new StringJoiner(", ");
        latencies.forEach((server, d) -> sj.add(server + " " + d.toMillis() + " ms"));
        out.println(INDENT + "latencies: " + sj);
        out.println(INDENT + "first answer: " + answer);
    }

    // ---------------------------------------------------------------- SentinelAgent

    /** Steps 4 and 5. Returns the number of leaked threads after each round. */
    private List<Integer> sentinel(int step, SentinelAgent.Variant variant) throws InterruptedException {
        boolean leaky = variant == SentinelAgent.Variant.LEAKY;
        heading(step, "SentinelAgent " + variant + ": " + CHECKS.size() + " checks per round, each in a virtual thread, "
                + "a round every " + periodMs + " ms, " + rounds + " rounds"
                + (leaky ? "; every checker ends with done.put(1) on a queue of 1 that nobody drains (Go: ag.w <- 1)"
                         : "; no done queue"));
        LeakOptions before = LeakOptions.builder().ignoreCurrent().retryFor(RETRY).build();
        List<Integer> counts = new ArrayList<>();
        List<String> wrong = new ArrayList<>();
        LeakReport last = null;
        try (ThreadRecorder threads = new ThreadRecorder("sentinel-" + variant.name().toLowerCase(Locale.ROOT) + "-check-");
             SentinelAgent agent = new SentinelAgent(variant, Duration.ofMillis(periodMs), checkRunnables(), threads)) {
            long next = System.nanoTime();
            for (int round = 1; round <= rounds; round++) {
                if (round > 1) {
                    waitUntil(next);
                }
                next += Duration.ofMillis(periodMs).toNanos();
                agent.runRound();
                last = checkAfterSettling(before, threads);
                sameThreads(last, threads, wrong);
                counts.add(last.count());
                out.printf("%sround %d: %d leaked checker %s (live checkers by the agent's own count, "
                                + "the Go original's /goroutines: %d)%n",
                        INDENT, round, last.count(), last.count() == 1 ? "thread" : "threads", agent.liveCheckers());
            }
            out.println(INDENT + "the leak check after round " + rounds + ":");
            printIndented(Objects.requireNonNull(last).toString());

            StackFrame at = null;
            if (leaky) {
                for (int i = 1; i < counts.size(); i++) {
                    if (counts.get(i) - counts.get(i - 1) != CHECKS.size()) {
                        wrong.add("the count did not grow by one thread per check in round " + (i + 1) + ": " + counts);
                        break;
                    }
                }
                if (last.isEmpty()) {
                    wrong.add("no leaked checker threads");
                }
                for (StackGroup g : last.groups()) {
                    WaitSite w = g.waitSite();
                    at = w.blockingFrame();
                    if (!"ArrayBlockingQueue.put".equals(w.call()) || at == null
                            || !at.className().equals(SentinelAgent.class.getName())) {
                        wrong.add(TextReport.headline(g) + ", not in ArrayBlockingQueue.put called by SentinelAgent");
                    }
                }
                expectPattern(last, LeakPattern.ABANDONED_SENDERS, wrong);
            } else if (counts.stream().anyMatch(n -> n != 0)) {
                wrong.add("leaked checker threads " + counts + " instead of none");
            }
            verdict(wrong, "SentinelAgent " + variant, leaky
                    ? "the leaked checker threads grow every round ("
                            + counts.stream().map(String::valueOf).collect(Collectors.joining(" -> "))
                            + ", one more per check), all blocked in ArrayBlockingQueue.put at " + shortFrame(at)
                    : "no leak in any round: every checker ended when its check was done");
            if (!last.isEmpty()) {
                out.println(INDENT + PATTERN_SENTINEL);
                out.println(INDENT + FIX_SENTINEL);
            }
            cleanUp(threads);
        }
        return counts;
    }

    /** Step 6: the sentinel agent with Leakhound's agent and debug server on, in this JVM. */
    private LiveSentinelDemo.Outcome live(int step) throws InterruptedException {
        SentinelAgent.Variant variant = fixed ? SentinelAgent.Variant.FIXED : SentinelAgent.Variant.LEAKY;
        int liveRounds = Math.max(rounds, LiveSentinelDemo.WINDOW);
        heading(step, "SentinelAgent LIVE, " + (fixed ? "fixed" : "buggy") + ", with Leakhound's agent and debug server on: "
                + liveRounds + " rounds, one every " + periodMs + " ms");
        LiveSentinelDemo.Outcome o = new LiveSentinelDemo(out, variant, liveRounds, Duration.ofMillis(periodMs),
                checkRunnables(), SETTLE_TIMEOUT).run();
        if (o.suspectRound() > 0) {
            out.println(INDENT + FIX_SENTINEL_AGAIN);
        }
        if (!o.problems().isEmpty()) {
            problems.add("SentinelAgent LIVE: " + String.join("; ", o.problems()));
        }
        return o;
    }

    /** Step 7: a heap dump and a GC log of another JVM that ran the buggy agent. */
    private PostMortemDemo.Outcome postMortem(int step) throws InterruptedException {
        int childRounds = Math.max(rounds, HeapTrend.MIN_POINTS + 2);
        heading(step, "Post-mortem: the buggy SentinelAgent in another JVM, " + childRounds
                + " rounds; its GC log and its heap dump, read here");
        PostMortemDemo.Outcome o = PostMortemDemo.run(out, childRounds, Duration.ofMillis(periodMs), CHECKS.size(), problems);
        if (o.proven() > 0) {
            out.println(INDENT + FIX_SENTINEL_AGAIN);
        }
        return o;
    }

    private static String postMortemInWords(PostMortemDemo.Outcome o) {
        if (o.refused() != null) {
            return "GC log " + o.gc() + ", no proof from this JDK's dump";
        }
        if (o.proven() < 0) {
            return "failed";
        }
        return String.format(Locale.ROOT, "GC log %s, %d threads proven leaked retaining %.1f MB", o.gc(),
                o.proven(), o.retainedBytes() / (1024.0 * 1024.0));
    }

    private static Map<String, Duration> checks() {
        Map<String, Duration> m = new LinkedHashMap<>();
        m.put("disk", Duration.ofMillis(4));
        m.put("cpu", Duration.ofMillis(2));
        m.put("ping", Duration.ofMillis(8));
        return m;
    }

    /** The simulated checks: each takes a few milliseconds, as if probing something. */
    private static List<Runnable> checkRunnables() {
        List<Runnable> checks = new ArrayList<>();
        CHECKS.forEach((name, duration) -> checks.add(() -> {
            try {
                Thread.sleep(duration);                 // the simulated probe, not synchronisation
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        return checks;
    }

    /** {@code 2 virtual threads in SynchronousQueue.put}, or {@code 3 threads in 2 groups}, or {@code none}. */
    private static String leakedInWords(LeakReport report) {
        if (report.isEmpty()) {
            return "none";
        }
        if (report.groups().size() > 1) {
            return report.count() + " threads in " + report.groups().size() + " groups";
        }
        StackGroup g = report.groups().get(0);
        String kind = g.virtualCount() == g.count() ? " virtual" : g.virtualCount() == 0 ? " platform" : "";
        return g.count() + kind + (g.count() == 1 ? " thread" : " threads")
                + (g.waitSite().call() == null ? "" : " in " + g.waitSite().call());
    }

    /** Waits for the next round's start (the agent's period). */
    private static void waitUntil(long nanoTime) throws InterruptedException {
        long left = nanoTime - System.nanoTime();
        if (left > 0) {
            Thread.sleep(Duration.ofNanos(left));      // the agent's schedule, not synchronisation
        }
    }

    // ---------------------------------------------------------------- common

    /** Waits until every thread of the example has ended or blocked, then runs the leak check. */
    private LeakReport checkAfterSettling(LeakOptions before, ThreadRecorder threads) throws InterruptedException {
        if (!threads.awaitSettled(SETTLE_TIMEOUT)) {
            problems.add("threads of the example still running after " + SETTLE_TIMEOUT.toSeconds() + " s: "
                    + threads.unsettled());
        }
        return Leakhound.find(before);
    }

    /** The leak check must find exactly the example's threads that are still alive. */
    private static void sameThreads(LeakReport report, ThreadRecorder threads, List<String> wrong) {
        Set<Long> leaked = report.leakedThreads().stream().map(ThreadSnapshot::id)
                .collect(Collectors.toCollection(TreeSet::new));
        Set<Long> alive = threads.alive().stream().map(Thread::threadId)
                .collect(Collectors.toCollection(TreeSet::new));
        if (!leaked.equals(alive)) {
            String s = "the leak check found threads " + leaked + " but the example's live threads are " + alive;
            if (!wrong.contains(s)) {
                wrong.add(s);
            }
        }
    }

    /** The first frame of {@code example}'s code in the live stacks of these threads, or null. */
    static StackFrame exampleFrame(List<Thread> threads, Class<?> example) {
        for (Thread t : threads) {
            for (StackTraceElement e : t.getStackTrace()) {
                if (e.getClassName().equals(example.getName())) {
                    return new StackFrame(null, e.getClassName(), e.getMethodName(), e.getFileName(), e.getLineNumber());
                }
            }
        }
        return null;
    }

    /** Every group of the report must be named {@code expected}. */
    private static void expectPattern(LeakReport report, LeakPattern expected, List<String> wrong) {
        for (PatternMatch m : report.patterns()) {
            if (m.pattern() != expected) {
                wrong.add("named " + m.pattern().id() + " (" + m.evidence() + "), not " + expected.id());
            }
        }
    }

    private static String shortFrame(StackFrame f) {
        return f == null ? "?" : f.fileName() + ":" + f.lineNumber() + " (" + f.shortName() + ")";
    }

    private void heading(int step, String title) {
        out.println();
        out.println(step + ". " + title);
    }

    private void verdict(List<String> wrong, String what, String expected) {
        if (wrong.isEmpty()) {
            out.println(INDENT + "=> as expected: " + expected);
        } else {
            out.println(INDENT + "=> NOT as expected: " + String.join("; ", wrong));
            problems.add(what + ": " + String.join("; ", wrong));
        }
    }

    /** Interrupts the threads still blocked (the examples' escape hatch) and checks that they end. */
    private void cleanUp(ThreadRecorder threads) throws InterruptedException {
        int stuck = threads.alive().size();
        if (stuck == 0) {
            return;
        }
        int left = threads.stopAll(SETTLE_TIMEOUT);
        if (left == 0) {
            out.println(INDENT + "clean-up: interrupted the " + stuck + " blocked " + (stuck == 1 ? "thread" : "threads")
                    + "; " + (stuck == 1 ? "it" : "all") + " ended");
        } else {
            out.println(INDENT + "clean-up: interrupted the " + stuck + " blocked threads; " + left + " did not end");
            problems.add(left + " threads did not end when interrupted");
        }
    }

    private void printIndented(String text) {
        for (String line : text.split("\n", -1)) {
            out.println(line.isEmpty() ? "" : INDENT + line);
        }
    }
}
