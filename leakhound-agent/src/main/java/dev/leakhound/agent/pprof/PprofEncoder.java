package dev.leakhound.agent.pprof;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import dev.leakhound.analysis.StackGroup;
import dev.leakhound.analysis.WaitSite;
import dev.leakhound.heapprofile.HeapProfile;
import dev.leakhound.heapprofile.ProfileSite;
import dev.leakhound.model.StackFrame;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.zip.GZIPOutputStream;

/**
 * Writes grouped threads, or a heap profile ({@link #encode(HeapProfile)}), as a pprof profile ({@code perftools.profiles.Profile} of Google's
 * {@code proto/profile.proto}), gzip-compressed as pprof tools expect: the JVM counterpart of Go's
 * {@code /debug/pprof/goroutine}, readable by {@code go tool pprof} and other pprof tools.
 *
 * <ul>
 *   <li>{@code sample_type} and {@code period_type}: {@code threads}/{@code count}, {@code period} 1.</li>
 *   <li>One sample per {@link StackGroup}, with one value: the group's thread count; its locations are
 *       the group's stack, innermost first (pprof's leaf-first order); its string labels are
 *       {@code state} (e.g. {@code WAITING}), {@code wait} (the {@link WaitSite#call()}, e.g.
 *       {@code SynchronousQueue.put}), {@code blocker} (the blocker's class) when known, and
 *       {@code kind}: {@code virtual}, {@code platform} or {@code mixed}, and {@code started_at} (the line that
 *       started them, e.g. {@code com.example.App.main(App.java:12)}) where the agent recorded it.</li>
 *   <li>One location per distinct frame (class, method, file, line), with one line: its function and
 *       line number (0 when unknown or native); all locations belong to one mapping ({@code jvm}, marked
 *       as having functions, file names and line numbers, so that tools do not try to symbolize).</li>
 *   <li>One function per distinct class, method and file: {@code name} and {@code system_name} are
 *       {@code package.Class.method}, {@code filename} is the package path and source file
 *       ({@code java/util/concurrent/SynchronousQueue.java}), empty when unknown.</li>
 *   <li>{@code string_table[0]} is {@code ""}; {@code time_nanos} is the capture time; one comment says
 *       how many threads and groups there are.</li>
 * </ul>
 * Fields are written with the field numbers of {@code profile.proto}, scalars left out when zero (proto3),
 * repeated numbers packed.
 */
public final class PprofEncoder {
    /** The sample type: {@code threads}, unit {@code count} (Go says {@code goroutine}/{@code count}). */
    public static final String SAMPLE_TYPE = "threads";
    public static final String SAMPLE_UNIT = "count";

    // perftools.profiles.Profile
    private static final int PROFILE_SAMPLE_TYPE = 1;
    private static final int PROFILE_SAMPLE = 2;
    private static final int PROFILE_MAPPING = 3;
    private static final int PROFILE_LOCATION = 4;
    private static final int PROFILE_FUNCTION = 5;
    private static final int PROFILE_STRING_TABLE = 6;
    private static final int PROFILE_TIME_NANOS = 9;
    private static final int PROFILE_DURATION_NANOS = 10;
    private static final int PROFILE_PERIOD_TYPE = 11;
    private static final int PROFILE_PERIOD = 12;
    private static final int PROFILE_COMMENT = 13;
    private static final int PROFILE_DEFAULT_SAMPLE_TYPE = 14;
    // ValueType
    private static final int VALUE_TYPE_TYPE = 1;
    private static final int VALUE_TYPE_UNIT = 2;
    // Sample
    private static final int SAMPLE_LOCATION_ID = 1;
    private static final int SAMPLE_VALUE = 2;
    private static final int SAMPLE_LABEL = 3;
    // Label
    private static final int LABEL_KEY = 1;
    private static final int LABEL_STR = 2;
    private static final int LABEL_NUM = 3;
    private static final int LABEL_NUM_UNIT = 4;
    // Mapping
    private static final int MAPPING_ID = 1;
    private static final int MAPPING_FILENAME = 5;
    private static final int MAPPING_HAS_FUNCTIONS = 7;
    private static final int MAPPING_HAS_FILENAMES = 8;
    private static final int MAPPING_HAS_LINE_NUMBERS = 9;
    // Location
    private static final int LOCATION_ID = 1;
    private static final int LOCATION_MAPPING_ID = 2;
    private static final int LOCATION_LINE = 4;
    // Line
    private static final int LINE_FUNCTION_ID = 1;
    private static final int LINE_LINE = 2;
    // Function
    private static final int FUNCTION_ID = 1;
    private static final int FUNCTION_NAME = 2;
    private static final int FUNCTION_SYSTEM_NAME = 3;
    private static final int FUNCTION_FILENAME = 4;

    private static final long MAPPING = 1;

    private PprofEncoder() {
    }

    /**
     * The gzip-compressed profile of the groups.
     *
     * @param groups     the groups, e.g. from {@code ThreadGrouping.group}
     * @param capturedAt when the threads were captured, or {@code null} to leave {@code time_nanos} out
     */
    public static byte[] encode(List<StackGroup> groups, Instant capturedAt) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            write(groups, capturedAt, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);                 // a ByteArrayOutputStream does not fail
        }
        return bytes.toByteArray();
    }

    /** Writes the gzip-compressed profile of the groups to {@code out}, which is left open. */
    public static void write(List<StackGroup> groups, Instant capturedAt, OutputStream out) throws IOException {
        try (GZIPOutputStream gzip = new GZIPOutputStream(new NonClosing(out), 1 << 16)) {
            writeUncompressed(groups, capturedAt, gzip);
        }
    }

    /** Writes the profile without compression (pprof tools also read that). */
    public static void writeUncompressed(List<StackGroup> groups, Instant capturedAt, OutputStream out)
            throws IOException {
        Objects.requireNonNull(groups, "groups");
        new Builder().build(groups, capturedAt, out);
    }

    /**
     * The gzip-compressed heap profile: {@code alloc_objects}/{@code alloc_space} or {@code inuse_objects}/{@code
     * inuse_space} (units {@code count}, {@code bytes}; the space one is the default), one sample per site with
     * its two values, its stack and the labels {@code type} (the class with the most bytes), {@code kind}
     * ({@code platform}, {@code virtual}, {@code mixed}), {@code started_at} where known and, for inuse, the
     * number label {@code oldest_age} (milliseconds); {@code time_nanos} is the window's start (alloc, with {@code
     * duration_nanos} its length) or when the live objects were written (inuse); period type {@code space}/{@code
     * bytes}. Each frame's function has no file name: JFR records none.
     */
    public static byte[] encode(HeapProfile profile) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            write(profile, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);                 // a ByteArrayOutputStream does not fail
        }
        return bytes.toByteArray();
    }

    /** Writes the gzip-compressed heap profile to {@code out}, which is left open. */
    public static void write(HeapProfile profile, OutputStream out) throws IOException {
        Objects.requireNonNull(profile, "profile");
        try (GZIPOutputStream gzip = new GZIPOutputStream(new NonClosing(out), 1 << 16)) {
            new Builder().build(profile, gzip);
        }
    }

    /** Collects strings, functions and locations, then writes the profile. One use only. */
    private static final class Builder {
        private final Map<String, Integer> strings = new HashMap<>();
        private final List<String> stringTable = new ArrayList<>();
        private final Map<FunctionKey, Long> functionIds = new HashMap<>();
        private final List<byte[]> functions = new ArrayList<>();
        private final Map<StackFrame, Long> locationIds = new HashMap<>();
        private final List<byte[]> locations = new ArrayList<>();

        Builder() {
            string("");
        }

        void build(List<StackGroup> groups, Instant capturedAt, OutputStream sink) throws IOException {
            long threads = 0;
            List<byte[]> samples = new ArrayList<>(groups.size());
            for (StackGroup g : groups) {
                samples.add(sample(g));
                threads += g.count();
            }
            String[][] types = {{SAMPLE_TYPE, SAMPLE_UNIT}};
            write(types, types[0], 1, 0, samples,
                    "leakhound: " + threads + " threads in " + groups.size() + " groups", capturedAt, 0, sink);
        }

        void build(HeapProfile p, OutputStream sink) throws IOException {
            List<byte[]> samples = new ArrayList<>(p.sites().size());
            for (ProfileSite s : p.sites()) {
                samples.add(sample(s));
            }
            String[][] types = {{p.kind().objectsType(), "count"}, {p.kind().spaceType(), "bytes"}};
            String comment = "leakhound: " + (p.kind() == HeapProfile.Kind.ALLOC
                    ? p.samples() + " JFR allocation samples (alloc_objects counts samples), " + p.bytes() + " bytes"
                    : p.objects() + " JFR old-object samples alive, " + p.bytes() + " bytes")
                    + " in " + p.sites().size() + " sites from " + p.source()
                    + (p.dropped().samples() > 0 ? "; " + p.dropped().samples() + " samples of further stacks left out" : "");
            Instant at = p.kind() == HeapProfile.Kind.ALLOC ? p.from() : p.to();
            long duration = p.kind() == HeapProfile.Kind.ALLOC ? p.span().toNanos() : 0;
            write(types, new String[]{"space", "bytes"}, 0, 2, samples, comment, at, duration, sink);
        }

        /**
         * Writes the profile: {@code types} (type, unit) in value order, the period type, the period ({@code 0}
         * leaves it out), the default sample type (1-based index into {@code types}, 0: none).
         */
        private void write(String[][] types, String[] period, long periodValue, int defaultType, List<byte[]> samples,
                           String commentText, Instant time, long durationNanos, OutputStream sink) throws IOException {
            List<byte[]> valueTypes = new ArrayList<>();
            for (String[] t : types) {
                valueTypes.add(valueType(t[0], t[1]));
            }
            byte[] periodType = valueType(period[0], period[1]);
            long comment = string(commentText);
            long defaultSampleType = defaultType == 0 ? 0 : string(types[defaultType - 1][0]);
            long jvm = string("jvm");
            byte[] mapping = message(m -> {
                uint64(m, MAPPING_ID, MAPPING);
                int64(m, MAPPING_FILENAME, jvm);
                m.writeBool(MAPPING_HAS_FUNCTIONS, true);
                m.writeBool(MAPPING_HAS_FILENAMES, true);
                m.writeBool(MAPPING_HAS_LINE_NUMBERS, true);
            });

            CodedOutputStream out = CodedOutputStream.newInstance(sink, 1 << 16);
            for (byte[] v : valueTypes) {
                out.writeByteArray(PROFILE_SAMPLE_TYPE, v);
            }
            for (byte[] s : samples) {
                out.writeByteArray(PROFILE_SAMPLE, s);
            }
            out.writeByteArray(PROFILE_MAPPING, mapping);
            for (byte[] l : locations) {
                out.writeByteArray(PROFILE_LOCATION, l);
            }
            for (byte[] f : functions) {
                out.writeByteArray(PROFILE_FUNCTION, f);
            }
            for (String s : stringTable) {
                out.writeString(PROFILE_STRING_TABLE, s);
            }
            if (time != null) {
                int64(out, PROFILE_TIME_NANOS, time.getEpochSecond() * 1_000_000_000L + time.getNano());
            }
            int64(out, PROFILE_DURATION_NANOS, durationNanos);
            out.writeByteArray(PROFILE_PERIOD_TYPE, periodType);
            int64(out, PROFILE_PERIOD, periodValue);
            packedInt64(out, PROFILE_COMMENT, new long[]{comment});
            int64(out, PROFILE_DEFAULT_SAMPLE_TYPE, defaultSampleType);
            out.flush();
        }

        private byte[] valueType(String type, String unit) throws IOException {
            return strings(VALUE_TYPE_TYPE, type, VALUE_TYPE_UNIT, unit);
        }

        /** A message of two string-table indexes (a ValueType, a string Label). */
        private byte[] strings(int field1, String s1, int field2, String s2) throws IOException {
            long a = string(s1);
            long b = string(s2);
            return message(m -> {
                int64(m, field1, a);
                int64(m, field2, b);
            });
        }

        private byte[] sample(ProfileSite s) throws IOException {
            long[] ids = locations(s.stack());
            List<byte[]> labels = new ArrayList<>(4);
            if (s.mainType() != null) {
                labels.add(label("type", s.mainType()));
            }
            labels.add(label("kind", s.threadKind()));
            StackFrame start = s.startedAt() == null ? null : s.startedAt().startingFrame();
            if (start != null) {                        // JFR gives the line, not the file: Class.method:line
                labels.add(label("started_at", start.className() + "." + start.methodName()
                        + (start.lineNumber() > 0 ? ":" + start.lineNumber() : "")));
            }
            if (s.oldestAge() != null) {
                long ms = s.oldestAge().toMillis();
                long key = string("oldest_age");
                long unit = string("milliseconds");
                labels.add(message(m -> {
                    int64(m, LABEL_KEY, key);
                    int64(m, LABEL_NUM, ms);
                    int64(m, LABEL_NUM_UNIT, unit);
                }));
            }
            return message(m -> {
                packedUInt64(m, SAMPLE_LOCATION_ID, ids);
                packedInt64(m, SAMPLE_VALUE, new long[]{s.objects(), s.bytes()});
                for (byte[] l : labels) {
                    m.writeByteArray(SAMPLE_LABEL, l);
                }
            });
        }

        private long[] locations(List<StackFrame> stack) throws IOException {
            long[] ids = new long[stack.size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = location(stack.get(i));
            }
            return ids;
        }

        private byte[] sample(StackGroup g) throws IOException {
            long[] ids = locations(g.stack());
            List<byte[]> labels = new ArrayList<>(4);
            if (g.state() != null) {
                labels.add(label("state", g.state().name()));
            }
            WaitSite site = g.waitSite();
            if (site.call() != null) {
                labels.add(label("wait", site.call()));
            }
            if (g.blockerClass() != null) {
                labels.add(label("blocker", g.blockerClass()));
            }
            long virtual = g.virtualCount();
            labels.add(label("kind", virtual == g.count() ? "virtual" : virtual == 0 ? "platform" : "mixed"));
            dev.leakhound.model.CreationSite created = g.creationSite();
            if (created != null && created.startingFrame() != null) {
                labels.add(label("started_at", created.startingFrame().toString()));
            }
            return message(m -> {
                packedUInt64(m, SAMPLE_LOCATION_ID, ids);
                packedInt64(m, SAMPLE_VALUE, new long[]{g.count()});
                for (byte[] l : labels) {
                    m.writeByteArray(SAMPLE_LABEL, l);
                }
            });
        }

        private byte[] label(String key, String value) throws IOException {
            return strings(LABEL_KEY, key, LABEL_STR, value);
        }

        private long location(StackFrame f) throws IOException {
            Long known = locationIds.get(f);
            if (known != null) {
                return known;
            }
            long id = locations.size() + 1;
            long function = function(f);
            long line = Math.max(0, f.lineNumber());
            byte[] lineMessage = message(m -> {
                uint64(m, LINE_FUNCTION_ID, function);
                int64(m, LINE_LINE, line);
            });
            locations.add(message(m -> {
                uint64(m, LOCATION_ID, id);
                uint64(m, LOCATION_MAPPING_ID, MAPPING);
                m.writeByteArray(LOCATION_LINE, lineMessage);
            }));
            locationIds.put(f, id);
            return id;
        }

        private long function(StackFrame f) throws IOException {
            FunctionKey key = new FunctionKey(f.className(), f.methodName(), f.fileName());
            Long known = functionIds.get(key);
            if (known != null) {
                return known;
            }
            long id = functions.size() + 1;
            long name = string(f.className() + "." + f.methodName());
            long file = string(sourcePath(f));
            functions.add(message(m -> {
                uint64(m, FUNCTION_ID, id);
                int64(m, FUNCTION_NAME, name);
                int64(m, FUNCTION_SYSTEM_NAME, name);
                int64(m, FUNCTION_FILENAME, file);
            }));
            functionIds.put(key, id);
            return id;
        }

        private long string(String s) {
            Integer i = strings.get(s);
            if (i == null) {
                i = stringTable.size();
                stringTable.add(s);
                strings.put(s, i);
            }
            return i;
        }
    }

    /**
     * {@code java/util/concurrent/SynchronousQueue.java}: the package as a path and the frame's source file;
     * {@code ""} when the file is unknown.
     */
    static String sourcePath(StackFrame f) {
        if (f.fileName() == null) {
            return "";
        }
        int dot = f.className().lastIndexOf('.');
        return dot < 0 ? f.fileName() : f.className().substring(0, dot).replace('.', '/') + "/" + f.fileName();
    }

    private record FunctionKey(String className, String methodName, String fileName) {
    }

    private interface Body {
        void write(CodedOutputStream out) throws IOException;
    }

    private static byte[] message(Body body) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(32);
        CodedOutputStream out = CodedOutputStream.newInstance(bytes, 256);
        body.write(out);
        out.flush();
        return bytes.toByteArray();
    }

    private static void int64(CodedOutputStream out, int field, long value) throws IOException {
        if (value != 0) {
            out.writeInt64(field, value);
        }
    }

    private static void uint64(CodedOutputStream out, int field, long value) throws IOException {
        if (value != 0) {
            out.writeUInt64(field, value);
        }
    }

    private static void packedInt64(CodedOutputStream out, int field, long[] values) throws IOException {
        if (values.length == 0) {
            return;
        }
        int size = 0;
        for (long v : values) {
            size += CodedOutputStream.computeInt64SizeNoTag(v);
        }
        out.writeTag(field, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt32NoTag(size);
        for (long v : values) {
            out.writeInt64NoTag(v);
        }
    }

    private static void packedUInt64(CodedOutputStream out, int field, long[] values) throws IOException {
        if (values.length == 0) {
            return;
        }
        int size = 0;
        for (long v : values) {
            size += CodedOutputStream.computeUInt64SizeNoTag(v);
        }
        out.writeTag(field, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt32NoTag(size);
        for (long v : values) {
            out.writeUInt64NoTag(v);
        }
    }

    /** Keeps {@link GZIPOutputStream#close} (which finishes it and frees its deflater) from closing the caller's stream. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
