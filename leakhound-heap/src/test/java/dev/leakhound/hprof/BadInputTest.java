package dev.leakhound.hprof;

import dev.leakhound.hprof.histogram.HeapDumpHistogram;
import dev.leakhound.hprof.index.HeapIndex;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Files that are not well-formed dumps: each gives an {@link HprofFormatException} that names the file and the
 * offset, never a hang, an OutOfMemoryError or another exception; the fuzz tests check that over many
 * truncations and mutations of a real HotSpot dump (of a small child JVM).
 */
class BadInputTest {

    @TempDir
    static Path dir;
    static byte[] real;

    @BeforeAll
    static void smallRealDump() throws Exception {
        real = Files.readAllBytes(SmallDump.inChildJvm(dir.resolve("small.hprof"), 2000, "-Xmx32m",
                "-XX:+UseSerialGC", "-Xshare:auto"));
    }

    private static Path write(String name, byte[] content) throws IOException {
        return Files.write(dir.resolve(name), content);
    }

    private static HprofFormatException histogramFails(Path file) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> HeapDumpHistogram.read(file, Progress.NONE));
        assertThat(t).isInstanceOf(HprofFormatException.class);
        HprofFormatException e = (HprofFormatException) t;
        assertThat(e.getMessage()).startsWith(file + ": at byte " + e.offset() + ": ").doesNotContain("\n");
        assertThatThrownBy(() -> HeapIndex.open(file, Progress.NONE).close()).isInstanceOf(HprofFormatException.class)
                .hasMessage(e.getMessage());
        return e;
    }

    @Test
    void emptyFile() throws IOException {
        HprofFormatException e = histogramFails(write("empty.hprof", new byte[0]));
        assertThat(e.offset()).isZero();
        assertThat(e.reason()).contains("empty file");
    }

    @Test
    void notAHeapDump() throws IOException {
        HprofFormatException e = histogramFails(write("text.hprof", "{\"threadDump\": {}}\n".getBytes()));
        assertThat(e.reason()).contains("not an HPROF heap dump");
        e = histogramFails(write("other.hprof", "JAVA PROFILE 2.0\0\0\0\0\u0008\0\0\0\0\0\0\0\0".getBytes()));
        assertThat(e.offset()).isZero();
        assertThat(e.reason()).contains("header \"JAVA PROFILE 2.0\"");
    }

    @Test
    void unsupportedIdSize() throws IOException {
        byte[] b = Arrays.copyOf(real, 200);
        ByteBuffer.wrap(b).putInt(19, 3);
        HprofFormatException e = histogramFails(write("id3.hprof", b));
        assertThat(e.offset()).isEqualTo(19);
        assertThat(e.reason()).isEqualTo("unsupported identifier size 3 (4 or 8 expected)");
    }

    @Test
    void truncatedInARecord() throws IOException {
        HprofFormatException e = histogramFails(write("cut.hprof", Arrays.copyOf(real, real.length / 2)));
        // where the cut falls decides which: in a record's header, or in its body
        assertThat(e.reason()).contains("truncated dump");
        assertThat(e.offset()).isBetween(0L, (long) real.length / 2);
    }

    @Test
    void recordLengthPastTheEnd() throws IOException {
        byte[] b = HandMadeHprofTest.tinyDump("JAVA PROFILE 1.0.2", 8, true);
        byte[] bad = Arrays.copyOf(b, b.length + 9);
        ByteBuffer.wrap(bad).put(b.length, (byte) 0x01).putInt(b.length + 5, 1 << 30);
        HprofFormatException e = histogramFails(write("long-record.hprof", bad));
        assertThat(e.offset()).isEqualTo(b.length);
        assertThat(e.reason()).isEqualTo("record 0x1 of 1073741824 bytes runs past the end of the file ("
                + bad.length + " bytes; truncated dump?)");
    }

    @Test
    void hugeArrayLength() throws IOException {
        HprofWriter w = new HprofWriter("JAVA PROFILE 1.0.2", 8).beginHeap();
        byte[] sub = ByteBuffer.allocate(1 + 8 + 4 + 4 + 1 + 8).put((byte) 0x23).putLong(77).putInt(0)
                .putInt(0x7FFF_FFFF).put((byte) 8).putLong(0).array();
        byte[] b = w.rawSub(sub).endHeap(0x1C).toByteArray();
        HprofFormatException e = histogramFails(write("huge-array.hprof", b));
        assertThat(e.offset()).isEqualTo(31 + 9);
        assertThat(e.reason()).startsWith("PRIM_ARRAY_DUMP of 2147483647 byte elements runs past the end of its record");
    }

    @Test
    void unknownSubRecord() throws IOException {
        byte[] b = new HprofWriter("JAVA PROFILE 1.0.2", 8).beginHeap().rawSub(new byte[] {0x42, 1, 2})
                .endHeap(0x1C).toByteArray();
        HprofFormatException e = histogramFails(write("unknown-sub.hprof", b));
        assertThat(e.offset()).isEqualTo(31 + 9);
        assertThat(e.reason()).isEqualTo("unknown heap dump sub-record 0x42");
    }

    @Test
    void randomBytesAfterAValidHeader() throws IOException {
        Random r = new Random(7);
        for (int i = 0; i < 20; i++) {
            byte[] b = Arrays.copyOf(real, 31 + 1 + r.nextInt(5000));
            byte[] noise = new byte[b.length - 31];
            r.nextBytes(noise);
            System.arraycopy(noise, 0, b, 31, noise.length);
            readsOrFailsCleanly(write("random-" + i + ".hprof", b));
        }
    }

    @Test
    void everyTruncationOfAHandMadeDump() throws IOException {
        byte[] b = HandMadeHprofTest.tinyDump("JAVA PROFILE 1.0.2", 4, true);
        for (int n = 0; n < b.length; n++) {
            histogramFails(write("tiny-cut.hprof", Arrays.copyOf(b, n)));
        }
    }

    @Test
    void fuzzTruncationsAndMutationsOfARealDump() {
        assertTimeoutPreemptively(Duration.ofSeconds(300), () -> {          // a hang guard: generous when busy
            Random r = new Random(20261127);
            Path file = dir.resolve("fuzz.hprof");
            for (int i = 0; i < 25; i++) {
                int n = r.nextInt(real.length);
                histogramFails(write("fuzz-cut.hprof", Arrays.copyOf(real, n)));
            }
            for (int i = 0; i < 150; i++) {
                byte[] b = real.clone();
                int at = i < 50 ? r.nextInt(Math.min(real.length, 300_000)) : r.nextInt(real.length);
                int len = 1 + r.nextInt(8);
                for (int k = 0; k < len && at + k < b.length; k++) {
                    b[at + k] = (byte) (i % 3 == 0 ? 0xFF : r.nextInt(256));
                }
                Files.write(file, b);
                readsOrFailsCleanly(file);
            }
        });
    }

    /** Either works, or fails with an HprofFormatException naming the file; reading objects too. */
    private static void readsOrFailsCleanly(Path file) throws IOException {
        try {
            HeapDumpHistogram.read(file, Progress.NONE);
        } catch (HprofFormatException e) {
            assertThat(e.getMessage()).startsWith(file.toString() + ": at byte ");
        }
        try (HeapIndex index = HeapIndex.open(file, Progress.NONE)) {
            long[] visited = new long[1];
            index.forEachObject((id, kind, cls) -> {
                if (visited[0]++ % 97 == 0) {
                    try {
                        index.forEachReference(id, (t, k, o, i) -> { });
                    } catch (HprofFormatException e) {
                        assertThat(e.getMessage()).startsWith(file.toString() + ": at byte ");
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            });
        } catch (HprofFormatException e) {
            assertThat(e.getMessage()).startsWith(file.toString() + ": at byte ");
        }
    }
}
