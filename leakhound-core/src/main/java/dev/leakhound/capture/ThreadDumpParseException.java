package dev.leakhound.capture;

import java.io.IOException;

/**
 * A thread dump that cannot be read: truncated, corrupt, or of no known format.
 * The message names the file and where it broke, in the usual {@code file:line:column: reason} form.
 */
public final class ThreadDumpParseException extends IOException {
    private final String origin;
    private final long line;
    private final long column;
    private final String reason;

    /**
     * @param origin the file (or other source) being read
     * @param line   1-based line where it broke, or 0 when unknown
     * @param column 1-based column, or 0 when unknown
     * @param reason what is wrong, in plain words
     */
    ThreadDumpParseException(String origin, long line, long column, String reason) {
        this(origin, line, column, reason, null);
    }

    ThreadDumpParseException(String origin, long line, long column, String reason, Throwable cause) {
        super(format(origin, line, column, reason), cause);
        this.origin = origin;
        this.line = line;
        this.column = column;
        this.reason = reason;
    }

    private static String format(String origin, long line, long column, String reason) {
        StringBuilder sb = new StringBuilder(origin);
        if (line > 0) {
            sb.append(':').append(line);
            if (column > 0) {
                sb.append(':').append(column);
            }
        }
        return sb.append(": ").append(reason).toString();
    }

    public String origin() {
        return origin;
    }

    /** 1-based line, or 0 when unknown. */
    public long line() {
        return line;
    }

    /** 1-based column, or 0 when unknown. */
    public long column() {
        return column;
    }

    public String reason() {
        return reason;
    }
}
