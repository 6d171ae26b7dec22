package dev.leakhound.histogram;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A class histogram of the heap: live instances and their bytes per class, as {@code jcmd PID
 * GC.class_histogram} and the {@code DiagnosticCommand} MBean's {@code gcClassHistogram} print it (the
 * same HotSpot writer). Immutable.
 *
 * <pre>
 * 12345:
 *  num     #instances         #bytes  class name (module)
 * -------------------------------------------------------
 *    1:         15486         763472  [B (java.base@25.0.3)
 *    2:          3350         432264  java.lang.Class (java.base@25.0.3)
 *    3:            12            384  com.example.Order
 * Total         67521        3014456
 * </pre>
 *
 * The {@code 12345:} line (jcmd's process id) is optional, so is the dashed line; the module is absent for
 * classes of the unnamed module (and in the output of JDKs before 9). The same class name may appear on
 * several rows (one per class loader).
 *
 * @param rows           the rows in the order printed (largest first), ranks 1, 2, 3, ...
 * @param totalInstances the {@code Total} line's instances: the sum of the rows'
 * @param totalBytes     the {@code Total} line's bytes: the sum of the rows'
 */
public record ClassHistogram(List<Row> rows, long totalInstances, long totalBytes) {

    /** The most rows read; a JVM rarely has more than a few tens of thousands of classes. */
    public static final int MAX_ROWS = 1_000_000;
    /** The longest line read, in characters. */
    public static final int MAX_LINE_LENGTH = 64 * 1024;

    private static final Pattern ROW =
            Pattern.compile("\\s*(\\d+):\\s+(\\d+)\\s+(\\d+)\\s+(.+?)(?:\\s+\\(([^()\\s]+)\\))?\\s*");
    private static final Pattern TOTAL = Pattern.compile("\\s*Total\\s+(\\d+)\\s+(\\d+)\\s*");
    private static final Pattern PID = Pattern.compile("\\s*\\d+:\\s*");
    private static final Pattern DASHES = Pattern.compile("\\s*-+\\s*");

    public ClassHistogram {
        rows = List.copyOf(rows);
    }

    /**
     * One row: one class (of one class loader).
     *
     * @param rank      its 1-based number in the histogram
     * @param instances live instances
     * @param bytes     their shallow size in bytes
     * @param className the class as the JVM names it: {@code java.lang.String}, {@code [B},
     *                  {@code [Ljava.lang.Object;}, {@code com.example.Foo$$Lambda/0x0000...}
     * @param module    module with version, e.g. {@code java.base@25.0.3}, or {@code null}
     */
    public record Row(int rank, long instances, long bytes, String className, String module) {
        public Row {
            Objects.requireNonNull(className, "className");
        }
    }

    /** Parses a histogram's text; errors name the source as {@code class histogram}. */
    public static ClassHistogram parse(String text) throws HistogramParseException {
        return parse(text, "class histogram");
    }

    /** Parses a histogram's text; errors name the given source. */
    public static ClassHistogram parse(String text, String origin) throws HistogramParseException {
        try {
            return parse(new StringReader(text), origin);
        } catch (HistogramParseException e) {
            throw e;
        } catch (IOException e) {
            throw new IllegalStateException(e);                // a StringReader does not fail
        }
    }

    /**
     * Reads a histogram to its {@code Total} line; only blank lines may follow. The reader is not closed.
     *
     * @throws HistogramParseException when the text is not a complete histogram: no header, a row that is
     *                                 not {@code N: instances bytes class [(module)]}, ranks out of order, a
     *                                 missing {@code Total} (truncated), totals that are not the sums of
     *                                 the rows, numbers too large, or more than {@link #MAX_ROWS} rows or
     *                                 {@link #MAX_LINE_LENGTH} characters on a line
     * @throws IOException             when the reader fails
     */
    public static ClassHistogram parse(Reader in, String origin) throws IOException {
        LineReader lines = new LineReader(in, origin);
        String line;
        // 1. Up to the header.
        while (true) {
            line = lines.next();
            if (line == null) {
                throw new HistogramParseException(origin, lines.number, lines.number == 0
                        ? "empty: not a class histogram"
                        : "no histogram header (\" num  #instances  #bytes  class name\")");
            }
            String s = line.strip();
            if (s.startsWith("num") && s.contains("#instances") && s.contains("#bytes")) {
                break;
            }
            if (!s.isEmpty() && !PID.matcher(line).matches()) {
                throw new HistogramParseException(origin, lines.number,
                        "not a class histogram: expected the header \" num  #instances  #bytes  class name\", found \""
                                + abbreviate(s) + "\"");
            }
        }
        // 2. Rows, to the Total line.
        List<Row> rows = new ArrayList<>();
        long sumInstances = 0;
        long sumBytes = 0;
        long totalInstances;
        long totalBytes;
        while (true) {
            line = lines.next();
            if (line == null) {
                throw new HistogramParseException(origin, lines.number,
                        "truncated: no \"Total\" line after " + rows.size() + " rows");
            }
            Matcher m;
            if ((m = ROW.matcher(line)).matches()) {
                long rank = number(m.group(1), origin, lines.number);
                if (rank != rows.size() + 1) {
                    throw new HistogramParseException(origin, lines.number,
                            "row " + rank + " out of order: expected row " + (rows.size() + 1));
                }
                if (rows.size() == MAX_ROWS) {
                    throw new HistogramParseException(origin, lines.number, "more than " + MAX_ROWS + " rows");
                }
                long instances = number(m.group(2), origin, lines.number);
                long bytes = number(m.group(3), origin, lines.number);
                rows.add(new Row((int) rank, instances, bytes, m.group(4), m.group(5)));
                sumInstances = add(sumInstances, instances, origin, lines.number);
                sumBytes = add(sumBytes, bytes, origin, lines.number);
            } else if ((m = TOTAL.matcher(line)).matches()) {
                totalInstances = number(m.group(1), origin, lines.number);
                totalBytes = number(m.group(2), origin, lines.number);
                if (totalInstances != sumInstances || totalBytes != sumBytes) {
                    throw new HistogramParseException(origin, lines.number, "Total " + totalInstances + " instances, "
                            + totalBytes + " bytes is not the sum of the rows (" + sumInstances + " instances, "
                            + sumBytes + " bytes)");
                }
                break;
            } else if (rows.isEmpty() && DASHES.matcher(line).matches()) {
                continue;
            } else {
                throw new HistogramParseException(origin, lines.number,
                        "not a histogram row (\"N: instances bytes class (module)\"): \"" + abbreviate(line.strip()) + "\"");
            }
        }
        // 3. Nothing but blank lines after Total.
        while ((line = lines.next()) != null) {
            if (!line.isBlank()) {
                throw new HistogramParseException(origin, lines.number,
                        "unexpected text after the Total line: \"" + abbreviate(line.strip()) + "\"");
            }
        }
        return new ClassHistogram(rows, totalInstances, totalBytes);
    }

    /** The number of rows (classes per class loader). */
    public int size() {
        return rows.size();
    }

    /** The {@code n} rows with the most bytes, largest first (ties keep the histogram's order). */
    public List<Row> top(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n must not be negative: " + n);
        }
        List<Row> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.comparingLong(Row::bytes).reversed());
        return List.copyOf(sorted.subList(0, Math.min(n, sorted.size())));
    }

    /**
     * The classes that grew since {@code older}: those with more instances or more bytes in this histogram,
     * classes new in it included; sorted by bytes growth, then instances growth, largest first, then by name.
     * Rows of the same class name and module (several class loaders) are added up on each side.
     */
    public List<ClassGrowth> diff(ClassHistogram older) {
        Objects.requireNonNull(older, "older");
        Map<Key, long[]> before = sums(older.rows);
        List<ClassGrowth> out = new ArrayList<>();
        for (Map.Entry<Key, long[]> e : sums(rows).entrySet()) {
            long[] now = e.getValue();
            long[] then = before.getOrDefault(e.getKey(), new long[2]);
            long di = now[0] - then[0];
            long db = now[1] - then[1];
            if (di > 0 || db > 0) {
                out.add(new ClassGrowth(e.getKey().className, e.getKey().module, now[0], now[1], di, db));
            }
        }
        out.sort(Comparator.comparingLong(ClassGrowth::bytesDelta).reversed()
                .thenComparing(Comparator.comparingLong(ClassGrowth::instancesDelta).reversed())
                .thenComparing(ClassGrowth::className)
                .thenComparing(g -> g.module() == null ? "" : g.module()));
        return List.copyOf(out);
    }

    private record Key(String className, String module) {
    }

    private static Map<Key, long[]> sums(List<Row> rows) {
        Map<Key, long[]> out = new HashMap<>();
        for (Row r : rows) {
            long[] s = out.computeIfAbsent(new Key(r.className(), r.module()), k -> new long[2]);
            s[0] += r.instances();
            s[1] += r.bytes();
        }
        return out;
    }

    private static long number(String digits, String origin, long line) throws HistogramParseException {
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new HistogramParseException(origin, line, "number too large: " + abbreviate(digits));
        }
    }

    private static long add(long a, long b, String origin, long line) throws HistogramParseException {
        try {
            return Math.addExact(a, b);
        } catch (ArithmeticException e) {
            throw new HistogramParseException(origin, line, "sum of the rows too large");
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    /** Lines of at most {@link #MAX_LINE_LENGTH} characters, ended by LF, CRLF or CR. */
    private static final class LineReader {
        private final Reader in;
        private final String origin;
        private final StringBuilder sb = new StringBuilder(128);
        private final char[] buf = new char[8192];
        private int pos;
        private int end;
        private boolean eof;
        long number;

        LineReader(Reader in, String origin) {
            this.in = in;
            this.origin = origin;
        }

        String next() throws IOException {
            sb.setLength(0);
            boolean any = false;
            while (true) {
                if (pos == end) {
                    if (eof || (end = in.read(buf)) < 0) {
                        eof = true;
                        end = 0;
                        pos = 0;
                        if (!any) {
                            return null;
                        }
                        number++;
                        return sb.toString();
                    }
                    pos = 0;
                }
                char c = buf[pos++];
                any = true;
                if (c == '\n' || c == '\r') {
                    if (c == '\r') {
                        if (pos == end && !eof) {
                            int n = in.read(buf);
                            if (n < 0) {
                                eof = true;
                                end = 0;
                            } else {
                                end = n;
                            }
                            pos = 0;
                        }
                        if (pos < end && buf[pos] == '\n') {
                            pos++;
                        }
                    }
                    number++;
                    return sb.toString();
                }
                if (sb.length() == MAX_LINE_LENGTH) {
                    throw new HistogramParseException(origin, number + 1,
                            "line longer than " + MAX_LINE_LENGTH + " characters");
                }
                sb.append(c);
            }
        }
    }
}
