package dev.leakhound.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;

/**
 * The lines of a UTF-8 text input, without their terminators ({@code \n} or {@code \r\n}) or a leading byte order
 * mark, each at most {@code maxLineChars} long: what the text parsers of thread dumps and GC logs read. Malformed
 * UTF-8 is replaced, not refused. A subclass says which characters are binary data and how it reports a line that
 * is too long or holds binary data; the reader stops after either.
 */
public abstract class TextLines {
    private final Reader reader;
    private final int maxLineChars;
    private final char[] buf = new char[8192];
    private final StringBuilder sb = new StringBuilder(256);
    private int pos;
    private int limit;
    private long lineNumber;
    private boolean terminated = true;
    private boolean eof;
    private boolean bomSkipped;

    protected TextLines(InputStream in, int maxLineChars) {
        this.reader = new InputStreamReader(in, StandardCharsets.UTF_8);   // replaces malformed input
        this.maxLineChars = maxLineChars;
    }

    /** Whether the character cannot be in a text line of this format. */
    protected abstract boolean isBinary(char c);

    /** The error for binary data at that 1-based line and column. */
    protected abstract IOException binaryData(long line, int column, char c);

    /** The error for a line longer than the maximum. */
    protected abstract IOException tooLong(long line, int maxLineChars);

    /** The next line, or {@code null} at the end. */
    public String next() throws IOException {
        if (eof) {
            return null;
        }
        sb.setLength(0);
        while (true) {
            if (pos == limit) {
                int n = reader.read(buf, 0, buf.length);
                if (n <= 0) {
                    eof = true;
                    if (sb.isEmpty()) {
                        return null;
                    }
                    lineNumber++;
                    terminated = false;
                    return line();
                }
                pos = 0;
                limit = n;
                if (lineNumber == 0 && sb.isEmpty() && buf[0] == '\uFEFF' && !bomSkipped) {
                    pos = 1;                                  // a UTF-8 byte order mark
                    bomSkipped = true;
                }
            }
            int start = pos;
            while (pos < limit) {
                char c = buf[pos];
                if (c == '\n') {
                    sb.append(buf, start, pos - start);
                    pos++;
                    lineNumber++;
                    terminated = true;
                    checkLength(lineNumber);
                    return line();
                }
                if (isBinary(c)) {
                    eof = true;
                    throw binaryData(lineNumber + 1, sb.length() + pos - start + 1, c);
                }
                pos++;
            }
            sb.append(buf, start, pos - start);
            checkLength(lineNumber + 1);
        }
    }

    private void checkLength(long line) throws IOException {
        if (sb.length() > maxLineChars) {
            eof = true;
            throw tooLong(line, maxLineChars);
        }
    }

    private String line() {
        int len = sb.length();
        if (len > 0 && sb.charAt(len - 1) == '\r') {
            len--;
        }
        return sb.substring(0, len);
    }

    /** 1-based number of the line last returned. */
    public long lineNumber() {
        return lineNumber;
    }

    /** Whether the line last returned ended with a line terminator (false: the input ended inside it). */
    public boolean lastLineTerminated() {
        return terminated;
    }
}
