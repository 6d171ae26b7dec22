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
