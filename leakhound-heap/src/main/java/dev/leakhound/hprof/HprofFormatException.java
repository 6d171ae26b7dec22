package dev.leakhound.hprof;

import java.io.IOException;

/**
 * A file that is not a readable HPROF heap dump: wrong header, truncated, a length that points past the end
 * of its record or of the file, an unknown sub-record. The message is one line, {@code FILE: at byte OFFSET:
 * reason}; for a gzip-compressed dump the offset is in the uncompressed data unless the reason says otherwise.
 */
public final class HprofFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final long offset;
    private final String reason;

    public HprofFormatException(String file, long offset, String reason) {
        super(file + ": at byte " + offset + ": " + reason);
        this.file = file;
        this.offset = offset;
        this.reason = reason;
    }

    public HprofFormatException(String file, long offset, String reason, Throwable cause) {
        this(file, offset, reason);
        initCause(cause);
    }

    /** The file as it was named when opened. */
    public String file() {
        return file;
    }

    /** Where it broke: the byte offset (in the uncompressed dump). */
    public long offset() {
        return offset;
    }

    /** What is wrong, without the file and offset. */
    public String reason() {
        return reason;
    }
}
