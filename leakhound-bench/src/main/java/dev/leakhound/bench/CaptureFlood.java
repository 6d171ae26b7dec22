package dev.leakhound.bench;

import dev.leakhound.agent.capture.ContainerThreads;
import dev.leakhound.agent.endpoints.ThreadViews;
import dev.leakhound.agent.sampling.BlockedSince;
import dev.leakhound.analysis.StackGroup;
import dev.leakhound.analysis.ThreadGrouping;
import dev.leakhound.model.ThreadDump;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The flood (issue 9, defect 10) against the real agent: a host JVM with {@code -javaagent:leakhound.jar}
 * and N parked virtual threads, and rounds of concurrent {@code /debug/threads/dump?debug=2} requests from
 * loopback. Reports, for the host: captures taken, heap committed, RSS (and its peak), GC pauses.
 *
 * <pre>
 * java -cp benchmarks.jar dev.leakhound.bench.CaptureFlood flood LEAKHOUND_JAR [THREADS ROUNDS CONCURRENCY [PATH]]
 *     (defaults 100000 8 500 /debug/threads/dump?debug=2; the host runs with -Xmx512m -Xlog:gc, the requests time
 *     out after 60 s)
 * java --add-exports java.base/jdk.internal.vm=ALL-UNNAMED -cp benchmarks.jar dev.leakhound.bench.CaptureFlood \
 *     alloc [THREADS [RUNS]]      bytes allocated per capture, per grouping and per debug=2 text, in this JVM
 * java -cp benchmarks.jar dev.leakhound.bench.CaptureFlood dashboard LEAKHOUND_JAR [THREADS SECONDS]
 *     (defaults 53000 60) a dashboard: dump?debug=1 and /metrics once a second; the host's CPU time (defect 11)
 * </pre>
 *
 * The host runs this class alone (its class path holds no other class of the benchmark jar), so that the agent is
 * the one of {@code LEAKHOUND_JAR}: compare two builds by giving each one's {@code leakhound.jar}. The host counts
 * captures as the distinct {@code leakhound-capture-1} threads it sees (the agent's capture starts
 * one per capture of more than a few thousand threads), polling platform threads every 20 ms; so the count is
 * the same for any version of the agent.
 */
public final class CaptureFlood {
    private static final Pattern URL = Pattern.compile("debug server on (http://\\S+)");
    private static final Pattern PAUSE = Pattern.compile("Pause (\\S+(?: \\((?:Normal|Mixed|Concurrent Start|Concurrent End|Prepare Mixed)\\))?).* (\\d+)M->(\\d+)M\\((\\d+)M\\) (\\d+\\.\\d+)ms");

    private CaptureFlood() {
    }

    public static void main(String[] args) throws Exception {
        switch (args.length == 0 ? "" : args[0]) {
            case "host" -> host(Integer.parseInt(args[1]), !(args.length > 2 && args[2].equals("quiet")));
            case "flood" -> flood(Path.of(args[1]), arg(args, 2, 100_000), arg(args, 3, 8), arg(args, 4, 500),
                    args.length > 5 ? args[5] : "/debug/threads/dump?debug=2");
            case "alloc" -> alloc(arg(args, 1, 100_000), arg(args, 2, 5));
            case "dashboard" -> dashboard(Path.of(args[1]), arg(args, 2, 53_000), arg(args, 3, 60));
            default -> {
                System.err.println("usage: CaptureFlood flood LEAKHOUND_JAR [THREADS ROUNDS CONCURRENCY]"
                        + " | alloc [THREADS [RUNS]]");
                System.exit(2);
            }
        }
    }

    private static int arg(String[] args, int i, int otherwise) {
        return args.length > i ? Integer.parseInt(args[i]) : otherwise;
    }

    // ---------------------------------------------------------------- the host

    /**
     * Parks N virtual threads, says "ready", counts captures (unless {@code watch} is false: a quiet host, for
     * timings); answers "stats" and "jdkdump" (the JDK's JSON dump of this JVM, {@link JdkDump}, into a new file
     * deleted at once: {@code jdkdump NANOS CPU_NANOS BYTES}, timed in here) on stdin; ends at end of input.
     */
    private static void host(int n, boolean watch) throws Exception {
        Set<Long> captureThreads = java.util.concurrent.ConcurrentHashMap.newKeySet();
        Thread watcher = Thread.ofPlatform().daemon(true).name("flood-capture-watcher").unstarted(() -> {
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            while (!Thread.currentThread().isInterrupted()) {
                for (ThreadInfo i : mx.getThreadInfo(mx.getAllThreadIds(), 0)) {
                    if (i != null && i.getThreadName().equals("leakhound-capture-1")) {
                        captureThreads.add(i.getThreadId());
                    }
                }
                try {
                    Thread.sleep(20);                           // a sampling period, not a synchronisation
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        if (watch) {
            watcher.start();
        }
        Path dumps = JdkDump.tempDir();
        try (ParkedThreads parked = ParkedThreads.virtual(n)) {
            System.out.println("ready " + parked.size());
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = in.readLine()) != null; ) {
                if (line.equals("jdkdump")) {
                    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
                    long c0 = mx.getCurrentThreadCpuTime();
                    long t0 = System.nanoTime();
                    long bytes = JdkDump.dumpAndDelete(dumps);
                    long t1 = System.nanoTime();
                    System.out.println("jdkdump " + (t1 - t0) + " " + (mx.getCurrentThreadCpuTime() - c0) + " " + bytes);
                } else if (line.equals("stats")) {
                    var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
                    System.out.println("stats captures=" + captureThreads.size() + " heapCommittedMB="
                            + heap.getCommitted() / (1 << 20) + " heapUsedMB=" + heap.getUsed() / (1 << 20));
                }
            }
        } finally {
            watcher.interrupt();
            JdkDump.deleteDir(dumps);
        }
    }

    // ---------------------------------------------------------------- the flood

    private static void flood(Path jar, int threads, int rounds, int concurrency, String path) throws Exception {
        try (Host h = Host.start(jar, threads, true, true, "leakhound-flood")) {
            Process host = h.process();
            var toHost = h.toHost();
            BufferedReader fromHost = h.fromHost();
            URI base = h.base();
            String ready = h.ready();
            Path gcLog = h.gcLog();
            System.out.printf(Locale.ROOT, "host pid %d, %s threads parked, server %s; %d rounds of %d concurrent"
                    + " requests of %s%n", host.pid(), ready, base, rounds, concurrency, path);
            System.out.println("before: " + rss(host.pid()) + ", " + stats(toHost, fromHost));
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30))
                    .executor(Executors.newVirtualThreadPerTaskExecutor()).build();
            URI dump = base.resolve(path);
            Map<String, String> errors = new java.util.concurrent.ConcurrentSkipListMap<>();
            for (int r = 1; r <= rounds; r++) {
                long t0 = System.nanoTime();
                Map<String, Integer> outcomes = new TreeMap<>();
                try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
                    List<java.util.concurrent.Future<String>> answers = new ArrayList<>();
                    for (int i = 0; i < concurrency; i++) {
                        answers.add(clients.submit(() -> {
                            try {
                                HttpResponse<byte[]> a = client.send(HttpRequest.newBuilder(dump)
                                        .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofByteArray());
                                return Integer.toString(a.statusCode());
                            } catch (Exception e) {
                                String why = e.getClass().getSimpleName();
                                errors.putIfAbsent(why, String.valueOf(e.getMessage()));
                                return why;
                            }
                        }));
                    }
                    for (var a : answers) {
                        outcomes.merge(a.get(), 1, Integer::sum);
                    }
                }
                System.out.printf(Locale.ROOT, "round %d: %.1f s, answers %s; %s, %s%n", r,
                        (System.nanoTime() - t0) / 1e9, outcomes, rss(host.pid()), stats(toHost, fromHost));
            }
            System.out.println("GC: " + pauses(gcLog));
            errors.forEach((k, v) -> System.out.println("first " + k + ": " + v));
        }
    }

    /**
     * The host's class path: this class, {@link ParkedThreads} and {@link JdkDump} alone, copied out of the benchmark jar, so that
     * the agent's classes come from the {@code -javaagent} jar (the benchmark jar holds another copy of them).
     */
    private static Path hostClasses(Path dir) throws Exception {
        Path classes = dir.resolve("classes");
        Path self = Path.of(CaptureFlood.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        try (var jar = new java.util.jar.JarFile(self.toFile())) {
            for (var e : java.util.Collections.list(jar.entries())) {
                if (e.getName().startsWith("dev/leakhound/bench/CaptureFlood")
                        || e.getName().startsWith("dev/leakhound/bench/ParkedThreads")
                        || e.getName().startsWith("dev/leakhound/bench/JdkDump")) {
                    Path out = classes.resolve(e.getName());
                    Files.createDirectories(out.getParent());
                    try (var in = jar.getInputStream(e)) {
                        Files.copy(in, out);
                    }
                }
            }
        }
        return classes;
    }

    /**
     * Issue 9, defect 11: a dashboard fetching {@code dump?debug=1} and {@code /metrics} once a second; the host's
     * CPU time over the run ({@code /proc/PID/stat}: its parked threads use none, so it is the agent's), the
     * captures, and the oldest capture answered ({@code Age}).
     */
    private static void dashboard(Path jar, int threads, int seconds) throws Exception {
        try (Host h = Host.start(jar, threads, false, false, "leakhound-dashboard")) {
            Process host = h.process();
            var toHost = h.toHost();
            BufferedReader fromHost = h.fromHost();
            URI base = h.base();
            String ready = h.ready();
            HttpClient client = HttpClient.newHttpClient();
            // Settle: the sampler's first capture of all the threads, then measure from there.
            client.send(HttpRequest.newBuilder(base.resolve("/debug/threads/dump?debug=1")).timeout(Duration.ofSeconds(120))
                    .build(), HttpResponse.BodyHandlers.discarding());
            long cpu0 = cpuTicks(host.pid());
            String before = stats(toHost, fromHost);
            long t0 = System.nanoTime();
            long oldest = 0;
            Map<String, Integer> statuses = new TreeMap<>();
            for (int i = 0; i < seconds; i++) {
                long due = t0 + TimeUnit.SECONDS.toNanos(i);
                long left = due - System.nanoTime();
                if (left > 0) {
                    TimeUnit.NANOSECONDS.sleep(left);                  // the dashboard's period, not a synchronisation
                }
                for (String path : List.of("/debug/threads/dump?debug=1", "/metrics")) {
                    HttpResponse<Void> r = client.send(HttpRequest.newBuilder(base.resolve(path))
                            .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.discarding());
                    statuses.merge(path + " " + r.statusCode(), 1, Integer::sum);
                    oldest = Math.max(oldest, r.headers().firstValue("Age").map(Long::parseLong).orElse(0L));
                }
            }
            double wall = (System.nanoTime() - t0) / 1e9;
            double cpu = (cpuTicks(host.pid()) - cpu0) / 100.0;                       // USER_HZ
            System.out.printf(Locale.ROOT, "%s threads; %.0f s of a dashboard: host CPU %.1f s = %.1f%% of one core;"
                    + " answers %s; oldest Age %d s; captures %s -> %s%n", ready, wall, cpu, 100 * cpu / wall, statuses,
                    oldest, before, stats(toHost, fromHost));
        }
    }

    /**
     * A host JVM of {@link #host} with the agent on a free port and {@code threads} parked virtual threads; closing it
     * ends the host (it ends when its standard input closes) and removes its directory.
     */
    record Host(Process process, Path dir, java.io.Writer toHost, BufferedReader fromHost, URI base,
                        String ready) implements AutoCloseable {
        /**
         * @param logGc whether the host logs its collections to {@link #gcLog}
         * @param echo  whether to copy the host's standard error (but the server line) to this one's
         */
        static Host start(Path jar, int threads, boolean logGc, boolean echo, String dirPrefix) throws Exception {
            return start(jar, threads, logGc, echo, dirPrefix, "-Xmx512m", "port=0", true);
        }

        /**
         * @param heap         the host's heap option ({@code -Xmx512m})
         * @param agentOptions the agent's options ({@code port=0} and any more)
         * @param watch        whether the host counts captures (polling its platform threads every 20 ms)
         */
        static Host start(Path jar, int threads, boolean logGc, boolean echo, String dirPrefix, String heap,
                          String agentOptions, boolean watch) throws Exception {
            Path dir = Files.createTempDirectory(dirPrefix);
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    heap));
            if (logGc) {
                cmd.add("-Xlog:gc:file=" + dir.resolve("gc.log"));
            }
            cmd.addAll(List.of("-javaagent:" + jar.toAbsolutePath() + "=" + agentOptions, "-cp",
                    hostClasses(dir).toString(), CaptureFlood.class.getName(), "host", Integer.toString(threads),
                    watch ? "watch" : "quiet"));
            Process host = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.PIPE).start();
            CompletableFuture<URI> url = new CompletableFuture<>();
            Thread.ofPlatform().daemon(true).start(() -> {
                try (BufferedReader err = host.errorReader(StandardCharsets.UTF_8)) {
                    for (String line; (line = err.readLine()) != null; ) {
                        Matcher m = URL.matcher(line);
                        if (m.find()) {
                            url.complete(URI.create(m.group(1)));
                        } else if (echo && !line.isBlank()) {
                            System.err.println("host: " + line);
                        }
                    }
                } catch (Exception e) {
                    url.completeExceptionally(e);
                }
            });
            BufferedReader fromHost = host.inputReader(StandardCharsets.UTF_8);
            Host h = new Host(host, dir, host.outputWriter(StandardCharsets.UTF_8), fromHost, null, null);
            try {
                URI base = url.get(120, TimeUnit.SECONDS);
                return new Host(host, dir, h.toHost, fromHost, base, fromHost.readLine());
            } catch (Exception e) {
                h.close();
                throw e;
            }
        }

        Path gcLog() {
            return dir.resolve("gc.log");
        }

        @Override
        public void close() throws Exception {
            toHost.close();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
            try (var files = Files.walk(dir)) {
                for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    /** utime + stime of a process, in clock ticks. */
    static long cpuTicks(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private static String stats(java.io.Writer toHost, BufferedReader fromHost) throws Exception {
        toHost.write("stats\n");
        toHost.flush();
        String line = fromHost.readLine();
        return line == null ? "(host gone)" : line.substring("stats ".length());
    }

    private static String rss(long pid) throws Exception {
        String rss = "?";
        String peak = "?";
        for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (l.startsWith("VmRSS:")) {
                rss = Long.parseLong(l.replaceAll("\\D", "")) / 1024 + "";
            } else if (l.startsWith("VmHWM:")) {
                peak = Long.parseLong(l.replaceAll("\\D", "")) / 1024 + "";
            }
        }
        return "RSS " + rss + " MB (peak " + peak + " MB)";
    }

    /**
     * Pauses in the -Xlog:gc file by kind ({@code Young (Normal)}, {@code Full}, ...): how many, the longest, their
     * sum; and the largest heap committed they report.
     */
    private static String pauses(Path gcLog) throws Exception {
        Map<String, double[]> kinds = new TreeMap<>();                // kind -> {count, longest, sum}
        long committed = 0;
        for (String l : Files.readAllLines(gcLog)) {
            Matcher m = PAUSE.matcher(l);
            if (l.contains("Pause Full")) {
                System.out.println("  " + l);                         // few, and their cause matters
            }
            if (m.find()) {
                double ms = Double.parseDouble(m.group(5));
                double[] k = kinds.computeIfAbsent(m.group(1).trim(), x -> new double[3]);
                k[0]++;
                k[1] = Math.max(k[1], ms);
                k[2] += ms;
                committed = Math.max(committed, Long.parseLong(m.group(4)));
            }
        }
        StringBuilder sb = new StringBuilder();
        kinds.forEach((kind, k) -> sb.append(String.format(Locale.ROOT, "%s: %d, longest %.1f ms, %.0f ms in all; ",
                kind, (long) k[0], k[1], k[2])));
        return sb.append("heap committed up to ").append(committed).append(" MB").toString();
    }

    // ---------------------------------------------------------------- allocation per capture

    /** Bytes allocated (all threads, the capture's helpers included) per capture, grouping and debug=2 text. */
    private static void alloc(int threads, int runs) throws Exception {
        ContainerThreads ct = ContainerThreads.open();
        if (!ct.isAvailable()) {
            System.err.println("unavailable: " + ct.unavailableReason());
            System.exit(2);
        }
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (ParkedThreads parked = ParkedThreads.virtual(threads)) {
            BlockedSince blocked = new BlockedSince();
            for (int r = 0; r < runs; r++) {
                ThreadDump[] dump = new ThreadDump[1];
                long capture = allocated(mx, () -> dump[0] = ct.snapshot());
                blocked.observe(dump[0]);
                List<List<StackGroup>> groups = new ArrayList<>(1);
                long group = allocated(mx, () -> groups.add(ThreadGrouping.group(dump[0].threads())));
                long text = allocated(mx, () -> ThreadViews.everyThread(dump[0], blocked, 1000, 5000, 0).toBytes());
                long textAll = allocated(mx, () -> ThreadViews.everyThread(dump[0], blocked, 100_000, 5000, 0).toBytes());
                System.out.printf(Locale.ROOT, "%d threads: capture %.1f MB (%d B/thread), grouping %.1f MB,"
                                + " debug=2 text (maxThreads 1000) %.1f MB, (maxThreads 100000) %.1f MB%n",
                        dump[0].threads().size(), capture / 1e6, capture / Math.max(1, dump[0].threads().size()),
                        group / 1e6, text / 1e6, textAll / 1e6);
            }
        }
    }

    private static long allocated(com.sun.management.ThreadMXBean mx, Supplier<?> work) {
        System.gc();
        long before = mx.getTotalThreadAllocatedBytes();
        work.get();
        return mx.getTotalThreadAllocatedBytes() - before;
    }
}
