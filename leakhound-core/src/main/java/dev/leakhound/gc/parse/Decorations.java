package dev.leakhound.gc.parse;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * {@link LogLine#parse} on the bytes of a line of printable ASCII, without a {@code String}, a regular expression or
 * an allocation: the same uptime, wall-clock time, tags and message start, for the decorations the JDK writes
 * ({@code uptime}, {@code uptimemillis}, {@code uptimenanos}, {@code time}/{@code utctime} as
 * {@code 2026-12-07T18:36:49.123+0000}, {@code timemillis}, {@code timenanos}, {@code pid}, {@code tid},
 * {@code level}, {@code tags}, {@code hostname}). A group it is not sure of (a time in another form, a number too
 * long, an odd token) makes {@link #parse} say so, and the caller takes the line the slow way. Mutable: one per
 * parser, overwritten by each line.
 */
final class Decorations {
    long uptimeNanos;
    long epochNanos;
    /** The tag set without padding: {@code [tagsFrom, tagsTo)}, or {@code tagsFrom < 0} without one. */
    int tagsFrom;
    int tagsTo;
    /** Where the message starts (after the one space that follows the decorations). */
    int message;
    /**
     * What the caller made of this line's tags when the same bytes were read before (see {@link #tagsRead}), or
     * {@code null}: read them.
     */
    Object knownTags;

    /*
     * Two caches, both exact because LogLine reads each group on its own and stops at the same place on the same
     * bytes: the last line's decorations up to its message (a burst of lines in one millisecond has the same time,
     * level and tags), and the groups from the first one that is not a number on ([info][gc,heap  ] ), without a
     * time among them, whatever came before. Each is only of decorations that end with the space before the message.
     */
    private Object prefixTags;
    private Object tailTags;
    private boolean prefixNew;
    private boolean tailNew;
    private boolean tailHit;
    private final byte[] lastPrefix = new byte[128];
    private int prefixLength;
    private long prefixUptime;
    private long prefixEpoch;
    private int prefixTagsFrom;
    private int prefixTagsTo;
    private Object prefixTag;
    private final byte[] lastTail = new byte[96];
    private int tailLength;
    private int tailTagsFrom;
    private int tailTagsTo;
    /** How many times were read: a group that holds one is not cached. */
    private int assigned;

    /** {@link LogLine}'s levels and single tags, as bytes: the two readings must agree on what a decoration is. */
    private static final byte[][] LEVELS = bytes(LogLine.LEVELS.toArray(String[]::new));
    private static final byte[][] KNOWN_TAGS = bytes(LogLine.KNOWN_TAGS.toArray(String[]::new));

    /** The last date-time's first 19 bytes ({@code 2026-12-07T18:36:49}) and its epoch seconds, 0 offset. */
    private final byte[] lastDateTime = new byte[19];
    private long lastDateTimeSeconds = Long.MIN_VALUE;

    private static byte[][] bytes(String... words) {
        byte[][] b = new byte[words.length][];
        for (int i = 0; i < words.length; i++) {
            b[i] = words[i].getBytes(StandardCharsets.US_ASCII);
        }
        return b;
    }

    /**
     * Splits the decorations of {@code b[from, to)}, a line of printable ASCII; false when a group is of a form this
     * does not read exactly as {@link LogLine#parse} (then the fields are meaningless).
     */
    boolean parse(byte[] b, int from, int to) {
        uptimeNanos = -1;
        epochNanos = -1;
        tagsFrom = -1;
        tagsTo = -1;
        knownTags = null;
        prefixNew = false;
        tailNew = false;
        tailHit = false;
        if (prefixLength > 0 && to - from >= prefixLength
                && Arrays.equals(b, from, from + prefixLength, lastPrefix, 0, prefixLength)) {
            uptimeNanos = prefixUptime;
            epochNanos = prefixEpoch;
            tagsFrom = prefixTagsFrom < 0 ? -1 : from + prefixTagsFrom;
            tagsTo = prefixTagsFrom < 0 ? -1 : from + prefixTagsTo;
            message = from + prefixLength;
            knownTags = prefixTags;
            return true;
        }
        int tail = -1;
        int times = 0;
        int pos = from;
        while (pos < to && b[pos] == '[') {
            if (tail < 0 && pos + 1 < to && (b[pos + 1] < '0' || b[pos + 1] > '9')) {
                tail = pos;
                times = assigned;
                if (tailLength > 0 && to - pos >= tailLength
                        && Arrays.equals(b, pos, pos + tailLength, lastTail, 0, tailLength)) {
                    tagsFrom = tailTagsFrom < 0 ? -1 : pos + tailTagsFrom;
                    tagsTo = tailTagsFrom < 0 ? -1 : pos + tailTagsTo;
                    pos += tailLength;                                    // the message's space included
                    knownTags = tailTags;
                    tailHit = true;
                    break;
                }
            }
            int end = pos + 1;
            while (end < to && b[end] != ']') {
                end++;
            }
            if (end == to) {
                break;
            }
            int s = pos + 1;
            int e = end;
            while (s < e && b[s] == ' ') {
                s++;
            }
            while (e > s && b[e - 1] == ' ') {
                e--;
            }
            if (s == e) {
                return false;
            }
            int c0 = b[s];
            if (c0 < '0' || c0 > '9') {
                if (in(LEVELS, b, s, e)) {
                    pos = end + 1;
                    continue;
                }
                int kind = tagList(b, s, e);
                if (kind == 2 || kind == 1 && in(KNOWN_TAGS, b, s, e)) {
                    tagsFrom = s;
                    tagsTo = e;
                } else if (!token(b, s, e)) {
                    return false;
                }
                pos = end + 1;
                continue;
            }
            if (!number(b, s, e)) {
                return false;
            }
            pos = end + 1;
        }
        if (!tailHit && pos > from && pos < to && b[pos] == ' ') {
            pos++;
        }
        message = pos;
        if (!tailHit && tail >= 0 && pos > tail && assigned == times && pos - tail <= lastTail.length
                && b[pos - 1] == ' ') {
            tailLength = pos - tail;
            System.arraycopy(b, tail, lastTail, 0, tailLength);
            tailTagsFrom = tagsFrom < 0 ? -1 : tagsFrom - tail;
            tailTagsTo = tagsTo - tail;
            tailTags = null;
            tailNew = true;
        }
        if (pos > from && pos - from <= lastPrefix.length && b[pos - 1] == ' ') {
            prefixLength = pos - from;
            System.arraycopy(b, from, lastPrefix, 0, prefixLength);
            prefixUptime = uptimeNanos;
            prefixEpoch = epochNanos;
            prefixTagsFrom = tagsFrom < 0 ? -1 : tagsFrom - from;
            prefixTagsTo = tagsTo - from;
            prefixTags = knownTags;
            prefixNew = true;
        } else {
            prefixLength = 0;
        }
        return true;
    }

    /** The caller's reading of the tags of the line just parsed, kept with the cached groups it came from. */
    void tagsRead(Object tags) {
        if (prefixNew) {
            prefixTags = tags;
        }
        if (tailNew || tailHit) {
            tailTags = tags;
        }
    }

    /** 0: not a tag list; 1: one lower-case word; 2: several, comma-separated ({@code [a-z][a-z0-9_]*(,...)*}). */
    private static int tagList(byte[] b, int s, int e) {
        int words = 1;
        boolean wordStart = true;
        for (int i = s; i < e; i++) {
            int c = b[i];
            if (c >= 'a' && c <= 'z') {
                wordStart = false;
            } else if (wordStart) {
                return 0;
            } else if (c == ',') {
                wordStart = true;
                words++;
            } else if (!(c >= '0' && c <= '9' || c == '_')) {
                return 0;
            }
        }
        return wordStart ? 0 : words > 1 ? 2 : 1;
    }

    /** {@code \S{1,255}}: the group is a single token (a host name, a tid). */
    private static boolean token(byte[] b, int s, int e) {
        if (e - s > 255) {
            return false;
        }
        for (int i = s; i < e; i++) {
            if (b[i] == ' ') {
                return false;
            }
        }
        return true;
    }

    private static boolean in(byte[][] words, byte[] b, int s, int e) {
        int n = e - s;
        for (byte[] w : words) {
            if (w.length == n && equal(w, b, s)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code b} holds the bytes of {@code w} at {@code s} (which the caller knows are there). */
    static boolean equal(byte[] w, byte[] b, int s) {
        for (int i = 0; i < w.length; i++) {
            if (w[i] != b[s + i]) {
                return false;
            }
        }
        return true;
    }

    /** A group that starts with a digit: an uptime, a count of ms or ns, a date-time, a pid/tid, or false (unsure). */
    private boolean number(byte[] b, int s, int e) {
        int i = s;
        long n = 0;
        while (i < e && b[i] >= '0' && b[i] <= '9' && i - s < 18) {
            n = n * 10 + (b[i] - '0');
            i++;
        }
        int digits = i - s;
        if (i == e) {
            return true;                                                 // pid, tid
        }
        int c = b[i];
        if (c >= '0' && c <= '9') {
            return false;                                                // 19 digits or more: the slow way
        }
        if ((c == '.' || c == ',') && b[e - 1] == 's' && digits <= 12) {
            // SECONDS: (\d{1,12})[.,](\d{1,9})s
            int f = i + 1;
            long frac = 0;
            int j = f;
            while (j < e - 1 && b[j] >= '0' && b[j] <= '9') {
                frac = frac * 10 + (b[j] - '0');
                j++;
            }
            int fd = j - f;
            if (j != e - 1 || fd < 1 || fd > 9) {
                return false;
            }
            for (int k = fd; k < 9; k++) {
                frac *= 10;
            }
            // as LogLine: an uptime past ~292 years overflows nanoseconds, and is no uptime
            uptimeNanos = n > Long.MAX_VALUE / 1_000_000_000L - 1 ? -1 : n * 1_000_000_000L + frac;
            assigned++;
            return true;
        }
        if (e - i == 2 && b[i + 1] == 's' && (c == 'm' || c == 'n')) {
            // COUNT: (\d{1,19})(ms|ns)
            boolean millis = c == 'm';
            boolean wall = millis ? n >= LogLine.EPOCH_MILLIS_FROM : n >= LogLine.EPOCH_MILLIS_FROM * 1_000_000L;
            if (millis && n > Long.MAX_VALUE / 1_000_000L) {
                return false;
            }
            long nanos = millis ? n * 1_000_000L : n;
            if (wall) {
                epochNanos = nanos;
            } else {
                uptimeNanos = nanos;
            }
            assigned++;
            return true;
        }
        if (c == '-' && digits == 4) {
            return dateTime(b, s, e);
        }
        return false;
    }

    /**
     * {@code uuuu-MM-ddTHH:mm:ss.fff[+-]HHMM}, with a valid date and time and an offset within 17:59: what the JDK's
     * {@code time} and {@code utctime} decorations write; anything else is left to the slow way.
     */
    private boolean dateTime(byte[] b, int s, int e) {
        int len = e - s;
        if (len < 25 || b[s + 7] != '-' || b[s + 10] != 'T' || b[s + 13] != ':' || b[s + 16] != ':'
                || b[s + 19] != '.') {
            return false;
        }
        long seconds;
        if (lastDateTimeSeconds != Long.MIN_VALUE && equal(lastDateTime, b, s)) {
            seconds = lastDateTimeSeconds;
        } else {
            int year = digits(b, s, 4);
            int month = digits(b, s + 5, 2);
            int day = digits(b, s + 8, 2);
            int hour = digits(b, s + 11, 2);
            int minute = digits(b, s + 14, 2);
            int second = digits(b, s + 17, 2);
            if (year < 0 || month < 1 || month > 12 || day < 1 || day > java.time.Month.of(month).length(java.time.Year.isLeap(year)) || hour < 0
                    || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
                return false;
            }
            seconds = java.time.LocalDate.of(year, month, day).toEpochDay() * 86_400L + hour * 3600L + minute * 60L + second;
            System.arraycopy(b, s, lastDateTime, 0, 19);
            lastDateTimeSeconds = seconds;
        }
        int f = s + 20;
        int j = f;
        long frac = 0;
        while (j < e && b[j] >= '0' && b[j] <= '9' && j - f < 9) {
            frac = frac * 10 + (b[j] - '0');
            j++;
        }
        int fd = j - f;
        if (fd < 1 || e - j != 5 || b[j] != '+' && b[j] != '-') {
            return false;
        }
        for (int k = fd; k < 9; k++) {
            frac *= 10;
        }
        int oh = digits(b, j + 1, 2);
        int om = digits(b, j + 3, 2);
        if (oh < 0 || oh > 17 || om < 0 || om > 59) {
            return false;
        }
        int offset = (oh * 3600 + om * 60) * (b[j] == '-' ? -1 : 1);
        epochNanos = (seconds - offset) * 1_000_000_000L + frac;
        assigned++;
        return epochNanos >= 0;
    }

    /** The number of {@code n} digits at {@code at}, or -1. */
    private static int digits(byte[] b, int at, int n) {
        int v = 0;
        for (int i = at; i < at + n; i++) {
            int c = b[i] - '0';
            if (c < 0 || c > 9) {
                return -1;
            }
            v = v * 10 + c;
        }
        return v;
    }
}
