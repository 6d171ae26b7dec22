package dev.leakhound.hprof;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * A gzip file that is not a dump is refused before anything is decompressed to disk (issue 9: 47 MB of gzipped
 * zeros became a 9.2 GB temporary file first), and the temporary file of a real one is named for its JVM.
 */
class GzipDumpTest {
    @TempDir
    Path dir;

    /** One gzip member of {@code n} zeros. */
    static byte[] gzippedZeros(int n) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(b)) {
            gz.write(new byte[n]);
        }
        return b.toByteArray();
    }

    /** What the index's phases reported. */
    private static final class Phases implements Progress {
        final List<String> seen = new ArrayList<>();

        @Override
        public void update(String phase, long done, long total) {
            seen.add(phase);
        }

        @Override
        public void done() {
        }
    }

    @Test
    void gzippedZerosAreRefusedBeforeAnythingIsDecompressed() throws IOException {
        Path file = dir.resolve("zeros.hprof.gz");
        byte[] member = gzippedZeros(16 << 20);
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int i = 0; i < 8; i++) {                    // 128 MB of zeros, as gzip members (as HotSpot writes)
                out.write(member);
            }
        }
        Phases phases = new Phases();
        HprofFormatException e = catchThrowableOfType(HprofFormatException.class,
                () -> HeapIndex.open(file, phases).close());
        assertThat(e).hasMessage(file + " (uncompressed): at byte 0: not an HPROF heap dump: header \"\", expected"
                + " \"JAVA PROFILE 1.0.x\"");
        // decompression reports progress after each MB written: none was
        assertThat(phases.seen).noneMatch(p -> p.startsWith("decompressing"));
    }

    @Test
    void aGzippedDumpIsDecompressedToAFileNamedForThisJvmAndRemoved() throws IOException {
        Path file = dir.resolve("tiny.hprof.gz");
        try (OutputStream gz = new GZIPOutputStream(Files.newOutputStream(file))) {
            gz.write(HandMadeHprofTest.tinyDump("JAVA PROFILE 1.0.2", 8, true));
        }
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        try (HeapIndex index = HeapIndex.open(file, Progress.NONE)) {
            assertThat(index.toString()).contains(tmp.resolve(TempFiles.prefix(HeapIndex.TEMP_PREFIX)).toString());
            assertThat(index.classByName("Node").instanceCount()).isEqualTo(3);
        }
        try (var s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString()))
                    .noneMatch(n -> n.startsWith(TempFiles.prefix(HeapIndex.TEMP_PREFIX)));
        }
    }

    @Test
    void leftoversAreThoseOfEndedProcessesOnly() throws Exception {
        Process ended = new ProcessBuilder("true").start();
        ended.waitFor();
        long alive = ProcessHandle.current().parent().orElseThrow().pid();
        Path ofDead = Files.writeString(dir.resolve("leakhound-heap-" + ended.pid() + "-1.hprof"), "x");
        Path ofAlive = Files.writeString(dir.resolve("leakhound-heap-" + alive + "-2.hprof"), "x");
        Path ofSelf = Files.writeString(dir.resolve(TempFiles.prefix("leakhound-heap-") + "3.hprof"), "x");
        Path notOurs = Files.writeString(dir.resolve("leakhound-heap-x-4.hprof"), "x");
        Path proofDir = Files.createDirectory(dir.resolve("leakhound-proof-" + ended.pid() + "-5"));
        assertThat(TempFiles.leftovers(dir, "leakhound-heap-")).containsExactly(ofDead);
        assertThat(TempFiles.leftovers(dir, "leakhound-proof-")).containsExactly(proofDir);
        assertThat(List.of(ofAlive, ofSelf, notOurs)).allMatch(Files::exists);
        assertThat(TempFiles.pidOf("leakhound-heap-4711-99.hprof", "leakhound-heap-")).isEqualTo(4711);
        assertThat(TempFiles.pidOf("leakhound-proof-4711-99", "leakhound-heap-")).isEqualTo(-1);
    }
}
