package dev.leakhound.bench;

import dev.leakhound.hprof.Progress;
import dev.leakhound.hprof.SmallDump;
import dev.leakhound.hprof.index.HeapIndex;
import dev.leakhound.proof.LeakProof;
import shark.CloseableHeapGraph;
import shark.HprofHeapGraph;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Our heap index against LeakCanary's Shark ({@code shark-graph}) indexing the same dump, each in a JVM of its own
 * with the same heap limit, alternating, several times; time and peak resident memory (VmHWM) of each run.
 *
 * <pre>
 *   java -cp benchmarks.jar dev.leakhound.bench.SharkComparison generate FILE OBJECTS   # a dump to compare on
 *   java -cp benchmarks.jar dev.leakhound.bench.SharkComparison compare FILE [RUNS] [XMX]
 * </pre>
 * Modes run in the child JVMs: {@code ours} ({@code HeapIndex.open}), {@code ours+proof} (and the leaked-thread
 * proof, which reads every reachable object), {@code shark} ({@code HprofHeapGraph.openHeapGraph}, which builds
 * Shark's index), each then reading the object count.
 *
 * <p>The whole proof against Shark's index and a pass over the threads (issue 14), on the dump of
 * {@link ThreadsDump}:
 * <pre>
 *   java -cp benchmarks.jar dev.leakhound.bench.SharkComparison proof FILE LEAKHOUND_JAR [PAIRS] [XMX]
 * </pre>
 * alternates, PAIRS times (default 3), {@code java -XmxXMX -jar LEAKHOUND_JAR heap FILE} (the CLI, whole: index,
 * proof, report; XMX default 512m) with {@code shark-threads} in a JVM of the same limit: Shark's index, then every
 * {@code java.lang.Thread} instance (virtual ones included) with its {@code parkBlocker}, name and state read. Each
 * child runs under {@code /usr/bin/time}: its CPU seconds (user + system) and peak resident memory; the parent also
 * samples the child's anonymous resident memory ({@code RssAnon}: the heap and the JVM's own, without the pages of a
 * memory-mapped dump, which are the OS's page cache). Prints the load average before each pair and the CPU ratio of
 * each pair.
 */
public final class SharkComparison {
    private SharkComparison() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "generate" -> generate(Path.of(args[1]), Integer.parseInt(args[2]));
            case "compare" -> compare(Path.of(args[1]), args.length > 2 ? Integer.parseInt(args[2]) : 3,
                    args.length > 3 ? args[3] : "2g");
            case "ours", "ours+proof", "shark" -> System.out.println(run(args[0], Path.of(args[1])));
            case "proof" -> proof(Path.of(args[1]), Path.of(args[2]), args.length > 3 ? Integer.parseInt(args[3]) : 3,
                    args.length > 4 ? args[4] : "512m");
            case "shark-threads" -> System.out.println(sharkThreads(Path.of(args[1])));
            default -> throw new IllegalArgumentException(
                    "generate | compare | proof | ours | ours+proof | shark | shark-threads");
        }
    }

    /** The dump: leakhound-heap's {@code SmallDump} (its test jar), with many parked virtual threads too. */
    private static void generate(Path file, int n) throws Exception {
        SmallDump.main(new String[] {file.toString(), Integer.toString(n), "1000"});
        System.out.println(Files.size(file) / 1048576 + " MB");
    }

    /** One measurement in this JVM: {@code mode ms objects vmhwmKB}. */
    private static String run(String mode, Path file) throws IOException {
        long t0 = System.nanoTime();
        long objects;
        if (mode.equals("shark")) {
            try (CloseableHeapGraph graph = HprofHeapGraph.Companion.openHeapGraph(file.toFile(), null,
                    shark.HprofIndex.Companion.defaultIndexedGcRootTags())) {
                objects = graph.getObjectCount();
            } catch (Exception e) {
                throw new IOException(e);
            }
        } else {
            try (HeapIndex index = HeapIndex.open(file, Progress.NONE)) {
                objects = index.objectCount();
                if (mode.equals("ours+proof")) {
                    LeakProof.prove(index);
                }
            }
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        return mode + " " + ms + " " + objects + " " + peakRssKb();
    }

    /**
     * Shark's index, then every thread's blocker: each {@code java.lang.Thread} instance (virtual ones too, a
     * subclass), its {@code parkBlocker}, its name, and its state ({@code VirtualThread.state}, or a platform
     * thread's {@code holder.threadStatus}). Returns {@code threads N blockers M}.
     */
    private static String sharkThreads(Path file) throws Exception {
        try (CloseableHeapGraph graph = HprofHeapGraph.Companion.openHeapGraph(file.toFile(), null,
                shark.HprofIndex.Companion.defaultIndexedGcRootTags())) {
            shark.HeapObject.HeapClass thread = graph.findClassByName("java.lang.Thread");
            shark.HeapObject.HeapClass vthread = graph.findClassByName("java.lang.VirtualThread");
            int threads = 0;
            int blocked = 0;
            long names = 0;
            long states = 0;
            for (java.util.Iterator<shark.HeapObject.HeapInstance> it = graph.getInstances().iterator(); it.hasNext(); ) {
                shark.HeapObject.HeapInstance i = it.next();
                if (!i.instanceOf(thread)) {
                    continue;
                }
                threads++;
                shark.HeapField blocker = i.get("java.lang.Thread", "parkBlocker");
                if (blocker != null && !blocker.getValue().isNullReference()) {
                    blocked++;
                }
                shark.HeapField name = i.get("java.lang.Thread", "name");
                String n = name == null ? null : name.getValue().readAsJavaString();
                names += n == null ? 0 : n.length();
                if (vthread != null && i.instanceOf(vthread)) {
                    shark.HeapField state = i.get("java.lang.VirtualThread", "state");
                    states += state == null || state.getValue().getAsInt() == null ? 0 : state.getValue().getAsInt();
                } else {
                    shark.HeapField holder = i.get("java.lang.Thread", "holder");
                    shark.HeapObject.HeapInstance h = holder == null ? null : holder.getValueAsInstance();
                    shark.HeapField status = h == null ? null : h.get("java.lang.Thread$FieldHolder", "threadStatus");
                    states += status == null || status.getValue().getAsInt() == null ? 0 : status.getValue().getAsInt();
                }
            }
            return "threads " + threads + " blockers " + blocked + " (names " + names + " chars, states " + states + ")";
        }
    }

    /** The whole {@code leakhound heap} against Shark's index and blockers, alternating (see the class comment). */
    private static void proof(Path file, Path leakhoundJar, int pairs, String xmx) throws Exception {
        String jar = Path.of(SharkComparison.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        System.out.printf(Locale.ROOT, "dump %s, %d MB; each run a JVM of its own with -Xmx%s; %s%n", file,
                Files.size(file) / 1048576, xmx, Runtime.version());
        for (int r = 0; r < pairs; r++) {
            System.out.println("pair " + (r + 1) + ", load average " + loadAverage());
            List<String> ours = List.of(java, "-Xmx" + xmx, "-jar", leakhoundJar.toString(), "heap", file.toString());
            List<String> shark = List.of(java, "-Xmx" + xmx, "-cp", jar, SharkComparison.class.getName(),
                    "shark-threads", file.toString());
            double[] cpu = new double[2];
            for (int k = 0; k < 2; k++) {
                boolean oursNow = (k == 0) == (r % 2 == 0);        // alternate which goes first
                Timed t = timed(oursNow ? ours : shark);
                cpu[oursNow ? 0 : 1] = t.cpuSeconds();
                System.out.printf(Locale.ROOT, "  %-24s exit %d  CPU %6.2f s (user %6.2f, sys %5.2f)  wall %6.2f s"
                                + "  peak RSS %,5d MB  peak RssAnon %,5d MB  %s%n",
                        oursNow ? "leakhound heap" : "shark index+threads", t.exit(), t.cpuSeconds(), t.user(),
                        t.sys(), t.wall(), t.peakRssKb() / 1024, t.peakAnonKb() / 1024, t.summary());
            }
            System.out.printf(Locale.ROOT, "  CPU ratio leakhound / shark: %.2f%n", cpu[0] / cpu[1]);
        }
    }

    /** A child's measurement. */
    private record Timed(int exit, double user, double sys, double wall, long peakRssKb, long peakAnonKb,
                         String summary) {
        double cpuSeconds() {
            return user + sys;
        }
    }

    /** Runs the command under /usr/bin/time, sampling its RssAnon every 20 ms. */
    private static Timed timed(List<String> command) throws Exception {
        Path times = Files.createTempFile("leakhound-bench-time", ".txt");
        try {
            List<String> cmd = new java.util.ArrayList<>(List.of("/usr/bin/time", "-o", times.toString(), "-f",
                    "%U %S %e %M"));
            cmd.addAll(command);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            StringBuilder out = new StringBuilder();
            Thread reader = Thread.ofVirtual().start(() -> {
                try {
                    out.append(new String(p.getInputStream().readAllBytes()));
                } catch (IOException e) {
                    out.append(e);
                }
            });
            long peakAnon = 0;
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
            while (!p.waitFor(20, TimeUnit.MILLISECONDS)) {
                for (ProcessHandle h : p.descendants().toList()) {        // the JVM, under time
                    peakAnon = Math.max(peakAnon, statusKb(h.pid(), "RssAnon:"));
                }
                if (System.nanoTime() - deadline > 0) {
                    p.destroyForcibly();
                    throw new IllegalStateException("timed out: " + command);
                }
            }
            reader.join();
            String[] f = Files.readString(times).strip().lines().reduce((a, b) -> b).orElse("").split(" ");
            String text = out.toString();
            String summary = text.lines().filter(l -> l.startsWith("== leaked threads") || l.startsWith("threads ")
                    || l.startsWith("leakhound:") || l.contains("Exception") || l.contains("Error")).findFirst()
                    .orElse(text.lines().limit(2).toList().toString());
            return new Timed(p.exitValue(), Double.parseDouble(f[0]), Double.parseDouble(f[1]),
                    Double.parseDouble(f[2]), Long.parseLong(f[3]), peakAnon, summary.strip());
        } finally {
            Files.deleteIfExists(times);
        }
    }

    private static long statusKb(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException | RuntimeException gone) {
            // the process ended between two samples
        }
        return 0;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return "?";
        }
    }

    private static long peakRssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return -1;
    }

    private static void compare(Path file, int runs, String xmx) throws Exception {
        System.out.printf(Locale.ROOT, "dump %s, %d MB; each run a JVM of its own with -Xmx%s%n", file,
                Files.size(file) / 1048576, xmx);
        String jar = Path.of(SharkComparison.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (int r = 0; r < runs; r++) {
            for (String mode : r % 2 == 0 ? List.of("ours", "shark", "ours+proof") : List.of("shark", "ours", "ours+proof")) {
                Process p = new ProcessBuilder(java, "-Xmx" + xmx, "-cp", jar, SharkComparison.class.getName(), mode,
                        file.toString()).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes()).strip();
                if (!p.waitFor(30, TimeUnit.MINUTES)) {
                    p.destroyForcibly();
                    out = mode + " timed out";
                }
                String[] f = out.lines().reduce((a, b) -> b).orElse("").split(" ");
                if (f.length == 4 && f[0].equals(mode)) {
                    System.out.printf(Locale.ROOT, "run %d  %-11s %7d ms  %,12d objects  peak RSS %,7d MB%n", r + 1,
                            mode, Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]) / 1024);
                } else {
                    System.out.println("run " + (r + 1) + "  " + mode + " failed: " + out.lines().limit(5).toList());
                }
            }
        }
    }
}
