package dev.leakhound.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How fast {@code leakhound gc} reads a big GC log, against {@code grep -c} and {@code wc -l} over the same file in
 * the same run, and in how much memory.
 *
 * <pre>
 *   java -cp benchmarks.jar dev.leakhound.bench.GcLogThroughput generate DIR [SIZE_MB]
 *   java -cp benchmarks.jar dev.leakhound.bench.GcLogThroughput measure LEAKHOUND_JAR XMX RUNS FILE...
 * </pre>
 * {@code generate} runs real JVMs (this Java) with {@code -Xlog:gc*} and one collector each (G1, Parallel, Serial,
 * generational ZGC, Shenandoah when this build has it), each with other decorations, then repeats each real log's
 * collections with shifted times and GC ids until the file holds SIZE_MB (G1, default 1024) or a quarter of it (the
 * others): {@code DIR/gc-COLLECTOR.log}. The header lines (before the first {@code GC(n)} line) are written once and
 * the exit lines ({@code gc,heap,exit}) left out, so the file reads like one long run of that JVM.
 *
 * <p>{@code measure} runs, per file and RUNS times alternating, {@code grep -c GC}, {@code wc -l} and
 * {@code java -XmxXMX -jar LEAKHOUND_JAR gc FILE}, each under {@code /usr/bin/time}, and prints MB of log per CPU
 * second (user+sys of the whole process: JIT and GC threads included) and per wall second, medians, with the
 * ratio to the baselines; and the leakhound JVM's resident set sampled over the run (it must not grow with the log).
 */
public final class GcLogThroughput {
    private static final Pattern GROUP = Pattern.compile("\\[([^\\]]*)\\]");
    private static final Pattern UPTIME = Pattern.compile("(\\d+)\\.(\\d{3})s");
    private static final Pattern MILLIS = Pattern.compile("(\\d+)ms");
    private static final Pattern NANOS = Pattern.compile("(\\d+)ns");
    private static final Pattern GC_ID = Pattern.compile("GC\\((\\d+)\\)");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSZ", Locale.ROOT);

    /** One real run: the collector's options and the decorations of its log. */
    record Config(String name, List<String> options, String decorations, boolean full) {
    }

    static final List<Config> CONFIGS = List.of(
            new Config("G1", List.of("-XX:+UseG1GC"), "uptime,level,tags", true),
            new Config("Parallel", List.of("-XX:+UseParallelGC"), "time,uptime,level,tags", false),
            new Config("Serial", List.of("-XX:+UseSerialGC"), "uptimemillis,pid,tid,level,tags", false),
            new Config("ZGC", List.of("-XX:+UseZGC"), "utctime,uptimenanos,level,tags", false),
            new Config("Shenandoah", List.of("-XX:+UseShenandoahGC"), "uptime,tid,level,tags", false));

    private GcLogThroughput() {
    }

    public static void main(String[] args) throws Exception {
        switch (args.length == 0 ? "" : args[0]) {
            case "generate" -> generate(Path.of(args[1]), args.length > 2 ? Integer.parseInt(args[2]) : 1024);
            case "measure" -> measure(args[1], args[2], Integer.parseInt(args[3]),
                    Arrays.stream(args, 4, args.length).map(Path::of).toList());
            case "workload" -> workload(Integer.parseInt(args[1]));
            default -> {
                System.err.println("usage: GcLogThroughput generate DIR [SIZE_MB] | measure JAR XMX RUNS FILE...");
                System.exit(2);
            }
        }
    }

    // ---------------------------------------------------------------- the real JVMs

    /** Garbage in short-lived arrays, and a live set that grows, then is let go, then grows again. */
    static void workload(int seconds) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<byte[]> live = new ArrayList<>();
        long sink = 0;
        for (int i = 0; System.nanoTime() < end; i++) {
            byte[] b = new byte[1 + (i % 64) * 512];
            sink += b.length;
            if (i % 200 == 0) {
                live.add(new byte[4096]);
                if (live.size() > 6000) {
                    live.subList(0, 5000).clear();
                }
            }
            if (i % 5_000_000 == 0 && i > 0) {
                System.gc();                                              // a full collection now and then
            }
        }
        System.out.println(sink + " " + live.size());
    }

    private static boolean available(String java, Config c) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(java));
        cmd.addAll(c.options());
        cmd.add("-version");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            return false;
        }
        return p.exitValue() == 0;
    }

    static void generate(Path dir, int sizeMb) throws Exception {
        Files.createDirectories(dir);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = Path.of(GcLogThroughput.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString();
        for (Config c : CONFIGS) {
            if (!available(java, c)) {
                System.out.println("skipped " + c.name() + ": not in this Java");
                continue;
            }
            Path real = dir.resolve("real-" + c.name() + ".log");
            Files.deleteIfExists(real);
            List<String> cmd = new ArrayList<>(List.of(java, "-Xmx96m"));
            cmd.addAll(c.options());
            cmd.add("-Xlog:gc*:file=" + real + ":" + c.decorations());
            cmd.addAll(List.of("-cp", cp, GcLogThroughput.class.getName(), "workload", "4"));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try {
                if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    throw new IllegalStateException("the " + c.name() + " JVM failed: " + cmd);
                }
            } finally {
                p.destroyForcibly().waitFor();
            }
            long target = (c.full() ? sizeMb : Math.max(1, sizeMb / 4)) * (1L << 20);
            Path out = dir.resolve("gc-" + c.name() + ".log");
            Stats s = replicate(Files.readAllLines(real, StandardCharsets.UTF_8), out, target);
            System.out.printf(Locale.ROOT, "%s: real log %,d bytes (%s, %s), repeated %,d times: %s, %,d MB, %,d lines%n",
                    c.name(), Files.size(real), String.join(" ", c.options()), c.decorations(), s.reps, out,
                    Files.size(out) >> 20, s.lines);
        }
    }

    record Stats(long reps, long lines) {
    }

    /** Writes the header once, then the collections again and again, shifted in time and GC id, up to target bytes. */
    static Stats replicate(List<String> lines, Path out, long target) throws IOException {
        int first = -1;
        for (int i = 0; i < lines.size() && first < 0; i++) {
            if (GC_ID.matcher(lines.get(i)).find()) {
                first = i;
            }
        }
        if (first < 0) {
            throw new IllegalStateException("no GC(n) line in the real log");
        }
        List<String> body = new ArrayList<>();
        long maxId = 0;
        for (String l : lines.subList(first, lines.size())) {
            if (l.contains(",exit")) {
                continue;                                                   // the heap summary at exit
            }
            body.add(l);
            Matcher m = GC_ID.matcher(l);
            if (m.find()) {
                maxId = Math.max(maxId, Long.parseLong(m.group(1)));
            }
        }
        long span = Math.max(1, nanos(body.get(body.size() - 1)) - nanos(body.get(0)));
        long period = span + 50_000_000L;                                 // 50 ms between two repetitions
        long written = 0;
        long reps = 0;
        long count = 0;
        try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            for (String l : lines.subList(0, first)) {
                w.write(l);
                w.write('\n');
                written += l.length() + 1;
                count++;
            }
            StringBuilder sb = new StringBuilder(256);
            while (written < target) {
                long shift = reps * period;
                long idShift = reps * (maxId + 1);
                for (String l : body) {
                    sb.setLength(0);
                    shift(l, shift, idShift, sb);
                    sb.append('\n');
                    w.append(sb);
                    written += sb.length();
                    count++;
                }
                reps++;
            }
        }
        return new Stats(reps, count);
    }

    /** The line's uptime (or time) in nanoseconds, whichever decoration it has first; 0 without one. */
    private static long nanos(String line) {
        Matcher g = GROUP.matcher(line);
        int pos = 0;
        while (g.find(pos) && g.start() == pos) {
            String d = g.group(1).strip();
            Matcher m;
            if ((m = UPTIME.matcher(d)).matches()) {
                return Long.parseLong(m.group(1)) * 1_000_000_000L + Long.parseLong(m.group(2)) * 1_000_000L;
            } else if ((m = MILLIS.matcher(d)).matches()) {
                return Long.parseLong(m.group(1)) * 1_000_000L;
            } else if ((m = NANOS.matcher(d)).matches()) {
                return Long.parseLong(m.group(1));
            } else if (d.length() > 20 && d.charAt(4) == '-' && d.charAt(10) == 'T') {
                OffsetDateTime t = OffsetDateTime.parse(d, TIME);
                return t.toEpochSecond() * 1_000_000_000L + t.getNano();
            }
            pos = g.end();
        }
        return 0;
    }

    /** Appends the line with every time decoration later by {@code shift} ns and its GC id higher by {@code idShift}. */
    private static void shift(String line, long shift, long idShift, StringBuilder sb) {
        Matcher g = GROUP.matcher(line);
        int pos = 0;
        while (g.find(pos) && g.start() == pos) {
            String raw = g.group(1);
            String d = raw.strip();
            String pad = raw.substring(d.length());
            Matcher m;
            sb.append('[');
            if ((m = UPTIME.matcher(d)).matches()) {
                long ms = Long.parseLong(m.group(1)) * 1000 + Long.parseLong(m.group(2)) + shift / 1_000_000L;
                sb.append(String.format(Locale.ROOT, "%d.%03ds", ms / 1000, ms % 1000));
            } else if ((m = MILLIS.matcher(d)).matches()) {
                sb.append(Long.parseLong(m.group(1)) + shift / 1_000_000L).append("ms");
            } else if ((m = NANOS.matcher(d)).matches()) {
                sb.append(Long.parseLong(m.group(1)) + shift).append("ns");
            } else if (d.length() > 20 && d.charAt(4) == '-' && d.charAt(10) == 'T') {
                sb.append(TIME.format(OffsetDateTime.parse(d, TIME).plusNanos(shift)));
            } else {
                sb.append(d);
            }
            sb.append(pad).append(']');
            pos = g.end();
        }
        String msg = line.substring(pos);
        Matcher id = GC_ID.matcher(msg);
        if (id.find()) {
            sb.append(msg, 0, id.start()).append("GC(").append(Long.parseLong(id.group(1)) + idShift).append(')')
                    .append(msg, id.end(), msg.length());
        } else {
            sb.append(msg);
        }
    }

    // ---------------------------------------------------------------- measuring

    /** One process's cost, from /usr/bin/time: user+sys CPU seconds, wall seconds, max RSS in KB. */
    record Cost(double cpu, double wall, long maxRssKb, List<Long> rssSamplesKb) {
    }

    static void measure(String jar, String xmx, int runs, List<Path> files) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        System.out.printf(Locale.ROOT, "load average: %s%n", Files.readString(Path.of("/proc/loadavg")).strip());
        for (Path f : files) {
            double mb = Files.size(f) / (double) (1 << 20);
            List<Cost> grep = new ArrayList<>();
            List<Cost> wc = new ArrayList<>();
            List<Cost> lh = new ArrayList<>();
            for (int r = 0; r < runs; r++) {
                grep.add(run(List.of("grep", "-c", "GC", f.toString()), false));
                wc.add(run(List.of("wc", "-l", f.toString()), false));
                lh.add(run(List.of(java, "-Xmx" + xmx, "-jar", jar, "gc", f.toString()), true));
            }
            System.out.printf(Locale.ROOT, "%s: %,.0f MB, %d runs each, load %s%n", f.getFileName(), mb, runs,
                    Files.readString(Path.of("/proc/loadavg")).strip());
            report("grep -c GC", mb, grep, null);
            report("wc -l", mb, wc, null);
            report("leakhound gc -Xmx" + xmx, mb, lh, grep);
            Cost last = lh.get(lh.size() - 1);
            System.out.printf(Locale.ROOT, "    leakhound max RSS %,d MB; RSS sampled every 0.2 s (MB): %s%n",
                    last.maxRssKb() >> 10, last.rssSamplesKb().stream().map(k -> String.valueOf(k >> 10)).toList());
        }
    }

    private static void report(String what, double mb, List<Cost> costs, List<Cost> baseline) {
        double cpu = median(costs.stream().mapToDouble(Cost::cpu).toArray());
        double wall = median(costs.stream().mapToDouble(Cost::wall).toArray());
        String ratio = "";
        if (baseline != null) {
            double bc = median(baseline.stream().mapToDouble(Cost::cpu).toArray());
            ratio = String.format(Locale.ROOT, "  (%.1fx grep's CPU)", cpu / Math.max(bc, 0.01));
        }
        System.out.printf(Locale.ROOT, "  %-26s CPU %6.2f s  wall %6.2f s  %8.0f MB per CPU s  %8.0f MB/s wall%s%n",
                what, cpu, wall, mb / Math.max(cpu, 0.01), mb / Math.max(wall, 0.01), ratio);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /**
     * Runs the command under /usr/bin/time, its output to a temporary file (not /dev/null: GNU grep stops at the first
     * match when it writes there); samples the child's RSS when asked.
     */
    private static Cost run(List<String> command, boolean sampleRss) throws IOException, InterruptedException {
        Path times = Files.createTempFile("gc-log-time", ".txt");
        Path out = Files.createTempFile("gc-log-out", ".txt");
        try {
            List<String> cmd = new ArrayList<>(List.of("/usr/bin/time", "-o", times.toString(), "-f", "%U %S %e %M"));
            cmd.addAll(command);
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            List<Long> rss = new ArrayList<>();
            try {
                while (!p.waitFor(200, TimeUnit.MILLISECONDS)) {
                    if (sampleRss) {
                        p.toHandle().children().findFirst().ifPresent(c -> rss.add(rssKb(c.pid())));
                    }
                }
            } finally {
                p.destroyForcibly().waitFor();
            }
            if (p.exitValue() != 0 && !command.get(0).equals("grep")) {
                throw new IllegalStateException("failed (" + p.exitValue() + "): " + command);
            }
            String[] t = Files.readString(times).strip().split("\\s+");
            int n = t.length;
            rss.removeIf(k -> k <= 0);
            return new Cost(Double.parseDouble(t[n - 4]) + Double.parseDouble(t[n - 3]), Double.parseDouble(t[n - 2]),
                    Long.parseLong(t[n - 1]), rss);
        } finally {
            Files.deleteIfExists(times);
            Files.deleteIfExists(out);
        }
    }

    private static long rssKb(long pid) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (l.startsWith("VmRSS:")) {
                    return Long.parseLong(l.replaceAll("\\D", ""));
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // the process ended between two samples
        }
        return -1;
    }
}
