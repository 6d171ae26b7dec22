package dev.leakhound.capture;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import dev.leakhound.model.Blocker;
import dev.leakhound.model.DumpFormat;
import dev.leakhound.model.HeldMonitor;
import dev.leakhound.model.StackFrame;
import dev.leakhound.model.ThreadDump;
import dev.leakhound.model.ThreadSnapshot;

import java.io.CharConversionException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Reads the JDK's JSON thread dump ({@code HotSpotDiagnosticMXBean.dumpThreads(..., JSON)},
 * {@code jcmd PID Thread.dump_to_file -format=json}) as a stream: the document is never held as a tree,
 * and equal frames and stacks are shared, so memory follows the number of threads kept (by the caller, when
 * streamed) and of distinct stacks, not the size of the text.
 *
 * <p>Accepts every format the JDK has written: JDK 21-24 (only {@code tid}, {@code name}, {@code stack}),
 * JDK 25 ({@code state}, {@code virtual}, {@code carrier}, {@code parkBlocker}, {@code waitingOn},
 * {@code blockedOn}, {@code monitorsOwned}), and later ones ({@code parkBlocker.owner},
 * {@code formatVersion} with numbers as numbers). Numbers may be strings or numbers; unknown fields are
 * skipped.
 *
 * <p>Beyond what the JDK writes:
 * <ul>
 *   <li>{@code monitorsOwned[].depth} {@code null} or absent is an unknown depth (-1); one below -1 or beyond
 *       the {@code int} range is refused;</li>
 *   <li>an empty (or blank) {@code parkBlocker}, {@code parkBlocker.object}, {@code waitingOn},
 *       {@code blockedOn} or {@code locks} entry is no object, like {@code null}: it gives no
 *       {@link Blocker} or {@link HeldMonitor};</li>
 *   <li>a second {@code threadDump} in the document or a second {@code threadContainers} in it is refused;</li>
 *   <li>a thread whose {@code tid} was listed before (in the same or another container) is dropped: the first
 *       listing is kept;</li>
 *   <li>a container's {@code container} name may come after its {@code threads}: up to
 *       {@value #MAX_UNNAMED_PENDING} threads wait for it, later ones are taken as without a container;</li>
 *   <li>more threads (listings, duplicates included), or a thread with more frames, than
 *       {@link ThreadDumpReader} allows are refused.</li>
 * </ul>
 * Every failure is a {@link ThreadDumpParseException} with the line and column; bytes that are not UTF-8 are
 * reported as such, and "truncated" only when the input has really ended.
 */
public final class JsonThreadDumpParser {

    /**
     * Most threads held back while their container's name is not known yet (the JDK writes the name first, but
     * the format does not say it must): beyond it they are handed over without a container.
     */
    static final int MAX_UNNAMED_PENDING = 10_000;

    /** Most distinct blocker texts whose {@link Blocker} is shared: beyond, threads each get their own. */
    private static final int MAX_SHARED_BLOCKERS = 1 << 16;

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(64)            // the format nests 6 deep
                    .maxStringLength(1 << 20)      // no name or frame comes near 1M chars
                    .maxNumberLength(64)
                    .build())
            .disable(StreamReadFeature.AUTO_CLOSE_SOURCE)     // the caller's stream is not closed
            .build();

    private JsonThreadDumpParser() {
    }

    /**
     * Parses a whole dump.
     *
     * @param in     the JSON text; not closed
     * @param origin names the source in errors and in {@link ThreadDump#origin()}
     * @throws ThreadDumpParseException if the text is not a complete JDK JSON thread dump
     * @throws IOException              if reading fails
     */
    public static ThreadDump parse(InputStream in, String origin) throws IOException {
        return parse(in, origin, ThreadDumpReader.Limits.DEFAULT);
    }

    static ThreadDump parse(InputStream in, String origin, ThreadDumpReader.Limits limits) throws IOException {
        List<ThreadSnapshot> threads = new ArrayList<>();
        return new ThreadDump(stream(in, origin, limits, threads::add), threads);
    }

    /** Parses a whole dump, handing each thread to {@code each} as it is read (see {@link ThreadDumpReader}). */
    static ThreadDump.Header stream(InputStream in, String origin, ThreadDumpReader.Limits limits,
                                    Consumer<? super ThreadSnapshot> each) throws IOException {
        WatchedInputStream watched = new WatchedInputStream(in);
        try (JsonParser p = FACTORY.createParser(watched)) {
            try {
                return new Reader(p, origin, limits, each).readDocument();
            } catch (StreamConstraintsException e) {
                JsonLocation loc = p.currentLocation();
                throw new ThreadDumpParseException(origin, loc.getLineNr(), loc.getColumnNr(),
                        "JSON too large or too deep: " + firstLine(e.getOriginalMessage()), e);
            }
        } catch (JsonProcessingException e) {
            JsonLocation loc = e.getLocation();
            if (loc == null || loc.getLineNr() <= 0) {
                throw new ThreadDumpParseException(origin, watched.lines() + 1, 0, reason(e, watched.reachedEnd()), e);
            }
            throw new ThreadDumpParseException(origin, loc.getLineNr(), Math.max(0, loc.getColumnNr()),
                    reason(e, watched.reachedEnd()), e);
        } catch (CharConversionException e) {
            // Jackson took the text for UTF-32 (it starts with zero bytes) and found it is not that either
            throw new ThreadDumpParseException(origin, watched.lines() + 1, 0,
                    "not UTF-8 text: " + firstLine(e.getMessage()), e);
        }
    }

    /**
     * What Jackson found wrong, in the words of this parser. Jackson reports a bad byte in a field name
     * (a multi-byte sequence cut short by the closing quote) as "Unexpected end-of-input in field name"; only
     * when the input has really ended is that a truncation.
     */
    private static String reason(JsonProcessingException e, boolean inputEnded) {
        String why = firstLine(e.getOriginalMessage());
        if (e instanceof JsonEOFException || why.startsWith("Unexpected end-of-input")) {
            return inputEnded ? "truncated: unexpected end of input"
                    : "invalid UTF-8" + (why.contains("field name") ? " in a field name" : "") + ", or corrupt data";
        }
        if (why.startsWith("Invalid UTF-8")) {
            return "invalid UTF-8: " + why.substring("Invalid UTF-8".length()).strip();
        }
        return "invalid JSON: " + why;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /**
     * Tells whether the input has ended (Jackson's "end-of-input" is not always the end of the input), and
     * how many lines have been read, for an error Jackson gives no place for.
     */
    private static final class WatchedInputStream extends FilterInputStream {
        private boolean ended;
        private long lines;

        WatchedInputStream(InputStream in) {
            super(in);
        }

        boolean reachedEnd() {
            return ended;
        }

        long lines() {
            return lines;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            ended |= b < 0;
            lines += b == '\n' ? 1 : 0;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            ended |= n < 0;
            for (int i = 0; i < n; i++) {
                if (b[off + i] == '\n') {
                    lines++;
                }
            }
            return n;
        }
    }

    /** One pass over one document. */
    private static final class Reader {
        private final JsonParser p;
        private final String origin;
        private final ThreadDumpReader.Limits limits;
        private final Interner interner = new Interner();
        private final Consumer<? super ThreadSnapshot> each;
        private int listed;
        private final IdSet ids = new IdSet();
        private final Map<String, Blocker> blockers = new HashMap<>();
        private Instant time;
        private Long processId;
        private String runtimeVersion;

        Reader(JsonParser p, String origin, ThreadDumpReader.Limits limits, Consumer<? super ThreadSnapshot> each) {
            this.p = p;
            this.origin = origin;
            this.limits = limits;
            this.each = each;
        }

        ThreadDump.Header readDocument() throws IOException {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw error("not a JDK JSON thread dump: expected '{' at the start");
            }
            boolean seen = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                if (field.equals("threadDump")) {
                    if (seen) {
                        throw error("duplicate \"threadDump\": one thread dump a file");
                    }
                    p.nextToken();
                    expect(JsonToken.START_OBJECT, "threadDump");
                    readThreadDump();
                    seen = true;
                } else {
                    p.nextToken();
                    p.skipChildren();
                }
            }
            if (!seen) {
                throw error("not a JDK JSON thread dump: no \"threadDump\" object");
            }
            if (p.nextToken() != null) {
                throw error("unexpected content after the thread dump");
            }
            return new ThreadDump.Header(time, origin, DumpFormat.JDK_JSON, processId, runtimeVersion);
        }

        private void readThreadDump() throws IOException {
            boolean containers = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                if (field.equals("threadContainers") && containers) {
                    throw error("duplicate \"threadContainers\"");
                }
                JsonToken t = p.nextToken();
                switch (field) {
                    case "processId" -> processId = longValue("processId");
                    case "time" -> time = instant("time");
                    case "runtimeVersion" -> runtimeVersion = text(t, "runtimeVersion");
                    case "threadContainers" -> {
                        expect(JsonToken.START_ARRAY, "threadContainers");
                        while (p.nextToken() == JsonToken.START_OBJECT) {
                            readContainer();
                        }
                        expectCurrent(JsonToken.END_ARRAY, "threadContainers");
                        containers = true;
                    }
                    default -> p.skipChildren();
                }
            }
            expectCurrent(JsonToken.END_OBJECT, "threadDump");
            if (!containers) {
                throw error("not a JDK JSON thread dump: no \"threadContainers\" array");
            }
        }

        private void readContainer() throws IOException {
            String name = null;
            // "container" comes before "threads" in every JDK's output, but do not depend on it: threads read
            // before the name wait for it (a bounded number of them).
            List<ThreadSnapshot> pending = new ArrayList<>();
            boolean named = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                switch (field) {
                    case "container" -> {
                        name = interner.string(text(t, "container"));
                        named = true;
                        handOver(pending, name);
                    }
                    case "threads" -> {
                        expect(JsonToken.START_ARRAY, "threads");
                        while (p.nextToken() == JsonToken.START_OBJECT) {
                            if (listed++ >= limits.maxThreads()) {     // duplicates count: an endless stream ends
                                throw error("more than " + limits.maxThreads()
                                        + " threads: more than Leakhound reads from one dump");
                            }
                            ThreadSnapshot thread = readThread(name);
                            if (!ids.add(thread.id())) {
                                continue;    // listed before (the JDK lists each thread once): the first is kept
                            }
                            if (named) {
                                each.accept(thread);
                            } else {
                                pending.add(thread);
                                if (pending.size() >= MAX_UNNAMED_PENDING) {
                                    handOver(pending, null);
                                    named = true;          // too many to wait for a name: without one
                                }
                            }
                        }
                        expectCurrent(JsonToken.END_ARRAY, "threads");
                    }
                    default -> p.skipChildren();
                }
            }
            expectCurrent(JsonToken.END_OBJECT, "threadContainers[]");
            handOver(pending, null);
        }

        /** Hands over the threads that waited for their container's name, with that name if known. */
        private void handOver(List<ThreadSnapshot> pending, String name) {
            for (ThreadSnapshot s : pending) {
                each.accept(name == null || s.container() != null ? s
                        : new ThreadSnapshot(s.id(), s.name(), s.virtual() || s.state() == null && s.stack().isEmpty()
                                && isStructuredTaskScope(name), s.daemon(), s.state(), s.stack(),
                                s.blocker(), s.heldMonitors(), name, s.carrierId(), s.creationSite()));
            }
            pending.clear();
        }

        private ThreadSnapshot readThread(String container) throws IOException {
            long startLine = p.currentLocation().getLineNr();
            Long tid = null;
            String name = null;
            boolean virtual = false;
            Thread.State state = null;
            Long carrier = null;
            Blocker blocker = null;
            List<StackFrame> stack = List.of();
            List<HeldMonitor> monitors = List.of();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                Blocker b = null;
                switch (field) {
                    case "tid" -> tid = longValue("tid");
                    case "name" -> name = text(t, "name");
                    case "virtual" -> {
                        String v = text(t, "virtual");
                        virtual = "true".equals(v);
                    }
                    case "state" -> state = state(t);
                    case "carrier" -> carrier = longValue("carrier");
                    case "parkBlocker" -> b = parkBlocker(t);
                    case "waitingOn" -> b = objectRef(t, Blocker.Kind.WAITING_ON);
                    case "blockedOn" -> b = objectRef(t, Blocker.Kind.ENTERING);
                    case "stack" -> stack = stack(tid);
                    case "monitorsOwned" -> monitors = monitors();
                    default -> p.skipChildren();
                }
                if (b != null) {
                    blocker = b;                          // an empty or null field gives none, and hides none
                }
            }
            expectCurrent(JsonToken.END_OBJECT, "thread");
            if (!virtual && !stack.isEmpty() && isVirtualThreadBase(stack.get(stack.size() - 1))) {
                virtual = true;     // JDK 21-24 write no "virtual" field; a virtual thread's stack starts in VirtualThread.run
            } else if (!virtual && stack.isEmpty() && state == null && isStructuredTaskScope(container)) {
                virtual = true;     // JDK 21-24 (no "state" either): a fork not mounted yet has no stack
            }
            if (tid == null) {
                throw new ThreadDumpParseException(origin, startLine, 0, "thread without \"tid\"");
            }
            return new ThreadSnapshot(tid, name == null ? "" : interner.string(name), virtual, null, state, stack,
                    blocker, monitors, container, carrier, null);
        }

        /**
         * Whether a container is a {@code StructuredTaskScope} ({@code java.util.concurrent.StructuredTaskScope$ShutdownOnFailure@...}
         * on JDK 21-24): its forks are virtual threads unless it was given another thread factory, and one not yet
         * mounted is listed with an empty stack.
         */
        private static boolean isStructuredTaskScope(String container) {
            return container != null && container.startsWith("java.util.concurrent.StructuredTaskScope");
        }

        private static boolean isVirtualThreadBase(StackFrame f) {
            return f.className().equals("java.lang.VirtualThread") && f.methodName().equals("run");
        }

        /** The text of a string (or other scalar), or {@code null} for {@code null}; an object or array is refused. */
        private String text(JsonToken t, String field) throws IOException {
            if (t == JsonToken.VALUE_NULL) {
                return null;
            }
            if (t == null || !t.isScalarValue()) {
                throw error("expected a string for \"" + field + "\" but found " + describe(t));
            }
            return p.getText();
        }

        private Thread.State state(JsonToken t) throws IOException {
            if (t == JsonToken.VALUE_NULL) {
                return null;
            }
            String s = text(t, "state");
            try {
                return Thread.State.valueOf(s);
            } catch (IllegalArgumentException e) {
                throw error("unknown thread state \"" + abbreviate(s) + "\"");
            }
        }

        private Blocker parkBlocker(JsonToken t) throws IOException {
            if (t == JsonToken.VALUE_NULL) {
                return null;
            }
            if (t == JsonToken.VALUE_STRING) {          // tolerate a bare "Class@hash"
                return blocker(Blocker.Kind.PARKED_ON, sharedText(), null);
            }
            expectCurrent(JsonToken.START_OBJECT, "parkBlocker");
            String object = null;
            Long owner = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                switch (field) {
                    case "object" -> object = text(v, "parkBlocker.object");
                    case "owner" -> owner = longValue("parkBlocker.owner");
                    default -> p.skipChildren();
                }
            }
            expectCurrent(JsonToken.END_OBJECT, "parkBlocker");
            return object == null ? null : blocker(Blocker.Kind.PARKED_ON, object, owner);
        }

        private Blocker objectRef(JsonToken t, Blocker.Kind kind) throws IOException {
            if (t == JsonToken.VALUE_NULL) {
                return null;
            }
            if (t != JsonToken.VALUE_STRING) {
                throw error("expected a string for the monitor");
            }
            return blocker(kind, sharedText(), null);
        }

        /** Threads blocked on the same object share one Blocker; empty text is no blocker. */
        private Blocker blocker(Blocker.Kind kind, String text, Long owner) {
            if (text.isBlank()) {
                return null;
            }
            if (owner != null) {
                return Blocker.parse(kind, text, owner);
            }
            Blocker b = blockers.get(text);
            if (b == null || b.kind() != kind) {
                b = Blocker.parse(kind, text, null);
                if (blockers.size() < MAX_SHARED_BLOCKERS) {
                    blockers.put(text, b);     // bounded: a blocker per thread would keep them all
                }
            }
            return b;
        }

        /** The current string token, shared with equal ones: blocker and lock texts repeat across threads. */
        private String sharedText() throws IOException {
            return interner.chars(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
        }

        private List<StackFrame> stack(Long tid) throws IOException {
            expectCurrent(JsonToken.START_ARRAY, "stack");
            interner.beginStack();
            int frames = 0;
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.VALUE_STRING) {
                if (++frames > limits.maxFrames()) {
                    throw error("more than " + limits.maxFrames() + " frames in thread"
                            + (tid == null ? "" : " #" + tid) + ": corrupt, or more than Leakhound reads");
                }
                try {
                    interner.addFrame(interner.frame(p.getTextCharacters(), p.getTextOffset(), p.getTextLength()));
                } catch (IllegalArgumentException e) {
                    throw error(e.getMessage());
                }
            }
            if (t != JsonToken.END_ARRAY) {
                throw error("expected a string frame in \"stack\"");
            }
            return interner.endStack();
        }

        private List<HeldMonitor> monitors() throws IOException {
            expectCurrent(JsonToken.START_ARRAY, "monitorsOwned");
            List<HeldMonitor> out = new ArrayList<>();
            while (p.nextToken() == JsonToken.START_OBJECT) {
                int depth = -1;
                List<String> locks = new ArrayList<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    p.nextToken();
                    switch (field) {
                        case "depth" -> depth = depth();
                        case "locks" -> {
                            expectCurrent(JsonToken.START_ARRAY, "locks");
                            JsonToken lock;
                            while ((lock = p.nextToken()) == JsonToken.VALUE_STRING || lock == JsonToken.VALUE_NULL) {
                                // null: a lock the JIT eliminated; empty text: no object either
                                if (lock == JsonToken.VALUE_STRING && p.getTextLength() > 0) {
                                    String text = sharedText();
                                    if (!text.isBlank()) {
                                        locks.add(text);
                                    }
                                }
                            }
                            expectCurrent(JsonToken.END_ARRAY, "locks");
                        }
                        default -> p.skipChildren();
                    }
                }
                expectCurrent(JsonToken.END_OBJECT, "monitorsOwned[]");
                for (String lock : locks) {
                    out.add(HeldMonitor.parse(depth, lock));
                }
            }
            expectCurrent(JsonToken.END_ARRAY, "monitorsOwned");
            return out;
        }

        /** A frame's index in the stack: {@code null} (or absent) and -1 are unknown; others are refused. */
        private int depth() throws IOException {
            Long d = longValue("depth");
            if (d == null) {
                return -1;
            }
            if (d < -1 || d > Integer.MAX_VALUE) {
                throw error("\"depth\" out of range: " + d);
            }
            return (int) (long) d;
        }

        private Long longValue(String field) throws IOException {
            JsonToken t = p.currentToken();
            if (t == JsonToken.VALUE_NULL) {
                return null;
            }
            if (t == JsonToken.VALUE_NUMBER_INT) {
                return p.getLongValue();
            }
            if (t == JsonToken.VALUE_STRING) {
                long fast = digits(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
                if (fast >= 0) {
                    return fast;
                }
                String s = p.getText().strip();
                try {
                    return Long.parseLong(s);
                } catch (NumberFormatException e) {
                    boolean integer = s.matches("[-+]?+\\d++");
                    throw error("\"" + field + "\" is " + (integer ? "out of range" : "not a number") + ": \""
                            + abbreviate(s) + "\"");
                }
            }
            throw error("\"" + field + "\" is not a number but " + describe(t));
        }

        /** The value of 1 to 18 decimal digits, or -1: ids come as strings of digits, parsed without a String. */
        private static long digits(char[] buf, int off, int len) {
            if (len == 0 || len > 18) {
                return -1;
            }
            long v = 0;
            for (int i = 0; i < len; i++) {
                char c = buf[off + i];
                if (c < '0' || c > '9') {
                    return -1;
                }
                v = v * 10 + (c - '0');
            }
            return v;
        }

        private Instant instant(String field) throws IOException {
            String s = text(p.currentToken(), field);
            if (s == null) {
                return null;
            }
            try {
                return Instant.parse(s);
            } catch (DateTimeParseException e) {
                throw error("\"" + field + "\" is not a time: \"" + abbreviate(s) + "\"");
            }
        }

        private void expect(JsonToken token, String what) throws IOException {
            expectCurrent(token, what);
        }

        private void expectCurrent(JsonToken token, String what) throws IOException {
            JsonToken t = p.currentToken();
            if (t == null) {
                throw error("truncated: unexpected end of input in \"" + what + "\"");
            }
            if (t != token) {
                throw error("expected " + describe(token) + " in \"" + what + "\" but found " + describe(t));
            }
        }

        private ThreadDumpParseException error(String reason) {
            JsonLocation loc = p.currentLocation();
            return new ThreadDumpParseException(origin, loc.getLineNr(), loc.getColumnNr(), reason);
        }
    }

    private static String describe(JsonToken t) {
        if (t == null) {
            return "the end of the input";
        }
        return switch (t) {
            case START_OBJECT -> "'{'";
            case END_OBJECT -> "'}'";
            case START_ARRAY -> "'['";
            case END_ARRAY -> "']'";
            case FIELD_NAME -> "a field name";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> t.name();
        };
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }

    /**
     * The thread ids seen, to drop a thread listed twice: open addressing over a {@code long[]}, some 16 bytes
     * a thread at most where a {@code HashSet<Long>} takes some 50.
     */
    private static final class IdSet {
        private long[] slots = new long[256];    // 0: free (id 0 is kept aside)
        private int size;
        private boolean hasZero;

        /** Adds the id; false if it was there. */
        boolean add(long id) {
            if (id == 0) {
                boolean added = !hasZero;
                hasZero = true;
                return added;
            }
            int mask = slots.length - 1;
            for (int i = slot(id, mask); ; i = (i + 1) & mask) {
                if (slots[i] == id) {
                    return false;
                }
                if (slots[i] == 0) {
                    slots[i] = id;
                    if (++size > slots.length / 4 * 3) {
                        grow();
                    }
                    return true;
                }
            }
        }

        private static int slot(long id, int mask) {
            long h = id * 0x9E3779B97F4A7C15L;
            return (int) (h ^ (h >>> 32)) & mask;
        }

        private void grow() {
            long[] old = slots;
            slots = new long[old.length * 2];
            int mask = slots.length - 1;
            for (long id : old) {
                if (id != 0) {
                    int i = slot(id, mask);
                    while (slots[i] != 0) {
                        i = (i + 1) & mask;
                    }
                    slots[i] = id;
                }
            }
        }
    }
}
