package dev.leakhound.hprof;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A measurement's main (not a test): {@code DecompressTiming GZ TARGET RUNS [STRINGS]} times
 * {@link HprofReader#decompress} of GZ to TARGET in CPU time of its thread, RUNS times, and prints the best; with
 * STRINGS it first writes GZ as {@link ManyStringsTest#write} does (the worst case of the record walk: all records
 * small). The figures of docs/design.md on the cost of the walk come from it.
 */
public class DecompressTiming {
    public static void main(String[] args) throws Exception {
        Path gz = Path.of(args[0]);
        if (args.length > 3) {
            ManyStringsTest.write(gz, Integer.parseInt(args[3]), true);
        }
        Path target = Path.of(args[1]);
        long best = Long.MAX_VALUE;
        for (int i = 0; i < Integer.parseInt(args[2]); i++) {
            var mx = java.lang.management.ManagementFactory.getThreadMXBean();
            long t = mx.getCurrentThreadCpuTime();
            HprofReader.decompress(gz, gz.toString(), target, new HprofVisitor() { });
            long ms = (mx.getCurrentThreadCpuTime() - t) / 1_000_000;
            best = Math.min(best, ms);
            System.out.println("run " + i + ": " + ms + " ms cpu, " + Files.size(target) + " bytes");
        }
        System.out.println("best " + best + " ms");
        Files.delete(target);
    }
}
