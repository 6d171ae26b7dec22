package dev.leakhound.gc.parse;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The lines of a GC log as bytes, for {@link GcLogParser}: the same lines, line numbers and errors as
 * {@link GcLogLines} (UTF-8, {@code \n} or {@code \r\n}, a leading byte order mark skipped, at most
 * {@link GcLogParser#MAX_LINE_CHARS} characters, binary data refused), without decoding a line or making a
 * {@code String} of it unless asked: most lines of a {@code -Xlog:gc*} log are skipped by their tags.
 *
 * <p>A line is {@code buf()[start(), end())}, without its terminator; {@link #plain()} says whether it holds only
 * printable ASCII (0x20-0x7e), where a byte is a character.
 */
final class GcLogBytes {
    private static final int MAX_CHARS = GcLogParser.MAX_LINE_CHARS;
    /** A UTF-8 character is at most 4 bytes, a malformed byte one character: more bytes than this are too many. */
    private static final int MAX_BYTES = 4 * (MAX_CHARS + 1);

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final InputStream in;
    private final String origin;
    private byte[] buf = new byte[1 << 20];
    private int pos;
    private int limit;
    private int start;
    private int end;
    private boolean plain;
    private long lineNumber;
    private boolean eof;
    private boolean first = true;

    GcLogBytes(InputStream in, String origin) {
        this.in = in;
        this.origin = origin;
    }

    byte[] buf() {
        return buf;
    }

    int start() {
        return start;
    }

    int end() {
        return end;
    }

    boolean plain() {
        return plain;
    }

    /** 1-based number of the line last read. */
    long lineNumber() {
        return lineNumber;
    }

    /** The line last read, as {@link GcLogLines} gives it (malformed UTF-8 replaced). */
    String string() {
        return new String(buf, start, end - start, plain ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
    }

    /** Reads the next line; false at the end. */
    boolean next() throws IOException {
        if (eof) {
            return false;
        }
        int i = pos;
        int special = -1;                         // where the first special byte is, from the line's start
        while (true) {
            byte[] b = buf;
            int lim = limit;
            // eight bytes at a time while none is special: a newline, a control character, DEL or non-ASCII
            for (int words = lim - 8; i <= words; i += 8) {
                long w = (long) LONGS.get(b, i);
                long flags = (w - 0x2020202020202020L) & ~w | w | (w ^ 0x7f7f7f7f7f7f7f7fL) - 0x0101010101010101L;
                if ((flags & 0x8080808080808080L) != 0) {
                    break;
                }
            }
            for (; i < lim; i++) {
                int c = b[i];
                if (c < 0x20 || c == 0x7f) {          // non-ASCII bytes are negative
                    if (c == '\n') {
                        break;
                    }
                    if (special < 0) {
                        special = i - pos;
                    }
                    if (c >= 0 && GcLogLines.binaryChar(c)) {
                        throw binary(i, c);
                    }
                }
            }
            if (i < lim) {
                line(pos, i, special);
                pos = i + 1;
                return true;
            }
            if (i - pos > MAX_BYTES) {
                eof = true;
                throw tooLong(lineNumber + 1);
            }
            int scanned = i - pos;
            if (!fill()) {
                eof = true;
                if (limit == pos) {
                    return false;
                }
                line(pos, limit, special);
                pos = limit;
                return true;
            }
            i = pos + scanned;
        }
    }

    /**
     * Takes the line {@code [from, to)} (terminator excluded), whose first special byte is {@code special} bytes in
     * ({@code -1}: none); checks its length as characters.
     */
    private void line(int from, int to, int special) throws IOException {
        lineNumber++;
        if (to - from > MAX_CHARS && chars(from, to) > MAX_CHARS) {
            eof = true;
            throw tooLong(lineNumber);
        }
        if (to > from && buf[to - 1] == '\r') {
            to--;                                 // the \r of \r\n: special only when another byte is
        }
        start = from;
        end = to;
        plain = special < 0 || special >= to - from;
    }

    /** Moves the unread bytes to the front (growing the buffer when they fill it) and reads more; false at the end. */
    private boolean fill() throws IOException {
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, limit - pos);
            limit -= pos;
            pos = 0;
        }
        if (limit == buf.length) {
            buf = Arrays.copyOf(buf, Math.min(buf.length * 2, MAX_BYTES + 2));
        }
        int n = in.read(buf, limit, buf.length - limit);
        if (n <= 0) {
            return false;
        }
        limit += n;
        if (first) {
            while (limit < 3 && n > 0) {
                n = in.read(buf, limit, buf.length - limit);
                limit += Math.max(0, n);
            }
            first = false;
            if (limit >= 3 && (buf[0] & 0xff) == 0xef && (buf[1] & 0xff) == 0xbb && (buf[2] & 0xff) == 0xbf) {
                pos = 3;                                                  // a UTF-8 byte order mark
            }
        }
        return true;
    }

    /** The number of characters the bytes decode to. */
    private int chars(int from, int to) {
        return new String(buf, from, to - from, StandardCharsets.UTF_8).length();
    }

    private IOException binary(int at, int c) throws IOException {
        eof = true;
        long line = lineNumber + 1;
        if (chars(pos, at) > MAX_CHARS) {
            return tooLong(line);
        }
        return GcLogLines.binaryData(origin, line, c);
    }

    private IOException tooLong(long line) {
        return GcLogLines.tooLong(origin, line, MAX_CHARS);
    }
}
