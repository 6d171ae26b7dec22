package dev.leakhound.gc.parse;

import dev.leakhound.gc.GcCycle;
import dev.leakhound.gc.GcLog;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The GC log of a JDK before unified logging (JDK 5-8: {@code -verbose:gc}, {@code -XX:+PrintGC},
 * {@code -XX:+PrintGCDetails}, with or without {@code -XX:+PrintGCDateStamps}, {@code -XX:+PrintGCTimeStamps},
 * {@code -XX:+PrintGCID}), read for what the heap-after-GC verdict needs: each stop-the-world collection's heap
 * before, after and committed, its pause, cause and kind, and its time. For {@link GcLogParser}, which hands it the
 * lines that are not unified logging.
 *
 * <h2>Which lines</h2>
 * <ul>
 *   <li>{@code CommandLine flags: ... -XX:MaxHeapSize=536870912 ... -XX:+UseConcMarkSweepGC ...}: the heap maximum
 *       and the collector;</li>
 *   <li>a collection: {@code [DATE: ][UPTIME: ][#ID: ][GC ...]} or {@code [Full GC ...]} at the start of a line,
 *       its brackets possibly spread over several lines (G1's ergonomics, CMS's concurrent phases written into
 *       it). The heap sizes are the whole heap's {@code 649122K->396284K(1078272K)} outside the generations'
 *       brackets, or G1's {@code Heap: 71.1M(96.0M)->71.2M(103.0M)} on a line after it; the pause is its
 *       {@code , 0.3093583 secs}. Kinds: {@code Full GC} {@link GcCycle.Kind#MAJOR}, and so is a {@code GC} in which
 *       the old generation was collected too ({@code Tenured}, {@code CMS}, {@code ParOldGen} inside it: a promotion
 *       failure); G1's {@code (mixed)} {@link GcCycle.Kind#MIXED}; CMS's {@code CMS Initial Mark} and
 *       {@code CMS Final Remark} and G1's {@code GC remark} and {@code GC cleanup}
 *       {@link GcCycle.Kind#PHASE_PAUSE} (their sizes are no trend); any other {@code GC} a young collection,
 *       {@link GcCycle.Kind#MINOR}.</li>
 * </ul>
 * The collector is the flags' one, else told by the generations' names ({@code PSYoungGen}: Parallel,
 * {@code DefNew}/{@code Tenured}: Serial, {@code ParNew}/{@code CMS}: CMS, {@code GC pause}: G1). Concurrent
 * phases ({@code [CMS-concurrent-mark: ...]}, {@code [GC concurrent-mark-end, ...]}) are not collections and are
 * skipped, as are the details inside a collection and everything else.
 *
 * <p>Times: the uptime ({@code 12.345: }) when the lines have one, else the date ({@code -XX:+PrintGCDateStamps})
 * taken from the first one. Numbers: the {@code #ID} of {@code -XX:+PrintGCID} plus one, else a running count.
 * Bounds as in {@link GcLogParser}: at most its {@code maxCycles} cycles (the latest), a collection's brackets over
 * at most {@value #MAX_RECORD_LINES} lines and {@value #MAX_RECORD_CHARS} characters.
 */
final class LegacyGcLog {

    static final int MAX_RECORD_LINES = 64;
    static final int MAX_RECORD_CHARS = 8192;
    /** Lines after a G1 pause without sizes within which its {@code Heap:} line is looked for. */
    private static final int G1_DETAIL_LINES = 200;

    private static final String NUM = "(\\d{1,15}(?:[.,]\\d{1,6})?)";
    private static final Pattern PREFIX = Pattern.compile(
            "\\s{0,8}(?:(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d[.,]\\d{3}[+-]\\d{4}): ?)?"
                    + "(?:(\\d{1,12}[.,]\\d{1,6}): ?)?(?:#(\\d{1,18}): ?)?");
    private static final Pattern SIZES = Pattern.compile(NUM + "([BKMG])B?->" + NUM + "([BKMG])B?\\(" + NUM + "([BKMG])B?\\)");
    private static final Pattern G1_HEAP = Pattern.compile(
            "Heap: " + NUM + "([BKMG])\\(" + NUM + "([BKMG])\\)->" + NUM + "([BKMG])\\(" + NUM + "([BKMG])\\)");
    private static final Pattern SECS = Pattern.compile(", (\\d{1,15}(?:[.,]\\d{1,9})?) secs");
    /**
     * What follows {@code [} in a collection: {@code GC (cause)}, JDK 7's {@code GC 65536K->...} and {@code GC--},
     * G1's {@code GC pause}, {@code GC remark}, {@code GC cleanup} and {@code GC concurrent-...}, or {@code Full GC};
     * not G1's details ({@code [GC Worker Start (ms): ...}).
     */
    private static final Pattern RECORD = Pattern.compile("\\[(?:GC(?: \\(| pause| remark| cleanup| concurrent-| \\d|--)|Full GC)");
    private static final Pattern MAX_HEAP_FLAG = Pattern.compile("-XX:MaxHeapSize=(\\d{1,19})(?=\\s|$)");
    private static final Map<String, String> COLLECTOR_FLAGS = Map.of("-XX:+UseG1GC", "G1",
            "-XX:+UseConcMarkSweepGC", "CMS", "-XX:+UseParallelGC", "Parallel", "-XX:+UseParallelOldGC", "Parallel",
            "-XX:+UseSerialGC", "Serial");
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ");

    private final int maxCycles;
    private String flagsCollector;
    private String seenCollector;
    private long heapMax = GcCycle.UNKNOWN;
    private final ArrayDeque<GcCycle> done = new ArrayDeque<>();
    private long dropped;
    private long count;
    private boolean uptimeClock;
    private boolean timed;
    private long firstEpoch = -1;
    private boolean sawRecord;
    private String looksLike;

    // the collection being read, while its brackets are open
    private Record pending;
    // a G1 pause read without sizes, waiting for its Heap: line
    private Record awaitingHeap;
    private int awaitedLines;

    LegacyGcLog(int maxCycles) {
        this.maxCycles = maxCycles;
    }

    /** One collection as read. */
    private static final class Record {
        final long uptimeNanos;
        final long epochNanos;
        final long id;
        final StringBuilder top = new StringBuilder();
        final StringBuilder inner = new StringBuilder();
        int depth;
        int lines = 1;
        boolean young;
        boolean old;
        String parallel;       // a generation that names the collector
        long before = GcCycle.UNKNOWN;
        long after = GcCycle.UNKNOWN;
        long committed = GcCycle.UNKNOWN;

        Record(long uptimeNanos, long epochNanos, long id) {
            this.uptimeNanos = uptimeNanos;
            this.epochNanos = epochNanos;
            this.id = id;
        }
    }

    /** Reads one line; says whether it was one of a legacy GC log's. */
    boolean line(String line) {
        if (pending != null) {
            if (startsRecord(line) != null) {
                pending = null;                            // never closed: a new collection starts
            } else {
                feed(pending, line, 0);
                if (pending != null && (++pending.lines > MAX_RECORD_LINES || pending.top.length() > MAX_RECORD_CHARS)) {
                    pending = null;
                }
                return true;
            }
        }
        if (awaitingHeap != null) {
            Matcher m;
            if (line.contains("Heap: ") && (m = G1_HEAP.matcher(line)).find()) {
                Record r = awaitingHeap;
                awaitingHeap = null;
                r.before = GcLogParser.bytes(m.group(1), m.group(2));
                r.after = GcLogParser.bytes(m.group(5), m.group(6));
                r.committed = GcLogParser.bytes(m.group(7), m.group(8));
                add(r);
                return true;
            }
            if (++awaitedLines > G1_DETAIL_LINES || startsRecord(line) != null) {
                Record r = awaitingHeap;
                awaitingHeap = null;
                add(r);                                    // without sizes
            }
        }
        if (line.startsWith("CommandLine flags: ")) {
            flags(line);
            return true;
        }
        Matcher p = startsRecord(line);
        if (p == null) {
            sniff(line);
            return false;
        }
        sawRecord = true;
        long uptime = p.group(2) == null ? -1 : seconds(p.group(2));
        long epoch = p.group(1) == null ? -1 : epoch(p.group(1));
        Record r = new Record(uptime, epoch, p.group(3) == null ? -1 : Long.parseLong(p.group(3)));
        pending = r;
        feed(r, line, p.end());
        return true;
    }

    /** The prefix of a line that starts a collection ({@code [GC} or {@code [Full GC}), or {@code null}. */
    private static Matcher startsRecord(String line) {
        int b = line.indexOf('[');
        if (b < 0 || b > 80 || !(line.startsWith("[GC", b) || line.startsWith("[Full GC", b))
                || !RECORD.matcher(line).region(b, line.length()).lookingAt()) {
            return null;
        }
        Matcher m = PREFIX.matcher(line).region(0, b);
        return m.lookingAt() && m.end() == b ? m : null;
    }

    /** Takes in the text of a collection from {@code from}, keeping what is outside the generations' brackets. */
    private void feed(Record r, String line, int from) {
        for (int i = from; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '[') {
                r.depth++;
                if (r.depth == 2) {
                    r.inner.setLength(0);
                }
            } else if (c == ']') {
                if (r.depth == 2) {
                    generation(r, r.inner.toString());
                }
                if (--r.depth == 0) {
                    pending = null;
                    end(r);
                    return;
                }
            } else if (r.depth == 1) {
                if (r.top.length() < MAX_RECORD_CHARS) {
                    r.top.append(c);
                }
            } else if (r.depth == 2 && r.inner.length() < 24) {
                r.inner.append(c);
            }
        }
        if (r.depth == 1 && r.top.length() < MAX_RECORD_CHARS) {
            r.top.append(' ');                              // a line break inside the brackets
        }
    }

    /** What a bracket inside a collection says: which generations it collected, which collector it is. */
    private static void generation(Record r, String inner) {
        String s = inner.strip();
        if (s.startsWith("PSYoungGen") || s.startsWith("ParNew") || s.startsWith("DefNew") || s.startsWith("ASParNew")) {
            r.young = true;
        } else if (s.startsWith("Tenured") || s.startsWith("ParOldGen") || s.startsWith("PSOldGen")
                || s.startsWith("CMS:") || s.startsWith("CMS (") || s.startsWith("ASCMS")) {
            r.old = true;
        } else {
            return;
        }
        if (r.parallel == null) {
            r.parallel = s.startsWith("PS") || s.startsWith("ParOldGen") ? "Parallel"
                    : s.startsWith("DefNew") || s.startsWith("Tenured") ? "Serial"
                    : "CMS";
        } else if (r.parallel.equals("Serial") && s.startsWith("ParNew")) {
            r.parallel = "CMS";
        }
    }

    /** A collection whose brackets closed. */
    private void end(Record r) {
        String top = r.top.toString().strip();
        if (top.startsWith("GC concurrent-") || top.startsWith("GC ref-proc")) {
            return;                                          // G1's concurrent phases: not a collection
        }
        Matcher m = SIZES.matcher(top);
        while (m.find()) {                                   // the last one: the whole heap's
            r.before = GcLogParser.bytes(m.group(1), m.group(2));
            r.after = GcLogParser.bytes(m.group(3), m.group(4));
            r.committed = GcLogParser.bytes(m.group(5), m.group(6));
        }
        if (r.after == GcCycle.UNKNOWN && top.startsWith("GC pause") || top.startsWith("Full GC") && r.after == GcCycle.UNKNOWN) {
            awaitingHeap = r;                                // G1's details: the sizes come on a Heap: line
            awaitedLines = 0;
            return;
        }
        add(r);
    }

    private void add(Record r) {
        String top = r.top.toString().strip();
        boolean full = top.startsWith("Full GC");
        String rest = full ? top.substring("Full GC".length()) : top.substring("GC".length());
        rest = rest.strip();
        boolean g1 = false;
        String word = null;
        if (rest.startsWith("pause")) {
            g1 = true;
            rest = rest.substring("pause".length()).strip();
        } else if (rest.startsWith("remark") || rest.startsWith("cleanup")) {
            g1 = true;
            word = rest.startsWith("remark") ? "Remark" : "Cleanup";
        }
        List<String> groups = groups(rest);
        String cause = groups.isEmpty() || word != null ? null : groups.get(0);
        GcCycle.Kind kind;
        String name;
        if (word != null) {
            kind = GcCycle.Kind.PHASE_PAUSE;
            name = "Pause " + word;
        } else if ("CMS Initial Mark".equals(cause) || "CMS Final Remark".equals(cause)) {
            kind = GcCycle.Kind.PHASE_PAUSE;
            name = cause.equals("CMS Initial Mark") ? "Pause Initial Mark" : "Pause Remark";
            seen("CMS");
        } else if (full || r.old) {
            kind = GcCycle.Kind.MAJOR;
            name = "Pause Full";
        } else if (g1 && groups.contains("mixed")) {
            kind = GcCycle.Kind.MIXED;
            name = "Pause Mixed";
        } else {
            kind = GcCycle.Kind.MINOR;
            name = "Pause Young";
        }
        if (g1) {
            seen("G1");
        } else if (r.parallel != null) {
            seen(r.parallel);
        }
        String collector = collector();
        long n = r.id >= 0 ? r.id + 1 : ++count;
        Matcher d = SECS.matcher(top);
        long pause = -1;
        while (d.find()) {
            pause = Math.round(Double.parseDouble(d.group(1).replace(',', '.')) * 1e9);
        }
        GcCycle cycle = new GcCycle(n, start(r, pause), collector == null ? name : collector + " " + name,
                cause, top.length() > 200 ? top.substring(0, 197) + "..." : top, kind,
                pause < 0 ? null : Duration.ofNanos(pause), null, r.before, r.after, r.committed, heapMax, List.of());
        if (done.size() == maxCycles) {
            done.removeFirst();
            dropped++;
        }
        done.addLast(cycle);
    }

    /** The parenthesised groups at the start of the text, nested parentheses kept: {@code (System.gc())}. */
    private static List<String> groups(String s) {
        List<String> out = new ArrayList<>(3);
        int i = 0;
        while (i < s.length() && s.charAt(i) == '(' && out.size() < 8) {
            int j = GcEvent.closingParenthesis(s, i);
            if (j < 0) {
                break;
            }
            out.add(s.substring(i + 1, j).strip());
            i = j + 1;
            while (i < s.length() && s.charAt(i) == ' ') {
                i++;
            }
        }
        return out;
    }

    private Duration start(Record r, long pause) {
        if (r.uptimeNanos >= 0 && (uptimeClock || !timed)) {
            uptimeClock = true;
            timed = true;
            return Duration.ofNanos(r.uptimeNanos);
        }
        if (r.epochNanos >= 0 && !uptimeClock) {
            timed = true;
            if (firstEpoch < 0) {
                firstEpoch = r.epochNanos;
            }
            return Duration.ofNanos(Math.max(0, r.epochNanos - firstEpoch));
        }
        return Duration.ZERO;
    }

    private void seen(String collector) {
        if (seenCollector == null || seenCollector.equals("Serial") && collector.equals("CMS")) {
            seenCollector = collector;
        }
    }

    private String collector() {
        return flagsCollector != null ? flagsCollector : seenCollector;
    }

    private void flags(String line) {
        Matcher m = MAX_HEAP_FLAG.matcher(line);
        if (m.find()) {
            try {
                heapMax = Long.parseLong(m.group(1));
            } catch (NumberFormatException e) {
                // not a size: leave it unknown
            }
        }
        for (String token : line.split("\\s+")) {
            String c = COLLECTOR_FLAGS.get(token);
            if (c != null) {
                flagsCollector = c;
            }
        }
    }

    /** Remembers what a line that is no collection looks like, to say which format an unreadable file is in. */
    private void sniff(String line) {
        if (looksLike != null) {
            return;
        }
        String s = line.strip();
        if (s.startsWith("<?xml") || s.startsWith("<verbosegc")) {
            looksLike = "an IBM J9 / OpenJ9 verbose GC log (XML), which is not read";
        } else if (s.startsWith("Full thread dump") || s.startsWith("\"main\" #1")) {
            looksLike = "a thread dump, not a GC log (leakhound threads reads it)";
        } else if (s.contains("[Pause Init Mark") || s.contains("[Concurrent marking") || s.contains("[Pause Final Mark")) {
            looksLike = "Shenandoah's log of JDK 8 (-XX:+PrintGCDetails), which is not read (it gives no heap after "
                    + "each cycle on one line; log with JDK 11+'s -Xlog:gc instead)";
        }
    }

    /** What an input without any collection looks like, or {@code null} when nothing is known. */
    String looksLike() {
        if (looksLike == null && sawRecord) {
            return "a JDK 8 GC log (-verbose:gc / -XX:+PrintGC), but no collection in it gives the heap before and "
                    + "after";
        }
        return looksLike;
    }

    /** The log read, or {@code null} when no collection was. */
    GcLog finish(String origin, long lines) {
        if (pending != null) {
            pending = null;                                 // cut inside the last collection: left out
        }
        if (awaitingHeap != null) {
            add(awaitingHeap);
            awaitingHeap = null;
        }
        if (done.isEmpty()) {
            return null;
        }
        return new GcLog(origin, collector(), heapMax, timed, timed && uptimeClock, List.copyOf(done), dropped, 0,
                lines, 0);
    }

    private static long seconds(String s) {
        return Math.round(Double.parseDouble(s.replace(',', '.')) * 1e9);
    }

    private static long epoch(String s) {
        try {
            var t = OffsetDateTime.parse(s.replace(',', '.'), DATE).toInstant();
            return t.getEpochSecond() * 1_000_000_000L + t.getNano();
        } catch (DateTimeParseException | ArithmeticException e) {
            return -1;
        }
    }
}
