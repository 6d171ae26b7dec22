package dev.leakhound.capture;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
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

/**
 * Reads the JDK's JSON thread dump ({@code HotSpotDiagnosticMXBean.dumpThreads(..., JSON)},
 * {@code jcmd PID Thread.dump_to_file -format=json}) as a stream: the document is never held as a tree,
 * and equal frames and stacks are shared, so memory follows the number of threads and distinct stacks,
 * not the size of the text.
 *
 * <p>Accepts every format the JDK has written: JDK 21-24 (only {@code tid}, {@code name}, {@code stack}),
 * JDK 25 ({@code state}, {@code virtual}, {@code carrier}, {@code parkBlocker}, {@code waitingOn},
 * {@code blockedOn}, {@code monitorsOwned}), and later ones ({@code parkBlocker.owner},
 * {@code formatVersion} with numbers as numbers). Numbers may be strings or numbers; unknown fields are
 * skipped.
 */
public final class JsonThreadDumpParser {

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(64)            // the format nests 6 deep
                    .maxStringLength(1 << 20)      // no name or frame comes near 1M chars
                    .maxNumberLength(64)
                    .build())
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
        try (JsonParser p = FACTORY.createParser(in)) {
            try {
                return new Reader(p, origin).readDocument();
            } catch (StreamConstraintsException e) {
                JsonLocation loc = p.currentLocation();
                throw new ThreadDumpParseException(origin, loc.getLineNr(), loc.getColumnNr(),
                        "JSON too large or too deep: " + firstLine(e.getOriginalMessage()), e);
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            JsonLocation loc = e.getLocation();
            String why = e.getOriginalMessage();
            if (why != null && why.startsWith("Unexpected end-of-input")) {
                why = "truncated: unexpected end of input";
            }
            throw new ThreadDumpParseException(origin, loc == null ? 0 : loc.getLineNr(),
                    loc == null ? 0 : loc.getColumnNr(), "invalid JSON: " + firstLine(why), e);
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** One pass over one document. */
    private static final class Reader {
        private final JsonParser p;
        private final String origin;
        private final Interner interner = new Interner();
        private final List<ThreadSnapshot> threads = new ArrayList<>();
        private final java.util.Map<String, Blocker> blockers = new java.util.HashMap<>();
        private Instant time;
        private Long processId;
        private String runtimeVersion;

        Reader(JsonParser p, String origin) {
            this.p = p;
            this.origin = origin;
        }

        ThreadDump readDocument() throws IOException {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw error("not a JDK JSON thread dump: expected '{' at the start");
            }
            boolean seen = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (field.equals("threadDump")) {
                    expect(JsonToken.START_OBJECT, "threadDump");
                    readThreadDump();
                    seen = true;
                } else {
                    p.skipChildren();
                }
            }
            if (!seen) {
                throw error("not a JDK JSON thread dump: no \"threadDump\" object");
            }
            if (p.nextToken() != null) {
                throw error("unexpected content after the thread dump");
            }
            return new ThreadDump(time, origin, DumpFormat.JDK_JSON, processId, runtimeVersion, threads);
        }

        private void readThreadDump() throws IOException {
            boolean containers = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                switch (field) {
                    case "processId" -> processId = longValue("processId");
                    case "time" -> time = instant("time");
                    case "runtimeVersion" -> runtimeVersion = t == JsonToken.VALUE_NULL ? null : p.getValueAsString();
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
            // "container" comes before "threads" in every JDK's output, but do not depend on it.
            int firstThread = threads.size();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                switch (field) {
                    case "container" -> name = t == JsonToken.VALUE_NULL ? null : interner.string(p.getText());
                    case "threads" -> {
                        expect(JsonToken.START_ARRAY, "threads");
                        while (p.nextToken() == JsonToken.START_OBJECT) {
                            threads.add(readThread(name));
                        }
                        expectCurrent(JsonToken.END_ARRAY, "threads");
                    }
                    default -> p.skipChildren();
                }
            }
            expectCurrent(JsonToken.END_OBJECT, "threadContainers[]");
            if (name != null) {
                for (int i = firstThread; i < threads.size(); i++) {
                    ThreadSnapshot s = threads.get(i);
                    if (s.container() == null) {
                        threads.set(i, new ThreadSnapshot(s.id(), s.name(), s.virtual(), s.daemon(), s.state(),
                                s.stack(), s.blocker(), s.heldMonitors(), name, s.carrierId(), s.creationSite()));
                    }
                }
            }
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
                switch (field) {
                    case "tid" -> tid = longValue("tid");
                    case "name" -> name = t == JsonToken.VALUE_NULL ? "" : p.getText();
                    case "virtual" -> virtual = t == JsonToken.VALUE_TRUE
                            || t == JsonToken.VALUE_STRING && p.getText().equals("true");
                    case "state" -> state = state(t);
                    case "carrier" -> carrier = longValue("carrier");
                    case "parkBlocker" -> blocker = parkBlocker(t);
                    case "waitingOn" -> blocker = objectRef(t, Blocker.Kind.WAITING_ON);
                    case "blockedOn" -> blocker = objectRef(t, Blocker.Kind.ENTERING);
                    case "stack" -> stack = stack();
                    case "monitorsOwned" -> monitors = monitors();
                    default -> p.skipChildren();
                }
            }
            expectCurrent(JsonToken.END_OBJECT, "thread");
            if (!virtual && !stack.isEmpty() && isVirtualThreadBase(stack.get(stack.size() - 1))) {
                virtual = true;     // JDK 21-24 write no "virtual" field; a virtual thread's stack starts in VirtualThread.run
            }
            if (tid == null) {
                throw new ThreadDumpParseException(origin, startLine, 0, "thread without \"tid\"");
            }
            return new ThreadSnapshot(tid, name == null ? "" : interner.string(name), virtual, null, state, stack,
                    blocker, monitors, container, carrier, null);
        }

        private static boolean isVirtualThreadBase(StackFrame f) {
            return f.className().equals("java.lang.VirtualThread") && f.methodName().equals("run");
        }

        private Thread.State state(JsonToken t) throws IOException {
            if (t == JsonToken.VALUE_NULL) {
                return null;
            }
            String s = sharedText();
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
                return Blocker.parse(Blocker.Kind.PARKED_ON, p.getText(), null);
            }
            expectCurrent(JsonToken.START_OBJECT, "parkBlocker");
            String object = null;
            Long owner = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                switch (field) {
                    case "object" -> object = v == JsonToken.VALUE_NULL ? null : sharedText();
                    case "owner" -> owner = longValue("parkBlocker.owner");
                    default -> p.skipChildren();
                }
            }
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

        /** Threads blocked on the same object share one Blocker. */
        private Blocker blocker(Blocker.Kind kind, String text, Long owner) {
            if (owner != null) {
                return Blocker.parse(kind, text, owner);
            }
            Blocker b = blockers.get(text);
            if (b == null || b.kind() != kind) {
                b = Blocker.parse(kind, text, null);
                blockers.put(text, b);
            }
            return b;
        }

        /** The current string token, shared with equal ones: blocker and lock texts repeat across threads. */
        private String sharedText() throws IOException {
            return interner.chars(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
        }

        private List<StackFrame> stack() throws IOException {
            expectCurrent(JsonToken.START_ARRAY, "stack");
            interner.beginStack();
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.VALUE_STRING) {
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
                    JsonToken v = p.nextToken();
                    switch (field) {
                        case "depth" -> depth = (int) (long) longValue("depth");
                        case "locks" -> {
                            expectCurrent(JsonToken.START_ARRAY, "locks");
                            JsonToken lock;
                            while ((lock = p.nextToken()) == JsonToken.VALUE_STRING || lock == JsonToken.VALUE_NULL) {
                                if (lock == JsonToken.VALUE_STRING) {   // null: a lock the JIT eliminated
                                    locks.add(sharedText());
                                }
                            }
                            expectCurrent(JsonToken.END_ARRAY, "locks");
                        }
                        default -> p.skipChildren();
                    }
                    if (v == null) {
                        throw error("truncated");
                    }
                }
                for (String lock : locks) {
                    out.add(HeldMonitor.parse(depth, lock));
                }
            }
            expectCurrent(JsonToken.END_ARRAY, "monitorsOwned");
            return out;
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
                String s = p.getText();
                try {
                    return Long.parseLong(s.strip());
                } catch (NumberFormatException e) {
                    throw error("\"" + field + "\" is not a number: \"" + abbreviate(s) + "\"");
                }
            }
            throw error("\"" + field + "\" is not a number");
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
            if (p.currentToken() == JsonToken.VALUE_NULL) {
                return null;
            }
            String s = p.getText();
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
}
