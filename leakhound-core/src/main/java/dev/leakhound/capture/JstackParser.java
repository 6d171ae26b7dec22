package dev.leakhound.capture;

import dev.leakhound.model.Blocker;
import dev.leakhound.model.Deadlock;
import dev.leakhound.model.DumpFormat;
import dev.leakhound.model.HeldMonitor;
import dev.leakhound.model.ThreadDump;
import dev.leakhound.model.ThreadSnapshot;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code jstack PID} and {@code jcmd PID Thread.print} output (also with {@code -l} and {@code -e}), and
 * the same dump as a JVM prints it on {@code SIGQUIT}: platform threads only (virtual threads are not listed;
 * a carrier running one shows {@code Carrying virtual thread #N} instead of its state, and is given no state).
 *
 * <p>Accepted: a first {@code 12345:} line (jcmd), the {@code yyyy-MM-dd HH:mm:ss} time line, the
 * {@code Full thread dump ...} line (whose parenthesised VM version gives the runtime version on JDK 9+),
 * thread headers of every JDK since 8 ({@code "main" #1 [12345] daemon prio=5 os_prio=0 cpu=... elapsed=...
 * tid=0x... nid=12345 ...}, {@code nid=0x3039}, without {@code [nid]}, {@code cpu}, {@code elapsed}, with the
 * {@code -e} extras), {@code java.lang.Thread.State:} lines, {@code at} frames, lock lines ({@code - waiting on},
 * {@code - waiting to lock}, {@code - waiting to re-lock in wait()}, {@code - parking to wait for},
 * {@code - locked}, {@code - eliminated}) and the "Locked ownable synchronizers" of {@code -l} (held
 * {@code java.util.concurrent} locks: {@link HeldMonitor#synchronizer()}). Skipped: threads without a {@code #id}
 * (VM, GC and compiler-internal threads), "Threads class SMR info", "JNI global refs", the stacks of the
 * deadlock report (its threads are listed above it) and whatever else is not indented under a Java thread (log
 * lines around a {@code SIGQUIT} dump, the heap summary). The deadlock report's cycles ("Found one Java-level
 * deadlock": each thread, what it waits for and who holds it) become {@link ThreadDump.Header#deadlocks()}, in
 * cycle order, each lock as {@code Class@0xaddress} where the JVM names the object.
 *
 * <p>Identities are the object addresses as printed ({@code 0x000000062a4a0d88}); they cannot be compared with
 * the identity hashes of the JDK's own dumps. Frames are kept as jstack prints them, which includes frames
 * other sources hide: those of hidden classes (lambda proxies such as {@code Foo$$Lambda/0x...run}) and of
 * methods the JDK marks hidden (e.g. {@code java.lang.Thread.runWith}).
 *
 * <p>The time line is the target JVM's local time without a zone, so {@link ThreadDump#capturedAt()} is left
 * {@code null} unless the caller says which zone it is in ({@link #parse(InputStream, String, ZoneId)}).
 *
 * <p>A thread name may hold line breaks: a line that starts with a quote and has no closing one takes in up
 * to eight following lines, but never one that starts with a quote, {@code Full thread dump} or
 * {@code JNI global refs}; so an unclosed quote in log output before a {@code SIGQUIT} dump cannot swallow
 * the first thread's header.
 *
 * <p>A dump that starts with {@code Full thread dump} but lacks the closing {@code JNI global refs} line, or
 * that ends inside a thread's line, is reported as truncated. A text with two {@code Full thread dump} lines
 * (a log of several {@code SIGQUIT}s) is refused rather than merged, and so is one with more threads, or a
 * thread with more frames, than {@link ThreadDumpReader} allows.
 */
final class JstackParser {

    private static final Pattern JCMD_PREFIX = Pattern.compile("\\d+:");
    private static final Pattern TIME = Pattern.compile("(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d)\\s*");
    private static final DateTimeFormatter TIME_FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    // Every pattern here runs in time linear in the line (lines are up to a mebibyte): possessive quantifiers
    // where quantified parts could match the same text, and lookingAt() instead of a trailing ".*".

    /** A Java thread: the name in quotes, then {@code #id}. Greedy, since names may contain quotes. */
    private static final Pattern HEADER = Pattern.compile("\"(.*)\" #(\\d++)(?:\\s++(.*))?", Pattern.DOTALL);
    /** Used with {@code lookingAt()}: what follows the state (e.g. {@code (parking)}) is not needed. */
    private static final Pattern STATE = Pattern.compile("java\\.lang\\.Thread\\.State:\\s*+(\\w++)");
    /** Used with {@code lookingAt()}. */
    private static final Pattern LOCK = Pattern.compile(
            "- (waiting on|waiting to lock|waiting to re-lock in wait\\(\\)|parking to wait for|locked|eliminated)"
                    + "\\s++<([^>]*+)>(?:\\s*+\\(a ([^\\s)]++)[^)]*+\\))?+");
    /** HotSpot's version in JDK 8 and earlier ({@code 25.312-b07}), which is not the runtime version. */
    private static final Pattern OLD_VM_VERSION = Pattern.compile("\\d+\\.\\d+-b\\d+");
    private static final Pattern VERSION = Pattern.compile("\\d[\\w.+-]*");
    private static final int MAX_NAME_LINES = 8;
    /** A thread of a deadlock cycle: {@code "dead-1":}. */
    private static final Pattern DEADLOCK_THREAD = Pattern.compile("\"(.*)\":");
    /** A held ownable synchronizer, under "Locked ownable synchronizers:": {@code - <0x...> (a ...Sync)}. */
    private static final Pattern SYNCHRONIZER = Pattern.compile("- <(0x[0-9a-fA-F]++)>\\s*+\\(a ([^\\s)]++)\\)");
    /** The object of a deadlock report's lock: {@code (object 0x..., a java.lang.Object)}, {@code 0x..., (a ...)}. */
    private static final Pattern CYCLE_LOCK = Pattern.compile(
            "(?:monitor 0x\\p{XDigit}++ \\(object |synchronizer )(0x\\p{XDigit}++),\\s*+\\(?a ([^\\s,)]++)");
    /** The most deadlocks kept from one dump (each lists its threads). */
    private static final int MAX_DEADLOCKS = 1000;

    private JstackParser() {
    }

    /**
     * Parses a whole dump; {@link ThreadDump#capturedAt()} is {@code null}.
     *
     * @param in     the text (UTF-8); not closed
     * @param origin names the source in errors and in {@link ThreadDump#origin()}
     * @throws ThreadDumpParseException if the text is not (a complete) jstack output
     * @throws IOException              if reading fails
     */
    static ThreadDump parse(InputStream in, String origin) throws IOException {
        return parse(in, origin, null);
    }

    /**
     * Parses a whole dump, taking its time line as local time in the given zone.
     *
     * @param zone the zone of the dumped JVM, or {@code null} to leave {@link ThreadDump#capturedAt()} unknown
     */
    static ThreadDump parse(InputStream in, String origin, ZoneId zone) throws IOException {
        return parse(in, origin, zone, ThreadDumpReader.Limits.DEFAULT);
    }

    static ThreadDump parse(InputStream in, String origin, ZoneId zone, ThreadDumpReader.Limits limits)
            throws IOException {
        List<ThreadSnapshot> threads = new ArrayList<>();
        return new ThreadDump(stream(in, origin, zone, limits, threads::add), threads);
    }

    /** Parses a whole dump, handing each thread to {@code each} as it is read (see {@link ThreadDumpReader}). */
    static ThreadDump.Header stream(InputStream in, String origin, ZoneId zone, ThreadDumpReader.Limits limits,
                                    Consumer<? super ThreadSnapshot> each) throws IOException {
        return new Parser(new ThreadDumpReader.Lines(in, origin), origin, zone, limits, each).parse();
    }

    private static final class Parser {
        private final ThreadDumpReader.Lines lines;
        private final String origin;
        private final ZoneId zone;
        private final ThreadDumpReader.Limits limits;
        private final Interner interner = new Interner();
        private final Consumer<? super ThreadSnapshot> each;
        private int threads;

        private Long processId;
        private Instant time;
        private String runtimeVersion;
        private boolean firstLine = true;
        private long fullDumpLine;
        private boolean footer;

        // the Java thread being read
        private boolean inThread;
        private long id;
        private String name;
        private Boolean daemon;
        private Thread.State state;
        private Blocker blocker;
        private final List<HeldMonitor> monitors = new ArrayList<>();
        private int frames;
        /** Whether the "Locked ownable synchronizers:" lines of the thread are being read. */
        private boolean inSynchronizers;
        /** Whether the last line read was a thread's and not complete in itself (a cut line, if unterminated). */
        private boolean lastLineIncomplete;

        // the deadlock report: its cycles, the one being read (null outside one) and the thread being read
        private final List<Deadlock> deadlocks = new ArrayList<>();
        private List<String[]> cycle;      // {thread, waiting, heldBy}
        private String cycleThread;
        private StringBuilder cycleWaiting;
        private String cycleHeldBy;

        Parser(ThreadDumpReader.Lines lines, String origin, ZoneId zone, ThreadDumpReader.Limits limits,
               Consumer<? super ThreadSnapshot> each) {
            this.lines = lines;
            this.origin = origin;
            this.zone = zone;
            this.limits = limits;
            this.each = each;
        }

        ThreadDump.Header parse() throws IOException {
            String line;
            while ((line = lines.next()) != null) {
                lastLineIncomplete = false;
                if (line.isBlank()) {
                    continue;                            // blank lines also separate a thread's sections
                }
                if (cycle != null && deadlockLine(line)) {
                    firstLine = false;
                    continue;
                }
                char c = line.charAt(0);
                if (c == ' ' || c == '\t') {
                    if (inThread) {
                        lastLineIncomplete = !threadLine(line.strip());
                    }
                    // else: frames of the deadlock report, the heap summary, ...
                } else if (c == '"') {
                    endThread();
                    header(line);
                } else {
                    endThread();
                    other(line.strip());
                }
                firstLine = false;
            }
            endThread();
            endCycle();
            if (fullDumpLine > 0 && !footer) {
                throw new ThreadDumpParseException(origin, lines.lineNumber(), 0,
                        "truncated: the dump has no closing \"JNI global refs\" line");
            }
            if (lastLineIncomplete && !lines.lastLineTerminated()) {
                throw new ThreadDumpParseException(origin, lines.lineNumber(), 0,
                        "truncated: the dump ends inside a line");
            }
            if (threads == 0) {
                throw new ThreadDumpParseException(origin, Math.max(1, lines.lineNumber()), 0,
                        "no Java threads (\"name\" #id ...): not jstack / Thread.print output");
            }
            return new ThreadDump.Header(time, origin, DumpFormat.JSTACK, processId, runtimeVersion, deadlocks);
        }

        /**
         * A line inside a cycle of the deadlock report ({@code "t1":}, then indented {@code waiting to lock ...} and
         * {@code which is held by "t2"}); whether it was one. Any other line ends the cycle.
         */
        private boolean deadlockLine(String line) {
            Matcher m = DEADLOCK_THREAD.matcher(line);
            if (m.matches()) {
                endLink();
                cycleThread = m.group(1);
                cycleWaiting = new StringBuilder();
                cycleHeldBy = null;
                return true;
            }
            char c = line.charAt(0);
            if ((c == ' ' || c == '\t') && cycleThread != null) {
                String s = line.strip();
                if (s.startsWith("which is held by ")) {
                    String owner = s.substring("which is held by ".length()).strip();
                    cycleHeldBy = owner.length() >= 2 && owner.startsWith("\"") && owner.endsWith("\"")
                            ? owner.substring(1, owner.length() - 1) : owner;
                } else if (cycleWaiting.length() < 1000) {
                    cycleWaiting.append(cycleWaiting.isEmpty() ? "" : " ").append(s);
                }
                return true;
            }
            if (line.startsWith("===")) {
                return true;
            }
            endCycle();
            return false;
        }

        private void endLink() {
            if (cycleThread != null) {
                String waiting = cycleWaiting.toString();
                if (waiting.endsWith(",")) {
                    waiting = waiting.substring(0, waiting.length() - 1);
                }
                cycle.add(new String[] {cycleThread, waiting, cycleHeldBy});
                cycleThread = null;
            }
        }

        /**
         * The printed cycle as links each wanting what the next holds: in the order of "which is held by" from the
         * first thread (the JVM's own order), each holding what the one before it wants.
         */
        private static List<Deadlock.Link> links(List<String[]> printed) {
            List<String[]> ordered = new ArrayList<>();
            String[] at = printed.get(0);
            while (at != null && !ordered.contains(at)) {
                ordered.add(at);
                String next = at[2];
                at = null;
                for (String[] p : printed) {
                    if (p[0].equals(next)) {
                        at = p;
                        break;
                    }
                }
            }
            for (String[] p : printed) {
                if (!ordered.contains(p)) {
                    ordered.add(p);                      // not linked: kept in the printed order
                }
            }
            List<Deadlock.Link> out = new ArrayList<>();
            for (int i = 0; i < ordered.size(); i++) {
                String[] p = ordered.get(i);
                String holds = null;
                for (String[] q : ordered) {
                    if (p[0].equals(q[2])) {
                        holds = lockText(q[1]);
                        break;
                    }
                }
                out.add(new Deadlock.Link(null, p[0], false, holds, lockText(p[1]), null, null));
            }
            return out;
        }

        /** {@code java.lang.Object@0x000000069ec36090} where the JVM's words name the object, else the words. */
        private static String lockText(String waiting) {
            Matcher m = CYCLE_LOCK.matcher(waiting);
            return m.find() ? m.group(2) + "@" + m.group(1) : waiting;
        }

        private void endCycle() {
            if (cycle == null) {
                return;
            }
            endLink();
            if (!cycle.isEmpty() && deadlocks.size() < MAX_DEADLOCKS) {
                deadlocks.add(new Deadlock(links(cycle), true));
            }
            cycle = null;
        }

        /** Lines not under a thread: the jcmd prefix, the time, "Full thread dump", the footer, and others. */
        private void other(String line) throws ThreadDumpParseException {
            if (firstLine && JCMD_PREFIX.matcher(line).matches()) {
                processId = parseLong(line.substring(0, line.length() - 1));
            } else if (line.startsWith("Full thread dump")) {
                if (fullDumpLine > 0) {
                    throw error("a second thread dump starts here (the first at line " + fullDumpLine
                            + "): split the file, one dump each");
                }
                fullDumpLine = lines.lineNumber();
                runtimeVersion = vmVersion(line);
            } else if (line.startsWith("Found one Java-level deadlock")) {
                endCycle();
                cycle = new ArrayList<>();
            } else if (line.startsWith("JNI global ref")) {
                footer = true;                           // "JNI global refs: 4, weak refs: 0"; JDK 8 "references"
            } else if (time == null && zone != null && threads == 0) {
                Matcher m = TIME.matcher(line);
                if (m.matches()) {
                    try {
                        time = LocalDateTime.parse(m.group(1), TIME_FORMAT).atZone(zone).toInstant();
                    } catch (DateTimeParseException ignored) {
                        // not a valid date: leave the time unknown
                    }
                }
            }
        }

        /** {@code Full thread dump OpenJDK 64-Bit Server VM (25.0.3+9-LTS mixed mode, sharing):} */
        private static String vmVersion(String line) {
            int open = line.lastIndexOf('(');
            if (open < 0) {
                return null;
            }
            int end = open + 1;
            while (end < line.length() && line.charAt(end) != ' ' && line.charAt(end) != ')') {
                end++;
            }
            String v = line.substring(open + 1, end);
            return VERSION.matcher(v).matches() && !OLD_VM_VERSION.matcher(v).matches() ? v : null;
        }

        private void header(String line) throws IOException {
            String text = line;
            // A name with line breaks: join the following lines until there is a closing quote. But a quote
            // that is never closed (log output before a SIGQUIT dump) must not take in the next thread or the
            // dump's own lines: a line that starts a thread, or the dump or its end, is read as such instead.
            for (int extra = 0; text.indexOf('"', 1) < 0 && extra < MAX_NAME_LINES; extra++) {
                String more = lines.next();
                if (more == null) {
                    break;
                }
                if (more.startsWith("\"")) {
                    text = more;                         // the text so far was no header; this line may be
                    extra = -1;
                    continue;
                }
                if (more.startsWith("Full thread dump") || more.startsWith("JNI global ref")) {
                    other(more.strip());
                    return;
                }
                text = text + "\n" + more;
            }
            Matcher m = HEADER.matcher(text);
            if (!m.matches()) {
                return;                                  // a VM-internal thread, or "name": in the deadlock report
            }
            if (threads >= limits.maxThreads()) {
                throw error("more than " + limits.maxThreads() + " threads: more than Leakhound reads from one dump");
            }
            inThread = true;
            id = parseLong(m.group(2));
            name = interner.string(m.group(1));
            daemon = Boolean.FALSE;
            state = null;
            blocker = null;
            monitors.clear();
            frames = 0;
            inSynchronizers = false;
            interner.beginStack();
            String rest = m.group(3);
            if (rest != null) {
                for (String token : rest.split("\\s+")) {
                    if (token.indexOf('=') >= 0) {
                        break;                           // prio=5 ...: the flags come before it
                    }
                    if (token.equals("daemon")) {
                        daemon = Boolean.TRUE;
                    }
                }
            }
        }

        /** Reads a line under a thread header; says whether it was a complete line of a kind known here. */
        private boolean threadLine(String s) throws ThreadDumpParseException {
            if (s.startsWith("at ")) {
                frame(s.substring(3).strip());
                return true;
            } else if (s.startsWith("- ")) {
                return inSynchronizers ? synchronizerLine(s) : lockLine(s);
            } else if (s.equals("Locked ownable synchronizers:")) {
                inSynchronizers = true;
                return true;
            } else {
                Matcher m = STATE.matcher(s);
                if (m.lookingAt()) {
                    state = stateOf(m.group(1));
                    return state != null;
                }
                // else: "Carrying virtual thread #N", "Locked ownable synchronizers:", "No compile task", ...
                return false;
            }
        }

        private void frame(String text) throws ThreadDumpParseException {
            if (++frames > limits.maxFrames()) {
                throw error("more than " + limits.maxFrames() + " frames in thread #" + id
                        + ": corrupt, or more than Leakhound reads");
            }
            try {
                interner.addFrame(interner.frame(text));
            } catch (IllegalArgumentException e) {
                throw error(lines.lastLineTerminated() ? e.getMessage()
                        : "truncated: the dump ends inside a line (" + e.getMessage() + ")");
            }
        }

        private boolean lockLine(String s) {
            Matcher m = LOCK.matcher(s);
            if (!m.lookingAt() || m.group(3) == null) {
                return false;   // "<no object reference available>", an ownable synchronizer, a kind not known here
            }
            String address = m.group(2);
            String className = interner.string(m.group(3));
            switch (m.group(1)) {
                case "locked" -> monitors.add(new HeldMonitor(frames - 1, className, interner.string(address)));
                case "eliminated" -> {
                    if (address.startsWith("0x")) {      // not "<owner is scalar replaced>"
                        monitors.add(new HeldMonitor(frames - 1, className, interner.string(address)));
                    }
                }
                case "parking to wait for" -> setBlocker(Blocker.Kind.PARKED_ON, className, address);
                case "waiting on" -> setBlocker(Blocker.Kind.WAITING_ON, className, address);
                default -> setBlocker(Blocker.Kind.ENTERING, className, address);   // (re-)lock
            }
            return s.endsWith(")");
        }

        /** {@code - <0x...> (a java.util.concurrent.locks.ReentrantLock$NonfairSync)}, or {@code - None}. */
        private boolean synchronizerLine(String s) {
            Matcher m = SYNCHRONIZER.matcher(s);
            if (m.matches()) {
                monitors.add(new HeldMonitor(-1, interner.string(m.group(2)), interner.string(m.group(1)), true));
                return true;
            }
            return s.equals("- None");
        }

        private void setBlocker(Blocker.Kind kind, String className, String address) {
            if (blocker == null) {
                blocker = new Blocker(kind, className, interner.string(address), null);
            }
        }

        private void endThread() {
            if (!inThread) {
                return;
            }
            inThread = false;
            threads++;
            each.accept(new ThreadSnapshot(id, name, false, daemon, state, interner.endStack(), blocker,
                    List.copyOf(monitors), null, null, null));
        }

        private long parseLong(String digits) throws ThreadDumpParseException {
            try {
                return Long.parseLong(digits);
            } catch (NumberFormatException e) {
                throw error("number out of range: " + JdkTextDumpParser.quote(digits));
            }
        }

        private ThreadDumpParseException error(String reason) {
            return new ThreadDumpParseException(origin, lines.lineNumber(), 0, reason);
        }
    }

    private static Thread.State stateOf(String word) {
        for (Thread.State s : Thread.State.values()) {
            if (s.name().equals(word)) {
                return s;
            }
        }
        return null;
    }
}
