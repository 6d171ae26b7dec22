package dev.leakhound.report;

import java.util.Locale;

/**
 * How Leakhound's text outputs word a count, a size and a labelled field, so that the CLI's commands, the proof and
 * the agent's pages read alike.
 */
public final class TextFormat {
    private TextFormat() {
    }

    /** {@code "1 thread"}, {@code "2 threads"}, {@code "3 classes"}. */
    public static String plural(int n, String word) {
        return n + " " + (n == 1 ? word : word.endsWith("s") ? word + "es" : word + "s");
    }

    /** {@code "1.5 MB (1572864 bytes)"}: readable, and exact for a script. */
    public static String megabytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB (%d bytes)", bytes / 1048576.0, bytes);
    }

    /** One field of a block: two spaces, the name padded to {@code nameWidth}, a space, the value. */
    public static String field(String name, int nameWidth, String value) {
        StringBuilder sb = new StringBuilder(nameWidth + 3 + value.length()).append("  ").append(name);
        while (sb.length() < nameWidth + 2) {
            sb.append(' ');
        }
        return sb.append(' ').append(value).toString();
    }
}
