package dev.leakhound.hprof;

import dev.leakhound.io.CountingInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.LongPredicate;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads an HPROF heap dump in one pass, record by record, calling an {@link HprofVisitor}: HotSpot dumps of
 * JDK 21 to 25 (and older), segmented ({@code JAVA PROFILE 1.0.2}, HEAP_DUMP_SEGMENT) or not (1.0.1,
 * HEAP_DUMP), 4- or 8-byte ids, plain or gzip-compressed.
 *
 * <p>Memory: a plain file is memory-mapped ({@link HprofInput#mapped}: no system call per read, no copy), a gzip
 * stream read through one buffer ({@value #BUFFER_SIZE} bytes); nothing is allocated per object, and object
 * contents are skipped (a move of the position on a plain file). Records other than those of {@link HprofVisitor} are skipped by length; a tag
 * that is not one of the format's fails ({@link #badRecord}).
 *
 * <p>Gzip ({@code jcmd PID GC.heap_dump -gz=1}, or any gzip of a dump) is streamed through
 * {@link GZIPInputStream} (HotSpot writes a sequence of gzip members, which it reads in turn): a single pass
 * needs no random access, so it needs no temporary file. {@code index.HeapIndex} does need random access to read
 * objects later, and decompresses to a temporary file first ({@link #decompress}).
 *
 * <p>Bad input fails with an {@link HprofFormatException} naming the file and the offset: a header that is not
 * {@code JAVA PROFILE 1.0.x}, an id size other than 4 or 8, a record or sub-record longer than what contains it
 * (lengths are checked before anything is skipped or allocated), an unknown sub-record, a truncated file
 * (also at a record boundary: a segmented dump ends with HEAP_DUMP_END).
 * A pass ends in time proportional to the file's length, whatever its contents.
 */
public final class HprofReader {

    /** The read buffer: large, so that a pass is a few thousand reads per GB. */
    public static final int BUFFER_SIZE = 1 << 20;

    // The top-level record tags: all of HotSpot's (heapDumper.cpp, hprofTag), which are those of the format.
    static final int STRING = 0x01;
    static final int LOAD_CLASS = 0x02;
    static final int UNLOAD_CLASS = 0x03;
    static final int STACK_FRAME = 0x04;
    static final int STACK_TRACE = 0x05;
    static final int ALLOC_SITES = 0x06;
    static final int HEAP_SUMMARY = 0x07;
    static final int START_THREAD = 0x0A;
    static final int END_THREAD = 0x0B;
    static final int HEAP_DUMP = 0x0C;
    static final int CPU_SAMPLES = 0x0D;
    static final int CONTROL_SETTINGS = 0x0E;
    static final int HEAP_DUMP_SEGMENT = 0x1C;
    static final int HEAP_DUMP_END = 0x2C;

    static final int CLASS_DUMP = 0x20;
    public static final int INSTANCE_DUMP = 0x21;
    public static final int OBJ_ARRAY_DUMP = 0x22;
    public static final int PRIM_ARRAY_DUMP = 0x23;

    private static final int MAX_HEADER = 64;
    /** Enough decompressed bytes for the longest header {@link #readHeader} accepts. */
    private static final int HEADER_PEEK = MAX_HEADER + 1 + 4 + 8;
    /** The longest STRING read (HotSpot's symbols are at most 65535 bytes): bounds memory on corrupt input. */
    static final int MAX_STRING = (1 << 24) - 1;
    /** The most frames of one STACK_TRACE read. */
    static final int MAX_FRAMES = 1 << 20;

    private final Path file;
    private final String origin;

    private HprofReader(Path file, String origin) {
        this.file = file;
        this.origin = origin;
    }

    /** A reader of the file, whose errors name it as given. */
    public static HprofReader of(Path file) {
        return new HprofReader(file, file.toString());
    }

    /** A reader of the file whose errors name it {@code origin} (e.g. the name of a compressed original). */
    public static HprofReader of(Path file, String origin) {
        return new HprofReader(file, origin);
    }

    /** Whether the file starts with the gzip magic number. */
    public static boolean isGzip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 0x1F && in.read() == 0x8B;
        }
    }

    /**
     * Reads the whole file once, calling {@code visitor}.
     *
     * @return the header
     * @throws HprofFormatException when the file is not a complete, well-formed HPROF dump
     * @throws IOException          when reading fails
     */
    public HprofHeader read(HprofVisitor visitor) throws IOException {
        return pass(visitor, (in, gzipped) -> read(in, visitor, gzipped));
    }

    /** Receives the text of a STRING record. */
    @FunctionalInterface
    public interface StringSink {
        void string(long id, byte[] utf8) throws IOException;
    }

    /**
     * Reads the text of the STRING records whose id {@code wanted} accepts, among the records from {@code from} (the
     * position of a record, as {@link HprofVisitor#string} gives it) to {@code to} (the end of the last record
     * wanted): a second pass, after {@link #read} has checked the records, over the strings only (HotSpot writes
     * them all before the heap). Memory: the strings wanted, one at a time.
     */
    public void readStrings(long from, long to, LongPredicate wanted, StringSink sink) throws IOException {
        pass(new HprofVisitor() { }, (in, gzipped) -> {
            readHeader(in, gzipped);
            int idSize = in.idSize();
            if (from > in.position()) {
                in.skip(from - in.position());
            }
            while (in.position() < to && in.hasMore()) {
                long at = in.position();
                int tag = in.u1();
                in.i4();
                long length = in.u4();
                if (tag != STRING) {
                    in.skip(length);
                    continue;
                }
                long n = length - idSize;
                if (n < 0 || n > MAX_STRING) {
                    throw in.fail(at, "STRING record of " + length + " bytes (the file changed since it was read?)");
                }
                long id = in.id();
                if (wanted.test(id)) {
                    byte[] b = new byte[(int) n];
                    in.bytes(b, 0, b.length);
                    sink.string(id, b);
                } else {
                    in.skip(n);
                }
            }
            return null;
        });
    }

    /** One pass over the file's input. */
    @FunctionalInterface
    private interface Pass<T> {
        T run(HprofInput in, boolean gzipped) throws IOException;
    }

    /** Runs a pass over the file, plain or gzip-compressed, reporting progress to {@code visitor}. */
    private <T> T pass(HprofVisitor visitor, Pass<T> pass) throws IOException {
        if (isGzip(file)) {
            long total = Files.size(file);
            try (CountingInputStream counted = new CountingInputStream(Files.newInputStream(file));
                 InputStream gz = gunzip(counted)) {
                HprofInput in = new HprofInput(origin + " (uncompressed)", Channels.newChannel(gz), -1, BUFFER_SIZE);
                in.progress(pos -> visitor.progress(counted.count(), total));
                try {
                    return pass.run(in, true);
                } catch (ZipException e) {
                    throw new HprofFormatException(origin, counted.count(),
                            "corrupt gzip data (offset in the compressed file): " + e.getMessage(), e);
                }
            }
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            HprofInput in = HprofInput.mapped(origin, ch);
            in.progress(pos -> visitor.progress(pos, size));
            return pass.run(in, false);
        }
    }

    private InputStream gunzip(CountingInputStream counted) throws IOException {
        try {
            return new GZIPInputStream(new BufferedInputStream(counted, 1 << 16), 1 << 16);
        } catch (ZipException e) {
            throw new HprofFormatException(origin, counted.count(), "not a gzip file: " + e.getMessage(), e);
        }
    }

    /**
     * Decompresses a gzip-compressed dump to {@code target}, for random access; reports progress by compressed
     * bytes read. What does not start with an HPROF header fails before anything is written; so does, before its
     * buffer is written, a record whose header is not one of the format's ({@link #badRecord}: a valid header
     * followed by zeros, a gzipped file of something else) or that would end past the limit: the walk follows the
     * record headers on the stream (skipping bodies by length), at the offset in the uncompressed dump; so does a
     * dump that would leave less than a tenth of the target's file system free (a gzip bomb). Corrupt gzip data fails
     * with an {@link HprofFormatException} at its compressed offset.
     */
    public static void decompress(Path gzipped, String origin, Path target, HprofVisitor progress) throws IOException {
        decompress(gzipped, origin, target, Long.MAX_VALUE, progress);
    }

    /** {@link #decompress(Path, String, Path, HprofVisitor)}, and at most {@code maxBytes} decompressed. */
    public static void decompress(Path gzipped, String origin, Path target, long maxBytes, HprofVisitor progress)
            throws IOException {
        long total = Files.size(gzipped);
        String uncompressed = origin + " (uncompressed)";
        try (CountingInputStream counted = new CountingInputStream(Files.newInputStream(gzipped));
             FileChannel out = FileChannel.open(target, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING,
                     StandardOpenOption.CREATE)) {
            InputStream gz;
            try {
                gz = new GZIPInputStream(new BufferedInputStream(counted, 1 << 16), 1 << 16);
            } catch (ZipException e) {
                throw new HprofFormatException(origin, counted.count(), "not a gzip file: " + e.getMessage(), e);
            }
            // A gzip bomb must not fill the disk: stop while a tenth of the file system is still free.
            java.nio.file.FileStore store = Files.getFileStore(target.toAbsolutePath().getParent());
            long diskLimit = Math.max(0, store.getUsableSpace() - store.getTotalSpace() / 10);
            long limit = Math.min(diskLimit, maxBytes);
            String overLimit = limit < diskLimit
                    ? "decompressed, the dump is larger than the limit of " + limit + " bytes"
                    : "decompressed, the dump would take more than the " + (limit >> 20) + " MB of disk left for it,"
                    + " a tenth of the disk kept free (decompress it yourself where there is room)";
            try (gz) {
                // Anything but a dump (gzipped zeros, a gzipped log) fails here, before a byte is written.
                byte[] head = gz.readNBytes(HEADER_PEEK);
                HprofHeader header = readHeader(new HprofInput(uncompressed,
                        Channels.newChannel(new java.io.ByteArrayInputStream(head)), head.length, HEADER_PEEK), true);
                RecordWalk walk = new RecordWalk(uncompressed, header.idSize(), header.length(), limit, overLimit);
                byte[] b = new byte[BUFFER_SIZE];
                int n = head.length;
                System.arraycopy(head, 0, b, 0, n);
                n += gz.readNBytes(b, n, b.length - n);
                long written = 0;
                while (n > 0) {
                    walk.check(b, n, written);           // the records' headers, before their bytes are written
                    if (written + n > limit) {
                        throw new HprofFormatException(uncompressed, limit, overLimit);
                    }
                    ByteBuffer bb = ByteBuffer.wrap(b, 0, n);
                    while (bb.hasRemaining()) {
                        out.write(bb);
                    }
                    written += n;
                    progress.progress(counted.count(), total);
                    n = gz.readNBytes(b, 0, b.length);
                }
            } catch (ZipException | java.io.EOFException e) {
                throw new HprofFormatException(origin, counted.count(),
                        "corrupt or truncated gzip data (offset in the compressed file): " + e.getMessage(), e);
            }
        }
    }

    /**
     * Follows the top-level records of a dump through the buffers of its decompression, from their 9-byte headers
     * alone (tag u1, time u4, length u4; a body is skipped by its length): a few operations per record, none per byte
     * of a body. A header may be split between two buffers.
     */
    private static final class RecordWalk {
        private final String origin;
        private final int idSize;
        private final long limit;
        private final String overLimit;
        private final byte[] header = new byte[9];
        private long next;                 // where the next record starts, in the uncompressed dump
        private int have;                  // bytes of its header seen so far

        RecordWalk(String origin, int idSize, long first, long limit, String overLimit) {
            this.origin = origin;
            this.idSize = idSize;
            this.next = first;
            this.limit = limit;
            this.overLimit = overLimit;
        }

        /** Checks the record headers in {@code b[0, n)}, the bytes of the dump from {@code start}. */
        void check(byte[] b, int n, long start) throws HprofFormatException {
            long end = start + n;
            while (next + have < end) {
                int from = (int) (next + have - start);
                byte[] h = b;
                if (have > 0 || from + header.length > n) {          // a header split between two buffers
                    int k = Math.min(header.length - have, n - from);
                    System.arraycopy(b, from, header, have, k);
                    have += k;
                    if (have < header.length) {
                        return;                                // the rest of it is in the next buffer
                    }
                    h = header;
                    from = 0;
                }
                int tag = h[from] & 0xFF;
                long length = (h[from + 5] & 0xFFL) << 24 | (h[from + 6] & 0xFF) << 16 | (h[from + 7] & 0xFF) << 8
                        | h[from + 8] & 0xFF;
                String bad = badRecord(tag, length, idSize);
                if (bad != null) {
                    throw new HprofFormatException(origin, next, bad);
                }
                long after = next + header.length + length;
                if (after > limit) {
                    throw new HprofFormatException(origin, next, "record 0x" + Integer.toHexString(tag) + " of "
                            + length + " bytes: " + overLimit);
                }
                next = after;
                have = 0;
            }
        }
    }

    // ------------------------------------------------------------------------------------------ parsing

    static HprofHeader readHeader(HprofInput in, boolean gzipped) throws IOException {
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (!in.hasMore()) {
                throw in.fail(in.position(), in.position() == 0 ? "empty file: not an HPROF heap dump"
                        : "truncated header: not an HPROF heap dump");
            }
            int c = in.u1();
            if (c == 0) {
                break;
            }
            if (c < 0x20 || c > 0x7E || sb.length() == MAX_HEADER) {
                throw in.fail(in.position() - 1, "not an HPROF heap dump: the file does not start with"
                        + " \"JAVA PROFILE 1.0.x\"");
            }
            sb.append((char) c);
        }
        String format = sb.toString();
        if (!format.startsWith("JAVA PROFILE 1.0.")) {
            throw in.fail(0, "not an HPROF heap dump: header \"" + format + "\", expected \"JAVA PROFILE 1.0.x\"");
        }
        long idAt = in.position();
        int idSize = in.i4();
        if (idSize != 4 && idSize != 8) {
            throw in.fail(idAt, "unsupported identifier size " + idSize + " (4 or 8 expected)");
        }
        in.idSize(idSize);
        long time = in.i8();
        return new HprofHeader(format, idSize, time, (int) in.position(), gzipped);
    }

    private static HprofHeader read(HprofInput in, HprofVisitor v, boolean gzipped) throws IOException {
        HprofHeader header = readHeader(in, gzipped);
        v.header(header);
        int idSize = header.idSize();
        long size = in.size();
        boolean heap = false;
        boolean segmentOpen = false;       // a HEAP_DUMP_SEGMENT not yet followed by HEAP_DUMP_END
        while (in.hasMore()) {
            long at = in.position();
            int tag = in.u1();
            in.i4();                                    // time offset
            long length = in.u4();
            long start = in.position();
            long end = start + length;
            if (size >= 0 && end > size) {
                throw in.fail(at, "record 0x" + Integer.toHexString(tag) + " of " + length
                        + " bytes runs past the end of the file (" + size + " bytes; truncated dump?)");
            }
            String bad = badRecord(tag, length, idSize);
            if (bad != null) {
                throw in.fail(at, bad);
            }
            switch (tag) {
                case STRING -> {
                    long id = in.id();
                    long n = length - idSize;
                    v.string(at, id, (int) n);
                    in.skip(n);              // read again, if needed, by readStrings
                }
                case LOAD_CLASS -> {
                    int serial = in.i4();
                    long classId = in.id();
                    int stack = in.i4();
                    long name = in.id();
                    v.loadClass(serial, classId, stack, name);
                }
                case STACK_FRAME -> {
                    v.stackFrame(at, in.id(), in.id(), in.id(), in.id(), in.i4(), in.i4());
                }
                case STACK_TRACE -> {
                    int serial = in.i4();
                    int thread = in.i4();
                    long frames = in.u4();
                    if (frames > MAX_FRAMES) {
                        throw in.fail(at, "STACK_TRACE of " + frames + " frames (at most " + MAX_FRAMES + " read)");
                    }
                    if (length != 12 + frames * idSize) {
                        throw in.fail(at, "STACK_TRACE with " + frames + " frames record of " + length + " bytes ("
                                + (12 + frames * idSize) + " expected)");
                    }
                    long[] ids = new long[(int) frames];
                    for (int i = 0; i < ids.length; i++) {
                        ids[i] = in.id();
                    }
                    v.stackTrace(at, serial, thread, ids);
                }
                case HEAP_DUMP, HEAP_DUMP_SEGMENT -> {
                    heap = true;
                    segmentOpen = tag == HEAP_DUMP_SEGMENT;
                    v.heapDumpSegment(at, length);
                    heapDump(in, v, end);
                }
                case HEAP_DUMP_END -> {
                    segmentOpen = false;
                    in.skip(length);
                }
                default -> in.skip(length);      // UNLOAD_CLASS, HEAP_SUMMARY, threads, samples...
            }
            if (in.position() != end) {
                throw in.fail(at, "record 0x" + Integer.toHexString(tag) + " declares " + length + " bytes but holds "
                        + (in.position() - start));
            }
        }
        if (!heap) {
            throw in.fail(in.position(), "no heap dump in the file (truncated dump, or a profile without one)");
        }
        if (segmentOpen) {
            throw in.fail(in.position(), "unexpected end of file (truncated dump?): no HEAP_DUMP_END after the"
                    + " last HEAP_DUMP_SEGMENT");
        }
        v.end(in.position());
        return header;
    }

    /**
     * What is wrong with a top-level record, from its header alone (before its body is read or skipped), or null: a
     * tag that is not one of the format's (zeros read as records are tag 0), or a length the record cannot have: the
     * format's fixed lengths, the bounds of what {@link #read} reads. Shared by {@link #read} and the record walk of
     * {@link #decompress}, so that what decompression lets through is what a reader accepts.
     */
    static String badRecord(int tag, long length, int idSize) {
        return switch (tag) {
            case STRING -> length < idSize ? "STRING record shorter than an id: " + length + " bytes"
                    : length - idSize > MAX_STRING ? "STRING record of " + length + " bytes (at most " + MAX_STRING
                    + " read)" : null;
            case LOAD_CLASS -> expectLength("LOAD_CLASS", length, 8 + 2L * idSize);
            case STACK_FRAME -> expectLength("STACK_FRAME", length, 4L * idSize + 8);
            case STACK_TRACE -> length < 12 ? "STACK_TRACE record of " + length + " bytes (at least 12 expected)"
                    : length > 12 + (long) MAX_FRAMES * idSize ? "STACK_TRACE record of " + length + " bytes (at most "
                    + MAX_FRAMES + " frames read)" : null;
            case UNLOAD_CLASS -> expectLength("UNLOAD_CLASS", length, 4);
            case END_THREAD -> expectLength("END_THREAD", length, 4);
            case CONTROL_SETTINGS -> expectLength("CONTROL_SETTINGS", length, 6);
            case HEAP_SUMMARY -> expectLength("HEAP_SUMMARY", length, 24);
            case START_THREAD -> expectLength("START_THREAD", length, 8 + 4L * idSize);
            case HEAP_DUMP_END -> expectLength("HEAP_DUMP_END", length, 0);
            // any length: the heap (up to 4 GB a record), and the old hprof agent's lists of sites and samples
            case HEAP_DUMP, HEAP_DUMP_SEGMENT, ALLOC_SITES, CPU_SAMPLES -> null;
            default -> "unknown record tag 0x" + Integer.toHexString(tag) + ": not an HPROF record (corrupt dump?)";
        };
    }

    private static String expectLength(String what, long length, long expected) {
        return length == expected ? null : what + " record of " + length + " bytes (" + expected + " expected)";
    }

    /** The sub-records of one HEAP_DUMP(_SEGMENT), which must end exactly at {@code end}. */
    private static void heapDump(HprofInput in, HprofVisitor v, long end) throws IOException {
        // The loop and each sub-record in small methods of their own: the JIT compiles them early and quickly,
        // where one large loop would run slow code while it waits for a long on-stack-replacement compile.
        while (in.position() < end) {
            subRecord(in, v, end);
        }
    }

    private static void subRecord(HprofInput in, HprofVisitor v, long end) throws IOException {
        long at = in.position();
        int tag = in.u1();
        switch (tag) {
            case INSTANCE_DUMP -> instance(in, v, at, end);
            case OBJ_ARRAY_DUMP -> objectArray(in, v, at, end);
            case PRIM_ARRAY_DUMP -> primitiveArray(in, v, at, end);
            case CLASS_DUMP -> v.classDump(classDump(in, at, end));
            default -> root(in, v, at, tag);
        }
        if (in.position() > end) {
            throw in.fail(at, "heap dump sub-record 0x" + Integer.toHexString(tag)
                    + " runs past the end of its record at byte " + end);
        }
    }

    private static void instance(HprofInput in, HprofVisitor v, long at, long end) throws IOException {
        long id = in.id();
        in.i4();
        long classId = in.id();
        long n = in.u4();
        long data = in.position();
        if (n > Integer.MAX_VALUE || data + n > end) {
            throw in.fail(at, "INSTANCE_DUMP of " + n + " bytes runs past the end of its record at byte " + end);
        }
        v.instance(at, id, classId, data, (int) n);
        in.skip(n);
    }

    private static void objectArray(HprofInput in, HprofVisitor v, long at, long end) throws IOException {
        long id = in.id();
        in.i4();
        long length = in.u4();
        long classId = in.id();
        long data = in.position();
        int idSize = in.idSize();
        if (length > Integer.MAX_VALUE || data + length * idSize > end) {
            throw in.fail(at, "OBJ_ARRAY_DUMP of " + length + " elements runs past the end of its record at byte " + end);
        }
        v.objectArray(at, id, classId, (int) length, data);
        in.skip(length * idSize);
    }

    private static void primitiveArray(HprofInput in, HprofVisitor v, long at, long end) throws IOException {
        long id = in.id();
        in.i4();
        long length = in.u4();
        int typeAt = (int) (in.position() - at);
        BasicType type = BasicType.ofTag(in.u1());
        if (type == null || type == BasicType.OBJECT) {
            throw in.fail(at + typeAt, "PRIM_ARRAY_DUMP with an invalid element type");
        }
        long data = in.position();
        int size = type.size(in.idSize());
        if (length > Integer.MAX_VALUE || data + length * size > end) {
            throw in.fail(at, "PRIM_ARRAY_DUMP of " + length + " " + type.javaName
                    + " elements runs past the end of its record at byte " + end);
        }
        v.primitiveArray(at, id, type, (int) length, data);
        in.skip(length * size);
    }

    private static void root(HprofInput in, HprofVisitor v, long at, int tag) throws IOException {
        switch (tag) {
            case 0xFF -> v.root(RootKind.UNKNOWN, in.id(), -1, -1);
            case 0x01 -> v.root(RootKind.JNI_GLOBAL, in.id(), -1, in.id());
            case 0x02 -> v.root(RootKind.JNI_LOCAL, in.id(), in.i4(), in.i4());
            case 0x03 -> v.root(RootKind.JAVA_FRAME, in.id(), in.i4(), in.i4());
            case 0x04 -> v.root(RootKind.NATIVE_STACK, in.id(), in.i4(), -1);
            case 0x05 -> v.root(RootKind.STICKY_CLASS, in.id(), -1, -1);
            case 0x06 -> v.root(RootKind.THREAD_BLOCK, in.id(), in.i4(), -1);
            case 0x07 -> v.root(RootKind.MONITOR_USED, in.id(), -1, -1);
            case 0x08 -> v.root(RootKind.THREAD_OBJECT, in.id(), in.i4(), in.i4());
            default -> throw in.fail(at, "unknown heap dump sub-record 0x" + Integer.toHexString(tag));
        }
    }

    static ClassDump classDump(HprofInput in, long at, long end) throws IOException {
        long id = in.id();
        int stack = in.i4();
        long superId = in.id();
        long loader = in.id();
        in.id();                                          // signers
        in.id();                                          // protection domain
        in.id();                                          // reserved
        in.id();                                          // reserved
        int instanceSize = in.i4();
        int constants = in.u2();
        for (int i = 0; i < constants; i++) {
            in.u2();
            in.value(type(in, at));
            checkEnd(in, at, end);
        }
        int statics = in.u2();
        long[] staticNames = new long[statics];
        BasicType[] staticTypes = new BasicType[statics];
        long[] staticValues = new long[statics];
        for (int i = 0; i < statics; i++) {
            staticNames[i] = in.id();
            staticTypes[i] = type(in, at);
            staticValues[i] = in.value(staticTypes[i]);
            checkEnd(in, at, end);
        }
        int fields = in.u2();
        long[] fieldNames = new long[fields];
        BasicType[] fieldTypes = new BasicType[fields];
        for (int i = 0; i < fields; i++) {
            fieldNames[i] = in.id();
            fieldTypes[i] = type(in, at);
            checkEnd(in, at, end);
        }
        return new ClassDump(at, id, stack, superId, loader, instanceSize, staticNames, staticTypes, staticValues,
                fieldNames, fieldTypes);
    }

    private static void checkEnd(HprofInput in, long at, long end) throws HprofFormatException {
        if (in.position() > end) {
            throw in.fail(at, "CLASS_DUMP runs past the end of its record at byte " + end);
        }
    }

    private static BasicType type(HprofInput in, long at) throws IOException {
        long pos = in.position();
        BasicType t = BasicType.ofTag(in.u1());
        if (t == null) {
            throw in.fail(pos, "invalid value type in the CLASS_DUMP at byte " + at);
        }
        return t;
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

}
