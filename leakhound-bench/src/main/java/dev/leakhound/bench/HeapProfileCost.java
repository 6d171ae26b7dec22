package dev.leakhound.bench;

import dev.leakhound.agent.AgentOptions;
import dev.leakhound.agent.LeakhoundAgent;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The cost of the agent's heap profile recording ({@code heapProfile=true}) on an allocation-heavy workload: JVMs
 * started one after the other, the recording on and off in turn (ABBA, so that drift and the machine's other load
 * fall on both), each running the agent ({@link LeakhoundAgent#start}, debug server on a free port) and the same
 * workload; the throughput ratio on/off per pair. A separate JVM per run, because JFR cannot be undone in a JVM:
 * its two threads and its buffers stay once it started.
 *
 * <pre>
 *   java -cp benchmarks.jar dev.leakhound.bench.HeapProfileCost [PAIRS [SECONDS]]
 *   java -Xmx512m -XX:NativeMemoryTracking=summary -cp benchmarks.jar dev.leakhound.bench.HeapProfileCost --memory [SECONDS]
 * </pre>
 * Each child: 5 s of warm-up, then SECONDS (default 15) measured; the workload makes about 1 GB/s of short-lived
 * objects (maps, strings, arrays) and keeps a sliding window of 20,000 of them (old-generation churn). The "on" child
 * also prints JFR's native memory (NMT's {@code Tracing} category: its buffers, stack traces, ...) after the run and
 * after reading both profiles over HTTP, and how long those reads took.
 */
public final class HeapProfileCost {
    static volatile Object sink;

    private HeapProfileCost() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("child")) {
            child(Boolean.parseBoolean(args[1]), Integer.parseInt(args[2]));
            return;
        }
        if (args.length > 0 && args[0].equals("--roots")) {
            roots(args.length > 1 ? Integer.parseInt(args[1]) : 5_000_000);
            return;
        }
        if (args.length > 0 && args[0].equals("--memory")) {
            memory(args.length > 1 ? Integer.parseInt(args[1]) : 300);
            return;
        }
        int pairs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("java.class.path");
        double[] ratios = new double[pairs];
        List<Double> on = new ArrayList<>();
        List<Double> off = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            boolean onFirst = i % 2 == 1;
            double a = run(java, cp, onFirst, seconds);
            double b = run(java, cp, !onFirst, seconds);
            double onOps = onFirst ? a : b;
            double offOps = onFirst ? b : a;
            on.add(onOps);
            off.add(offOps);
            ratios[i] = onOps / offOps;
            System.out.printf(Locale.ROOT, "pair %d: off %.0f ops/s, on %.0f ops/s, on/off %.3f%n", i + 1, offOps, onOps,
                    ratios[i]);
        }
        Arrays.sort(ratios);
        System.out.printf(Locale.ROOT, "on/off throughput: median %.3f (min %.3f, max %.3f) over %d pairs of %d s runs%n",
                ratios[pairs / 2], ratios[0], ratios[pairs - 1], pairs, seconds);
    }

    private static double run(String java, String cp, boolean on, int seconds) throws Exception {
        List<String> cmd = List.of(java, "-Xms512m", "-Xmx512m", "-XX:NativeMemoryTracking=summary", "-cp", cp,
                HeapProfileCost.class.getName(), "child", Boolean.toString(on), Integer.toString(seconds));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(seconds + 120L, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("child failed: " + out);
        }
        double ops = Double.NaN;
        for (String line : out.lines().toList()) {
            if (line.startsWith("ops/s ")) {
                ops = Double.parseDouble(line.substring(6));
            } else if (line.startsWith("  ")) {
                System.out.println("   " + (on ? "on: " : "off:") + line);
            }
        }
        return ops;
    }

    private static void child(boolean on, int seconds) throws Exception {
        AgentOptions options = AgentOptions.parse("port=0").withHeapProfile(on);
        try (LeakhoundAgent agent = LeakhoundAgent.start(options)) {
            long tracingBefore = tracingKb();
            work(TimeUnit.SECONDS.toNanos(5));
            long t0 = System.nanoTime();
            long ops = work(TimeUnit.SECONDS.toNanos(seconds));
            double perSecond = ops / ((System.nanoTime() - t0) / 1e9);
            System.out.printf(Locale.ROOT, "ops/s %.1f%n", perSecond);
            System.out.printf(Locale.ROOT, "  JFR native memory (NMT Tracing, committed): %d KB before the"
                    + " workload, %d KB after %d s%n", tracingBefore, tracingKb(), seconds + 5);
            if (on) {
                HttpClient http = HttpClient.newHttpClient();
                for (String q : List.of("kind=alloc&seconds=300", "kind=inuse")) {
                    long r0 = System.nanoTime();
                    HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(agent.url().resolve(
                            "debug/heap/profile?" + q)).build(), HttpResponse.BodyHandlers.ofByteArray());
                    System.out.printf(Locale.ROOT, "  read %s: %d, %d bytes of pprof in %.0f ms%n", q, r.statusCode(),
                            r.body().length, (System.nanoTime() - r0) / 1e6);
                }
                System.out.printf(Locale.ROOT, "  JFR native memory after the reads: %d KB%n", tracingKb());
            }
        }
    }

    /**
     * What {@code roots=1} costs: OBJECTS small live objects (a linked list: the deepest paths), 1,000 leaked 64 KB
     * buffers for JFR's old-object sample, then an inuse read without and with root paths (each timed; with, JFR
     * walks the live heap at a safepoint: run with {@code -Xlog:safepoint} to see the pause).
     */
    private static void roots(int objects) throws Exception {
        java.util.LinkedList<Object> live = new java.util.LinkedList<>();
        for (int i = 0; i < objects; i++) {
            live.add(new int[2]);
        }
        try (LeakhoundAgent agent = LeakhoundAgent.start(AgentOptions.parse("port=0").withHeapProfile(true))) {
            List<byte[]> leaked = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                leaked.add(new byte[64 * 1024]);
                work(TimeUnit.MILLISECONDS.toNanos(5));
            }
            HttpClient http = HttpClient.newHttpClient();
            for (String q : List.of("kind=inuse&debug=1", "kind=inuse&roots=1&debug=1", "kind=inuse&debug=1")) {
                long r0 = System.nanoTime();
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(agent.url().resolve("debug/heap/profile?"
                        + q)).build(), HttpResponse.BodyHandlers.ofString());
                System.out.printf(Locale.ROOT, "%d live objects, read %s: %d in %.0f ms; %s%n", live.size(), q,
                        r.statusCode(), (System.nanoTime() - r0) / 1e6, r.body().lines().findFirst().orElse(""));
            }
            sink = leaked;
        }
        sink = live;
    }

    /**
     * The recording's memory over a long run without reads (JFR's buffers are then never emptied by a snapshot):
     * NMT's {@code Tracing} every 30 s, then one read of each kind and the heap it keeps (after a GC).
     */
    private static void memory(int seconds) throws Exception {
        try (LeakhoundAgent agent = LeakhoundAgent.start(AgentOptions.parse("port=0").withHeapProfile(true))) {
            System.out.printf(Locale.ROOT, "JFR native memory (NMT Tracing, committed) at start: %d KB%n", tracingKb());
            for (int t = 30; t <= seconds; t += 30) {
                work(TimeUnit.SECONDS.toNanos(30));
                System.out.printf(Locale.ROOT, "after %3d s of the workload: %d KB%n", t, tracingKb());
            }
            Runtime rt = Runtime.getRuntime();
            System.gc();
            long before = rt.totalMemory() - rt.freeMemory();
            HttpClient http = HttpClient.newHttpClient();
            for (String q : List.of("kind=alloc&seconds=300", "kind=inuse")) {
                long r0 = System.nanoTime();
                HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(agent.url().resolve("debug/heap/profile?"
                        + q)).build(), HttpResponse.BodyHandlers.ofByteArray());
                System.out.printf(Locale.ROOT, "read %s: %d, %d bytes of pprof in %.0f ms%n", q, r.statusCode(),
                        r.body().length, (System.nanoTime() - r0) / 1e6);
            }
            System.gc();
            long after = rt.totalMemory() - rt.freeMemory();
            System.out.printf(Locale.ROOT, "JFR native memory after the reads: %d KB; Java heap kept by the reads"
                    + " (the allocation samples of the last 300 s, after a GC): %+d KB%n", tracingKb(),
                    (after - before) / 1024);
        }
    }

    /** The allocation-heavy workload for {@code nanos}: its number of operations. */
    private static long work(long nanos) {
        Object[] window = new Object[20_000];
        long end = System.nanoTime() + nanos;
        long ops = 0;
        while (System.nanoTime() < end) {
            for (int i = 0; i < 1000; i++) {
                Map<String, Object> m = new HashMap<>();
                m.put("id", Long.toString(ops + i));
                m.put("payload", new byte[64 + (i & 255)]);
                m.put("list", new ArrayList<>(List.of(i, ops)));
                window[(int) ((ops + i) % window.length)] = m;
            }
            ops += 1000;
        }
        sink = window;
        return ops;
    }

    /** NMT's committed KB of the {@code Tracing} category (JFR), or -1. */
    private static long tracingKb() throws Exception {
        Object s = ManagementFactory.getPlatformMBeanServer().invoke(
                new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"), "vmNativeMemory",
                new Object[] {new String[] {"summary"}}, new String[] {String[].class.getName()});
        Matcher m = Pattern.compile("Tracing \\(reserved=\\d+KB, committed=(\\d+)KB\\)").matcher(String.valueOf(s));
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }
}
