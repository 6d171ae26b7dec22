package dev.leakhound.hprof;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;

/**
 * Big-endian reads with the absolute position of every byte: of a file, memory-mapped ({@link #mapped}), or of a
 * stream (a gzip one) through one buffer. A file seeks (skips are free, and {@link #seek} reads anywhere); a stream
 * skips by reading and does not seek. Running out of input is an {@link HprofFormatException} at the offset reached.
 *
 * <p>A mapped file is read without a system call per buffer (random reads of a walk over the heap would make
 * one per object otherwise): it is mapped in chunks of {@link #chunkBytes()} (1 GB; a mapping holds at most 2 GB),
 * lazily, each overlapping the next by {@value #OVERLAP} bytes, so that any value of up to 8 bytes lies whole in
 * the chunk of its first byte; longer reads ({@link #bytes}) cross chunks. The mapped pages are the OS's page
 * cache, not the Java heap: they count in the process's resident memory, but the OS takes them back when it needs.
 */
public final class HprofInput {
    /** The system property that sets the mapped chunks' size in bytes (tests use small chunks to cross bounds). */
    public static final String CHUNK_PROPERTY = "leakhound.heap.mapChunkBytes";
    private static final long DEFAULT_CHUNK = 1L << 30;
    /** Bytes by which a chunk runs into the next: the longest value read at once. */
    static final int OVERLAP = 64;
    private static final long PROGRESS_STEP = 32L << 20;

    final String origin;
    private final long size;              // -1 when unknown
    private int idSize = 8;
    private RefillListener progress;

    // a stream: its buffer and the offset of the buffer's first byte
    private final ReadableByteChannel channel;
    private final ByteBuffer buf;         // null when mapped
    private long bufStart;

    // mapped: the chunks (mapped when first read), the current one, its start in the file and the position in it
    private final FileChannel file;
    private final ByteBuffer[] chunks;    // null for a stream
    private final long chunk;
    private ByteBuffer m;
    private long mStart;
    private int mLength;
    private int mPos;
    private long nextProgress = Long.MAX_VALUE;       // no listener: never

    /** Reports input consumed; called on each refill. */
    interface RefillListener {
        void update(long position);
    }

    /** A stream of {@code size} bytes (-1 when unknown), read through a buffer of {@code bufferSize}. */
    public HprofInput(String origin, ReadableByteChannel channel, long size, int bufferSize) {
        this.origin = origin;
        this.channel = channel;
        this.size = size;
        this.buf = ByteBuffer.allocate(bufferSize).order(ByteOrder.BIG_ENDIAN);
        this.buf.limit(0);
        this.file = null;
        this.chunks = null;
        this.chunk = 0;
    }

    private HprofInput(FileChannel file, String origin, long size, long chunk) {
        this.origin = origin;
        this.channel = null;
        this.file = file;
        this.size = size;
        this.buf = null;
        this.chunk = chunk;
        this.chunks = new ByteBuffer[(int) ((size + chunk - 1) / chunk)];      // none for an empty file
        this.m = ByteBuffer.allocate(0);            // nothing mapped yet: the first read maps
        this.mLength = 0;
    }

    /**
     * The file, memory-mapped (see the class comment); an empty file has no chunk, and every read fails at offset 0.
     * The mapping stays valid after the channel is closed.
     */
    public static HprofInput mapped(String origin, FileChannel file) throws IOException {
        return new HprofInput(file, origin, file.size(), chunkBytes());
    }

    /** The size of the mapped chunks: {@value #DEFAULT_CHUNK} bytes, or {@link #CHUNK_PROPERTY}'s (at least 4 KB). */
    static long chunkBytes() {
        long c = Long.getLong(CHUNK_PROPERTY, DEFAULT_CHUNK);
        return Math.max(4096, Math.min(c, Integer.MAX_VALUE - OVERLAP));
    }

    /** Whether this input is a mapped file (not a stream). */
    boolean isMapped() {
        return chunks != null;
    }

    /** Makes the chunk that holds the absolute position {@code at} (at most the file's length) current. */
    private void mapAt(long at) throws IOException {
        int k = (int) (Math.min(at, size - 1) / chunk);
        ByteBuffer c = chunks[k];
        if (c == null) {
            long start = k * chunk;
            c = file.map(FileChannel.MapMode.READ_ONLY, start, Math.min(chunk + OVERLAP, size - start));
            chunks[k] = c;
        }
        m = c;
        mStart = k * chunk;
        mLength = c.capacity();
        mPos = (int) (at - mStart);
    }

    /** Mapped: makes {@code n} (at most {@value #OVERLAP}) bytes readable at {@code mPos}, or fails at the end. */
    private void need(int n) throws IOException {
        long at = mStart + mPos;
        if (at + n > size) {
            long have = size - at;
            throw fail(size, "unexpected end of file (truncated dump?): needed " + n + " more bytes, "
                    + (have <= 0 ? "found none" : "found " + have));
        }
        mapAt(at);
    }

    /** Mapped: moves to an absolute position (at most the file's length), reporting progress now and then. */
    private void moveTo(long at) throws IOException {
        if (at >= mStart && at <= mStart + mLength) {
            mPos = (int) (at - mStart);
        } else {
            mapAt(at);
        }
        if (progress != null && at >= nextProgress) {
            nextProgress = at + PROGRESS_STEP;
            progress.update(at);
        }
    }

    void progress(RefillListener p) {
        this.progress = p;
        this.nextProgress = p == null ? Long.MAX_VALUE : 0;
    }

    public void idSize(int idSize) {
        this.idSize = idSize;
    }

    int idSize() {
        return idSize;
    }

    /** The file's length, or -1 when not known (a stream). */
    long size() {
        return size;
    }

    long position() {
        return chunks != null ? mStart + mPos : bufStart + buf.position();
    }

    public HprofFormatException fail(long offset, String reason) {
        return new HprofFormatException(origin, offset, reason);
    }

    /** Makes {@code n} bytes available; false at the end of the input when none is left (n bytes ask), else fails. */
    private boolean fill(int n, boolean eofOk) throws IOException {
        if (buf.remaining() >= n) {
            return true;
        }
        bufStart += buf.position();
        buf.compact();
        while (buf.position() < n) {
            int r;
            try {
                r = channel.read(buf);
            } catch (EOFException e) {
                r = -1;              // GZIPInputStream: "Unexpected end of ZLIB input stream"
            }
            if (r < 0) {
                int have = buf.position();
                buf.flip();
                if (have == 0 && eofOk) {
                    return false;
                }
                throw fail(bufStart + have, "unexpected end of file (truncated dump?): needed " + n + " more bytes, "
                        + (have == 0 ? "found none" : "found " + have));
            }
        }
        buf.flip();
        if (progress != null) {
            progress.update(bufStart + buf.limit());
        }
        return true;
    }

    /** Whether another byte follows. */
    boolean hasMore() throws IOException {
        if (chunks != null) {
            boolean more = mStart + mPos < size;
            if (!more && progress != null && size > 0) {          // an empty file: nothing read to report
                progress.update(size);
            }
            return more;
        }
        return fill(1, true);
    }

    public int u1() throws IOException {
        if (chunks != null) {
            if (mPos >= mLength) {
                need(1);
            }
            return m.get(mPos++) & 0xFF;
        }
        fill(1, false);
        return buf.get() & 0xFF;
    }

    int u2() throws IOException {
        if (chunks != null) {
            if (mPos + 2 > mLength) {
                need(2);
            }
            int v = m.getShort(mPos) & 0xFFFF;
            mPos += 2;
            return v;
        }
        fill(2, false);
        return buf.getShort() & 0xFFFF;
    }

    public int i4() throws IOException {
        if (chunks != null) {
            if (mPos + 4 > mLength) {
                need(4);
            }
            int v = m.getInt(mPos);
            mPos += 4;
            return v;
        }
        fill(4, false);
        return buf.getInt();
    }

    public long u4() throws IOException {
        return i4() & 0xFFFF_FFFFL;
    }

    long i8() throws IOException {
        if (chunks != null) {
            if (mPos + 8 > mLength) {
                need(8);
            }
            long v = m.getLong(mPos);
            mPos += 8;
            return v;
        }
        fill(8, false);
        return buf.getLong();
    }

    public long id() throws IOException {
        return idSize == 8 ? i8() : u4();
    }

    /** A value of a basic type, as raw bits (object ids, primitives zero-extended... sign-extended for ints). */
    public long value(BasicType t) throws IOException {
        return switch (t) {
            case OBJECT -> id();
            case BOOLEAN, BYTE -> (byte) u1();
            case CHAR -> u2();
            case SHORT -> (short) u2();
            case INT, FLOAT -> i4();
            case LONG, DOUBLE -> i8();
        };
    }

    public void bytes(byte[] dst, int off, int len) throws IOException {
        if (chunks != null) {
            while (len > 0) {
                if (mPos >= mLength) {
                    need(1);
                }
                int n = Math.min(len, mLength - mPos);
                m.get(mPos, dst, off, n);
                mPos += n;
                off += n;
                len -= n;
            }
            return;
        }
        while (len > 0) {
            fill(1, false);
            int n = Math.min(len, buf.remaining());
            buf.get(dst, off, n);
            off += n;
            len -= n;
        }
    }

    public void skip(long n) throws IOException {
        if (chunks != null) {
            long target = mStart + mPos + n;
            if (target > size) {
                throw fail(size, "unexpected end of file (truncated dump?): " + (target - size) + " bytes missing");
            }
            if (n <= mLength - mPos && target < nextProgress) {
                mPos += (int) n;
            } else {
                moveTo(target);
            }
            return;
        }
        if (n <= buf.remaining()) {
            buf.position(buf.position() + (int) n);
            return;
        }
        n -= buf.remaining();
        buf.position(buf.limit());
        while (n > 0) {
            fill(1, false);
            int k = (int) Math.min(n, buf.remaining());
            buf.position(buf.position() + k);
            n -= k;
        }
    }

    /** Moves to an absolute position, for a random read (mapped files only). */
    public void seek(long pos) throws IOException {
        if (chunks == null) {
            throw new IllegalStateException("not seekable: " + origin);
        }
        if (pos < 0 || pos > size) {
            throw fail(size, "position " + pos + " is past the end of the file (the file changed since it was"
                    + " read?)");
        }
        moveTo(pos);
    }
}
