package dev.leakhound.hprof;

import dev.leakhound.histogram.ClassHistogram;
import dev.leakhound.hprof.histogram.HeapDumpHistogram;
import dev.leakhound.hprof.index.GcRoots;
import dev.leakhound.hprof.index.HeapClass;
import dev.leakhound.hprof.index.HeapIndex;
import dev.leakhound.hprof.index.ObjectKind;
import dev.leakhound.hprof.index.ThreadRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static dev.leakhound.hprof.BasicType.INT;
import static dev.leakhound.hprof.BasicType.OBJECT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Dumps written by hand: 4-byte ids (32-bit HotSpot) and the unsegmented HEAP_DUMP of format 1.0.1, which
 * today's 64-bit HotSpot never writes; and 8-byte ids segmented, gzip-compressed.
 */
class HandMadeHprofTest {

    @TempDir
    Path dir;

    /**
     * class Node { Node next; int value; } extends Object; 3 nodes in a ring, a Node[2], a byte[5] "hello",
     * a String-less thread root with a stack of 2 frames.
     */
    static byte[] tinyDump(String format, int idSize, boolean segmented) {
        HprofWriter w = new HprofWriter(format, idSize);
        w.string(1, "java/lang/Object").string(2, "Node").string(3, "next").string(4, "value")
                .string(5, "[LNode;").string(6, "COUNT").string(7, "run").string(8, "()V").string(9, "Node.java")
                .string(10, "java/lang/Class");
        w.loadClass(1, 100, 1).loadClass(2, 200, 2).loadClass(3, 300, 5).loadClass(4, 400, 10);
        w.stackFrame(70, 7, 8, 9, 2, 42).stackFrame(71, 7, 8, 9, 2, -1).stackTrace(5, 1, 70, 71);
        w.beginHeap()
                .classDump(100, 0, new long[0], new BasicType[0], new long[0], new long[0], new BasicType[0])
                .classDump(400, 100, new long[0], new BasicType[0], new long[0], new long[0], new BasicType[0])
                .classDump(200, 100, new long[] {6}, new BasicType[] {INT}, new long[] {3},
                        new long[] {3, 4}, new BasicType[] {OBJECT, INT})
                .classDump(300, 100, new long[0], new BasicType[0], new long[0], new long[0], new BasicType[0])
                .rootStickyClass(200)
                .rootThreadObject(1000, 1, 5)
                .rootJavaFrame(1001, 1, 0);
        if (segmented) {
            w.endHeap(0x1C).beginHeap();
        }
        w.instance(1001, 200, new BasicType[] {OBJECT, INT}, 1002, 1)
                .instance(1002, 200, new BasicType[] {OBJECT, INT}, 1003, 2)
                .instance(1003, 200, new BasicType[] {OBJECT, INT}, 1001, 3)
                .objectArray(1004, 300, 1001, 0)
                .byteArray(1005, "hello".getBytes())
                .instance(1000, 100, new BasicType[0]);
        w.endHeap(segmented ? 0x1C : 0x0C);
        if (segmented) {
            w.heapDumpEnd();
        }
        return w.toByteArray();
    }

    @ParameterizedTest
    @CsvSource({"JAVA PROFILE 1.0.1, 4, false", "JAVA PROFILE 1.0.2, 4, true", "JAVA PROFILE 1.0.1, 8, false",
            "JAVA PROFILE 1.0.2, 8, true"})
    void readsIdSizesAndBothLayouts(String format, int idSize, boolean segmented) throws IOException {
        Path file = dir.resolve("tiny.hprof");
        Files.write(file, tinyDump(format, idSize, segmented));

        HeapDumpHistogram hh = HeapDumpHistogram.read(file, Progress.NONE);
        assertThat(hh.header().idSize()).isEqualTo(idSize);
        assertThat(hh.header().format()).isEqualTo(format);
        assertThat(hh.instances()).isEqualTo(4);
        assertThat(hh.objectArrays()).isEqualTo(1);
        assertThat(hh.primitiveArrays()).isEqualTo(1);
        assertThat(hh.classes()).isEqualTo(4);
        ClassHistogram h = hh.histogram();
        assertThat(row(h, "Node").instances()).isEqualTo(3);
        assertThat(row(h, "Node").bytes()).isEqualTo(3 * (2L * idSize + idSize + 4));
        assertThat(row(h, "[LNode;").instances()).isEqualTo(1);
        assertThat(row(h, "[B").bytes()).isEqualTo(2L * idSize + 4 + 5);
        assertThat(row(h, "java.lang.Class").instances()).isEqualTo(4);
        assertThat(row(h, "java.lang.Object").instances()).isEqualTo(1);

        try (HeapIndex index = HeapIndex.open(file, Progress.NONE)) {
            assertThat(index.idSize()).isEqualTo(idSize);
            assertThat(index.objectCount()).isEqualTo(10);     // 4 classes, 4 instances, 2 arrays
            HeapClass node = index.classByName("Node");
            assertThat(node.fieldNames()).containsExactly("next", "value");
            assertThat(node.superClass().name()).isEqualTo("java.lang.Object");
            assertThat(node.staticValue("COUNT")).isEqualTo(3);
            assertThat(index.classOf(1002)).isSameAs(node);
            assertThat(index.kindOf(1004)).isEqualTo(ObjectKind.OBJECT_ARRAY);
            assertThat(index.kindOf(200)).isEqualTo(ObjectKind.CLASS);
            assertThat(index.kindOf(999)).isNull();
            assertThat(index.fieldValue(1002, "next")).isEqualTo(1003);
            assertThat(index.fieldValue(1003, "value")).isEqualTo(3);
            assertThat(index.arrayLength(1004)).isEqualTo(2);
            assertThat(index.arrayLength(1005)).isEqualTo(5);
            assertThat(new String(index.primitiveArrayBytes(1005, 100))).isEqualTo("hello");

            List<String> refs = new ArrayList<>();
            index.forEachReference(1003, (t, k, owner, i) -> refs.add(k + ":" + t));
            assertThat(refs).containsExactly("CLASS:200", "FIELD:1001");
            refs.clear();
            index.forEachReference(1004, (t, k, owner, i) -> refs.add(k + ":" + t + "@" + i));
            assertThat(refs).containsExactly("CLASS:300@-1", "ARRAY_ELEMENT:1001@0");
            refs.clear();
            index.forEachReference(200, (t, k, owner, i) -> refs.add(k + ":" + t));
            assertThat(refs).containsExactly("SUPER_CLASS:100");

            GcRoots roots = index.roots();
            assertThat(roots.size()).isEqualTo(3);
            assertThat(roots.kind(1)).isEqualTo(RootKind.THREAD_OBJECT);
            assertThat(roots.kind(2)).isEqualTo(RootKind.JAVA_FRAME);
            assertThat(roots.threadSerial(2)).isEqualTo(1);
            assertThat(index.threads()).containsExactly(new ThreadRecord(1000, 1, 5));
            assertThat(index.thread(1).objectId()).isEqualTo(1000);
            assertThat(index.stack(index.thread(1))).extracting(Object::toString)
                    .containsExactly("Node.run(Node.java:42)", "Node.run(Node.java)");
        }
    }

    /**
     * A class retransformed by an agent (java.lang.Thread under Leakhound's own) has a second LOAD CLASS record
     * and no CLASS DUMP: found by name is the class dumped, the class of its instances.
     */
    @Test
    void aClassLoadedTwiceIsFoundByNameAsTheOneDumped() throws IOException {
        HprofWriter w = new HprofWriter("JAVA PROFILE 1.0.2", 8);
        w.string(1, "java/lang/Object").string(2, "Node");
        w.loadClass(1, 100, 1).loadClass(2, 150, 2).loadClass(3, 200, 2);
        w.beginHeap()
                .classDump(100, 0, new long[0], new BasicType[0], new long[0], new long[0], new BasicType[0])
                .classDump(200, 100, new long[0], new BasicType[0], new long[0], new long[0], new BasicType[0])
                .instance(1001, 200, new BasicType[0]);
        w.endHeap(0x1C).heapDumpEnd();
        Path file = dir.resolve("loaded-twice.hprof");
        Files.write(file, w.toByteArray());

        try (HeapIndex index = HeapIndex.open(file, Progress.NONE)) {
            HeapClass node = index.classByName("Node");
            assertThat(node.id()).isEqualTo(200);
            assertThat(index.classOf(1001)).isSameAs(node);
            assertThat(node.isSubclassOf(index.classByName("java.lang.Object"))).isTrue();
        }
    }

    @Test
    void gzipCompressedDumpsAreStreamedForHistogramsAndDecompressedForTheIndex() throws IOException {
        Path file = dir.resolve("tiny.hprof.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(tinyDump("JAVA PROFILE 1.0.2", 8, true));
        }
        List<Path> before = tempFiles();
        HeapDumpHistogram hh = HeapDumpHistogram.read(file, Progress.NONE);
        assertThat(hh.header().gzipped()).isTrue();
        assertThat(row(hh.histogram(), "Node").instances()).isEqualTo(3);
        try (HeapIndex index = HeapIndex.open(file, Progress.NONE)) {
            assertThat(index.fieldValue(1001, "next")).isEqualTo(1002);
        }
        assertThat(tempFiles()).as("temporary files left").isSubsetOf(before);
    }

    private static List<Path> tempFiles() throws IOException {
        try (var tmp = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return tmp.filter(p -> p.getFileName().toString().startsWith("leakhound-")
                    && p.getFileName().toString().endsWith(".hprof")).toList();
        }
    }

    static ClassHistogram.Row row(ClassHistogram h, String className) {
        return h.rows().stream().filter(r -> r.className().equals(className)).findFirst()
                .orElseThrow(() -> new AssertionError("no row " + className + " in " + h.rows()));
    }
}
