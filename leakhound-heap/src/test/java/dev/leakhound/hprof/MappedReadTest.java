package dev.leakhound.hprof;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.leakhound.hprof.index.HeapIndex;
import dev.leakhound.hprof.index.ObjectKind;
import dev.leakhound.proof.LeakProof;
import dev.leakhound.proof.ProofResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The memory-mapped reads ({@link HprofInput#mapped}) give what the buffered reads of a channel give (the reads of
 * every dump before, still those of a gzip stream), also when a value or an object lies across the boundary of two
 * mapped chunks: the chunks are made small here ({@link HprofInput#CHUNK_PROPERTY}) so that a dump crosses hundreds.
 */
@Timeout(300)
class MappedReadTest {
    @TempDir
    static Path dir;
    static Path plain;

    @BeforeAll
    static void dump() throws Exception {
        plain = dir.resolve("live.hprof");
        ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).dumpHeap(plain.toString(), true);
    }

    /** Runs {@code body} with mapped chunks of {@code bytes} (the property is read when an input is made). */
    private static <T> T withChunks(long bytes, IoSupplier<T> body) throws Exception {
        String before = System.getProperty(HprofInput.CHUNK_PROPERTY);
        System.setProperty(HprofInput.CHUNK_PROPERTY, Long.toString(bytes));
        try {
            return body.get();
        } finally {
            if (before == null) {
                System.clearProperty(HprofInput.CHUNK_PROPERTY);
            } else {
                System.setProperty(HprofInput.CHUNK_PROPERTY, before);
            }
        }
    }

    @FunctionalInterface
    private interface IoSupplier<T> {
        T get() throws Exception;
    }

    @Test
    void randomReadsAcrossChunkBoundariesGiveTheFilesBytes() throws Exception {
        byte[] bytes = new byte[100_000];
        new Random(3).nextBytes(bytes);
        Path file = dir.resolve("random.bin");
        Files.write(file, bytes);
        ByteBuffer truth = ByteBuffer.wrap(bytes);
        int chunk = 4096;
        withChunks(chunk, () -> {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                HprofInput in = HprofInput.mapped(file.toString(), ch);
                assertThat(in.isMapped()).isTrue();
                Random r = new Random(5);
                for (int step = 0; step < 20_000; step++) {
                    long pos;
                    if (r.nextInt(4) == 0) {                          // just before a boundary: values across it
                        pos = (long) chunk * (1 + r.nextInt(bytes.length / chunk - 1)) - 1 - r.nextInt(8);
                    } else {
                        pos = r.nextInt(bytes.length - 16);
                    }
                    in.seek(pos);
                    switch (r.nextInt(6)) {
                        case 0 -> assertThat(in.u1()).isEqualTo(truth.get((int) pos) & 0xFF);
                        case 1 -> assertThat(in.u2()).isEqualTo(truth.getShort((int) pos) & 0xFFFF);
                        case 2 -> assertThat(in.i4()).isEqualTo(truth.getInt((int) pos));
                        case 3 -> assertThat(in.i8()).isEqualTo(truth.getLong((int) pos));
                        case 4 -> {
                            int n = (int) Math.min(bytes.length - pos, r.nextInt(3 * chunk));
                            byte[] got = new byte[n];
                            in.bytes(got, 0, n);
                            byte[] want = new byte[n];
                            truth.get((int) pos, want);
                            assertThat(got).isEqualTo(want);
                        }
                        default -> {
                            long n = Math.min(bytes.length - pos - 8, r.nextInt(2 * chunk));
                            in.skip(n);
                            assertThat(in.position()).isEqualTo(pos + n);
                            assertThat(in.i8()).isEqualTo(truth.getLong((int) (pos + n)));
                        }
                    }
                }
                in.seek(bytes.length - 3);
                assertThatThrownBy(in::i4).isInstanceOf(HprofFormatException.class)
                        .hasMessageContaining("unexpected end of file").hasMessageContaining("found 3");
                in.seek(bytes.length);
                assertThat(in.hasMore()).isFalse();
                assertThatThrownBy(() -> in.skip(1)).isInstanceOf(HprofFormatException.class);
            }
            return null;
        });
    }

    /** An empty file maps to no chunk: it has no more, reports no progress, and every read fails at offset 0. */
    @Test
    void anEmptyFileHasNoChunkAndEveryReadFailsAtItsStart() throws Exception {
        Path file = Files.write(dir.resolve("empty.bin"), new byte[0]);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            HprofInput in = HprofInput.mapped(file.toString(), ch);
            java.util.List<Long> reported = new java.util.ArrayList<>();
            in.progress(reported::add);
            assertThat(in.isMapped()).isTrue();
            assertThat(in.hasMore()).isFalse();
            assertThat(reported).isEmpty();
            assertThat(in.position()).isZero();
            assertThatThrownBy(in::u1).isInstanceOf(HprofFormatException.class)
                    .hasMessage(file + ": at byte 0: unexpected end of file (truncated dump?): needed 1 more bytes,"
                            + " found none");
            assertThatThrownBy(() -> in.skip(2)).isInstanceOf(HprofFormatException.class)
                    .hasMessageContaining("at byte 0: ").hasMessageContaining("2 bytes missing");
            assertThatThrownBy(() -> in.seek(1)).isInstanceOf(HprofFormatException.class)
                    .hasMessageContaining("at byte 0: ");
        }
    }

    /** Every callback of a pass, hashed: what the pass saw, in order, positions included. */
    private static String pass(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
        long[] count = new long[1];
        HprofVisitor v = new HprofVisitor() {
            void add(Object... values) {
                count[0]++;
                for (Object o : values) {
                    md.update(String.valueOf(o).getBytes());
                    md.update((byte) ',');
                }
            }

            @Override
            public void string(long position, long id, int length) {
                add("S", position, id, length);
            }

            @Override
            public void loadClass(int classSerial, long classId, int stackTraceSerial, long nameId) {
                add("L", classSerial, classId, stackTraceSerial, nameId);
            }

            @Override
            public void stackTrace(long position, int serial, int threadSerial, long[] frameIds) {
                add("T", position, serial, threadSerial, java.util.Arrays.toString(frameIds));
            }

            @Override
            public void classDump(ClassDump d) {
                add("C", d.position(), d.classId(), d.superClassId(), d.instanceSize(),
                        java.util.Arrays.toString(d.staticValues()), java.util.Arrays.toString(d.fieldNameIds()));
            }

            @Override
            public void instance(long position, long objectId, long classId, long dataPosition, int dataLength) {
                add("I", position, objectId, classId, dataPosition, dataLength);
            }

            @Override
            public void objectArray(long position, long objectId, long arrayClassId, int length, long elements) {
                add("A", position, objectId, arrayClassId, length, elements);
            }

            @Override
            public void primitiveArray(long position, long objectId, BasicType type, int length, long elements) {
                add("P", position, objectId, type, length, elements);
            }

            @Override
            public void root(RootKind kind, long objectId, int threadSerial, long extra) {
                add("R", kind, objectId, threadSerial, extra);
            }
        };
        HprofReader.of(file).read(v);
        return count[0] + " callbacks " + HexFormat.of().formatHex(md.digest());
    }

    @Test
    void aDumpPassesTheSameMappedInSmallChunksAsThroughABuffer() throws Exception {
        Path gz = dir.resolve("live.hprof.gz");                     // a gzip stream is read through a buffer
        try (InputStream in = Files.newInputStream(plain);
             OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz), 1 << 16)) {
            in.transferTo(out);
        }
        String buffered = pass(gz);
        long size = Files.size(plain);
        long chunk = 64 * 1024 + 13;                                 // odd: values straddle every boundary
        assertThat(size / chunk).as("chunk boundaries crossed").isGreaterThan(50);
        assertThat(withChunks(chunk, () -> pass(plain))).isEqualTo(buffered);
        assertThat(pass(plain)).as("one chunk").isEqualTo(buffered);
    }

    /** What an index reads of every object, hashed: class, kind, size, references, field values; then the proof. */
    private static String readEverything(Path file) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (HeapIndex index = HeapIndex.open(file, Progress.NONE)) {
            for (long ord = 0; ord < index.objectCount(); ord++) {
                long id = index.idAt(ord);
                ObjectKind kind = index.kindOf(id);
                StringBuilder sb = new StringBuilder().append(id).append(kind).append(index.classOf(id).name())
                        .append(index.shallowSize(id));
                index.forEachReference(id, (target, k, owner, i) -> sb.append(target).append(k).append(i));
                if (kind == ObjectKind.INSTANCE) {
                    index.readFields(id, (declaring, i, type, value) -> sb.append(value));
                } else if (kind == ObjectKind.PRIMITIVE_ARRAY) {
                    sb.append(HexFormat.of().formatHex(index.primitiveArrayBytes(id, 64)));
                }
                md.update(sb.toString().getBytes());
            }
            ProofResult proof = LeakProof.prove(index);
            md.update(proof.toString().getBytes());
            return index.objectCount() + " objects " + HexFormat.of().formatHex(md.digest());
        }
    }

    @Test
    void anIndexReadsEveryObjectAndProvesTheSameWhateverTheChunks() throws Exception {
        String whole = readEverything(plain);
        assertThat(withChunks(64 * 1024 + 13, () -> readEverything(plain))).isEqualTo(whole);
    }
}
