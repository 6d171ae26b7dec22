package dev.leakhound.hprof;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;

/**
 * Big-endian reads from a channel through one buffer, with the absolute position of every byte. A
 * {@link FileChannel} also seeks (skips are free, and {@link #seek} reads anywhere); any other channel (a gzip
 * stream) skips by reading. Running out of input is an {@link HprofFormatException} at the offset reached.
 */
public final class HprofInput {
    final String origin;
    private final ReadableByteChannel channel;
    private final FileChannel file;       // null when not seekable
    private final long size;              // -1 when unknown
    private final ByteBuffer buf;
    private long bufStart;                 // the file offset of buf[0]
    private int idSize = 8;
    private RefillListener progress;

    /** Reports input consumed; called on each refill. */
    interface RefillListener {
        void update(long position);
    }

    public HprofInput(String origin, ReadableByteChannel channel, long size, int bufferSize) {
        this.origin = origin;
        this.channel = channel;
        this.file = channel instanceof FileChannel f ? f : null;
        this.size = size;
        // A file channel reads into a direct buffer without a copy; into a heap buffer it would go through a
        // temporary direct one. A stream (gzip) copies through a byte array either way.
        this.buf = (file != null ? ByteBuffer.allocateDirect(bufferSize) : ByteBuffer.allocate(bufferSize))
                .order(ByteOrder.BIG_ENDIAN);
        this.buf.limit(0);
    }

    void progress(RefillListener p) {
        this.progress = p;
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
        return bufStart + buf.position();
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
        return fill(1, true);
    }

    public int u1() throws IOException {
        fill(1, false);
        return buf.get() & 0xFF;
    }

    int u2() throws IOException {
        fill(2, false);
        return buf.getShort() & 0xFFFF;
    }

    public int i4() throws IOException {
        fill(4, false);
        return buf.getInt();
    }

    public long u4() throws IOException {
        return i4() & 0xFFFF_FFFFL;
    }

    long i8() throws IOException {
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
        while (len > 0) {
            fill(1, false);
            int n = Math.min(len, buf.remaining());
            buf.get(dst, off, n);
            off += n;
            len -= n;
        }
    }

    public void skip(long n) throws IOException {
        if (n <= buf.remaining()) {
            buf.position(buf.position() + (int) n);
            return;
        }
        long target = position() + n;
        if (file != null) {
            if (size >= 0 && target > size) {
                throw fail(size, "unexpected end of file (truncated dump?): " + (target - size) + " bytes missing");
            }
            seek(target);
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

    /**
     * Moves to an absolute position for a random read (seekable files only): keeps the buffer when it holds that
     * position, else reads a buffer that starts a quarter of its size before it, so that a walk that goes backwards
     * through the file (objects that refer to older ones) finds its next object in the buffer too.
     */
    public void seekNear(long pos) throws IOException {
        if (pos >= bufStart && pos < bufStart + buf.limit()) {
            buf.position((int) (pos - bufStart));
            return;
        }
        if (file == null) {
            throw new IllegalStateException("not seekable: " + origin);
        }
        long start = Math.max(0, pos - buf.capacity() / 4);
        file.position(start);
        bufStart = start;
        buf.clear().limit(0);
        fill((int) (pos - start) + 1, false);
        buf.position((int) (pos - start));
    }

    /** Moves to an absolute position (seekable files only); keeps the buffer when it holds that position. */
    void seek(long pos) throws IOException {
        if (pos >= bufStart && pos <= bufStart + buf.limit()) {
            buf.position((int) (pos - bufStart));
            return;
        }
        if (file == null) {
            throw new IllegalStateException("not seekable: " + origin);
        }
        file.position(pos);
        bufStart = pos;
        buf.clear().limit(0);
    }
}
