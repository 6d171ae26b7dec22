package dev.leakhound.bench;

import dev.leakhound.agent.capture.ContainerThreads;
import dev.leakhound.analysis.ThreadGrouping;
import dev.leakhound.model.ThreadDump;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The agent's fast capture ({@link ContainerThreads}: thread containers + {@code Thread.getStackTrace}) against the
 * JDK's JSON dump, interleaved in one JVM as {@link PairedRatio} does, for N parked virtual threads. Needs the
 * containers exported:
 *
 * <pre>java --add-exports java.base/jdk.internal.vm=ALL-UNNAMED -Xms4g -Xmx4g \
 *     -cp leakhound-bench/target/benchmarks.jar dev.leakhound.bench.ContainerCaptureRatio [10000 100000]</pre>
 *
 * Prints, per case, the medians and the median of the per-pair ratios (subject / JDK dump; below 1 is faster).
 *
 * <p>The HTTP leg ({@link #http}): a host JVM with the real agent ({@code -javaagent:LEAKHOUND_JAR}) and N parked
 * virtual threads; pairs of a {@code GET /debug/threads/dump?debug=1} that takes a new capture and the JDK's JSON dump
 * of the same JVM, both timed from here:
 *
 * <pre>java -cp benchmarks.jar dev.leakhound.bench.ContainerCaptureRatio http LEAKHOUND_JAR [THREADS [PAIRS]]</pre>
 */
public final class ContainerCaptureRatio {

    private ContainerCaptureRatio() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("http")) {
            http(Path.of(args[1]), args.length > 2 ? Integer.parseInt(args[2]) : 100_000,
                    args.length > 3 ? Integer.parseInt(args[3]) : 8);
            return;
        }
        ContainerThreads ct = ContainerThreads.open();
        if (!ct.isAvailable()) {
            System.err.println("unavailable: " + ct.unavailableReason());
            System.exit(2);
        }
        String[] cases = args.length == 0 ? new String[] {"10000", "100000"} : args;
        System.out.println("cores " + Runtime.getRuntime().availableProcessors() + ", JDK " + Runtime.version());
        for (String c : cases) {
            int n = Integer.parseInt(c);
            try (ParkedThreads parked = ParkedThreads.virtual(n)) {
                Path dir = JdkDump.tempDir();
                try {
                    int pairs = n >= 100_000 ? 8 : 30;
                    int warmup = 3;
                    run("snapshot + ThreadGrouping, " + n, warmup, pairs, () -> JdkDump.dumpAndDelete(dir), () -> {
                        ThreadDump d = ct.snapshot();
                        return ThreadGrouping.group(d.threads()).size() + d.threads().size();
                    });
                    run("groups(10) (direct), " + n, warmup, pairs, () -> JdkDump.dumpAndDelete(dir),
                            () -> ct.groups(10).size());
                    run("count() (no stacks), " + n, warmup, pairs, () -> JdkDump.dumpAndDelete(dir),
                            () -> ct.count().total());
                } finally {
                    JdkDump.deleteDir(dir);
                }
            }
        }
    }

    private static void run(String what, int warmup, int pairs, Callable<Object> baseline, Callable<Object> subject)
            throws Exception {
        List<Long> baseCpu = new ArrayList<>();
        List<Long> subjectCpu = new ArrayList<>();
        Paired r = Paired.measure(warmup, pairs, cpu(baseline, baseCpu), cpu(subject, subjectCpu));
        double cpu = medianAfter(subjectCpu, warmup) / medianAfter(baseCpu, warmup);
        System.out.printf(Locale.ROOT, "%-40s pairs %3d | JDK dump median %9.2f ms | fast median %9.2f ms | "
                        + "median pair ratio %.3f (p25 %.3f, p75 %.3f) = %.1fx faster | process CPU medians %.0f vs"
                        + " %.0f ms = %.1fx less%n",
                what, pairs, r.baselineMedianMillis(), r.subjectMedianMillis(), r.ratioAt(0.5), r.ratioAt(0.25),
                r.ratioAt(0.75), 1 / r.ratioAt(0.5), medianAfter(baseCpu, warmup) / 1e6,
                medianAfter(subjectCpu, warmup) / 1e6, 1 / cpu);
    }

    /** {@code c}, adding the process's CPU time of each call (all its threads: helpers, GC) to {@code into}. */
    private static Callable<Object> cpu(Callable<Object> c, List<Long> into) {
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return () -> {
            long before = os.getProcessCpuTime();
            Object result = c.call();
            into.add(os.getProcessCpuTime() - before);
            return result;
        };
    }

    private static double medianAfter(List<Long> values, int skip) {
        long[] v = values.stream().skip(skip).mapToLong(Long::longValue).sorted().toArray();
        return v[v.length / 2];
    }

    // ---------------------------------------------------------------- over HTTP, against the real agent

    /** The {@code capture:} line of a text answer: its age, its length, when the budget allows the next. */
    private static final Pattern CAPTURE = Pattern.compile(
            "capture: ended ([0-9.]+) s ago, took ([0-9.]+) s; the next one in ([0-9.]+) s");

    /**
     * The grouped snapshot over HTTP against the JDK's JSON dump, in one host JVM ({@code CaptureFlood}'s host,
     * quiet: no watcher; the agent's sampler every hour, so that its captures do not answer for the requests).
     * Baseline: the host's own {@code dumpThreads(JSON)} into a file deleted at once, asked for on its standard
     * input; subject: {@code GET /debug/threads/dump?debug=1}, the body read whole. Both timed from here (wall), with
     * the host's CPU time ({@code /proc/PID/stat}, 10 ms ticks) around each. Each request must take a new capture
     * ({@code capture: ended 0.0 s ago}): the agent's budget (5% of one core) allows one 19 times its length after
     * the last, so each pair waits for that first, and a request answered from an older capture is not counted.
     */
    static void http(Path jar, int threads, int pairs) throws Exception {
        System.out.println("cores " + Runtime.getRuntime().availableProcessors() + ", JDK " + Runtime.version()
                + ", agent " + jar);
        try (CaptureFlood.Host h = CaptureFlood.Host.start(jar, threads, false, true, "leakhound-capture-http",
                "-Xmx1g", "port=0,sampleMillis=3600000", false)) {
            long pid = h.process().pid();
            System.out.println("host pid " + pid + ", " + h.ready() + " parked virtual threads, " + h.base());
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
            URI uri = h.base().resolve("/debug/threads/dump?debug=1");
            int warmup = 2;
            List<double[]> rows = new ArrayList<>();          // {http ms, jdk ms, http cpu ms, jdk cpu ms, took ms, jdk in-host ms}
            long[] nextAt = {0};
            for (int i = 0; i < warmup + pairs; i++) {
                double[] row = new double[6];
                for (int leg = 0; leg < 2; leg++) {
                    if ((leg == 0) == (i % 2 == 0)) {
                        httpLeg(client, uri, pid, nextAt, row);
                    } else {
                        jdkLeg(h, pid, row);
                    }
                }
                if (i >= warmup) {
                    rows.add(row);
                }
                System.out.printf(Locale.ROOT, "%s %d: HTTP %.0f ms (capture %.0f ms), JDK dump %.0f ms; "
                        + "host CPU %.0f vs %.0f ms%n", i < warmup ? "warm-up" : "pair", i < warmup ? i + 1
                        : i - warmup + 1, row[0], row[4], row[1], row[2], row[3]);
            }
            double wall = median(rows, r -> r[0] / r[1]);
            double cpu = median(rows, r -> r[2] / Math.max(1, r[3]));
            System.out.printf(Locale.ROOT, "%d threads, %d pairs | JDK dump median %.0f ms (in the host %.0f ms)"
                            + " | HTTP debug=1 median %.0f ms (the agent's capture %.0f ms) | median pair ratio %.3f"
                            + " (p25 %.3f, p75 %.3f) = %.1fx faster | host CPU: median pair ratio %.3f = %.1fx less"
                            + " | HTTP / capture %.2f%n",
                    threads, pairs, median(rows, r -> r[1]), median(rows, r -> r[5]), median(rows, r -> r[0]),
                    median(rows, r -> r[4]), wall, quantile(rows, r -> r[0] / r[1], 0.25),
                    quantile(rows, r -> r[0] / r[1], 0.75), 1 / wall, cpu, 1 / cpu, median(rows, r -> r[0] / r[4]));
        }
    }

    /** One GET that takes a new capture, after the budget allows it: {@code row[0]} wall, [2] host CPU, [4] capture. */
    private static void httpLeg(HttpClient client, URI uri, long pid, long[] nextAt, double[] row) throws Exception {
        while (true) {
            long wait = nextAt[0] - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);                 // the agent's budget: pacing, not synchronisation
            }
            long cpu0 = CaptureFlood.cpuTicks(pid);
            long t0 = System.nanoTime();
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(120)).build(),
                    HttpResponse.BodyHandlers.ofString());
            long t1 = System.nanoTime();
            long cpu1 = CaptureFlood.cpuTicks(pid);
            Matcher m = CAPTURE.matcher(r.body());
            if (r.statusCode() != 200 || !m.find()) {
                throw new IllegalStateException("unexpected answer " + r.statusCode() + ": " + r.body().lines()
                        .limit(3).toList());
            }
            // the next capture at the earliest, and a little after, so that this one's end is behind it
            nextAt[0] = t1 + (long) (Double.parseDouble(m.group(3)) * 1e9) + TimeUnit.MILLISECONDS.toNanos(150);
            if (Double.parseDouble(m.group(1)) > 0) {
                continue;                                           // an older capture: not a capture's timing
            }
            row[0] = (t1 - t0) / 1e6;
            row[2] = (cpu1 - cpu0) * 10.0;
            row[4] = Double.parseDouble(m.group(2)) * 1000;
            return;
        }
    }

    /** The host's JDK dump: {@code row[1]} wall from here, [3] host CPU, [5] wall in the host. */
    private static void jdkLeg(CaptureFlood.Host h, long pid, double[] row) throws Exception {
        long cpu0 = CaptureFlood.cpuTicks(pid);
        long t0 = System.nanoTime();
        h.toHost().write("jdkdump\n");
        h.toHost().flush();
        String line = h.fromHost().readLine();
        long t1 = System.nanoTime();
        long cpu1 = CaptureFlood.cpuTicks(pid);
        if (line == null || !line.startsWith("jdkdump ")) {
            throw new IllegalStateException("the host answered " + line);
        }
        row[1] = (t1 - t0) / 1e6;
        row[3] = (cpu1 - cpu0) * 10.0;
        row[5] = Long.parseLong(line.split(" ")[1]) / 1e6;
    }

    private static double median(List<double[]> rows, java.util.function.ToDoubleFunction<double[]> f) {
        return quantile(rows, f, 0.5);
    }

    private static double quantile(List<double[]> rows, java.util.function.ToDoubleFunction<double[]> f, double q) {
        double[] v = rows.stream().mapToDouble(f).sorted().toArray();
        return v[(int) (v.length * q)];
    }
}
