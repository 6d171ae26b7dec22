package dev.leakhound.agent.http;

import java.nio.charset.StandardCharsets;

/**
 * Text that stops growing at a limit: whatever is appended after that is dropped, and the text ends with a
 * note saying so. Keeps every response of the debug server bounded, whatever the number of threads.
 */
public final class BoundedText {
    /** The default limit, in characters (about as many bytes: stack traces are ASCII). */
    static final int DEFAULT_LIMIT = 8 << 20;

    private final StringBuilder sb = new StringBuilder();
    private final int limit;
    private boolean truncated;

    public BoundedText() {
        this(DEFAULT_LIMIT);
    }

    public BoundedText(int limit) {
        this.limit = limit;
    }

    /** Appends, unless the limit is reached; an append that would cross the limit is cut at it. */
    public BoundedText append(Object o) {
        if (truncated) {
            return this;
        }
        String s = String.valueOf(o);
        if (sb.length() + s.length() > limit) {
            sb.append(s, 0, Math.max(0, limit - sb.length()));
            truncated = true;
        } else {
            sb.append(s);
        }
        return this;
    }

    public BoundedText line(Object o) {
        return append(o).append("\n");
    }

    public BoundedText line() {
        return append("\n");
    }

    /** Whether something was dropped. */
    public boolean truncated() {
        return truncated;
    }

    public int length() {
        return sb.length();
    }

    @Override
    public String toString() {
        if (!truncated) {
            return sb.toString();
        }
        return sb + "\n... truncated: the response stops at " + limit + " characters\n";
    }

    public byte[] toBytes() {
        return toString().getBytes(StandardCharsets.UTF_8);
    }
}
