package dev.leakhound.capture;

import dev.leakhound.model.Blocker;
import dev.leakhound.model.DumpFormat;
import dev.leakhound.model.HeldMonitor;
import dev.leakhound.model.StackFrame;
import dev.leakhound.model.ThreadDump;
import dev.leakhound.model.ThreadSnapshot;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the JDK's plain-text thread dump ({@code jcmd PID Thread.dump_to_file FILE} without {@code -format},
 * {@code HotSpotDiagnosticMXBean.dumpThreads(path, TEXT_PLAIN)}), which lists virtual threads as well as
 * platform threads. The text is read as a stream, line by line.
 *
 * <p>Both forms the JDK has written are accepted. JDK 25:
 * <pre>
 * 12345
 * 2026-11-27T14:30:53.950178878Z
 * 25.0.3+9-LTS
 *
 * #23 "vq" virtual WAITING 2026-11-27T14:30:53.950178878Z
 *     at java.base/java.lang.VirtualThread.park(VirtualThread.java:742)
 *     - parking to wait for &lt;java.util.concurrent.SynchronousQueue$Transferer@1bd4fdd&gt;
 *     at ...
 *     - locked &lt;java.lang.Object@4272d928&gt;
 *
 * </pre>
 * and JDK 21-24, where the header is only {@code #23 "vq" virtual} (or {@code #1 "main"}) and each frame is
 * the {@link StackTraceElement} text indented by six spaces, without {@code at}. Header tokens after the name
 * other than {@code virtual} and a thread state (e.g. the per-thread time) are ignored, as are lock lines of
 * kinds not known here.
 *
 * <p>What the format does not give stays unknown: the container, the carrier of a mounted virtual thread,
 * whether a platform thread is a daemon, and (JDK 21-24) the state and what a thread is blocked on.
 * {@code - locked} lines become {@link HeldMonitor}s at the depth of the frame above them; blockers come from
 * {@code - parking to wait for} ({@link Blocker.Kind#PARKED_ON}), {@code - waiting on}
 * ({@link Blocker.Kind#WAITING_ON}) and {@code - waiting to lock} ({@link Blocker.Kind#ENTERING}), with the
 * identity hash as identity.
 *
 * <p>The JDK ends every thread, the last one included, with a blank line: a dump that ends inside a line, or
 * inside a thread whose last frame is not where a thread starts (a {@code run} or {@code main} method), is
 * reported as truncated (also one whose last thread has no frames); a dump whose last thread is whole (a file trimmed of its final blank line) is read. A name may hold line breaks; a header whose name is not closed
 * within eight more lines, or before a line that starts another thread ({@code #id "}), is refused, and so
 * is a dump with more threads, or a thread with more frames, than {@link ThreadDumpReader} allows.
 */
final class JdkTextDumpParser {

    private static final Pattern JCMD_PREFIX = Pattern.compile("\\d+:");
    private static final Pattern PID = Pattern.compile("-?\\d+");
    private static final Pattern VERSION = Pattern.compile("\\d[\\w.+-]*");
    // Every pattern here runs in time linear in the line (lines are up to a mebibyte).
    /** Greedy: a name may contain quotes. */
    private static final Pattern HEADER = Pattern.compile("#(\\d++) \"(.*)\"(.*)", Pattern.DOTALL);
    /** Used with {@code lookingAt()}. */
    private static final Pattern HEADER_START = Pattern.compile("#\\d++ \"");
    private static final Pattern LOCK = Pattern.compile("- (locked|parking to wait for|waiting to lock|waiting on) <(.*)>");
    /** A thread name may contain line breaks, which the JDK prints as they are. */
    private static final int MAX_NAME_LINES = 8;

    private JdkTextDumpParser() {
    }

    /**
     * Parses a whole dump.
     *
     * @param in     the UTF-8 text; not closed
     * @param origin names the source in errors and in {@link ThreadDump#origin()}
     * @throws ThreadDumpParseException if the text is not a complete JDK plain-text thread dump
     * @throws IOException              if reading fails
     */
    static ThreadDump parse(InputStream in, String origin) throws IOException {
        return parse(in, origin, ThreadDumpReader.Limits.DEFAULT);
    }

    static ThreadDump parse(InputStream in, String origin, ThreadDumpReader.Limits limits) throws IOException {
        List<ThreadSnapshot> threads = new ArrayList<>();
        return new ThreadDump(stream(in, origin, limits, threads::add), threads);
    }

    /** Parses a whole dump, handing each thread to {@code each} as it is read (see {@link ThreadDumpReader}). */
    static ThreadDump.Header stream(InputStream in, String origin, ThreadDumpReader.Limits limits,
                                    Consumer<? super ThreadSnapshot> each) throws IOException {
        return new Parser(new ThreadDumpReader.Lines(in, origin), origin, limits, each).parse();
    }

    private static final class Parser {
        private final ThreadDumpReader.Lines lines;
        private final String origin;
        private final ThreadDumpReader.Limits limits;
        private final Interner interner = new Interner();
        private final Consumer<? super ThreadSnapshot> each;
        private int threads;

        private Long processId;
        private Instant time;
        private String runtimeVersion;
        private int preambleLines;

        // the thread being read
        private boolean inThread;
        private long id;
        private String name;
        private boolean virtual;
        private Thread.State state;
        private Blocker blocker;
        private final List<HeldMonitor> monitors = new ArrayList<>();
        private int frames;
        private StackFrame lastFrame;
        private boolean lastFrameClosed;

        Parser(ThreadDumpReader.Lines lines, String origin, ThreadDumpReader.Limits limits,
               Consumer<? super ThreadSnapshot> each) {
            this.lines = lines;
            this.origin = origin;
            this.limits = limits;
            this.each = each;
        }

        ThreadDump.Header parse() throws IOException {
            String line;
            while ((line = lines.next()) != null) {
                if (line.isBlank()) {
                    endThread();
                } else if (Character.isWhitespace(line.charAt(0))) {
                    if (!inThread) {
                        throw error("unexpected indented line outside a thread: " + quote(line));
                    }
                    threadLine(line.strip());
                } else if (line.startsWith("#")) {
                    endThread();
                    header(line);
                } else if (threads == 0 && !inThread) {
                    preamble(line.strip());
                } else {
                    throw error("unexpected line: expected a thread (#id \"name\" ...) or a blank line, found "
                            + quote(line));
                }
            }
            if (inThread) {
                // a last line without its line break is whole when it is a frame with its closing parenthesis
                boolean lastLineWhole = lines.lastLineTerminated() || lastFrameClosed;
                if (!lastLineWhole || lastFrame == null || !isEntryPoint(lastFrame)) {
                    throw new ThreadDumpParseException(origin, lines.lineNumber(), 0, !lastLineWhole
                            ? "truncated: the dump ends inside a line"
                            : "truncated: the dump ends inside thread #" + id + " (" + (lastFrame == null
                                    ? "which has no frames" : "whose last frame, " + quote(lastFrame.className() + "."
                                    + lastFrame.methodName()) + ", is not where a thread starts")
                                    + "; the JDK ends every thread with a blank line)");
                }
                endThread();                             // whole but for the final blank line (trimmed, pasted)
            }
            if (threads == 0) {
                throw new ThreadDumpParseException(origin, Math.max(1, lines.lineNumber()), 0,
                        "truncated or not a JDK plain-text thread dump: no threads");
            }
            return new ThreadDump.Header(time, origin, DumpFormat.JDK_TEXT, processId, runtimeVersion);
        }

        /** Process id, time and runtime version, one a line, before the first thread. */
        private void preamble(String line) throws ThreadDumpParseException {
            int n = preambleLines++;
            if (n == 0 && JCMD_PREFIX.matcher(line).matches()) {
                preambleLines = 0;                       // "12345:" from jcmd, before the dump itself
                return;
            }
            if (n == 0 && PID.matcher(line).matches()) {
                long pid = parseLong(line);
                processId = pid < 0 ? null : pid;        // -1: the JVM did not know it
                return;
            }
            if (n <= 1 && time == null) {
                try {
                    time = Instant.parse(line);
                    return;
                } catch (DateTimeParseException ignored) {
                    // not the time: try the version
                }
            }
            if (n <= 2 && runtimeVersion == null && VERSION.matcher(line).matches()) {
                runtimeVersion = line;
                return;
            }
            throw error("not a JDK plain-text thread dump: expected the process id, time and runtime version, "
                    + "found " + quote(line));
        }

        private void header(String line) throws IOException {
            long headerLine = lines.lineNumber();
            Matcher start = HEADER_START.matcher(line);
            if (!start.lookingAt()) {
                throw error("unexpected line: expected a thread (#id \"name\" ...), found " + quote(line));
            }
            // A name with line breaks: join the following lines until the closing quote, but never a line
            // that starts a thread itself: then this name was never closed.
            String text = line;
            boolean closed = line.indexOf('"', start.end()) >= 0;
            for (int extra = 0; !closed && extra < MAX_NAME_LINES; extra++) {
                String more = lines.next();
                if (more == null) {
                    throw new ThreadDumpParseException(origin, headerLine, 0,
                            "truncated: the dump ends inside the name of thread " + quote(line));
                }
                if (HEADER_START.matcher(more).lookingAt()) {
                    break;
                }
                text = text + "\n" + more;
                closed = more.indexOf('"') >= 0;
            }
            Matcher m = HEADER.matcher(text);
            if (!closed || !m.matches()) {
                throw new ThreadDumpParseException(origin, headerLine, 0,
                        "thread name with no closing quote: " + quote(line));
            }
            if (threads >= limits.maxThreads()) {
                throw error("more than " + limits.maxThreads() + " threads: more than Leakhound reads from one dump");
            }
            inThread = true;
            id = parseLong(m.group(1));
            name = interner.string(m.group(2));
            virtual = false;
            state = null;
            blocker = null;
            monitors.clear();
            frames = 0;
            lastFrame = null;
            interner.beginStack();
            for (String token : m.group(3).strip().split("\\s+")) {
                if (token.equals("virtual")) {
                    virtual = true;
                } else if (isState(token)) {
                    state = Thread.State.valueOf(token);
                }
                // anything else (the time of the snapshot, tokens of later JDKs) is not needed
            }
        }

        private void threadLine(String s) throws ThreadDumpParseException {
            if (s.startsWith("- ")) {
                lastFrameClosed = false;
                lockLine(s);
            } else if (s.startsWith("at ")) {
                frame(s.substring(3).strip());
            } else {
                frame(s);                                // JDK 21-24: the frame without "at "
            }
        }

        private void frame(String text) throws ThreadDumpParseException {
            if (++frames > limits.maxFrames()) {
                throw error("more than " + limits.maxFrames() + " frames in thread #" + id
                        + ": corrupt, or more than Leakhound reads");
            }
            try {
                lastFrame = interner.frame(text);
                lastFrameClosed = text.endsWith(")");
                interner.addFrame(lastFrame);
            } catch (IllegalArgumentException e) {
                throw error(lines.lastLineTerminated() ? e.getMessage()
                        : "truncated: the dump ends inside a line (" + e.getMessage() + ")");
            }
        }

        private void lockLine(String s) {
            Matcher m = LOCK.matcher(s);
            if (!m.matches() || m.group(2).isBlank()) {
                return;                                  // "- lock is eliminated", or a kind of a later JDK
            }
            String object = m.group(2);
            switch (m.group(1)) {
                case "locked" -> monitors.add(HeldMonitor.parse(frames - 1, interner.string(object)));
                case "parking to wait for" -> setBlocker(Blocker.Kind.PARKED_ON, object);
                case "waiting to lock" -> setBlocker(Blocker.Kind.ENTERING, object);
                case "waiting on" -> setBlocker(Blocker.Kind.WAITING_ON, object);
                default -> {
                }
            }
        }

        private void setBlocker(Blocker.Kind kind, String object) {
            if (blocker == null) {
                blocker = Blocker.parse(kind, interner.string(object), null);
            }
        }

        private void endThread() {
            if (!inThread) {
                return;
            }
            inThread = false;
            threads++;
            each.accept(new ThreadSnapshot(id, name, virtual, null, state, interner.endStack(), blocker,
                    List.copyOf(monitors), null, null, null));
        }

        private long parseLong(String digits) throws ThreadDumpParseException {
            try {
                return Long.parseLong(digits);
            } catch (NumberFormatException e) {
                throw error("number out of range: " + quote(digits));
            }
        }

        private ThreadDumpParseException error(String reason) {
            return new ThreadDumpParseException(origin, lines.lineNumber(), 0, reason);
        }
    }

    /**
     * Whether a frame is the first method a thread runs ({@code Thread.run}, {@code VirtualThread.run}, a
     * {@code run} or {@code main} method): the last frame of a whole stack.
     */
    private static boolean isEntryPoint(StackFrame f) {
        return f.methodName().equals("run") || f.methodName().equals("main");
    }

    private static boolean isState(String token) {
        for (Thread.State s : Thread.State.values()) {
            if (s.name().equals(token)) {
                return true;
            }
        }
        return false;
    }

    static String quote(String s) {
        String t = s.strip();
        return "\"" + (t.length() <= 80 ? t : t.substring(0, 77) + "...") + "\"";
    }
}
