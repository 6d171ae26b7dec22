package dev.leakhound.gc.parse;

import dev.leakhound.io.TextLines;

import java.io.IOException;
import java.io.InputStream;

/**
 * The lines of a GC log for {@link GcLogParser}, each at most {@link GcLogParser#MAX_LINE_CHARS} long; refuses
 * binary data (control characters other than tab, carriage return, form feed and escape).
 */
final class GcLogLines extends TextLines {
    private final String origin;

    GcLogLines(InputStream in, String origin) {
        super(in, GcLogParser.MAX_LINE_CHARS);
        this.origin = origin;
    }

    @Override
    protected boolean isBinary(char c) {
        return binaryChar(c);
    }

    @Override
    protected IOException binaryData(long line, int column, char c) {
        return binaryData(origin, line, c);
    }

    @Override
    protected IOException tooLong(long line, int maxLineChars) {
        return tooLong(origin, line, maxLineChars);
    }

    /** A control character other than tab, carriage return, form feed and escape: what no text GC log holds. */
    static boolean binaryChar(int c) {
        return c < 0x20 && c != '\t' && c != '\r' && c != '\f' && c != 0x1b || c == 0x7f;
    }

    /** The error of both readers (this one and {@link GcLogBytes}) for binary data. */
    static GcLogParseException binaryData(String origin, long line, int c) {
        return new GcLogParseException(origin, line, "binary data (character 0x" + Integer.toHexString(c)
                + "): not a text GC log, or corrupt", null);
    }

    /** The error of both readers for a line too long. */
    static GcLogParseException tooLong(String origin, long line, int maxLineChars) {
        return new GcLogParseException(origin, line, "line longer than " + maxLineChars
                + " characters: not a GC log, or corrupt", null);
    }
}
