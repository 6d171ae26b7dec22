package dev.leakhound.agent.pprof;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Label;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import dev.leakhound.analysis.StackGroup;
import dev.leakhound.analysis.ThreadGrouping;
import dev.leakhound.capture.LiveThreads;
import dev.leakhound.model.Blocker;
import dev.leakhound.model.StackFrame;
import dev.leakhound.model.ThreadDump;
import dev.leakhound.model.ThreadSnapshot;
import dev.leakhound.testing.ThreadsAt;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

class PprofEncoderTest {
    private static Descriptors.Descriptor profileType;

    /**
     * The messages of pprof's {@code proto/profile.proto} (package {@code perftools.profiles}, proto3), field by
     * field, as a descriptor built here: the profile must decode with the real schema, not with our encoder's.
     */
    @BeforeAll
    static void profileProto() throws Exception {
        FileDescriptorProto file = FileDescriptorProto.newBuilder()
                .setName("profile.proto").setPackage("perftools.profiles").setSyntax("proto3")
                .addMessageType(message("Profile",
                        repeated("sample_type", 1, "ValueType"), repeated("sample", 2, "Sample"),
                        repeated("mapping", 3, "Mapping"), repeated("location", 4, "Location"),
                        repeated("function", 5, "Function"), repeatedScalar("string_table", 6, Type.TYPE_STRING),
                        scalar("drop_frames", 7, Type.TYPE_INT64), scalar("keep_frames", 8, Type.TYPE_INT64),
                        scalar("time_nanos", 9, Type.TYPE_INT64), scalar("duration_nanos", 10, Type.TYPE_INT64),
                        single("period_type", 11, "ValueType"), scalar("period", 12, Type.TYPE_INT64),
                        repeatedScalar("comment", 13, Type.TYPE_INT64), scalar("default_sample_type", 14, Type.TYPE_INT64),
                        scalar("tick_unit", 15, Type.TYPE_INT64), repeated("label_set", 16, "LabelSet")))
                .addMessageType(message("ValueType",
                        scalar("type", 1, Type.TYPE_INT64), scalar("unit", 2, Type.TYPE_INT64)))
                .addMessageType(message("Sample",
                        repeatedScalar("location_id", 1, Type.TYPE_UINT64), repeatedScalar("value", 2, Type.TYPE_INT64),
                        repeated("label", 3, "Label"), repeated("breakdown", 4, "Breakdown")))
                .addMessageType(message("Breakdown",
                        repeatedScalar("ticks", 1, Type.TYPE_INT64), repeatedScalar("value", 2, Type.TYPE_INT64),
                        repeatedScalar("label_set_id", 3, Type.TYPE_UINT64)))
                .addMessageType(message("Label",
                        scalar("key", 1, Type.TYPE_INT64), scalar("str", 2, Type.TYPE_INT64),
                        scalar("num", 3, Type.TYPE_INT64), scalar("num_unit", 4, Type.TYPE_INT64)))
                .addMessageType(message("LabelSet",
                        scalar("id", 1, Type.TYPE_UINT64), repeated("label", 2, "Label")))
                .addMessageType(message("Mapping",
                        scalar("id", 1, Type.TYPE_UINT64), scalar("memory_start", 2, Type.TYPE_UINT64),
                        scalar("memory_limit", 3, Type.TYPE_UINT64), scalar("file_offset", 4, Type.TYPE_UINT64),
                        scalar("filename", 5, Type.TYPE_INT64), scalar("build_id", 6, Type.TYPE_INT64),
                        scalar("has_functions", 7, Type.TYPE_BOOL), scalar("has_filenames", 8, Type.TYPE_BOOL),
                        scalar("has_line_numbers", 9, Type.TYPE_BOOL), scalar("has_inline_frames", 10, Type.TYPE_BOOL)))
                .addMessageType(message("Location",
                        scalar("id", 1, Type.TYPE_UINT64), scalar("mapping_id", 2, Type.TYPE_UINT64),
                        scalar("address", 3, Type.TYPE_UINT64), repeated("line", 4, "Line"),
                        scalar("is_folded", 5, Type.TYPE_BOOL)))
                .addMessageType(message("Line",
                        scalar("function_id", 1, Type.TYPE_UINT64), scalar("line", 2, Type.TYPE_INT64)))
                .addMessageType(message("Function",
                        scalar("id", 1, Type.TYPE_UINT64), scalar("name", 2, Type.TYPE_INT64),
                        scalar("system_name", 3, Type.TYPE_INT64), scalar("filename", 4, Type.TYPE_INT64),
                        scalar("start_line", 5, Type.TYPE_INT64)))
                .build();
        profileType = Descriptors.FileDescriptor.buildFrom(file, new Descriptors.FileDescriptor[0])
                .findMessageTypeByName("Profile");
    }

    private static DescriptorProto message(String name, FieldDescriptorProto... fields) {
        DescriptorProto.Builder b = DescriptorProto.newBuilder().setName(name);
        for (FieldDescriptorProto f : fields) {
            b.addField(f);
        }
        return b.build();
    }

    private static FieldDescriptorProto scalar(String name, int number, Type type) {
        return FieldDescriptorProto.newBuilder().setName(name).setNumber(number).setType(type)
                .setLabel(Label.LABEL_OPTIONAL).build();
    }

    private static FieldDescriptorProto repeatedScalar(String name, int number, Type type) {
        return FieldDescriptorProto.newBuilder().setName(name).setNumber(number).setType(type)
                .setLabel(Label.LABEL_REPEATED).build();
    }

    private static FieldDescriptorProto single(String name, int number, String messageType) {
        return FieldDescriptorProto.newBuilder().setName(name).setNumber(number).setType(Type.TYPE_MESSAGE)
                .setTypeName(".perftools.profiles." + messageType).setLabel(Label.LABEL_OPTIONAL).build();
    }

    private static FieldDescriptorProto repeated(String name, int number, String messageType) {
        return FieldDescriptorProto.newBuilder().setName(name).setNumber(number).setType(Type.TYPE_MESSAGE)
                .setTypeName(".perftools.profiles." + messageType).setLabel(Label.LABEL_REPEATED).build();
    }

    // ---- reading the decoded profile ----

    private static Object get(DynamicMessage m, String field) {
        return m.getField(m.getDescriptorForType().findFieldByName(field));
    }

    private static long num(DynamicMessage m, String field) {
        Object v = get(m, field);
        return v instanceof Boolean b ? (b ? 1 : 0) : (Long) v;
    }

    @SuppressWarnings("unchecked")
    private static <T> List<T> list(DynamicMessage m, String field) {
        return (List<T>) get(m, field);
    }

    /** A decoded profile, with the tables resolved. */
    private record Decoded(DynamicMessage profile, List<String> strings, Map<Long, DynamicMessage> locations,
                           Map<Long, DynamicMessage> functions) {

        static Decoded of(byte[] gzipped) throws IOException {
            byte[] raw;
            try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped))) {
                raw = in.readAllBytes();
            }
            DynamicMessage p = DynamicMessage.parseFrom(profileType, raw);
            Map<Long, DynamicMessage> locations = new HashMap<>();
            for (DynamicMessage l : PprofEncoderTest.<DynamicMessage>list(p, "location")) {
                assertThat(locations.put(num(l, "id"), l)).as("unique location id").isNull();
            }
            Map<Long, DynamicMessage> functions = new HashMap<>();
            for (DynamicMessage f : PprofEncoderTest.<DynamicMessage>list(p, "function")) {
                assertThat(functions.put(num(f, "id"), f)).as("unique function id").isNull();
            }
            return new Decoded(p, list(p, "string_table"), locations, functions);
        }

        List<DynamicMessage> samples() {
            return list(profile, "sample");
        }

        String string(long index) {
            return strings.get((int) index);
        }

        /** {@code Class.method:line} of each location of a sample, leaf first. */
        List<String> frames(DynamicMessage sample) {
            List<String> out = new ArrayList<>();
            for (long id : PprofEncoderTest.<Long>list(sample, "location_id")) {
                DynamicMessage loc = locations.get(id);
                assertThat(loc).as("location " + id).isNotNull();
                List<DynamicMessage> lines = list(loc, "line");
                assertThat(lines).hasSize(1);
                DynamicMessage fn = functions.get(num(lines.get(0), "function_id"));
                assertThat(fn).isNotNull();
                out.add(string(num(fn, "name")) + ":" + num(lines.get(0), "line"));
            }
            return out;
        }

        Map<String, String> labels(DynamicMessage sample) {
            Map<String, String> out = new HashMap<>();
            for (DynamicMessage l : PprofEncoderTest.<DynamicMessage>list(sample, "label")) {
                out.put(string(num(l, "key")), string(num(l, "str")));
            }
            return out;
        }

        long value(DynamicMessage sample) {
            List<Long> values = list(sample, "value");
            assertThat(values).hasSize(1);
            return values.get(0);
        }
    }

    // ---- synthetic groups ----

    private static final List<StackFrame> PUT = List.of(
            StackFrame.parse("java.base/jdk.internal.misc.Unsafe.park(Native Method)"),
            StackFrame.parse("java.base/java.util.concurrent.SynchronousQueue.put(SynchronousQueue.java:266)"),
            StackFrame.parse("app//com.example.App.send(App.java:8)"),
            StackFrame.parse("app//com.example.App.lambda$main$0(App.java:30)"));
    private static final List<StackFrame> TAKE = List.of(
            StackFrame.parse("java.base/jdk.internal.misc.Unsafe.park(Native Method)"),
            StackFrame.parse("java.base/java.util.concurrent.LinkedBlockingQueue.take(LinkedBlockingQueue.java:435)"),
            StackFrame.parse("app//com.example.App.send(App.java:9)"),
            StackFrame.parse("app//com.example.App.lambda$main$0(App.java:30)"));

    private static List<ThreadSnapshot> threads(long firstId, int n, boolean virtual, Thread.State state,
                                                List<StackFrame> stack, String blocker) {
        List<ThreadSnapshot> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new ThreadSnapshot(firstId + i, "t", virtual, null, state, stack,
                    blocker == null ? null : Blocker.parse(Blocker.Kind.PARKED_ON, blocker, null), List.of(),
                    null, null, null));
        }
        return out;
    }

    @Test
    void oneSamplePerGroupWithCountsFramesLinesAndLabels() throws Exception {
        List<ThreadSnapshot> all = new ArrayList<>();
        all.addAll(threads(1, 3, true, Thread.State.WAITING, PUT, "java.util.concurrent.SynchronousQueue$Transferer@1"));
        all.addAll(threads(10, 2, false, Thread.State.WAITING, TAKE,
                "java.util.concurrent.locks.AbstractQueuedSynchronizer$ConditionObject@2"));
        all.addAll(threads(20, 1, true, Thread.State.WAITING, TAKE,
                "java.util.concurrent.locks.AbstractQueuedSynchronizer$ConditionObject@3"));
        all.addAll(threads(30, 1, false, null, List.of(), null));
        List<StackGroup> groups = ThreadGrouping.group(all);
        assertThat(groups).extracting(StackGroup::count).containsExactly(3, 3, 1);
        Instant at = Instant.parse("2025-03-01T10:15:30.123456789Z");

        Decoded d = Decoded.of(PprofEncoder.encode(groups, at));

        assertThat(d.profile().getUnknownFields().asMap()).isEmpty();
        assertThat(d.strings().get(0)).isEmpty();
        assertThat(d.strings()).doesNotHaveDuplicates();
        List<DynamicMessage> sampleTypes = list(d.profile(), "sample_type");
        assertThat(sampleTypes).hasSize(1);
        assertThat(d.string(num(sampleTypes.get(0), "type"))).isEqualTo("threads");
        assertThat(d.string(num(sampleTypes.get(0), "unit"))).isEqualTo("count");
        DynamicMessage periodType = (DynamicMessage) get(d.profile(), "period_type");
        assertThat(d.string(num(periodType, "type"))).isEqualTo("threads");
        assertThat(num(d.profile(), "period")).isEqualTo(1);
        assertThat(num(d.profile(), "time_nanos")).isEqualTo(1740824130_123456789L);
        assertThat(PprofEncoderTest.<Long>list(d.profile(), "comment")).singleElement()
                .satisfies(c -> assertThat(d.string(c)).isEqualTo("leakhound: 7 threads in 3 groups"));

        List<DynamicMessage> samples = d.samples();
        assertThat(samples).hasSize(3);
        assertThat(samples).extracting(d::value).containsExactly(3L, 3L, 1L);

        assertThat(d.frames(samples.get(0))).containsExactly(
                "jdk.internal.misc.Unsafe.park:0",
                "java.util.concurrent.SynchronousQueue.put:266",
                "com.example.App.send:8",
                "com.example.App.lambda$main$0:30");
        assertThat(d.labels(samples.get(0))).containsExactlyInAnyOrderEntriesOf(Map.of(
                "state", "WAITING", "wait", "SynchronousQueue.put",
                "blocker", "java.util.concurrent.SynchronousQueue$Transferer", "kind", "virtual"));
        assertThat(d.frames(samples.get(1))).containsExactly(
                "jdk.internal.misc.Unsafe.park:0",
                "java.util.concurrent.LinkedBlockingQueue.take:435",
                "com.example.App.send:9",
                "com.example.App.lambda$main$0:30");
        assertThat(d.labels(samples.get(1))).containsEntry("kind", "mixed").containsEntry("wait", "LinkedBlockingQueue.take");
        // a thread with no frames and no state: a sample with no locations and only the kind label
        assertThat(d.frames(samples.get(2))).isEmpty();
        assertThat(d.labels(samples.get(2))).containsExactlyInAnyOrderEntriesOf(Map.of("kind", "platform"));

        // one location per distinct frame, one function per distinct method: App.send at two lines shares one
        assertThat(d.locations()).hasSize(6);
        assertThat(d.functions()).hasSize(5);
        DynamicMessage send = d.functions().values().stream()
                .filter(f -> d.string(num(f, "name")).equals("com.example.App.send")).findFirst().orElseThrow();
        assertThat(d.string(num(send, "filename"))).isEqualTo("com/example/App.java");
        assertThat(d.string(num(send, "system_name"))).isEqualTo("com.example.App.send");
        DynamicMessage park = d.functions().values().stream()
                .filter(f -> d.string(num(f, "name")).equals("jdk.internal.misc.Unsafe.park")).findFirst().orElseThrow();
        assertThat(num(park, "filename")).isZero();                          // native: no file, ""

        // every location in the one mapping, which says symbols are there
        List<DynamicMessage> mappings = list(d.profile(), "mapping");
        assertThat(mappings).singleElement().satisfies(m -> {
            assertThat(num(m, "id")).isEqualTo(1);
            assertThat(d.string(num(m, "filename"))).isEqualTo("jvm");
            assertThat(num(m, "has_functions")).isEqualTo(1);
            assertThat(num(m, "has_filenames")).isEqualTo(1);
            assertThat(num(m, "has_line_numbers")).isEqualTo(1);
        });
        assertThat(d.locations().values()).allSatisfy(l -> assertThat(num(l, "mapping_id")).isEqualTo(1));
    }

    @Test
    void emptyProfileAndNoTime() throws Exception {
        Decoded d = Decoded.of(PprofEncoder.encode(List.of(), null));
        assertThat(d.samples()).isEmpty();
        assertThat(d.strings().get(0)).isEmpty();
        assertThat(num(d.profile(), "time_nanos")).isZero();
        assertThat(d.locations()).isEmpty();
    }

    @Test
    void writeLeavesTheStreamOpenAndUncompressedDecodesToo() throws Exception {
        List<StackGroup> groups = ThreadGrouping.group(threads(1, 2, true, Thread.State.WAITING, PUT, null));
        boolean[] closed = {false};
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        OutputStream out = new OutputStream() {
            @Override
            public void write(int b) {
                bytes.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                bytes.write(b, off, len);
            }

            @Override
            public void close() {
                closed[0] = true;
            }
        };
        PprofEncoder.write(groups, Instant.EPOCH, out);
        assertThat(closed[0]).isFalse();
        assertThat(bytes.toByteArray()).isEqualTo(PprofEncoder.encode(groups, Instant.EPOCH));
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        PprofEncoder.writeUncompressed(groups, Instant.EPOCH, raw);
        DynamicMessage p = DynamicMessage.parseFrom(profileType, raw.toByteArray());
        assertThat(PprofEncoderTest.<DynamicMessage>list(p, "sample")).hasSize(1);
    }

    @Test
    void sourcePath() {
        assertThat(PprofEncoder.sourcePath(StackFrame.parse("a.b.C$D.m(C.java:1)"))).isEqualTo("a/b/C.java");
        assertThat(PprofEncoder.sourcePath(StackFrame.parse("Top.m(Top.java:1)"))).isEqualTo("Top.java");
        assertThat(PprofEncoder.sourcePath(StackFrame.parse("a.b.C.m(Unknown Source)"))).isEmpty();
    }

    @Test
    void liveCaptureDecodesWithOneSamplePerGroup() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        List<Thread> started = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                started.add(Thread.ofVirtual().name("pprof-test").start(() -> {
                    try {
                        never.await();
                    } catch (InterruptedException e) {
                        // the test ends it
                    }
                }));
            }
            // in await, not merely WAITING somewhere on the way: the group of 5 is counted there
            ThreadsAt.await(started, Thread.State.WAITING, "java.util.concurrent.CountDownLatch.await");
            ThreadDump dump = LiveThreads.capture();
            List<StackGroup> groups = ThreadGrouping.group(dump.threads());
            Decoded d = Decoded.of(PprofEncoder.encode(groups, dump.capturedAt()));
            List<DynamicMessage> samples = d.samples();
            assertThat(samples).hasSize(groups.size());
            for (int i = 0; i < groups.size(); i++) {
                assertThat(d.value(samples.get(i))).isEqualTo(groups.get(i).count());
                assertThat(d.frames(samples.get(i))).hasSize(groups.get(i).stack().size());
            }
            assertThat(samples.stream().mapToLong(d::value).sum()).isEqualTo(dump.threads().size());
            DynamicMessage latch = samples.stream()
                    .filter(s -> "CountDownLatch.await".equals(d.labels(s).get("wait"))
                            && d.frames(s).stream().anyMatch(f -> f.startsWith(PprofEncoderTest.class.getName())))
                    .findFirst().orElseThrow();
            assertThat(d.value(latch)).isEqualTo(5);
            assertThat(d.labels(latch)).containsEntry("kind", "virtual").containsEntry("state", "WAITING");
        } finally {
            for (Thread t : started) {
                t.interrupt();
            }
            for (Thread t : started) {
                t.join();
            }
        }
    }
}
