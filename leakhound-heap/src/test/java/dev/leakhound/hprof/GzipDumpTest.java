package dev.leakhound.hprof;

import dev.leakhound.hprof.index.HeapIndex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * A gzip file that is not a dump is refused before anything is decompressed to disk (issue 9: 47 MB of gzipped
 * zeros became a 9.2 GB temporary file first), and so is one whose valid header is followed by zeros or by a record
 * too large for the limit: decompression follows the records' headers on the stream. The temporary file of a real
 * one is named for its JVM, and forgotten by the shutdown clean-up once closed.
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

    /** A gzip of a valid HPROF header (31 bytes) followed by {@code records}, as a member of its own. */
    static byte[] gzippedHeader(byte[]... records) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (DataOutputStream h = new DataOutputStream(new GZIPOutputStream(b))) {
            h.write("JAVA PROFILE 1.0.2\0".getBytes(StandardCharsets.US_ASCII));
            h.writeInt(8);
            h.writeLong(1_700_000_000_000L);
            for (byte[] r : records) {
                h.write(r);
            }
        }
        return b.toByteArray();
    }

    /** A top-level record's header: tag, time 0, length. */
    static byte[] recordHeader(int tag, long length) {
        return java.nio.ByteBuffer.allocate(9).put((byte) tag).putInt(0).putInt((int) length).array();
    }

    /** {@code head}, then 208 MB of zeros as 13 gzip members of 16 MB. */
    private Path thenZeros(String name, byte[] head) throws IOException {
        Path file = dir.resolve(name);
        byte[] member = gzippedZeros(16 << 20);
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(head);
            for (int i = 0; i < 13; i++) {
                out.write(member);
            }
        }
        return file;
    }

    @Test
    void aValidHeaderThenZerosFailsAtTheFirstRecordHavingWrittenNothing() throws IOException {
        Path file = thenZeros("header-zeros.hprof.gz", gzippedHeader());
        Path target = dir.resolve("header-zeros.hprof");
        Phases phases = new Phases();
        HprofFormatException e = catchThrowableOfType(HprofFormatException.class,
                () -> HprofReader.decompress(file, file.toString(), target, new HprofVisitor() {
                    @Override
                    public void progress(long done, long total) {
                        phases.update("decompressing", done, total);
                    }
                }));
        // was: no error at all, 208 MB written (or up to the disk's bound) before the reader saw the zeros
        assertThat(e).hasMessage(file + " (uncompressed): at byte 31: unknown record tag 0x0: not an HPROF record"
                + " (corrupt dump?)");
        assertThat(Files.size(target)).isZero();
        assertThat(phases.seen).isEmpty();                   // progress is reported after each buffer written

        // through the index: the same line, and its temporary file removed
        e = catchThrowableOfType(HprofFormatException.class, () -> HeapIndex.open(file, Progress.NONE).close());
        assertThat(e).hasMessage(file + " (uncompressed): at byte 31: unknown record tag 0x0: not an HPROF record"
                + " (corrupt dump?)");
        assertThat(ourTempFiles()).isEmpty();
        assertThat(TempFiles.pendingAtExit()).isEmpty();
    }

    @Test
    void aRecordThatWouldEndPastTheLimitFailsBeforeItIsWritten() throws IOException {
        // a heap dump segment of 4 GB declared: its body (zeros, as valid as any to a walk that skips bodies)
        // would only fail at the limit; it fails at its header
        Path file = thenZeros("long-segment.hprof.gz", gzippedHeader(recordHeader(0x1C, 0xFFFF_FFF0L)));
        Path target = dir.resolve("long-segment.hprof");
        HprofFormatException e = catchThrowableOfType(HprofFormatException.class,
                () -> HprofReader.decompress(file, file.toString(), target, 1 << 20, new HprofVisitor() { }));
        assertThat(e).hasMessage(file + " (uncompressed): at byte 31: record 0x1c of 4294967280 bytes: decompressed,"
                + " the dump is larger than the limit of 1048576 bytes");
        assertThat(Files.size(target)).isZero();
    }

    @Test
    void aRecordWithAnImpossibleLengthFailsOnTheStreamAfterAHeaderSplitBetweenBuffers() throws IOException {
        int buffer = HprofReader.BUFFER_SIZE;
        // a STRING that ends 4 bytes before the end of the first buffer, a STRING whose header is split by that end,
        // then a STACK_FRAME of 1000 bytes (4 ids and 8 bytes expected)
        byte[] first = new byte[buffer - 4 - 31 - 9];
        byte[] second = new byte[8 + 10];
        Path file = dir.resolve("bad-frame.hprof.gz");
        Files.write(file, gzippedHeader(recordHeader(0x01, first.length), first, recordHeader(0x01, second.length),
                second, recordHeader(0x04, 1000), new byte[1000]));
        Path target = dir.resolve("bad-frame.hprof");
        HprofFormatException e = catchThrowableOfType(HprofFormatException.class,
                () -> HprofReader.decompress(file, file.toString(), target, new HprofVisitor() { }));
        assertThat(e).hasMessage(file + " (uncompressed): at byte " + (buffer - 4 + 9 + second.length)
                + ": STACK_FRAME record of 1000 bytes (40 expected)");
        assertThat(Files.size(target)).isEqualTo(buffer);     // the first buffer, checked; not the second
    }

    /** The files of this JVM's indexes in the temporary directory. */
    private static List<Path> ourTempFiles() throws IOException {
        try (var s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.filter(p -> p.getFileName().toString().startsWith(TempFiles.prefix(HeapIndex.TEMP_PREFIX)))
                    .toList();
        }
    }

    @Test
    void aClosedIndexLeavesNothingForTheShutdown() throws IOException {
        Path file = dir.resolve("tiny-again.hprof.gz");
        try (OutputStream gz = new GZIPOutputStream(Files.newOutputStream(file))) {
            gz.write(HandMadeHprofTest.tinyDump("JAVA PROFILE 1.0.2", 8, true));
        }
        for (int i = 0; i < 3; i++) {
            try (HeapIndex index = HeapIndex.open(file, Progress.NONE)) {
                assertThat(TempFiles.pendingAtExit()).singleElement()
                        .satisfies(p -> assertThat(index.toString()).contains(p.toString()));
            }
            assertThat(TempFiles.pendingAtExit()).isEmpty();
        }
        assertThat(ourTempFiles()).isEmpty();
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
