package dev.leakhound.heapprofile.jfr;

import java.io.IOException;

/** A file that is not a JFR recording JFR can read, or lacks the events asked for: the message names the file. */
public final class JfrFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public JfrFormatException(String message) {
        super(message);
    }

    public JfrFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
