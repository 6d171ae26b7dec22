package dev.leakhound.cli.demo;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.leakhound.analysis.LeakPattern;
import dev.leakhound.agent.proof.IsolatedJvm;
import dev.leakhound.examples.SentinelAgent;
import dev.leakhound.gc.GcCycle;
import dev.leakhound.gc.GcLog;
import dev.leakhound.gc.HeapTrend;
import dev.leakhound.gc.parse.GcLogParser;
import dev.leakhound.gc.report.GcTrace;
import dev.leakhound.heapprofile.HeapProfile;
import dev.leakhound.heapprofile.ProfileSite;
import dev.leakhound.heapprofile.jfr.JfrProfileBuilder;
import dev.leakhound.heapprofile.jfr.JfrRecording;
import dev.leakhound.heapprofile.report.HeapProfileText;
import dev.leakhound.histogram.ClassHistogram;
import dev.leakhound.hprof.Progress;
import dev.leakhound.hprof.histogram.HeapDumpHistogram;
import dev.leakhound.hprof.index.HeapIndex;
import dev.leakhound.proof.LeakProof;
import dev.leakhound.proof.ProofResult;
import dev.leakhound.proof.ProofText;
import dev.leakhound.proof.WaitingThread;
import dev.leakhound.model.StackFrame;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Step 7 of {@code leakhound demo}, the post-mortem: another JVM runs the buggy sentinel agent with its GC log on,
 * then drops the agent and dumps its heap; this JVM reads the GC log as {@code leakhound gc} does (one line per
 * collection, the verdict on the live heap) and proves from the dump, as {@code leakhound heap} does, which threads
 * can never wake; beside the dump's class histogram (what the heap holds), the child's JFR recording says who
 * allocated it, as {@code leakhound jfr} does: the checkers' buffers by the line that allocated them.
 *
 * <p>Each check keeps a 256 KB buffer in a {@code ThreadLocal}, as real per-thread state might, so every leaked
 * checker keeps that alive: the GC log's live heap grows with the leak, and the proof says how much the leaked group
 * retains. Each round of the child ends with {@code System.gc()}, so that the log has one collection per round whose
 * heap-after is the live set.
 */
public final class PostMortemDemo {
    /** What each check keeps per thread: below G1's humongous size, so the log shows plain collections. */
    static final int BUFFER_BYTES = 256 << 10;
    private static final ThreadLocal<byte[]> BUFFER = new ThreadLocal<>();
    private static final Duration CHILD_TIMEOUT = Duration.ofSeconds(90);
    private static final String INDENT = "   ";

    /**
     * What the step found.
     *
     * @param proven        threads proven leaked (-1 when nothing could be proven: see {@code refused})
     * @param expected      the buggy agent's checkers blocked for good: 3 per round after the first
     * @param retainedBytes what the leaked group keeps alive (-1 when unknown)
     * @param gc            the GC log's verdict
     * @param refused       why the dump allows no proof (a JDK 21 or 22 dump), or null
     */
    record Outcome(int proven, int expected, long retainedBytes, HeapTrend.Verdict gc, String refused) {
    }

    private PostMortemDemo() {
    }

    // ---------------------------------------------------------------- the other JVM

    /** {@code PostMortemDemo DUMP ROUNDS PERIOD_MS CHECKS}: runs the buggy agent, drops it, dumps the heap, exits. */
    public static void main(String[] args) throws Exception {
        Path dump = Path.of(args[0]);
        int rounds = Integer.parseInt(args[1]);
        long periodMs = Long.parseLong(args[2]);
        int checks = Integer.parseInt(args[3]);
        List<Thread> started = new ArrayList<>();
        runAndDrop(rounds, periodMs, checks, started);
        awaitBlocked(started);
        started.clear();                                       // the list must not be what keeps them reachable
        ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).dumpHeap(dump.toString(), true);
        System.out.println("dumped " + dump.getFileName());
        System.exit(0);
    }

    /** Each check's buffer: the line the heap profile names. */
    static byte[] checkBuffer() {
        return new byte[BUFFER_BYTES];
    }

    /** In a method of its own: when it returns, no frame holds the agent, as when a service drops one. */
    private static void runAndDrop(int rounds, long periodMs, int checks, List<Thread> started)
            throws InterruptedException {
        ThreadFactory virtual = Thread.ofVirtual().name("sentinel-check-", 0).factory();
        ThreadFactory recorded = r -> {
            Thread t = virtual.newThread(r);
            synchronized (started) {
                started.add(t);
            }
            return t;
        };
        List<Runnable> work = new ArrayList<>();
        for (int i = 0; i < checks; i++) {
            work.add(() -> BUFFER.set(checkBuffer()));
        }
        SentinelAgent agent = new SentinelAgent(SentinelAgent.Variant.LEAKY, Duration.ofMillis(periodMs), work, recorded);
        long next = System.nanoTime();
        for (int round = 1; round <= rounds; round++) {
            agent.runRound();
            System.gc();                                       // one collection per round: heap-after = live set
            System.out.println("round " + round + ": " + agent.liveCheckers() + " checker threads alive");
            next += TimeUnit.MILLISECONDS.toNanos(periodMs);
            for (long left; (left = next - System.nanoTime()) > 0; ) {
                LockSupport.parkNanos(left);                   // the agent's schedule, not synchronisation
            }
        }
        agent.close();
    }

    /**
     * Until every checker has ended or parked: a checker still on its way to done.put would count as running. Joins
     * an unsettled checker for a moment each time (no spinning: the machine may be busy), for 2 minutes at most.
     */
    private static void awaitBlocked(List<Thread> started) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (true) {
            Thread unsettled;
            synchronized (started) {
                unsettled = started.stream()
                        .filter(t -> t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TERMINATED)
                        .findFirst().orElse(null);
            }
            if (unsettled == null) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("the checkers did not all end or block within 2 minutes");
            }
            unsettled.join(Duration.ofMillis(1));
        }
    }

    // ---------------------------------------------------------------- this JVM

    /**
     * Runs the step, printing to {@code out}; adds what was not as expected to {@code problems}.
     *
     * @param rounds rounds of the agent in the other JVM (at least 4: the GC verdict needs 4 collections)
     * @param checks checks per round
     */
    static Outcome run(PrintWriter out, int rounds, Duration period, int checks, List<String> problems)
            throws InterruptedException {
        int expected = checks * (rounds - 1);
        Path dir = null;
        try {
            dir = Files.createTempDirectory("leakhound-demo-");
            Path dump = dir.resolve("sentinel.hprof");
            Path gcLog = dir.resolve("gc.log");
            Path jfr = dir.resolve("sentinel.jfr");
            String xlog = "-Xlog:gc,gc+init:file=" + gcLog + ":uptime,level,tags";
            String recording = "-XX:StartFlightRecording:settings=profile,path-to-gc-roots=true,filename=" + jfr;
            out.println(INDENT + "another JVM: java " + xlog.replace(gcLog.toString(), "gc.log") + " "
                    + recording.replace(jfr.toString(), "sentinel.jfr") + " -Xmx256m ... "
                    + rounds + " rounds, one every " + period.toMillis() + " ms; each checker keeps a 256 KB ThreadLocal"
                    + " buffer; then it drops the agent and dumps its heap (and JFR writes its recording at exit)");
            String failure = runChild(dir, List.of("-Xmx256m", xlog, recording), dump, rounds, period, checks);
            if (failure != null) {
                problems.add("post-mortem: " + failure);
                out.println(INDENT + "=> NOT as expected: " + failure);
                return new Outcome(-1, expected, -1, null, null);
            }

            out.println();
            out.println(INDENT + "its GC log, as `leakhound gc gc.log` reads it (one line per collection, like gctrace):");
            GcLog log = GcLogParser.parse(gcLog);
            HeapTrend trend = log.trend(Integer.MAX_VALUE);
            for (GcCycle c : log.cycles()) {
                out.println(INDENT + GcTrace.line(c, (HeapTrend) null));
            }
            out.println(INDENT + GcTrace.verdict(trend));

            out.println();
            out.println(INDENT + "its heap dump, as `leakhound heap sentinel.hprof` proves it:");
            ProofResult proof;
            ClassHistogram histogram;
            try (HeapIndex index = HeapIndex.open(dump, Progress.NONE)) {
                proof = LeakProof.prove(index);
                histogram = HeapDumpHistogram.of(index).histogram();
            }
            StringWriter text = new StringWriter();
            try (PrintWriter w = new PrintWriter(text)) {
                ProofText.write(w, proof);
            }
            text.toString().lines().forEach(l -> out.println(INDENT + l));

            out.println();
            out.println(INDENT + "what the heap holds, by class (the dump's histogram, top 3 by shallow size):");
            out.printf(Locale.ROOT, "%s%12s %14s  %s%n", INDENT, "instances", "bytes", "class");
            for (ClassHistogram.Row r : histogram.top(3)) {
                out.printf(Locale.ROOT, "%s%12d %14d  %s%n", INDENT, r.instances(), r.bytes(), r.className());
            }
            out.println(INDENT + "and who allocated what is still alive, as `leakhound jfr sentinel.jfr` reads its"
                    + " recording:");
            String jfrWrong = allocationSites(out, jfr);
            if (jfrWrong != null) {
                out.println(INDENT + "=> NOT as expected: " + jfrWrong);
                problems.add("post-mortem: " + jfrWrong);
            }

            Outcome o = outcome(proof, expected, trend.verdict());
            out.println();
            List<String> wrong = check(o, proof);
            if (wrong.isEmpty()) {
                out.println(INDENT + (o.refused() != null
                        ? "=> as expected for a dump of this JDK: nothing proven (" + o.refused() + ")"
                        : String.format(Locale.ROOT, "=> as expected: the live heap grows every round (%s), and the"
                                + " dump proves the %d blocked checkers leaked, keeping %.1f MB alive", words(trend),
                        o.proven(), o.retainedBytes() / (1024.0 * 1024.0))));
            } else {
                out.println(INDENT + "=> NOT as expected: " + String.join("; ", wrong));
                problems.add("post-mortem: " + String.join("; ", wrong));
            }
            return o;
        } catch (IOException | RuntimeException e) {
            String m = "post-mortem failed: " + e;
            problems.add(m);
            out.println(INDENT + "=> NOT as expected: " + m);
            return new Outcome(-1, expected, -1, null, null);
        } finally {
            if (dir != null) {
                try {
                    IsolatedJvm.deleteTree(dir);
                } catch (IOException | RuntimeException ignored) {
                    // a temporary directory: the system cleans it up eventually
                }
            }
        }
    }

    /**
     * Prints the recording's inuse view (top 3) and says whether the checkers' buffers are its top site: null when
     * they are, else what differs.
     */
    private static String allocationSites(PrintWriter out, Path jfr) throws IOException {
        JfrProfileBuilder builder = JfrRecording.read(jfr, JfrProfileBuilder.Options.DEFAULTS);
        String missing = JfrRecording.missingEvents(builder, HeapProfile.Kind.INUSE);
        if (missing != null) {
            return "the recording has " + missing;
        }
        HeapProfile inuse = builder.profile(HeapProfile.Kind.INUSE);
        StringWriter text = new StringWriter();
        try (PrintWriter w = new PrintWriter(text)) {
            HeapProfileText.write(inuse, 3, w);
        }
        text.toString().replace(jfr.toString(), "sentinel.jfr").lines().forEach(l -> out.println(INDENT + l));
        ProfileSite top = inuse.sites().isEmpty() ? null : inuse.sites().get(0);
        StackFrame at = top == null ? null : top.allocatingFrame();
        if (at == null || !at.className().equals(PostMortemDemo.class.getName()) || !at.methodName().equals("checkBuffer")) {
            return "the top live allocation site is " + (top == null ? "none" : HeapProfileText.line(top))
                    + ", not the checkers' buffers (PostMortemDemo.checkBuffer)";
        }
        out.println(String.format(Locale.ROOT, "%s=> the leaked checkers' buffers, by the line that allocated them: %s,"
                        + " %.0f%% of the sampled live bytes", INDENT, HeapProfileText.frame(at),
                100.0 * top.bytes() / Math.max(1, inuse.bytes())));
        return null;
    }

    /** Runs the other JVM; null when it dumped, else what went wrong. */
    private static String runChild(Path dir, List<String> jvmOptions, Path dump, int rounds, Duration period,
                                   int checks) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(IsolatedJvm.java().toString());
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", absoluteClassPath(), PostMortemDemo.class.getName(),
                dump.toString(), Integer.toString(rounds), Long.toString(period.toMillis()), Integer.toString(checks)));
        Path output = dir.resolve("child.out");
        Process p = IsolatedJvm.builder(cmd, dir).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        try {
            if (!p.waitFor(CHILD_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                return "the other JVM did not end within " + CHILD_TIMEOUT.toSeconds() + " s";
            }
        } finally {
            IsolatedJvm.stop(p);                               // gone before its directory is deleted
        }
        String printed = Files.readString(output);
        if (p.exitValue() != 0 || !Files.exists(dump)) {
            List<String> lines = printed.lines().toList();
            return "the other JVM ended with status " + p.exitValue() + (lines.isEmpty() ? ""
                    : ": " + lines.get(lines.size() - 1));
        }
        return null;
    }

    /** This JVM's class path with every entry absolute: the other JVM works in the temporary directory. */
    private static String absoluteClassPath() {
        List<String> entries = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!e.isEmpty()) {
                entries.add(Path.of(e).toAbsolutePath().toString());
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    private static Outcome outcome(ProofResult proof, int expected, HeapTrend.Verdict gc) {
        if (proof.refused() != null) {
            return new Outcome(-1, expected, -1, gc, proof.refused());
        }
        long retained = proof.leaked().stream().mapToLong(ProofResult.LeakedGroup::retainedBytes).sum();
        return new Outcome(proof.leakedThreads(), expected, retained, gc, null);
    }

    private static List<String> check(Outcome o, ProofResult proof) {
        List<String> wrong = new ArrayList<>();
        if (o.gc() != HeapTrend.Verdict.GROWING) {
            wrong.add("the GC log's verdict is " + o.gc() + ", not GROWING");
        }
        if (o.refused() != null) {
            return wrong;                                      // JDK 21/22 dumps: no proof, and that is said
        }
        if (o.proven() != o.expected()) {
            wrong.add(o.proven() + " threads proven leaked instead of the " + o.expected() + " blocked checkers");
        }
        for (ProofResult.LeakedGroup g : proof.leaked()) {
            boolean checker = g.threads().stream().map(WaitingThread::name).allMatch(n -> n.startsWith("sentinel-check-"));
            boolean atRunCheck = g.stack().stream().anyMatch(f -> f.className().equals(SentinelAgent.class.getName())
                    && f.methodName().equals("runCheck"));
            if (!checker || !atRunCheck) {
                wrong.add("a leaked group that is not the checkers blocked in SentinelAgent.runCheck: "
                        + g.threads().get(0).label());
            } else if (g.pattern().pattern() != LeakPattern.ABANDONED_SENDERS) {
                wrong.add("the checkers' pattern is " + g.pattern().pattern().id() + ", not abandoned-senders");
            }
        }
        if (o.proven() > 0 && o.retainedBytes() < (long) o.proven() * BUFFER_BYTES) {
            wrong.add("the leaked checkers retain " + o.retainedBytes() + " bytes, less than their "
                    + o.proven() + " buffers of " + (BUFFER_BYTES >> 10) + " KB");
        }
        return wrong;
    }

    private static String words(HeapTrend t) {
        return String.format(Locale.ROOT, "%+.1f MB/min, R2 %.2f", t.slopeBytesPerMinute() / (1024.0 * 1024.0),
                t.rSquared());
    }

}
