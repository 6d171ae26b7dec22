package dev.leakhound.testing.gc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs {@link GcWorkload} in a child JVM (the Java running the tests) with the GC and logging options given. */
public final class GcLogRuns {
    private GcLogRuns() {
    }

    /** One collector's settings: the option that selects it, the heap, and the workload's MB per round. */
    public record Collector(String name, String option, int heapMb, int garbageMb) {
        /** G1, Parallel, Serial: 64 MB, with young collections every round. */
        public static Collector stopTheWorld(String name) {
            return new Collector(name, "-XX:+Use" + name + "GC", 64, 24);
        }

        /**
         * ZGC, Shenandoah: 128 MB and less garbage, so that few cycles start on occupancy (their heap-after
         * includes what the program allocated while they ran).
         */
        public static Collector concurrent(String name, String option) {
            return new Collector(name, option, 128, 8);
        }
    }

    /** The five collectors of the tests. */
    public static List<Collector> collectors() {
        return List.of(Collector.stopTheWorld("G1"), Collector.stopTheWorld("Parallel"),
                Collector.stopTheWorld("Serial"), Collector.concurrent("ZGC", "-XX:+UseZGC"),
                Collector.concurrent("Shenandoah", "-XX:+UseShenandoahGC"));
    }

    /** Whether this Java has the collector (Shenandoah is not in every build). */
    public static boolean available(Collector c) throws IOException, InterruptedException {
        return available(java(), c);
    }

    /** Whether the Java of that launcher has the collector. */
    public static boolean available(String java, Collector c) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(java, c.option(), "-version").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return false;
        }
        return p.exitValue() == 0;
    }

    /**
     * Runs the workload, 12 rounds of 2 MB leaked ({@code leak}) or none, with the given {@code -Xlog} options,
     * and waits for it to end (at most 240 s: generous, only a failing run waits that long).
     *
     * @return its standard output (which also holds any {@code -Xlog:...:stdout} lines)
     */
    public static Path run(Path dir, Collector c, boolean leak, List<String> xlog) throws IOException, InterruptedException {
        return run(dir, java(), List.of("-cp", classPath().toString(), GcWorkload.class.getName()), c, leak, xlog);
    }

    /**
     * The same run on another JDK (an older one cannot load these classes): {@code java} launches the workload from
     * its source file (Java 11+).
     */
    public static Path runFromSource(Path dir, String java, Path workloadSource, Collector c, boolean leak,
                                     List<String> xlog) throws IOException, InterruptedException {
        return run(dir, java, List.of(workloadSource.toString()), c, leak, xlog);
    }

    private static Path run(Path dir, String java, List<String> main, Collector c, boolean leak, List<String> xlog)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.add("-Xmx" + c.heapMb() + "m");
        cmd.add(c.option());
        cmd.addAll(xlog);
        cmd.addAll(main);
        cmd.addAll(List.of(leak ? "leak" : "steady", "12", String.valueOf(c.garbageMb()), "2"));
        Path out = dir.resolve(c.name() + (leak ? "-leak" : "-steady") + ".out");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(240, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the child JVM did not end within 240 s: " + cmd);
        }
        if (p.exitValue() != 0) {
            throw new AssertionError("the child JVM exited with " + p.exitValue() + ": " + cmd + "\n"
                    + Files.readString(out, StandardCharsets.UTF_8));
        }
        return out;
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Where GcWorkload was loaded from (test classes, or the test jar). */
    private static Path classPath() {
        try {
            return Path.of(GcWorkload.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
