package dev.leakhound.gc;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The lines of the input, each at most {@link GcLogParser#MAX_LINE_CHARS} long, without terminators ({@code \n},
 * {@code \r\n}), for {@link GcLogParser}; refuses binary data (control characters other than tab, carriage
 * return, form feed and escape). Malformed UTF-8 is replaced, not refused.
 */
final class GcLogLines {
    private final Reader reader;
    private final String origin;
    private final char[] buf = new char[8192];
    private final StringBuilder sb = new StringBuilder(256);
    private int pos;
    private int limit;
    private long lineNumber;
    private boolean eof;

    GcLogLines(InputStream in, String origin) {
        this.reader = new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE));
        this.origin = origin;
    }

    String next() throws IOException {
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
                    return line();
                }
                pos = 0;
                limit = n;
            }
            int start = pos;
            while (pos < limit) {
                char c = buf[pos];
                if (c == '\n') {
                    sb.append(buf, start, pos - start);
                    pos++;
                    lineNumber++;
                    checkLength(lineNumber);
                    return line();
                }
                if (c < 0x20 && c != '\t' && c != '\r' && c != '\f' && c != 0x1b || c == 0x7f) {
                    eof = true;
                    throw new GcLogParseException(origin, lineNumber + 1, "binary data (character 0x"
                            + Integer.toHexString(c) + "): not a text GC log, or corrupt", null);
                }
                pos++;
            }
            sb.append(buf, start, pos - start);
            checkLength(lineNumber + 1);
        }
    }

    private void checkLength(long line) throws GcLogParseException {
        if (sb.length() > GcLogParser.MAX_LINE_CHARS) {
            eof = true;
            throw new GcLogParseException(origin, line, "line longer than " + GcLogParser.MAX_LINE_CHARS
                    + " characters: not a GC log, or corrupt", null);
        }
    }

    private String line() {
        int len = sb.length();
        if (len > 0 && sb.charAt(len - 1) == '\r') {
            len--;
        }
        if (lineNumber == 1 && len > 0 && sb.charAt(0) == '\uFEFF') {
            return sb.substring(1, len);
        }
        return sb.substring(0, len);
    }

    long lineNumber() {
        return lineNumber;
    }
}
