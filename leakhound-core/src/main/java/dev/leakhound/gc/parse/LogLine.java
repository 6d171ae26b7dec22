package dev.leakhound.gc.parse;

import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One line of JDK unified logging ({@code -Xlog}), split into the decorations that matter here and the message.
 *
 * <p>Decorations are the leading {@code [...]} groups, in any order and any number, each told by its content:
 * <ul>
 *   <li>{@code uptime} {@code [0.123s]} (a decimal comma too), {@code uptimemillis} {@code [123ms]},
 *       {@code uptimenanos} {@code [123ns]}: time since the JVM started;</li>
 *   <li>{@code time}/{@code utctime} {@code [2026-11-27T12:00:00.000+0000]}, {@code timemillis}
 *       {@code [1732708800000ms]}, {@code timenanos}: wall-clock time. A number of milliseconds (nanoseconds) is
 *       wall-clock time when it is at least {@value #EPOCH_MILLIS_FROM} ({@code 1e17} ns), that is after
 *       March 1973, and uptime otherwise;</li>
 *   <li>{@code level} ({@code [info]}, ...), {@code pid}/{@code tid} (a number) and {@code hostname}
 *       (any other single token): skipped;</li>
 *   <li>{@code tags} {@code [gc,heap  ]}: a comma-separated list of lower-case words, or a single word that is a
 *       log tag this parser knows ({@code gc}, {@code safepoint}, ...); a single unknown word is taken for a host
 *       name.</li>
 * </ul>
 * The first group that is none of these, or text that is not a group, starts the message. A line without
 * decorations is all message.
 *
 * @param uptimeNanos time since the JVM started, in nanoseconds, or {@code -1} when not decorated with it
 * @param epochNanos  wall-clock time, in nanoseconds since the epoch, or {@code -1} when not decorated with it
 * @param tags        the tag set as written without padding, e.g. {@code gc,start}, or {@code null} when not
 *                    decorated with it
 * @param message     the text after the decorations, without the one space that separates them
 */
record LogLine(long uptimeNanos, long epochNanos, String tags, String message) {

    /** The least number of milliseconds since the epoch taken for wall-clock time: 1e11, March 1973. */
    static final long EPOCH_MILLIS_FROM = 100_000_000_000L;

    private static final Pattern SECONDS = Pattern.compile("(\\d{1,12})[.,](\\d{1,9})s");
    private static final Pattern COUNT = Pattern.compile("(\\d{1,19})(ms|ns)");
    private static final Pattern NUMBER = Pattern.compile("\\d{1,19}");
    private static final Pattern DATE_TIME = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d.*");
    private static final Pattern TAG_LIST = Pattern.compile("[a-z][a-z0-9_]*(,[a-z][a-z0-9_]*)*");
    private static final Pattern TOKEN = Pattern.compile("\\S{1,255}");
    static final Set<String> LEVELS = Set.of("trace", "debug", "info", "warning", "error", "off");
    /** Single tags that name a tag set on their own (a longer list is recognised by its comma). */
    static final Set<String> KNOWN_TAGS = Set.of("gc", "safepoint", "arguments", "os", "class", "cds",
            "jit", "compilation", "exceptions", "jni", "logging", "module", "startuptime", "stringtable",
            "symboltable", "pagesize", "container", "heap", "metaspace", "monitorinflation", "thread", "vmthread",
            "handshake", "codecache", "redefine", "perf", "jfr", "stackwalk", "verification", "init", "aot",
            "attach", "malloc", "nmt", "valuebasedclasses", "deoptimization", "methodhandles", "protectiondomain",
            "signal", "sweep", "jvmti", "library", "cpu", "ergo", "stats");

    private static final DateTimeFormatter OFFSET_TIME = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd'T'HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true).optionalEnd()
            .optionalStart().appendOffset("+HHMM", "Z").optionalEnd()
            .optionalStart().appendOffset("+HH:MM", "Z").optionalEnd()
            .toFormatter();

    /** Splits one line (without its terminator). */
    static LogLine parse(String line) {
        long uptime = -1;
        long epoch = -1;
        String tags = null;
        int pos = 0;
        while (pos < line.length() && line.charAt(pos) == '[') {
            int end = line.indexOf(']', pos + 1);
            if (end < 0) {
                break;
            }
            String d = line.substring(pos + 1, end).strip();
            Matcher m;
            boolean digit = !d.isEmpty() && d.charAt(0) >= '0' && d.charAt(0) <= '9';
            if (!digit) {
                if (LEVELS.contains(d)) {
                    pos = end + 1;
                    continue;
                }
                if (TAG_LIST.matcher(d).matches() && (d.indexOf(',') >= 0 || KNOWN_TAGS.contains(d))) {
                    tags = d;
                } else if (!TOKEN.matcher(d).matches()) {
                    break;                                                 // not a decoration: the message
                }
                pos = end + 1;
                continue;
            }
            char last = d.charAt(d.length() - 1);
            if (last == 's' && d.length() >= 2 && d.charAt(d.length() - 2) != 'm' && d.charAt(d.length() - 2) != 'n'
                    && (m = SECONDS.matcher(d)).matches()) {
                long seconds = Long.parseLong(m.group(1));
                // an uptime past ~292 years overflows nanoseconds: not a decoration, leave the line's text alone
                uptime = seconds > Long.MAX_VALUE / 1_000_000_000L - 1 ? -1 : seconds * 1_000_000_000L + fraction(m.group(2));
            } else if ((m = COUNT.matcher(d)).matches()) {
                long n = parseOrMinus(m.group(1));
                if (n < 0) {
                    break;
                }
                boolean millis = m.group(2).equals("ms");
                boolean wall = millis ? n >= EPOCH_MILLIS_FROM : n >= EPOCH_MILLIS_FROM * 1_000_000L;
                long nanos = millis ? (n > Long.MAX_VALUE / 1_000_000L ? -1 : n * 1_000_000L) : n;
                if (nanos < 0) {
                    break;
                }
                if (wall) {
                    epoch = nanos;
                } else {
                    uptime = nanos;
                }
            } else if (DATE_TIME.matcher(d).matches()) {
                long t = dateTime(d);
                if (t < 0) {
                    break;
                }
                epoch = t;
            } else if (NUMBER.matcher(d).matches()) {
                // pid, tid
            } else if (!TOKEN.matcher(d).matches()) {
                break;                                                     // not a decoration: the message
            }
            pos = end + 1;
        }
        if (pos > 0 && pos < line.length() && line.charAt(pos) == ' ') {
            pos++;
        }
        return new LogLine(uptime, epoch, tags, pos == 0 ? line : line.substring(pos));
    }

    private static long fraction(String digits) {
        long f = Long.parseLong(digits);
        for (int i = digits.length(); i < 9; i++) {
            f *= 10;
        }
        return f;
    }

    private static long parseOrMinus(String digits) {
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Nanoseconds since the epoch, or -1; without an offset, UTC. */
    private static long dateTime(String d) {
        try {
            var parsed = OFFSET_TIME.parseBest(d, OffsetDateTime::from, java.time.LocalDateTime::from);
            java.time.Instant instant = parsed instanceof OffsetDateTime o ? o.toInstant()
                    : ((java.time.LocalDateTime) parsed).toInstant(java.time.ZoneOffset.UTC);
            return Math.multiplyExact(instant.getEpochSecond(), 1_000_000_000L) + instant.getNano();
        } catch (DateTimeParseException | ArithmeticException e) {
            return -1;
        }
    }

    /** Whether the line is decorated with a time, uptime or wall-clock. */
    boolean timed() {
        return uptimeNanos >= 0 || epochNanos >= 0;
    }
}
