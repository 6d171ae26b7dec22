package dev.leakhound.gc.parse;

import java.io.IOException;

/**
 * A GC log that cannot be read: binary data, a line too long, broken compression, or no GC cycle at all.
 * The message is one line, {@code FILE:LINE: reason} ({@code FILE: reason} when no line applies;
 * {@code no GC cycles found in FILE (...)} for a file without any).
 */
public final class GcLogParseException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String origin;
    private final long line;
    private final String reason;

    /**
     * @param origin the file (or other source) being read
     * @param line   1-based line where it broke, or 0 when the error is about the whole input
     * @param reason what is wrong, in plain words
     * @param cause  the underlying error, or {@code null}
     */
    GcLogParseException(String origin, long line, String reason, Throwable cause) {
        this(origin + (line > 0 ? ":" + line : "") + ": " + reason, origin, line, reason, cause);
    }

    private GcLogParseException(String message, String origin, long line, String reason, Throwable cause) {
        super(message, cause);
        this.origin = origin;
        this.line = line;
        this.reason = reason;
    }

    /** {@code no GC cycles found in FILE (N lines read; ...)}: the input has no line of a GC cycle. */
    static GcLogParseException noCycles(String origin, long lines) {
        return noCycles(origin, lines, null);
    }

    /**
     * As {@link #noCycles(String, long)}, saying what the input looks like ({@code null}: nothing known), e.g.
     * {@code it looks like an IBM J9 / OpenJ9 verbose GC log (XML), which is not read}.
     */
    static GcLogParseException noCycles(String origin, long lines, String looksLike) {
        String reason = "no GC cycles found (" + lines + (lines == 1 ? " line" : " lines")
                + " read; expected JDK unified logging of -Xlog:gc or -Xlog:gc*, or a JDK 8 log of -XX:+PrintGCDetails"
                + " or -verbose:gc" + (looksLike == null ? "" : "; it looks like " + looksLike) + ")";
        return new GcLogParseException("no GC cycles found in " + origin + reason.substring("no GC cycles found".length()),
                origin, 0, reason, null);
    }

    public String origin() {
        return origin;
    }

    /** 1-based line, or 0 when the error is about the whole input. */
    public long line() {
        return line;
    }

    public String reason() {
        return reason;
    }
}
