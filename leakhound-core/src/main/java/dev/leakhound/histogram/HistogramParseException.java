package dev.leakhound.histogram;

import java.io.IOException;

/**
 * A class histogram that cannot be read: truncated, corrupt, or not a histogram. The message names the
 * source and the line, in the usual {@code origin:line: reason} form.
 */
public final class HistogramParseException extends IOException {
    private final String origin;
    private final long line;
    private final String reason;

    /**
     * @param origin the source being read (a file, {@code jcmd 123 GC.class_histogram}, ...)
     * @param line   1-based line where it broke, or 0 when it is about the whole text
     * @param reason what is wrong, in plain words
     */
    public HistogramParseException(String origin, long line, String reason) {
        super(origin + (line > 0 ? ":" + line : "") + ": " + reason);
        this.origin = origin;
        this.line = line;
        this.reason = reason;
    }

    public String origin() {
        return origin;
    }

    /** 1-based line, or 0 when the error is about the whole text. */
    public long line() {
        return line;
    }

    public String reason() {
        return reason;
    }
}
