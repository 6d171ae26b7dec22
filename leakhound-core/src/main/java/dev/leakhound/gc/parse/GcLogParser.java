package dev.leakhound.gc.parse;

import dev.leakhound.gc.GcCycle;
import dev.leakhound.gc.GcLog;
import dev.leakhound.io.CountingInputStream;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads a GC log of the JDK's unified logging ({@code -Xlog:gc}, {@code -Xlog:gc*}, any decorations, see
 * {@link LogLine}) into {@link GcCycle}s, one per GC id, for G1, Parallel, Serial, CMS (JDK 9-13), ZGC (generational
 * and not) and Shenandoah (generational and not), of JDK 9 on; and the GC log of JDK 8 and before
 * ({@code -XX:+PrintGCDetails}, {@code -verbose:gc}: G1, Parallel, CMS, Serial), read by {@link LegacyGcLog} from the
 * lines that are not unified logging when none is. Plain or gzip-compressed (told by the magic bytes).
 *
 * <h2>Which lines</h2>
 * Lines with a tag set other than {@code gc}, {@code gc,start} and {@code gc,phases} are skipped (when the
 * lines carry tags), and so is any line that is not one of the following (output of the program mixed into
 * the log, {@code gc+heap}, {@code gc+cpu}, {@code safepoint}, ... lines):
 * <ul>
 *   <li>{@code Using G1} (the collector: G1, Parallel, Serial, ZGC, Shenandoah, Epsilon or CMS, named {@code CMS};
 *       a second one after collections starts a new JVM run);</li>
 *   <li>{@code Heap Max Capacity: 512M} ({@code gc+init}), ZGC's {@code Max Capacity: 512M}, JDK 11-16's
 *       {@code Minimum heap ... Maximum heap 536870912} ({@code gc+heap=debug}), or {@code -Xmx512m}
 *       / {@code -XX:MaxHeapSize=...} in an untagged or {@code arguments} line (e.g. {@code -Xlog:arguments}),
 *       or ZGC's per-collection {@code GC(n) Max Capacity: 128M(100%)} and (JDK 11-14) {@code GC(n) Capacity: 2048M
 *       (100%) ...} ({@code gc+heap}): the heap maximum, the header's first;</li>
 *   <li>Shenandoah's {@code Trigger: ...} and {@code Trigger (Young): ...}: the cause of the next collection;
 *       generational Shenandoah's {@code Trigger (Old): ... live at end of previous OLD marking: 19140K} also gives
 *       the heap-after of the last old cycle (see below);</li>
 *   <li>{@code GC(n) EVENT [SIZES] [DURATION]} (see {@link GcEvent}) where the event is {@code Pause ...}
 *       (G1, Parallel, Serial, Shenandoah), {@code Concurrent Mark Cycle}/{@code Concurrent Undo Cycle} (G1),
 *       {@code Concurrent Cycle} (JDK 9-11), {@code Major Collection}, {@code Minor Collection},
 *       {@code Garbage Collection} (ZGC), ZGC's phase pauses {@code y: Pause Mark Start ...} and the
 *       non-generational ZGC's {@code Concurrent ...} phases ({@code gc,phases}), or, for Shenandoah and CMS,
 *       {@code Concurrent ...} (and Shenandoah's {@code Coalescing and filling}). JDK 9's start and end times
 *       ({@code (0.246s, 1.169s)}) are skipped. Indented {@code GC(n)} lines (G1's phases) are skipped.</li>
 * </ul>
 *
 * <h2>One cycle per GC id</h2>
 * All lines of one id make one {@link GcCycle}: heap before from its first line with sizes, after and
 * committed from its last; pause the sum of its {@code Pause ...} durations (ZGC: of its phase pauses);
 * concurrent its own duration where it logs one (a generational ZGC collection's, a G1 marking cycle's: its
 * wall-clock time, pauses included), else the sum of its concurrent phases (Shenandoah, CMS, the non-generational
 * ZGC); start the earliest of its lines' times less the duration each
 * reports. Kinds: G1 {@code Pause Young (Normal|Concurrent Start|Prepare Mixed)}, Parallel and Serial
 * {@code Pause Young} {@link GcCycle.Kind#MINOR}; G1 {@code Pause Young (Mixed)} {@link GcCycle.Kind#MIXED};
 * {@code Pause Full} {@link GcCycle.Kind#MAJOR}; ZGC collections and Shenandoah cycles
 * {@link GcCycle.Kind#CONCURRENT} (collector {@code ZGC Minor Collection}, {@code Shenandoah Young Cycle}:
 * young only; a young cycle that goes on to mark the old generation, and {@code Coalescing and filling (Old)}, are
 * {@code Shenandoah Old Cycle}: the old generation's live size a later old trigger reports is its heap-after, and
 * without one it has none, for its cleanup's heap-after counts the young generation, which swings);
 * Shenandoah's degenerated cycles {@link GcCycle.Kind#MAJOR} (young only: minor). CMS's background cycle (from
 * {@code Pause Initial Mark} to {@code Concurrent Reset}) is {@code CMS Concurrent Cycle},
 * {@link GcCycle.Kind#PHASE_PAUSE}: its sizes are taken before the sweep; it is told from G1 by its
 * {@code Pause Initial Mark} without a cause and its sweep, also without a {@code Using} line. G1's
 * concurrent marking cycle (Remark, Cleanup) is {@link GcCycle.Kind#PHASE_PAUSE}, as the JVM's own
 * notifications report it: it frees little (the mixed collections after it do), and it starts when the heap
 * reaches a set occupancy, so its heap sizes say nothing of a trend. A GC id of which the log gives neither
 * sizes nor a duration (one still running at the end, an aborted one) is left out.
 *
 * <h2>Limits</h2>
 * Lines longer than {@value #MAX_LINE_CHARS} characters and binary data (control characters other than tab,
 * carriage return, form feed and escape) are refused with a {@link GcLogParseException} naming the line;
 * at most {@value #MAX_CYCLES} cycles are kept, the latest ({@link GcLog#droppedCycles()} counts the others),
 * with causes and texts of at most a few hundred characters (a {@code GC(n)} line longer than
 * {@value #MAX_EVENT_CHARS} characters is not taken for a GC event);
 * a log that holds several JVM runs keeps the last. A log without any cycle is refused, saying what it looks like
 * when that is known (an OpenJ9 verbose GC log, JDK 8's Shenandoah log, a thread dump, unified logging without
 * {@code GC(n)} lines, a JDK 8 log without heap sizes). Memory is bounded by
 * those limits, time is linear in the input.
 *
 * <p>A GC's line seen again right after itself (the same line, decorations included, as the last one of that GC
 * id: a log written twice into one file, or a hostile repetition) is ignored, not added up
 * ({@link GcLog#ignoredLines()} counts them), and so is any event of a GC id past its first
 * {@value #MAX_EVENTS_PER_ID}. The same line elsewhere in a GC is real: a generational ZGC major collection runs
 * the young generation's phases twice, and can log one of them twice within a millisecond. Reading stops with a {@link GcLogParseException} after
 * {@value #MAX_FOREIGN_LINES} lines in a row that are not the JVM's (neither decorated nor {@code GC(n)}: blank
 * lines, the program's output), and when gzip data inflates more than {@value #MAX_INFLATION} times (past the
 * first {@value #INFLATION_CHECKED_FROM} bytes): both are what a compression bomb is made of (10 GB of newlines
 * gzip to 20 MB), and no GC log of a JVM holds them (such logs compress some 10 to 30 times).
 *
 * <h2>Speed</h2>
 * A week of {@code -Xlog:gc*} is gigabytes. The lines are read as bytes ({@link GcLogBytes}); a line of printable
 * ASCII has its decorations read by hand ({@link Decorations}), and when its tags and first words say none of the
 * readings above needs it (most of {@code -Xlog:gc*}: phases, regions, metaspace, CPU times) only its time is taken;
 * {@code GC(n)} event lines are taken apart by hand ({@link GcEvent#parseQuickly}). Any other line (non-ASCII, a
 * decoration of another form, a JDK 8 log) is read as a string with the regular expressions, as all lines were
 * before; {@code GcLogBytesTest} checks that both ways give the same log.
 */
public final class GcLogParser {

    /** Longest line accepted; unified logging's GC lines are well under 1 KiB. */
    public static final int MAX_LINE_CHARS = 64 * 1024;
    /** Most cycles kept: the latest. */
    public static final int MAX_CYCLES = 100_000;
    /** Most GC ids gathered at once (a G1 marking cycle stays open while young collections go on). */
    static final int MAX_OPEN = 1024;
    /** Longest cause kept (Shenandoah's triggers are sentences). */
    private static final int MAX_CAUSE_CHARS = 200;
    /** Longest text after {@code GC(n)} taken for an event; the JDK's are well under 200 characters. */
    private static final int MAX_EVENT_CHARS = 1024;
    /** Most distinct texts shared between cycles (collector, cause, action). */
    private static final int MAX_SHARED_STRINGS = 10_000;
    /** Most events read for one GC id; the JDK writes a few (a Shenandoah cycle some 20). */
    static final int MAX_EVENTS_PER_ID = 256;
    /**
     * Most lines in a row that are not the JVM's. Unified logging writes no blank line; the program's own output
     * mixed into a log ({@code -Xlog:gc} to standard output) comes in far shorter runs between collections.
     */
    static final int MAX_FOREIGN_LINES = 10_000_000;
    /** Most times gzip data may inflate: real GC logs compress 10-30 times, 10 GB of newlines 500 times. */
    static final int MAX_INFLATION = 100;
    /** Inflated bytes read before the inflation is checked: a small log's header may compress better. */
    static final long INFLATION_CHECKED_FROM = 64L << 20;

    private static final Pattern USING = Pattern.compile(
            "Using (G1|Parallel|Serial|The Z Garbage Collector|Shenandoah|Epsilon|Concurrent Mark Sweep)");
    private static final Pattern TRIGGER = Pattern.compile("Trigger(?: \\((\\w+)\\))?: (.+)");
    private static final String SIZE = "(\\d{1,15}(?:[.,]\\d{1,6})?)\\s?([BKMGT])B?";
    private static final Pattern MAX_CAPACITY = Pattern.compile("(?:Heap )?Max Capacity: " + SIZE);
    /** JDK 11-16 {@code gc+heap=debug}: {@code Minimum heap 8388608  Initial heap 268435456  Maximum heap 4294967296}. */
    private static final Pattern MAXIMUM_HEAP = Pattern.compile(".*\\bMaximum heap (\\d{1,19})(?:\\s.*)?");
    private static final Pattern XMX = Pattern.compile(
            "(?:^|\\s)(?:-Xmx|-XX:MaxHeapSize=)(\\d{1,15})([kKmMgGtT]?)(?=\\s|$)");
    /** ZGC's pauses: generational ({@code Y: Pause Mark Start}) and, on JDK 21-23, single-generation ones. */
    private static final Pattern ZGC_PAUSE = Pattern.compile("(?:[YyOo]: )?Pause (?:Mark Start|Mark End|Relocate Start)(?: .*)?");
    private static final Set<String> ZGC_COLLECTIONS = Set.of("Major Collection", "Minor Collection",
            "Garbage Collection");
    /** G1's concurrent marking cycle: {@code Concurrent Cycle} on JDK 9-11, {@code Concurrent Mark Cycle} since 12. */
    private static final Set<String> G1_MARKING = Set.of("Concurrent Mark Cycle", "Concurrent Undo Cycle",
            "Concurrent Cycle");
    /** Phases only CMS has (G1 has a {@code Concurrent Preclean} too, but not these). */
    private static final Set<String> CMS_PHASES = Set.of("Concurrent Sweep", "Concurrent Reset",
            "Concurrent Abortable Preclean");
    /** ZGC's heap table row {@code Capacity: 194560M (100%) ...} (JDK 11-14): at 100% it is the maximum. */
    private static final Pattern ZGC_CAPACITY_ROW = Pattern.compile("Capacity:\\s+" + SIZE + " \\(100%\\).*");
    /** ZGC's per-collection {@code Max Capacity: 128M(100%)} ({@code gc+heap}, JDK 15+). */
    private static final Pattern ZGC_MAX_CAPACITY = Pattern.compile("Max Capacity: " + SIZE + "\\(\\d{1,3}%\\)");
    private static final Set<String> G1_YOUNG_TYPES = Set.of("Normal", "Concurrent Start", "Prepare Mixed", "Mixed");
    private static final Set<String> GENERATIONS = Set.of("Young", "Old", "Global");
    private static final Pattern OLD_LIVE = Pattern.compile("live at end of previous OLD marking: " + SIZE);
    private static final long RUN_RESTART_NANOS = 1_000_000_000L;

    private final String origin;
    private String collector;
    private String inferredCollector;
    private long heapMaxHeader = GcCycle.UNKNOWN;
    private long heapMaxArguments = GcCycle.UNKNOWN;
    private final Map<Long, Open> open = new LinkedHashMap<>();
    private final Map<String, String> shared = new java.util.HashMap<>();
    private final Ring done;
    private long dropped;
    private long ignored;
    private long maxClosedId = -1;
    private int earlierRuns;
    private String pendingTrigger;
    /** The last GC id that marked the old generation (generational Shenandoah), until a trigger says what it found. */
    private Open lastOldMarking;
    private Boolean uptimeClock;                 // null until the first timed line
    private long firstEpoch = -1;
    private long lastTime = -1;
    private long lastUptime = -1;

    /** The lines that are not unified logging, read as a JDK 8 log. */
    private final LegacyGcLog legacy;
    private boolean unifiedLines;

    private GcLogParser(String origin, int maxCycles) {
        this.origin = origin;
        this.done = new Ring(maxCycles);
        this.legacy = new LegacyGcLog(maxCycles);
    }

    /**
     * Reads a GC log file.
     *
     * @throws GcLogParseException if the file is missing, a directory, binary, has a line that is too long,
     *                             broken compression, or no GC cycle
     * @throws IOException         if reading fails otherwise
     */
    public static GcLog parse(Path file) throws IOException {
        String origin = file.toString();
        if (Files.isDirectory(file)) {
            throw new GcLogParseException(origin, 0, "is a directory, not a GC log", null);
        }
        InputStream raw;
        try {
            raw = Files.newInputStream(file);
        } catch (NoSuchFileException e) {
            throw new GcLogParseException(origin, 0, "no such file", e);
        } catch (AccessDeniedException e) {
            throw new GcLogParseException(origin, 0, "cannot read the file: permission denied", e);
        }
        try (InputStream in = raw) {
            return parse(in, origin);
        }
    }

    /**
     * Reads a GC log from a stream, e.g. standard input; the stream is read to its end (or the error) and not
     * closed.
     *
     * @param origin names the source in errors and in {@link GcLog#origin()}
     */
    public static GcLog parse(InputStream in, String origin) throws IOException {
        return parse(in, origin, MAX_CYCLES);
    }

    /** As {@link #parse(InputStream, String)}, keeping at most {@code maxCycles} cycles (tests). */
    static GcLog parse(InputStream in, String origin, int maxCycles) throws IOException {
        return parse(in, origin, maxCycles, MAX_FOREIGN_LINES, INFLATION_CHECKED_FROM);
    }

    /** With the bounds given (tests). */
    static GcLog parse(InputStream in, String origin, int maxCycles, int maxForeignLines, long inflationCheckedFrom)
            throws IOException {
        return parse(in, origin, maxCycles, maxForeignLines, inflationCheckedFrom, true);
    }

    /**
     * As before the byte reader: every line decoded into a {@code String} and taken apart by {@link LogLine} and
     * regular expressions. The tests check that {@link #parse(InputStream, String)} gives the same on real logs.
     */
    static GcLog parseByStrings(InputStream in, String origin) throws IOException {
        return parse(in, origin, MAX_CYCLES, MAX_FOREIGN_LINES, INFLATION_CHECKED_FROM, false);
    }

    private static GcLog parse(InputStream in, String origin, int maxCycles, int maxForeignLines,
                               long inflationCheckedFrom, boolean bytes) throws IOException {
        CountingInputStream compressed = new CountingInputStream(in);
        BufferedInputStream buffered = new BufferedInputStream(compressed, 1 << 16);
        buffered.mark(2);
        int b0 = buffered.read();
        int b1 = b0 < 0 ? -1 : buffered.read();
        buffered.reset();
        boolean gzip = b0 == 0x1f && b1 == 0x8b;
        GcLogParser parser = new GcLogParser(origin, maxCycles);
        LongSupplier lineNumber = () -> 0;
        try {
            InputStream text = gzip
                    ? new InflationBound(new GZIPInputStream(buffered, 1 << 16), compressed, inflationCheckedFrom)
                    : buffered;
            long foreign = 0;
            if (bytes) {
                GcLogBytes lines = new GcLogBytes(text, origin);
                lineNumber = lines::lineNumber;
                while (lines.next()) {
                    if (parser.quickly(lines) || parser.line(lines.string())) {
                        foreign = 0;
                    } else if (++foreign > maxForeignLines) {
                        throw foreign(origin, lines.lineNumber(), foreign);
                    }
                }
            } else {
                GcLogLines lines = new GcLogLines(text, origin);
                lineNumber = lines::lineNumber;
                for (String line; (line = lines.next()) != null; ) {
                    if (parser.line(line)) {
                        foreign = 0;
                    } else if (++foreign > maxForeignLines) {
                        throw foreign(origin, lines.lineNumber(), foreign);
                    }
                }
            }
        } catch (Inflated e) {
            throw new GcLogParseException(origin, lineNumber.getAsLong() + 1, e.getMessage()
                    + ": a compression bomb, or not a GC log (decompress it first to read it anyway)", null);
        } catch (ZipException | EOFException e) {
            if (!gzip) {
                throw e;
            }
            throw new GcLogParseException(origin, lineNumber.getAsLong() + 1, (e instanceof EOFException ? "truncated"
                    : "corrupt") + " gzip data (" + e.getMessage() + ")", null);
        }
        return parser.finish(lineNumber.getAsLong());
    }

    private static GcLogParseException foreign(String origin, long line, long foreign) {
        return new GcLogParseException(origin, line, foreign + " lines in a row (from line " + (line - foreign + 1)
                + ") that are not the JVM's log lines (blank, or without [decorations] or GC(n)): not a GC log, or"
                + " corrupt", null);
    }

    /** Inflated data that stops when it grows more than {@link #MAX_INFLATION} times the compressed bytes read. */
    private static final class InflationBound extends FilterInputStream {
        private final CountingInputStream compressed;
        private final long checkedFrom;
        private long inflated;

        InflationBound(InputStream inflating, CountingInputStream compressed, long checkedFrom) {
            super(inflating);
            this.compressed = compressed;
            this.checkedFrom = checkedFrom;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(int n) throws Inflated {
            inflated += n;
            if (inflated > checkedFrom && inflated / MAX_INFLATION > compressed.count()) {
                throw new Inflated("gzip data inflates more than " + MAX_INFLATION + " times (" + inflated
                        + " bytes from " + compressed.count() + ")");
            }
        }
    }

    /** Thrown by {@link InflationBound}, to be told with the line it stopped at. */
    private static final class Inflated extends IOException {
        private static final long serialVersionUID = 1L;

        Inflated(String message) {
            super(message);
        }
    }

    // ---------------------------------------------------------------- lines

    // ---------------------------------------------------------------- lines, quickly

    private static final byte[] GC_ID_PREFIX = ascii("GC(");
    private static final byte[] USING_PREFIX = ascii("Using ");
    private static final byte[] TRIGGER_PREFIX = ascii("Trigger");
    private static final byte[] HEAP_MAX_PREFIX = ascii("Heap Max");
    private static final byte[] MAX_CAP_PREFIX = ascii("Max Cap");
    private static final byte[] MINIMUM_HEAP_PREFIX = ascii("Minimum heap ");
    private static final byte[] MAX_CAPACITY_PREFIX = ascii("Max Capacity: ");
    private static final byte[] CAPACITY_PREFIX = ascii("Capacity:");
    private static final byte[] XMX_BYTES = ascii("-Xmx");
    private static final byte[] MAX_HEAP_SIZE = ascii("MaxHeapSize=");

    /**
     * A 64-bit hash of the line, decorations included, to tell the same line again ({@link Open#firstTime}): of a line
     * of printable ASCII eight characters at a time, as {@link #lineHash(byte[], int, int)} of its bytes; of another
     * (which is never equal to one of those) one at a time.
     */
    static long lineHash(String line) {
        if (GcEvent.plain(line)) {
            long h = HASH_SEED;
            int i = 0;
            int n = line.length();
            for (; i + 8 <= n; i += 8) {
                long w = 0;
                for (int k = 7; k >= 0; k--) {
                    w = w << 8 | line.charAt(i + k);
                }
                h = mix(h, w);
            }
            for (; i < n; i++) {
                h = mix(h, line.charAt(i));
            }
            return h ^ n;
        }
        long h = 1125899906842597L;
        for (int i = 0; i < line.length(); i++) {
            h = 31 * h + line.charAt(i);
        }
        return h;
    }

    /** {@link #lineHash(String)} of a line of printable ASCII, from its bytes. */
    static long lineHash(byte[] b, int from, int to) {
        long h = HASH_SEED;
        int i = from;
        for (; i + 8 <= to; i += 8) {
            h = mix(h, (long) LONGS.get(b, i));
        }
        for (; i < to; i++) {
            h = mix(h, b[i]);
        }
        return h ^ (to - from);
    }

    private static final long HASH_SEED = 0x6a09e667f3bcc908L;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private static long mix(long h, long w) {
        return Long.rotateLeft((h ^ w) * 0x9e3779b97f4a7c15L, 31);
    }

    /** The tag sets that matter, by their place in {@link #line(String, LogLine)}. */
    private enum Tags {
        NONE(null), GC("gc"), GC_START("gc,start"), GC_PHASES("gc,phases"), GC_HEAP("gc,heap"), GC_INIT("gc,init"),
        ARGUMENTS("arguments"), OTHER(null);

        /** Those with a text, as bytes, in the order {@link #tags(byte[], int, int)} tries them. */
        static final Tags[] NAMED = java.util.Arrays.stream(values()).filter(t -> t.text != null).toArray(Tags[]::new);

        final String text;
        final byte[] bytes;

        Tags(String text) {
            this.text = text;
            this.bytes = text == null ? null : ascii(text);
        }
    }

    private final Decorations decorations = new Decorations();
    /** The events' names and qualifiers by their text without sizes and duration (see {@link GcEvent#parseQuickly}). */
    private final Map<String, GcEvent> shapes = new java.util.HashMap<>();

    /**
     * Takes a decorated line of printable ASCII without a {@code String} when its decorations are of the JDK's forms
     * (see {@link Decorations}): a line whose tags and first words say it matters to none of the checks of
     * {@link #line(String, LogLine)} (most lines of {@code -Xlog:gc*}: phases, regions, metaspace, CPU times...)
     * only moves the clock; another is taken by {@link #line(String, LogLine)} with its decorations as read here.
     * The result is that of {@link #line(String)} on the same line. False: not taken, read it as a string.
     */
    private boolean quickly(GcLogBytes l) {
        byte[] b = l.buf();
        int from = l.start();
        int to = l.end();
        Decorations d = decorations;
        if (!l.plain() || to == from || b[from] != '[' || !d.parse(b, from, to) || d.message == from) {
            return false;
        }
        Tags tags;
        if (d.knownTags != null) {
            tags = (Tags) d.knownTags;
        } else {
            tags = tags(b, d.tagsFrom, d.tagsTo);
            d.tagsRead(tags);
        }
        int text = matters(b, d.message, to, tags);
        if (text == SKIP) {
            unifiedLines |= d.uptimeNanos >= 0 || d.epochNanos >= 0 || d.tagsFrom >= 0;
            time(d.uptimeNanos, d.epochNanos);
            return true;                                                  // decorated: one of the JVM's
        }
        if (text == SLOW) {
            String raw = l.string();
            return line(raw, new LogLine(d.uptimeNanos, d.epochNanos, tags.text, raw.substring(d.message - from)));
        }
        // a GC(n) line that may be an event or ZGC's capacity: line(String, LogLine)'s GC(n) branch, on bytes
        boolean timed = d.uptimeNanos >= 0 || d.epochNanos >= 0;
        unifiedLines |= timed || d.tagsFrom >= 0;
        long t = time(d.uptimeNanos, d.epochNanos);
        if (t < 0 && timed) {
            return true;
        }
        long id = 0;
        for (int i = d.message + 3; i < text - 2; i++) {
            id = id * 10 + (b[i] - '0');
        }
        String event = new String(b, text, to - text, StandardCharsets.ISO_8859_1);
        if (tags == Tags.NONE || tags == Tags.GC || tags == Tags.GC_START || tags == Tags.GC_PHASES) {
            event(id, event, tags.text, t, lineHash(b, from, to), true);
        }
        if (tags == Tags.NONE || tags == Tags.GC_HEAP) {
            zgcCapacity(event.strip());
        }
        return true;
    }

    /** {@link #matters}: the line needs nothing but its clock. */
    private static final int SKIP = -1;
    /** {@link #matters}: the line is to be read as a string. */
    private static final int SLOW = -2;

    private static Tags tags(byte[] b, int from, int to) {
        if (from < 0) {
            return Tags.NONE;
        }
        int n = to - from;
        if (n < 2 || b[from] != 'g' && b[from] != 'a') {
            return Tags.OTHER;
        }
        for (Tags t : Tags.NAMED) {
            if (is(t.bytes, b, from, n)) {
                return t;
            }
        }
        return Tags.OTHER;
    }

    /**
     * Whether a check of {@link #line(String, LogLine)} past the clock could take the message {@code b[m, to)}:
     * {@link #SKIP} when none can, the start of the text after {@code GC(n) } when one of that branch can, else
     * {@link #SLOW}.
     */
    private static int matters(byte[] b, int m, int to, Tags tags) {
        if (tags == Tags.OTHER) {
            return SKIP;
        }
        if (tags == Tags.ARGUMENTS) {
            return SLOW;
        }
        if (startsWith(GC_ID_PREFIX, b, m, to)) {
            int i = m + 3;
            while (i < to && i < m + 21 && b[i] >= '0' && b[i] <= '9') {
                i++;
            }
            if (i == m + 3 || i + 1 >= to || b[i] != ')' || b[i + 1] != ' ') {
                return SLOW;                                              // not GC(n): let the slow way judge
            }
            int text = i + 2;
            boolean event = tags == Tags.NONE || tags == Tags.GC || tags == Tags.GC_START || tags == Tags.GC_PHASES;
            if (event && text < to && to - text <= MAX_EVENT_CHARS && b[text] != ' ') {
                byte first = b[text];
                if (first == 'P' || first == 'C' || first == 'M' || first == 'G' || to - text >= 3 && b[text + 1] == ':') {
                    return text;                                          // may be an event of a collection
                }
            }
            if (tags == Tags.NONE || tags == Tags.GC_HEAP) {
                int j = text;
                while (j < to && b[j] == ' ') {
                    j++;
                }
                if (startsWith(MAX_CAPACITY_PREFIX, b, j, to) || startsWith(CAPACITY_PREFIX, b, j, to)) {
                    return text;
                }
            }
            return SKIP;
        }
        boolean none = tags == Tags.NONE;
        return (none || tags == Tags.GC) && (startsWith(USING_PREFIX, b, m, to) || startsWith(TRIGGER_PREFIX, b, m, to))
                || (none || tags == Tags.GC_INIT)
                        && (startsWith(HEAP_MAX_PREFIX, b, m, to) || startsWith(MAX_CAP_PREFIX, b, m, to))
                || (none || tags == Tags.GC_HEAP) && startsWith(MINIMUM_HEAP_PREFIX, b, m, to)
                || none && (contains(XMX_BYTES, b, m, to) || contains(MAX_HEAP_SIZE, b, m, to)) ? SLOW : SKIP;
    }

    private static boolean is(byte[] w, byte[] b, int from, int n) {
        return w.length == n && startsWith(w, b, from, from + n);
    }

    private static boolean startsWith(byte[] w, byte[] b, int from, int to) {
        return to - from >= w.length && Decorations.equal(w, b, from);
    }

    private static boolean contains(byte[] w, byte[] b, int from, int to) {
        for (int i = from; i <= to - w.length; i++) {
            if (b[i] == w[0] && startsWith(w, b, i, to)) {
                return true;
            }
        }
        return false;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Reads one line; says whether it is one of the JVM's (decorated, or a {@code GC(n)} line); else gives it to
     * the JDK 8 reader, and says whether that took it.
     */
    private boolean line(String raw) {
        return line(raw, LogLine.parse(raw)) || legacy.line(raw);
    }

    /** Reads one line split into decorations and message; says whether it is one of the JVM's. */
    private boolean line(String raw, LogLine l) {
        String msg = l.message();
        boolean jvm = msg.length() < raw.length() || msg.startsWith("GC(");
        if (!jvm && raw.isEmpty()) {
            return false;
        }
        unifiedLines |= l.timed() || l.tags() != null;
        long t = time(l.uptimeNanos(), l.epochNanos());
        if (t < 0 && l.timed()) {
            return jvm;                               // a wall-clock time before the first one: not ours
        }
        String tags = l.tags();
        Matcher m;
        int text = gcIdText(msg);
        if (text > 0) {
            String event = msg.substring(text);
            if (tags == null || tags.equals("gc") || tags.equals("gc,start") || tags.equals("gc,phases")) {
                event(Long.parseLong(msg, 3, text - 2, 10), event, tags, t, lineHash(raw), false);
            }
            if (tags == null || tags.equals("gc,heap")) {
                zgcCapacity(event.strip());
            }
            return jvm;
        }
        if (tags == null || tags.equals("gc")) {
            if (msg.startsWith("Using ") && (m = USING.matcher(msg)).matches()) {
                if (!open.isEmpty() || !done.isEmpty()) {
                    newRun(false);
                }
                collector = collectorName(m.group(1).strip());
                return jvm;
            }
            if (msg.startsWith("Trigger") && (m = TRIGGER.matcher(msg)).matches()) {
                pendingTrigger = bounded(m.group(2).strip());
                oldLive(m.group(1), m.group(2));
                return jvm;
            }
        }
        if ((tags == null || tags.equals("gc,init")) && (msg.startsWith("Heap Max") || msg.startsWith("Max Cap"))
                && (m = MAX_CAPACITY.matcher(msg)).matches()) {
            heapMaxHeader = bytes(m.group(1), m.group(2));
            return jvm;
        }
        if ((tags == null || tags.equals("gc,heap")) && msg.startsWith("Minimum heap ")
                && (m = MAXIMUM_HEAP.matcher(msg)).matches()) {
            heapMaxHeader = bytes(m.group(1), "B");
            return jvm;
        }
        if ((tags == null || tags.equals("arguments")) && (msg.contains("-Xmx") || msg.contains("MaxHeapSize="))) {
            m = XMX.matcher(msg);
            while (m.find()) {
                heapMaxArguments = bytes(m.group(1), m.group(2).isEmpty() ? "B" : m.group(2));
            }
        }
        return jvm;
    }

    /**
     * Generational Shenandoah's {@code Trigger (Old): Old has overgrown, live at end of previous OLD marking: 19140K,
     * ...}: the old generation's live size that the last old marking found, which the heap-after of that old cycle
     * stands for.
     */
    private void oldLive(String generation, String trigger) {
        Matcher m;
        if ("Old".equals(generation) && lastOldMarking != null && (m = OLD_LIVE.matcher(trigger)).find()) {
            if (open.get(lastOldMarking.id) == lastOldMarking) {
                lastOldMarking.oldLive = bytes(m.group(1), m.group(2));
            }
            lastOldMarking = null;
        }
    }

    /** ZGC's heap maximum as each collection reports it (when the log has no {@code gc+init} header). */
    private void zgcCapacity(String text) {
        Matcher m;
        if (text.startsWith("Max Capacity: ") && (m = ZGC_MAX_CAPACITY.matcher(text)).matches()
                || text.startsWith("Capacity:") && (m = ZGC_CAPACITY_ROW.matcher(text)).matches()) {
            heapMaxHeader = bytes(m.group(1), m.group(2));
        }
    }

    /**
     * {@code GC\\((\\d{1,18})\\) (.*)}: where the text after {@code GC(n) } starts, or -1 when the message is not
     * of that form ({@code .} takes no line terminator).
     */
    static int gcIdText(String msg) {
        if (!msg.startsWith("GC(")) {
            return -1;
        }
        int i = 3;
        while (i < msg.length() && i < 21 && msg.charAt(i) >= '0' && msg.charAt(i) <= '9') {
            i++;
        }
        if (i == 3 || i + 1 >= msg.length() || msg.charAt(i) != ')' || msg.charAt(i + 1) != ' ') {
            return -1;
        }
        for (int j = i + 2; j < msg.length(); j++) {
            char c = msg.charAt(j);
            if (c == '\n' || c == '\r' || c == '\u0085' || c == '\u2028' || c == '\u2029') {
                return -1;
            }
        }
        return i + 2;
    }

    /** The line's time in nanoseconds on the log's clock, or -1 when the log has none yet. */
    private long time(long uptimeNanos, long epochNanos) {
        if (uptimeClock == null && (uptimeNanos >= 0 || epochNanos >= 0)) {
            uptimeClock = uptimeNanos >= 0;
        }
        if (uptimeClock == null) {
            return -1;
        }
        if (uptimeClock && uptimeNanos >= 0) {
            if (lastUptime >= 0 && uptimeNanos < lastUptime - RUN_RESTART_NANOS) {
                newRun(true);
            }
            lastUptime = uptimeNanos;
            lastTime = uptimeNanos;
        } else if (!uptimeClock && epochNanos >= 0) {
            if (firstEpoch < 0) {
                firstEpoch = epochNanos;
            }
            if (epochNanos < firstEpoch) {
                return -1;
            }
            lastTime = epochNanos - firstEpoch;
        }
        return lastTime;
    }

    /** A second JVM run in the same log: only the last one is kept. */
    private void newRun(boolean resetHeader) {
        earlierRuns++;
        open.clear();
        done.clear();
        dropped = 0;
        ignored = 0;
        maxClosedId = -1;
        pendingTrigger = null;
        collector = null;
        inferredCollector = null;
        if (resetHeader) {
            heapMaxHeader = GcCycle.UNKNOWN;
            heapMaxArguments = GcCycle.UNKNOWN;
        }
    }

    private enum Family { PAUSE, ZGC_PAUSE, ZGC_COLLECTION, G1_MARKING, CONCURRENT }

    private void event(long id, String text, String tags, long t, long lineHash, boolean plain) {
        if (text.isEmpty() || Character.isWhitespace(text.charAt(0)) || text.length() > MAX_EVENT_CHARS) {
            return;                                                  // G1's phases, indented; not a GC line
        }
        char first = text.charAt(0);
        if (first != 'P' && first != 'C' && first != 'M' && first != 'G' && (text.length() < 3 || text.charAt(1) != ':')) {
            return;                                                  // no event of a collection (quick test)
        }
        GcEvent e = plain ? GcEvent.parseQuickly(text, shapes) : GcEvent.parse(text);
        if (e == null) {
            return;
        }
        Family family = family(e.name());
        Open c = open.get(id);
        if (family == null || tags != null && tags.equals("gc,phases") && family != Family.ZGC_PAUSE
                && !(family == Family.CONCURRENT && (c != null && c.primaryFamily == Family.ZGC_COLLECTION
                || "ZGC".equals(collector)))) {
            return;                              // gc+phases: ZGC's pauses, and its concurrent phases (JDK 11-23)
        }
        if (tags != null && !tags.equals("gc,phases") && family == Family.ZGC_PAUSE) {
            return;
        }
        if (family == Family.CONCURRENT && !CMS_PHASES.contains(e.name()) && !"CMS".equals(collector)
                && ("G1".equals(collector) || c != null && c.g1Marking && !c.cms)) {
            return;                                                  // G1's marking phases, untagged
        }
        if (c == null) {
            if (id <= maxClosedId) {
                return;
            }
            c = new Open(id, pendingTrigger, "CMS".equals(collector));
            pendingTrigger = null;
            open.put(id, c);
            if (open.size() > MAX_OPEN) {
                Iterator<Open> eldest = open.values().iterator();
                close(eldest.next());
                eldest.remove();
            }
        }
        if (!c.firstTime(lineHash)) {
            ignored++;                                               // the same line again: not a second pause
            return;
        }
        c.add(e, family, t);
        if (c.oldMarking) {
            lastOldMarking = c;
        }
    }

    private static Family family(String name) {
        if (ZGC_COLLECTIONS.contains(name)) {
            return Family.ZGC_COLLECTION;
        }
        if (G1_MARKING.contains(name)) {
            return Family.G1_MARKING;
        }
        if (GcEvent.plain(name) ? zgcPause(name) : ZGC_PAUSE.matcher(name).matches()) {
            return Family.ZGC_PAUSE;                                  // before "Pause ": ZGC's are phases
        }
        if (name.startsWith("Pause ")) {
            return Family.PAUSE;
        }
        if (name.startsWith("Concurrent ") || name.startsWith("Coalescing and filling")) {
            return Family.CONCURRENT;                 // generational Shenandoah ends an old cycle coalescing
        }
        return null;
    }

    /** {@link #ZGC_PAUSE} by hand, for a name of printable ASCII. */
    static boolean zgcPause(String name) {
        int i = name.length() > 3 && name.charAt(1) == ':' && name.charAt(2) == ' '
                && "YyOo".indexOf(name.charAt(0)) >= 0 ? 3 : 0;
        if (!name.startsWith("Pause ", i)) {
            return false;
        }
        i += 6;
        for (String phase : new String[] {"Mark Start", "Mark End", "Relocate Start"}) {
            if (name.startsWith(phase, i)) {
                int end = i + phase.length();
                return end == name.length() || name.charAt(end) == ' ';
            }
        }
        return false;
    }

    /** {@code a + b}, at most {@link Long#MAX_VALUE} (a hostile log's durations must not wrap around). */
    static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    /** The events of one GC id so far. */
    private static final class Open {
        final long id;
        final String trigger;
        long start = Long.MAX_VALUE;
        boolean timed;
        GcEvent primary;
        Family primaryFamily;
        GcEvent full;
        GcEvent degenerated;
        String generation;
        boolean g1Marking;
        /** A CMS background cycle (Initial Mark, concurrent phases, Remark, Sweep, Reset), or a CMS log. */
        boolean cms;
        /** Generational Shenandoah marked the old generation in it; the live size found, once a trigger says. */
        boolean oldMarking;
        long oldLive = GcCycle.UNKNOWN;
        boolean concurrentPhases;
        long before = GcCycle.UNKNOWN;
        long after = GcCycle.UNKNOWN;
        long committed = GcCycle.UNKNOWN;
        long pause = -1;
        /** The durations of the collection's own lines (a ZGC collection, a G1 marking cycle). */
        long concurrent = -1;
        /** The durations of its concurrent phases (Shenandoah, CMS, ZGC's phases): when it gives none of its own. */
        long phases = -1;
        /** A 64-bit hash of the last event line of this id, decorations included, to tell the same line again. */
        private long lastLine;
        private int events;

        Open(long id, String trigger, boolean cms) {
            this.id = id;
            this.trigger = trigger;
            this.cms = cms;
        }

        /**
         * Whether this event line is not the one just before for this id, and there is room for it; remembers it.
         * Only the line just before: the same line at another place is real (a generational ZGC major collection
         * marks the young generation twice, and may log {@code Y: Pause Relocate Start 0.002ms} twice within one
         * millisecond), and the bound on events per id limits what a hostile log can add up that way.
         */
        boolean firstTime(long h) {
            if (events > 0 && h == lastLine || events == MAX_EVENTS_PER_ID) {
                return false;
            }
            lastLine = h;
            events++;
            return true;
        }

        void add(GcEvent e, Family family, long t) {
            long d = e.durationNanos();
            if (t >= 0) {
                timed = true;
                start = Math.min(start, Math.max(0, t - Math.max(0, d)));
            }
            boolean phase = family == Family.ZGC_PAUSE || family == Family.CONCURRENT;
            if (primary == null || !phase && (primaryFamily == Family.ZGC_PAUSE || primaryFamily == Family.CONCURRENT)) {
                primary = e;                         // the first event that is not a phase
                primaryFamily = family;
            }
            if (e.hasSizes()) {
                if (before == GcCycle.UNKNOWN) {
                    before = e.before();
                }
                after = e.after();
                committed = e.committed();
            }
            String name = e.name();
            cms |= name.equals("Pause Initial Mark") && e.qualifiers().isEmpty() || CMS_PHASES.contains(name);
            oldMarking |= name.equals("Concurrent marking") && e.qualifiers().contains("Old");
            if (d >= 0) {
                if (family == Family.PAUSE || family == Family.ZGC_PAUSE) {
                    pause = saturatedAdd(Math.max(0, pause), d);
                } else if (family == Family.CONCURRENT) {
                    phases = saturatedAdd(Math.max(0, phases), d);
                } else {
                    concurrent = saturatedAdd(Math.max(0, concurrent), d);
                }
            }
            if (name.equals("Pause Full")) {
                full = e;
            } else if (name.startsWith("Pause Degenerated")) {
                degenerated = e;
            }
            g1Marking |= family == Family.G1_MARKING
                    || !cms && (name.equals("Pause Remark") || name.equals("Pause Cleanup"));
            concurrentPhases |= family == Family.CONCURRENT;
            if (family != Family.ZGC_COLLECTION && family != Family.ZGC_PAUSE) {
                for (String q : e.qualifiers()) {
                    if (GENERATIONS.contains(q) && rank(q) > rank(generation)) {
                        generation = q;       // a young cycle that goes on to mark the old generation is old
                    }
                }
            }
        }

        /** Young below Old below Global: the most a GC id collected names it. */
        private static int rank(String generation) {
            return generation == null ? 0 : switch (generation) {
                case "Young" -> 1;
                case "Old" -> 2;
                default -> 3;
            };
        }

        boolean saysAnything() {
            return after != GcCycle.UNKNOWN || pause >= 0 || concurrent >= 0 || phases >= 0;
        }

        /** The time it ran alongside the program: its own duration, else the sum of its phases; -1 if neither. */
        long concurrentTime() {
            return concurrent >= 0 ? concurrent : phases;
        }
    }

    private void close(Open c) {
        maxClosedId = Math.max(maxClosedId, c.id);
        if (!c.saysAnything()) {
            return;
        }
        GcEvent p = c.primary;
        long after = c.after;
        String gc;
        String name;
        GcCycle.Kind kind;
        String cause;
        String action = p.text();
        boolean shenandoah = "Shenandoah".equals(collector) || c.degenerated != null
                || collector == null && c.concurrentPhases && !c.cms;
        if (c.primaryFamily == Family.ZGC_COLLECTION) {
            gc = "ZGC";
            name = p.name();
            kind = GcCycle.Kind.CONCURRENT;
            cause = p.qualifier();
        } else if (c.full != null) {
            gc = collector != null ? collector : shenandoah ? "Shenandoah" : c.g1Marking ? "G1" : c.cms ? "CMS" : null;
            name = "Pause Full";
            kind = GcCycle.Kind.MAJOR;
            cause = c.full.qualifiers().isEmpty() ? c.trigger : String.join(", ", c.full.qualifiers());
            action = c.full.text();
        } else if (c.degenerated != null) {
            gc = "Shenandoah";
            name = c.generation == null ? "Degenerated GC" : c.generation + " Degenerated GC";
            kind = "Young".equals(c.generation) ? GcCycle.Kind.MINOR : GcCycle.Kind.MAJOR;
            cause = c.trigger;
            action = c.degenerated.text();
        } else if (shenandoah && !c.g1Marking) {
            gc = "Shenandoah";
            name = c.generation == null ? "Cycle" : c.generation + " Cycle";
            kind = GcCycle.Kind.CONCURRENT;
            cause = c.trigger;
            action = "concurrent cycle";
            if ("Old".equals(c.generation)) {
                // its cleanup's heap-after counts the young generation, which swings: the old generation's live
                // size, as the next old trigger reports it, is what it measured
                after = c.oldLive;
            }
        } else if (c.cms && (c.concurrentPhases || p.name().equals("Pause Initial Mark")
                || p.name().equals("Pause Remark"))) {
            gc = "CMS";
            name = "Concurrent Cycle";
            kind = GcCycle.Kind.PHASE_PAUSE;                         // heap sizes before the sweep: no trend
            cause = null;
            action = "concurrent cycle";
        } else if (c.g1Marking) {
            gc = "G1";
            name = p.name().equals("Concurrent Undo Cycle") ? p.name() : "Concurrent Mark Cycle";
            kind = GcCycle.Kind.PHASE_PAUSE;
            cause = null;
        } else {
            List<String> q = p.qualifiers();
            String type = q.isEmpty() || !p.name().equals("Pause Young") || !G1_YOUNG_TYPES.contains(q.get(0))
                    ? null : q.get(0);
            gc = collector != null ? collector : type != null || q.stream().anyMatch(s -> s.startsWith("G1 "))
                    ? "G1" : null;
            name = type == null ? p.name() : p.name() + " (" + type + ")";
            List<String> causes = type == null ? q : q.subList(1, q.size());
            cause = causes.isEmpty() ? null : String.join(", ", causes);
            kind = switch (p.name()) {
                case "Pause Young" -> "Mixed".equals(type) ? GcCycle.Kind.MIXED : GcCycle.Kind.MINOR;
                case "Pause Mixed" -> GcCycle.Kind.MIXED;
                case "Pause Initial Mark" -> GcCycle.Kind.MINOR;
                default -> GcCycle.Kind.OTHER;
            };
        }
        if (collector == null && gc != null) {
            inferredCollector = gc;
        }
        String fullName = gc == null ? name : gc + " " + name;
        if (done.add(c.id + 1, c.timed ? c.start : 0, share(fullName), share(bounded(cause)), share(bounded(action)),
                kind, c.pause, c.concurrentTime(), c.before, after, c.committed, heapMax())) {
            dropped++;
        }
    }

    /**
     * The cycles kept, the latest {@code max}, as columns of numbers (and the shared texts) rather than objects: a
     * long log passes millions of cycles through it, and a ring of objects that each outlive many young
     * collections fills the old generation with garbage. The {@link GcCycle}s are made once, at the end.
     */
    private static final class Ring {
        private final int max;
        private int head;
        private int size;
        private long[] numbers = new long[0];
        private String[] texts = new String[0];
        private GcCycle.Kind[] kinds = new GcCycle.Kind[0];       // its length is the room
        /** Per cycle: number, start, pause, concurrent (-1: none), before, after, committed, heap max. */
        private static final int LONGS = 8;
        private static final int TEXTS = 3;

        Ring(int max) {
            this.max = max;
        }

        boolean isEmpty() {
            return size == 0;
        }

        void clear() {
            head = 0;
            size = 0;
            java.util.Arrays.fill(texts, null);
        }

        /** Adds one; says whether the oldest was dropped to make room. */
        boolean add(long number, long start, String collector, String cause, String action, GcCycle.Kind kind,
                    long pause, long concurrent, long before, long after, long committed, long heapMax) {
            if (max == 0) {
                return true;
            }
            boolean drop = size == max;
            if (!drop && size == kinds.length) {
                grow();
            }
            int i = drop ? head : (head + size) % kinds.length;
            if (drop) {
                head = (head + 1) % kinds.length;
            } else {
                size++;
            }
            int l = i * LONGS;
            numbers[l] = number;
            numbers[l + 1] = start;
            numbers[l + 2] = pause;
            numbers[l + 3] = concurrent;
            numbers[l + 4] = before;
            numbers[l + 5] = after;
            numbers[l + 6] = committed;
            numbers[l + 7] = heapMax;
            int t = i * TEXTS;
            texts[t] = collector;
            texts[t + 1] = cause;
            texts[t + 2] = action;
            kinds[i] = kind;
            return drop;
        }

        /** Doubles the room (up to {@code max}), the oldest first. */
        private void grow() {
            int n = (int) Math.min(max, Math.max(16, kinds.length * 2L));
            long[] nn = new long[n * LONGS];
            String[] nt = new String[n * TEXTS];
            GcCycle.Kind[] nk = new GcCycle.Kind[n];
            for (int k = 0; k < size; k++) {
                int i = (head + k) % kinds.length;
                System.arraycopy(numbers, i * LONGS, nn, k * LONGS, LONGS);
                System.arraycopy(texts, i * TEXTS, nt, k * TEXTS, TEXTS);
                nk[k] = kinds[i];
            }
            numbers = nn;
            texts = nt;
            kinds = nk;
            head = 0;
        }

        /** The cycles, oldest first; a known heap maximum of the log replaces each one's. */
        List<GcCycle> cycles(long logMax) {
            List<GcCycle> out = new java.util.ArrayList<>(size);
            for (int k = 0; k < size; k++) {
                int i = (head + k) % kinds.length;
                int l = i * LONGS;
                int t = i * TEXTS;
                long pause = numbers[l + 2];
                long concurrent = numbers[l + 3];
                out.add(new GcCycle(numbers[l], Duration.ofNanos(numbers[l + 1]), texts[t], texts[t + 1], texts[t + 2],
                        kinds[i], pause < 0 ? null : Duration.ofNanos(pause),
                        concurrent < 0 ? null : Duration.ofNanos(concurrent), numbers[l + 4], numbers[l + 5],
                        numbers[l + 6], logMax == GcCycle.UNKNOWN ? numbers[l + 7] : logMax, List.of()));
            }
            return out;
        }
    }

    /** One copy of each text for all cycles (while there are not too many different ones). */
    private String share(String s) {
        if (s == null) {
            return null;
        }
        String known = shared.get(s);
        if (known != null) {
            return known;
        }
        if (shared.size() < MAX_SHARED_STRINGS) {
            shared.put(s, s);
        }
        return s;
    }

    private long heapMax() {
        return heapMaxHeader != GcCycle.UNKNOWN ? heapMaxHeader : heapMaxArguments;
    }

    private GcLog finish(long lines) throws GcLogParseException {
        for (Open c : open.values()) {
            close(c);
        }
        open.clear();
        if (done.isEmpty()) {
            GcLog old = legacy.finish(origin, lines);
            if (old != null) {
                return old;
            }
            String like = legacy.looksLike();
            if (like == null && unifiedLines) {
                like = "JDK unified logging without any GC(n) collection line (log with -Xlog:gc or -Xlog:gc*)";
            }
            throw GcLogParseException.noCycles(origin, lines, like);
        }
        long max = heapMax();
        List<GcCycle> cycles = done.cycles(max);
        String name = collector != null ? collector : inferredCollector;
        boolean timed = uptimeClock != null;
        return new GcLog(origin, name, max, timed, timed && uptimeClock, cycles, dropped, earlierRuns, lines, ignored);
    }

    // ---------------------------------------------------------------- helpers

    /**
     * {@code The Z Garbage Collector} is {@code ZGC}, {@code Concurrent Mark Sweep} {@code CMS}; the others as logged
     * ({@code G1}, {@code Parallel}, ...).
     */
    private static String collectorName(String using) {
        return switch (using) {
            case "The Z Garbage Collector" -> "ZGC";
            case "Concurrent Mark Sweep" -> "CMS";
            default -> using;
        };
    }

    private static String bounded(String s) {
        return s == null || s.length() <= MAX_CAUSE_CHARS ? s : s.substring(0, MAX_CAUSE_CHARS - 3) + "...";
    }

    /** A size as the log prints it ({@code 24M}, {@code 1,5G}; a unit in either case) in bytes. */
    static long bytes(String number, String unit) {
        double v = Double.parseDouble(number.replace(',', '.'));
        int shift = switch (unit.toUpperCase(Locale.ROOT)) {
            case "K" -> 10;
            case "M" -> 20;
            case "G" -> 30;
            case "T" -> 40;
            default -> 0;
        };
        return Math.round(Math.scalb(v, shift));
    }
}
