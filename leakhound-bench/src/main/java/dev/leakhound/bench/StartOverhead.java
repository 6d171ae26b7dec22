package dev.leakhound.bench;

import dev.leakhound.agent.instrument.StartTracking;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The cost of recording where threads start: start and join {@code N} (default 1,000,000) short virtual threads in
 * batches of 10,000, {@code REPS} times per JVM, two ways: {@code Thread.ofVirtual().start(task)} and
 * {@code submit(task)} to a virtual-thread-per-task executor (whose task wrappers must be unwrapped to find the key).
 * Each arm runs in its own child JVMs, the arms alternating (their order rotating from one round to the next), so
 * that the machine's other load falls on all of them:
 * <ul>
 *   <li>{@code none}: no agent at all;</li>
 *   <li>{@code nop}: a Java agent that only keeps its {@code Instrumentation} ({@link BenchAgent}): what the JVM
 *       itself does for any agent (JVMTI's virtual thread transitions);</li>
 *   <li>{@code off}: the Leakhound agent jar with {@code creationSites=false};</li>
 *   <li>{@code on}: the Leakhound agent jar as shipped (creation sites recorded).</li>
 * </ul>
 * Per child: the median over its reps of the wall time and of the whole JVM's CPU time (user+sys of every thread:
 * the carriers, JIT, GC, the agent's own), and the whole JVM's CPU from start to exit. The summary gives the
 * median over the JVMs of each arm and the ratios on/off and on/none, both of the arms' medians and as the median of
 * the ratios within each round (the JVMs of one round ran one after the other).
 *
 * <pre>
 *   java -cp benchmarks.jar dev.leakhound.bench.StartOverhead --agent leakhound-agent.jar [--jvms 5] [--reps 15]
 *        [--warmup 3] [--n 1000000] [--ways start,submit] [--arms none,nop,off,on] [--jvm-arg ARG]...
 * </pre>
 * To profile one arm's measured reps only (the profiles of docs/benchmarks.md):
 * <pre>
 *   mkfifo ctl; perf record -F 999 --control=fifo:ctl -D -1 -o on.data java -XX:+UnlockDiagnosticVMOptions
 *        -XX:+DumpPerfMapAtExit -Xms1g -Xmx1g -javaagent:leakhound-agent.jar=port=0 -Dleakhound.bench.perfControl=ctl
 *        -cp benchmarks.jar dev.leakhound.bench.StartOverhead --child start 1000000 10 4
 *   perf report -i on.data --sort comm,sym
 * </pre>
 */
public final class StartOverhead {
    private static final int BATCH = 10_000;
    // One task per way: a task class started from two places in the code is walked at every start (see ThreadStarts).
    private static final Runnable DIRECT = () -> { };
    private static final Runnable SUBMITTED = () -> { };
    static final List<String> WAYS = List.of("start", "submit");
    static final List<String> ARMS = List.of("none", "nop", "off", "on");

    private StartOverhead() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--child")) {
            child(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
            return;
        }
        Options o = Options.parse(args);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("java.class.path");
        System.out.printf(Locale.ROOT, "%,d virtual threads per rep in batches of %,d, %d reps (+%d warm-up) per JVM,"
                        + " %d JVMs per arm and way, arms %s; load average %s%n", o.n, BATCH, o.reps, o.warmup, o.jvms,
                o.arms, loadAverage());
        for (String way : o.ways) {
            Map<String, List<Child>> byArm = new LinkedHashMap<>();
            for (String arm : o.arms) {
                byArm.put(arm, new ArrayList<>());
            }
            for (int round = 0; round < o.jvms; round++) {
                for (int k = 0; k < o.arms.size(); k++) {
                    String arm = o.arms.get((k + round) % o.arms.size());   // rotate: no arm always runs first
                    Child c = runChild(java, cp, o, arm, way);
                    byArm.get(arm).add(c);
                    System.out.printf(Locale.ROOT, "  %-6s round %d %-4s rep median %5.0f ms wall %5.0f ms CPU;"
                                    + " whole JVM %5.1f s CPU%s%n", way, round + 1, arm, c.wallMs, c.cpuMs, c.jvmCpuS,
                            c.note.isEmpty() ? "" : "; " + c.note);
                }
            }
            summary(way, o, byArm);
        }
        System.out.printf(Locale.ROOT, "load average after: %s%n", loadAverage());
    }

    /** One child JVM's result: medians over its reps, and its CPU from start to exit. */
    record Child(double wallMs, double cpuMs, double jvmCpuS, String note) {
    }

    private static void summary(String way, Options o, Map<String, List<Child>> byArm) {
        System.out.printf(Locale.ROOT, "%s (%s), median of %d JVMs per arm:%n", way, describe(way), o.jvms);
        System.out.printf(Locale.ROOT, "  %-5s %9s %9s %13s%n", "arm", "wall ms", "CPU ms", "whole-JVM CPU");
        for (Map.Entry<String, List<Child>> e : byArm.entrySet()) {
            List<Child> cs = e.getValue();
            System.out.printf(Locale.ROOT, "  %-5s %9.0f %9.0f %11.1f s%n", e.getKey(), median(cs, Child::wallMs),
                    median(cs, Child::cpuMs), median(cs, Child::jvmCpuS));
        }
        for (String[] pair : new String[][] {{"on", "off"}, {"on", "none"}, {"off", "none"}, {"nop", "none"},
                {"on", "nop"}}) {
            List<Child> a = byArm.get(pair[0]);
            List<Child> b = byArm.get(pair[1]);
            if (a == null || b == null) {
                continue;
            }
            System.out.printf(Locale.ROOT, "  %s/%s: wall %.2fx, CPU %.2fx, whole-JVM CPU %.2fx (medians);"
                            + " per round: wall %.2fx, CPU %.2fx%n", pair[0], pair[1],
                    median(a, Child::wallMs) / median(b, Child::wallMs), median(a, Child::cpuMs) / median(b, Child::cpuMs),
                    median(a, Child::jvmCpuS) / median(b, Child::jvmCpuS), roundRatio(a, b, Child::wallMs),
                    roundRatio(a, b, Child::cpuMs));
        }
    }

    static String describe(String way) {
        return way.equals("submit") ? "executor.submit to newVirtualThreadPerTaskExecutor" : "Thread.ofVirtual().start";
    }

    private static double median(List<Child> cs, java.util.function.ToDoubleFunction<Child> f) {
        return median(cs.stream().mapToDouble(f).toArray());
    }

    /** The median of the ratios a/b within each round. */
    private static double roundRatio(List<Child> a, List<Child> b, java.util.function.ToDoubleFunction<Child> f) {
        double[] r = new double[Math.min(a.size(), b.size())];
        for (int i = 0; i < r.length; i++) {
            r[i] = f.applyAsDouble(a.get(i)) / f.applyAsDouble(b.get(i));
        }
        return median(r);
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int m = s.length / 2;
        return s.length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2;
    }

    private static Child runChild(String java, String cp, Options o, String arm, String way) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(java, "-Xms1g", "-Xmx1g"));
        cmd.addAll(o.jvmArgs);
        switch (arm) {
            case "none" -> { }
            case "nop" -> cmd.add("-javaagent:" + benchJar(cp));
            // port=0: a free port, so that a 6060 taken by another program changes nothing
            case "off" -> cmd.add("-javaagent:" + o.agent + "=port=0,creationSites=false");
            case "on" -> cmd.add("-javaagent:" + o.agent + "=port=0");
            default -> throw new IllegalArgumentException("unknown arm " + arm + ", expected one of " + ARMS);
        }
        cmd.addAll(List.of("-cp", cp, StartOverhead.class.getName(), "--child", way, Integer.toString(o.n),
                Integer.toString(o.reps), Integer.toString(o.warmup)));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException("child " + arm + " " + way + " failed: " + out);
            }
            List<Double> wall = new ArrayList<>();
            List<Double> cpu = new ArrayList<>();
            double jvmCpu = Double.NaN;
            String note = "";
            for (String line : out.lines().toList()) {
                String[] f = line.split(" ");
                if (f[0].equals("rep")) {
                    wall.add(Long.parseLong(f[1]) / 1e6);
                    cpu.add(Long.parseLong(f[2]) / 1e6);
                } else if (f[0].equals("jvm-cpu")) {
                    jvmCpu = Long.parseLong(f[1]) / 1e9;
                } else if (f[0].equals("tracking:")) {
                    note = line;
                } else if (line.startsWith("leakhound-agent:") && !line.contains("debug server on")) {
                    note = note.isEmpty() ? line : note + "; " + line;
                }
            }
            return new Child(median(wall.stream().mapToDouble(Double::doubleValue).toArray()),
                    median(cpu.stream().mapToDouble(Double::doubleValue).toArray()), jvmCpu, note);
        } finally {
            p.destroyForcibly();
            p.waitFor();
        }
    }

    private static String benchJar(String cp) {
        for (String e : cp.split(java.io.File.pathSeparator)) {
            if (e.endsWith(".jar") && Files.isRegularFile(Path.of(e))) {
                return e;                                 // benchmarks.jar: BenchAgent keeps the Instrumentation
            }
        }
        throw new IllegalStateException("the arm nop needs the benchmarks jar on the class path: " + cp);
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (Exception e) {
            return String.format(Locale.ROOT, "%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    /** The command line of the parent. */
    record Options(String agent, int jvms, int reps, int warmup, int n, List<String> ways, List<String> arms,
                   List<String> jvmArgs) {
        static Options parse(String[] args) {
            String agent = null;
            int jvms = 5;
            int reps = 15;
            int warmup = 3;
            int n = 1_000_000;
            List<String> ways = WAYS;
            List<String> arms = ARMS;
            List<String> jvmArgs = new ArrayList<>();
            for (int i = 0; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                if (value == null) {
                    throw new IllegalArgumentException(args[i] + " needs a value");
                }
                switch (args[i]) {
                    case "--agent" -> agent = value;
                    case "--jvms" -> jvms = Integer.parseInt(value);
                    case "--reps" -> reps = Integer.parseInt(value);
                    case "--warmup" -> warmup = Integer.parseInt(value);
                    case "--n" -> n = Integer.parseInt(value);
                    case "--ways" -> ways = subset(value, WAYS, "--ways");
                    case "--arms" -> arms = subset(value, ARMS, "--arms");
                    case "--jvm-arg" -> jvmArgs.add(value);
                    default -> throw new IllegalArgumentException("unknown option " + args[i] + "; expected --agent,"
                            + " --jvms, --reps, --warmup, --n, --ways, --arms, --jvm-arg");
                }
                i++;
            }
            if ((arms.contains("off") || arms.contains("on")) && (agent == null || !Files.isRegularFile(Path.of(agent)))) {
                throw new IllegalArgumentException("--agent must name the Leakhound agent jar (leakhound-agent/target/"
                        + "leakhound-agent-*.jar or leakhound.jar), given: " + agent);
            }
            if (jvms < 1 || reps < 1 || warmup < 0 || n < BATCH || n % BATCH != 0) {
                throw new IllegalArgumentException("--jvms and --reps at least 1, --warmup at least 0, --n a multiple of "
                        + BATCH);
            }
            return new Options(agent, jvms, reps, warmup, n, ways, arms, List.copyOf(jvmArgs));
        }

        private static List<String> subset(String value, List<String> known, String option) {
            List<String> l = List.of(value.split(","));
            for (String s : l) {
                if (!known.contains(s)) {
                    throw new IllegalArgumentException(option + " " + s + ": expected some of " + known);
                }
            }
            return l;
        }
    }

    // ------------------------------------------------------------------ the child JVM

    private static void child(String way, int n, int reps, int warmup) throws Exception {
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        for (int i = 0; i < warmup; i++) {
            run(way, n);
        }
        perfControl("enable");
        for (int i = 0; i < reps; i++) {
            long c0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            run(way, n);
            long t1 = System.nanoTime();
            long c1 = os.getProcessCpuTime();
            System.out.println("rep " + (t1 - t0) + " " + (c1 - c0));
        }
        perfControl("disable");
        StartTracking.Stats s = StartTracking.stats();
        if (s.walks() > 0) {
            System.out.printf(Locale.ROOT, "tracking: %d records left after the joins, %d sites, %d stack walks for"
                    + " %,d starts%n", s.tracked(), s.sites(), s.walks(), (long) n * (reps + warmup));
        }
        System.out.println("jvm-cpu " + os.getProcessCpuTime());
    }

    /**
     * With {@code -Dleakhound.bench.perfControl=FIFO}, tells {@code perf record --control=fifo:FIFO -D -1} when the
     * measured reps start and end, so that a profile holds them only (not the JVM's start or the warm-up).
     */
    private static void perfControl(String command) throws java.io.IOException {
        String fifo = System.getProperty("leakhound.bench.perfControl");
        if (fifo != null) {
            Files.writeString(Path.of(fifo), command + "\n");
        }
    }

    private static Object run(String way, int n) throws Exception {
        if (way.equals("submit")) {
            try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
                Future<?>[] batch = new Future<?>[BATCH];
                for (int done = 0; done < n; done += BATCH) {
                    for (int i = 0; i < BATCH; i++) {
                        batch[i] = ex.submit(SUBMITTED);
                    }
                    for (Future<?> f : batch) {
                        f.get();
                    }
                }
            }
            return n;
        }
        Thread[] batch = new Thread[BATCH];
        for (int done = 0; done < n; done += BATCH) {
            for (int i = 0; i < BATCH; i++) {
                batch[i] = Thread.ofVirtual().start(DIRECT);
            }
            for (Thread t : batch) {
                t.join();
            }
        }
        return n;
    }
}
