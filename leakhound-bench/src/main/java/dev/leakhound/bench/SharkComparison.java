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
            default -> throw new IllegalArgumentException("generate | compare | ours | ours+proof | shark");
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
