package dev.leakhound.gc.parse;

import dev.leakhound.gc.GcCycle;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The message of one GC line of unified logging after its {@code GC(n)}, taken apart:
 * {@code Pause Young (Normal) (G1 Evacuation Pause) 24M->4M(256M) 3.456ms} is the name {@code Pause Young},
 * the qualifiers {@code Normal} and {@code G1 Evacuation Pause}, heap used before and after and committed
 * after (bytes), and the duration. ZGC's {@code 120M(12%)->40M(4%)} gives before and after only; a line may
 * have neither sizes nor a duration (the start of a collection).
 *
 * <p>Sizes are {@code <number><unit>}, the number possibly with decimals, the unit {@code B}, {@code K},
 * {@code M}, {@code G} or {@code T} (powers of 1024). Durations are {@code <number>ms}, {@code s}, {@code us}
 * or {@code ns}. A decimal comma is accepted as well as a point.
 *
 * @param name          the words before the first parenthesis, e.g. {@code Pause Young}, {@code y: Pause Mark Start}
 * @param qualifiers    the parenthesised words after it, in order, nested parentheses kept
 *                      ({@code System.gc()})
 * @param rest          any words after the qualifiers, before sizes and duration (ZGC's {@code Aborted}), or
 *                      {@code null}
 * @param before        heap used before, bytes, or {@link GcCycle#UNKNOWN}
 * @param after         heap used after, bytes, or {@link GcCycle#UNKNOWN}
 * @param committed     heap committed after, bytes, or {@link GcCycle#UNKNOWN}
 * @param durationNanos how long it took, or {@code -1} when not given
 */
record GcEvent(String name, List<String> qualifiers, String rest, long before, long after, long committed,
               long durationNanos) {

    private static final String SIZE = "(\\d{1,15}(?:[.,]\\d{1,6})?)([BKMGT])";
    private static final Pattern DURATION = Pattern.compile("(\\d{1,15}(?:[.,]\\d{1,9})?)(ms|s|us|ns)");
    private static final Pattern SIZES = Pattern.compile(SIZE + "->" + SIZE + "\\(" + SIZE + "\\)");
    private static final Pattern ZGC_SIZES = Pattern.compile(SIZE + "\\(\\d{1,3}%\\)->" + SIZE + "\\(\\d{1,3}%\\)");
    private static final int MAX_QUALIFIERS = 8;
    /**
     * JDK 9 wrote the start and end uptime before the duration, {@code 34M->33M(123M) (0.246s, 1.169s) 922.681ms}, and
     * the start alone on the start line, {@code Pause Young (Allocation Failure) (0.246s)}.
     */
    private static final Pattern START_END = Pattern.compile(" \\(\\d{1,12}[.,]\\d{1,9}s(?:, \\d{1,12}[.,]\\d{1,9}s)?\\)$");

    GcEvent {
        qualifiers = List.copyOf(qualifiers);
    }

    /** The event, or {@code null} when the text is not of that shape (unbalanced parentheses, no name). */
    static GcEvent parse(String text) {
        return plain(text) ? parseQuickly(text) : parseByRegex(text);
    }

    /** Whether the text is all printable ASCII, where the hand-written reading below is the regular expressions'. */
    static boolean plain(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    /** As {@link #parseByRegex}, by hand, for a text of printable ASCII (see {@link #plain}). */
    static GcEvent parseQuickly(String text) {
        return parseQuickly(text, null);
    }

    /**
     * As {@link #parseQuickly(String)}, taking the name and qualifiers of a text already seen without its sizes and
     * duration ({@code Pause Young (Normal) (G1 Evacuation Pause)}) from {@code shapes} (at most {@value #MAX_SHAPES}
     * kept; {@code null}: none).
     */
    static GcEvent parseQuickly(String text, java.util.Map<String, GcEvent> shapes) {
        int len = text.length();
        while (len > 0 && text.charAt(len - 1) == ' ') {
            len--;
        }
        String s = len == text.length() ? text : text.substring(0, len);
        long duration = -1;
        int space = s.lastIndexOf(' ');
        if (space > 0 && isDigit(s, space + 1) && (duration = duration(s, space + 1)) >= 0) {
            s = s.substring(0, space);
            space = s.lastIndexOf(' ');
        } else {
            duration = -1;
        }
        if (s.endsWith("s)")) {
            int open = s.lastIndexOf(" (");
            if (open >= 0 && startEnd(s, open + 2, s.length() - 1)) {
                s = s.substring(0, open);                         // JDK 9's "(0.246s, 1.169s)": start and end
                space = s.lastIndexOf(' ');
            }
        }
        long before = GcCycle.UNKNOWN;
        long after = GcCycle.UNKNOWN;
        long committed = GcCycle.UNKNOWN;
        if (space > 0 && isDigit(s, space + 1) && s.indexOf("->", space) > 0) {
            long[] sizes = sizes(s, space + 1);
            if (sizes != null) {
                before = sizes[0];
                after = sizes[1];
                committed = sizes[2];
                s = s.substring(0, space);
            }
        }
        if (shapes == null) {
            return rest(s, before, after, committed, duration);
        }
        GcEvent shape = shapes.get(s);
        if (shape == null) {
            shape = rest(s, GcCycle.UNKNOWN, GcCycle.UNKNOWN, GcCycle.UNKNOWN, -1);
            if (shape == null) {
                return null;
            }
            if (shapes.size() < MAX_SHAPES) {
                shapes.put(s, shape);
            }
        }
        return new GcEvent(shape.name, shape.qualifiers, shape.rest, before, after, committed, duration);
    }

    /** Most texts of events kept by their shape: the JDK writes a few dozen kinds. */
    static final int MAX_SHAPES = 1024;

    /** The event, read with the regular expressions (any text; the reference of {@link #parseQuickly}). */
    static GcEvent parseByRegex(String text) {
        String s = text.stripTrailing();
        long duration = -1;
        int space = s.lastIndexOf(' ');
        Matcher m;
        if (space > 0 && isDigit(s, space + 1) && (m = DURATION.matcher(s).region(space + 1, s.length())).matches()) {
            duration = nanos(m.group(1), m.group(2));
            s = s.substring(0, space);
            space = s.lastIndexOf(' ');
        }
        if (s.endsWith("s)") && (m = START_END.matcher(s)).find()) {
            s = s.substring(0, m.start());                        // JDK 9's "(0.246s, 1.169s)": start and end
            space = s.lastIndexOf(' ');
        }
        long before = GcCycle.UNKNOWN;
        long after = GcCycle.UNKNOWN;
        long committed = GcCycle.UNKNOWN;
        if (space > 0 && isDigit(s, space + 1) && s.indexOf("->", space) > 0) {
            if ((m = SIZES.matcher(s).region(space + 1, s.length())).matches()) {
                before = GcLogParser.bytes(m.group(1), m.group(2));
                after = GcLogParser.bytes(m.group(3), m.group(4));
                committed = GcLogParser.bytes(m.group(5), m.group(6));
                s = s.substring(0, space);
            } else if ((m = ZGC_SIZES.matcher(s).region(space + 1, s.length())).matches()) {
                before = GcLogParser.bytes(m.group(1), m.group(2));
                after = GcLogParser.bytes(m.group(3), m.group(4));
                s = s.substring(0, space);
            }
        }
        return rest(s, before, after, committed, duration);
    }

    // ---------------------------------------------------------------- by hand

    /** 10^0 to 10^22: exact as doubles. */
    private static final double[] POWERS_OF_TEN = new double[23];

    static {
        double p = 1;
        for (int i = 0; i < POWERS_OF_TEN.length; i++) {
            POWERS_OF_TEN[i] = p;
            p *= 10;
        }
    }

    /**
     * {@code \d{1,intDigits}(?:[.,]\d{1,fracDigits})?} at {@code i}: its value as {@link Double#parseDouble} gives it
     * (an integer below 2^53 over an exact power of ten is correctly rounded, as parseDouble is; longer numbers are
     * parsed by it), and where it ends; -1 when there is none.
     */
    private static int number(String s, int i, int intDigits, int fracDigits, double[] value) {
        int start = i;
        int len = s.length();
        long mantissa = 0;
        while (i < len && i - start < intDigits && isDigit(s, i)) {
            mantissa = mantissa * 10 + (s.charAt(i) - '0');
            i++;
        }
        if (i == start || isDigit(s, i)) {
            return -1;
        }
        int scale = 0;
        if (i + 1 < len && (s.charAt(i) == '.' || s.charAt(i) == ',') && isDigit(s, i + 1)) {
            int f = ++i;
            while (i < len && i - f < fracDigits && isDigit(s, i)) {
                mantissa = mantissa * 10 + (s.charAt(i) - '0');
                i++;
            }
            if (isDigit(s, i)) {
                return -1;
            }
            scale = i - f;
        }
        int digits = i - start - (scale > 0 ? 1 : 0);
        if (digits <= 15) {
            value[0] = mantissa / POWERS_OF_TEN[scale];
        } else {
            value[0] = Double.parseDouble(s.substring(start, i).replace(',', '.'));
        }
        return i;
    }

    /** {@code DURATION} over {@code s[from, end)} in nanoseconds, or -1 when it is not one. */
    private static long duration(String s, int from) {
        double[] v = new double[1];
        int i = number(s, from, 15, 9, v);
        if (i < 0) {
            return -1;
        }
        double factor;
        int rest = s.length() - i;
        if (rest == 1 && s.charAt(i) == 's') {
            factor = 1e9;
        } else if (rest == 2 && s.charAt(i + 1) == 's' && (s.charAt(i) == 'm' || s.charAt(i) == 'u' || s.charAt(i) == 'n')) {
            factor = s.charAt(i) == 'm' ? 1e6 : s.charAt(i) == 'u' ? 1e3 : 1;
        } else {
            return -1;
        }
        return Math.round(v[0] * factor);
    }

    /** {@code \d{1,12}[.,]\d{1,9}s(?:, \d{1,12}[.,]\d{1,9}s)?} exactly over {@code s[from, to)}. */
    private static boolean startEnd(String s, int from, int to) {
        int i = seconds(s, from, to);
        if (i == to) {
            return true;
        }
        return i > 0 && i + 2 < to && s.charAt(i) == ',' && s.charAt(i + 1) == ' ' && seconds(s, i + 2, to) == to;
    }

    /** {@code \d{1,12}[.,]\d{1,9}s} at {@code i}: where it ends, or -1. */
    private static int seconds(String s, int i, int to) {
        int start = i;
        while (i < to && i - start < 12 && isDigit(s, i)) {
            i++;
        }
        if (i == start || i >= to || s.charAt(i) != '.' && s.charAt(i) != ',') {
            return -1;
        }
        int f = ++i;
        while (i < to && i - f < 9 && isDigit(s, i)) {
            i++;
        }
        return i > f && i < to && s.charAt(i) == 's' ? i + 1 : -1;
    }

    /** {@code SIZES} or {@code ZGC_SIZES} exactly over {@code s[from, end)}: before, after, committed; or null. */
    private static long[] sizes(String s, int from) {
        double[] v = new double[1];
        long[] r = {GcCycle.UNKNOWN, GcCycle.UNKNOWN, GcCycle.UNKNOWN};
        int i = size(s, from, v, r, 0);
        if (i < 0) {
            return null;
        }
        if (s.startsWith("->", i)) {                                     // SIZE->SIZE(SIZE)
            i = size(s, i + 2, v, r, 1);
            if (i < 0 || !s.startsWith("(", i)) {
                return null;
            }
            i = size(s, i + 1, v, r, 2);
            return i >= 0 && i + 1 == s.length() && s.charAt(i) == ')' ? r : null;
        }
        i = percent(s, i);                                               // SIZE(n%)->SIZE(n%)
        if (i < 0 || !s.startsWith("->", i)) {
            return null;
        }
        i = size(s, i + 2, v, r, 1);
        return i >= 0 && percent(s, i) == s.length() ? r : null;
    }

    /** {@code SIZE} at {@code i} into {@code r[k]}: where it ends, or -1. */
    private static int size(String s, int i, double[] v, long[] r, int k) {
        i = number(s, i, 15, 6, v);
        if (i < 0 || i >= s.length()) {
            return -1;
        }
        int shift = switch (s.charAt(i)) {
            case 'B' -> 0;
            case 'K' -> 10;
            case 'M' -> 20;
            case 'G' -> 30;
            case 'T' -> 40;
            default -> -1;
        };
        if (shift < 0) {
            return -1;
        }
        r[k] = Math.round(Math.scalb(v[0], shift));
        return i + 1;
    }

    /** {@code \(\d{1,3}%\)} at {@code i}: where it ends, or -1. */
    private static int percent(String s, int i) {
        if (!s.startsWith("(", i)) {
            return -1;
        }
        int start = ++i;
        while (i < s.length() && i - start < 3 && isDigit(s, i)) {
            i++;
        }
        return i > start && s.startsWith("%)", i) ? i + 2 : -1;
    }

    // ---------------------------------------------------------------- name and qualifiers

    private static GcEvent rest(String s, long before, long after, long committed, long duration) {
        int open = s.indexOf(" (");
        String name = (open < 0 ? s : s.substring(0, open)).strip();
        if (name.isEmpty()) {
            return null;
        }
        List<String> qualifiers = new ArrayList<>(2);
        int i = open < 0 ? s.length() : open + 1;
        while (i < s.length() && s.charAt(i) == '(') {
            int j = closingParenthesis(s, i);
            if (j < 0 || qualifiers.size() == MAX_QUALIFIERS) {
                return null;
            }
            qualifiers.add(s.substring(i + 1, j).strip());
            i = j + 1;
            while (i < s.length() && s.charAt(i) == ' ') {
                i++;
            }
        }
        String rest = i < s.length() ? s.substring(i).strip() : null;
        return new GcEvent(name, qualifiers, rest == null || rest.isEmpty() ? null : rest, before, after, committed,
                duration);
    }

    /** The index of the parenthesis that closes the one at {@code open}, nested ones skipped; -1 when none does. */
    static int closingParenthesis(String s, int open) {
        int depth = 0;
        for (int j = open; j < s.length(); j++) {
            char c = s.charAt(j);
            if (c == '(') {
                depth++;
            } else if (c == ')' && --depth == 0) {
                return j;
            }
        }
        return -1;
    }

    private static boolean isDigit(String s, int i) {
        return i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9';
    }

    /** The first qualifier, or {@code null}. */
    String qualifier() {
        return qualifiers.isEmpty() ? null : qualifiers.get(0);
    }

    /** Whether heap sizes were given. */
    boolean hasSizes() {
        return after != GcCycle.UNKNOWN;
    }

    /** The event as logged, without sizes and duration: {@code Pause Young (Normal) (G1 Evacuation Pause)}. */
    String text() {
        StringBuilder sb = new StringBuilder(name);
        for (String q : qualifiers) {
            sb.append(" (").append(q).append(')');
        }
        return rest == null ? sb.toString() : sb.append(' ').append(rest).toString();
    }

    private static long nanos(String number, String unit) {
        double v = Double.parseDouble(number.replace(',', '.'));
        double factor = switch (unit) {
            case "s" -> 1e9;
            case "ms" -> 1e6;
            case "us" -> 1e3;
            default -> 1;
        };
        return Math.round(v * factor);
    }
}
