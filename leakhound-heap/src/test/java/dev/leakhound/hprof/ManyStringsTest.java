package dev.leakhound.hprof;

import dev.leakhound.hprof.histogram.HeapDumpHistogram;
import dev.leakhound.hprof.index.HeapIndex;
import dev.leakhound.proof.LeakProof;
import dev.leakhound.proof.ProofResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A dump of millions of STRING records that nothing names (a crafted one, or HotSpot's whole symbol table) is read
 * in memory that follows the strings used, not the STRING records: 2 million 16-character strings (66 MB; they took
 * 64 MB of heap when every string was kept) are read, indexed and proven in a JVM of 32 MB of heap.
 */
class ManyStringsTest {
    static final int STRINGS = 2_000_000;

    @TempDir
    Path dir;

    /** The hand-made tiny dump with {@code n} 16-character strings nothing names, between its header and the rest. */
    static void write(Path file, int n, boolean gzip) throws IOException {
        byte[] tiny = HandMadeHprofTest.tinyDump("JAVA PROFILE 1.0.2", 8, true);
        int header = "JAVA PROFILE 1.0.2".length() + 1 + 4 + 8;
        try (OutputStream raw = Files.newOutputStream(file);
             DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
                     gzip ? new GZIPOutputStream(raw, 1 << 16) : raw, 1 << 16))) {
            out.write(tiny, 0, header);
            byte[] text = "string-000000000".getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < n; i++) {
                out.write(0x01);
                out.writeInt(0);
                out.writeInt(8 + text.length);
                out.writeLong(1_000_000_000L + i);
                for (int k = text.length - 1, v = i; k >= 7; k--, v /= 10) {
                    text[k] = (byte) ('0' + v % 10);
                }
                out.write(text);
            }
            out.write(tiny, header, tiny.length - header);
        }
    }

    @Test
    void millionsOfStringsInA32MbHeap() throws Exception {
        Path plain = dir.resolve("strings.hprof");
        write(plain, STRINGS, false);
        Path gzipped = dir.resolve("strings.hprof.gz");
        write(gzipped, STRINGS, true);
        assertThat(Files.size(plain)).isGreaterThan(STRINGS * 33L);

        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx32m", "-XX:+UseSerialGC", "-Djava.io.tmpdir=" + dir, "-cp", System.getProperty("java.class.path"),
                ReadMain.class.getName(), plain.toString(), gzipped.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).as(out).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("histogram " + plain + ": Node 3", "histogram " + gzipped + ": Node 3",
                "index " + plain + ": Node 3, frame Node.run(Node.java:42), proof 0 threads",
                "index " + gzipped + ": Node 3, frame Node.run(Node.java:42), proof 0 threads");
    }

    /** The child JVM: reads each dump as {@code heap} does, with and without the proof. */
    public static final class ReadMain {
        public static void main(String[] args) throws IOException {
            for (String a : args) {
                Path file = Path.of(a);
                HeapDumpHistogram h = HeapDumpHistogram.read(file, Progress.NONE);
                System.out.println("histogram " + file + ": " + row(h, "Node"));
                try (HeapIndex index = HeapIndex.open(file, Progress.NONE)) {
                    ProofResult r = LeakProof.prove(index);
                    System.out.println("index " + file + ": " + row(HeapDumpHistogram.of(index), "Node") + ", frame "
                            + index.stackTrace(5).get(0) + ", proof " + r.threads() + " threads");
                }
            }
            System.out.println("strings kept: " + Arrays.toString(args));
        }

        private static String row(HeapDumpHistogram h, String name) {
            return h.histogram().rows().stream().filter(r -> r.className().equals(name))
                    .map(r -> name + " " + r.instances()).findFirst().orElse(name + " missing");
        }
    }
}
