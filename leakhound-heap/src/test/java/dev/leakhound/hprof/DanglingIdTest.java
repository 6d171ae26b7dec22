package dev.leakhound.hprof;

import dev.leakhound.hprof.histogram.HeapDumpHistogram;
import dev.leakhound.hprof.index.HeapFrame;
import dev.leakhound.hprof.index.HeapIndex;
import dev.leakhound.proof.DumpThreads;
import dev.leakhound.proof.LeakProof;
import dev.leakhound.proof.ProofResult;
import dev.leakhound.proof.WaitingThread;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.leakhound.hprof.BasicType.INT;
import static dev.leakhound.hprof.BasicType.OBJECT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every id of a dump that names something the dump does not hold (a string, a class, a frame, a stack trace, an
 * object, a thread serial): the reader, the index and the proof go on with a placeholder where the tool can (a name
 * in angle brackets, an empty stack, a thread left out), and nothing fails with a NullPointerException. Hand-made
 * dumps: one virtual thread in {@code Object.wait()} with no timeout (so the proof looks for its waiting frame,
 * where the dangling method name of issue 9 made it fail), each with one id changed to dangle.
 */
class DanglingIdTest {
    private static final long MISSING = 0x3e7;

    @TempDir
    Path dir;

    /** The ids of the base dump, each one changeable to {@link #MISSING}. */
    static final class Ids {
        long methodName = 11;
        long signature = 12;
        long sourceFile = 13;
        int frameClassSerial = 1;
        long traceFrame = 70;
        int threadTraceSerial = 5;
        long threadClassName = 2;
        long stateFieldName = 6;
        long threadSuper = 100;
        long instanceClass = 300;
        long threadRootObject = 1000;
        int frameRootThreadSerial = 1;
        long nameValue = 1200;
        long stringValueFieldName = 15;
        long arrayClass = 500;
        /** Whether a second virtual thread, without a thread root, is in the dump. */
        boolean unrootedVirtualThread;
    }

    static byte[] dump(Ids ids) {
        HprofWriter w = new HprofWriter("JAVA PROFILE 1.0.2", 8);
        w.string(1, "java/lang/Object").string(2, "java/lang/Thread").string(3, "java/lang/VirtualThread")
                .string(4, "name").string(5, "parkBlocker").string(6, "state").string(7, "NEW")
                .string(8, "TERMINATED").string(9, "WAIT").string(10, "java/lang/Class")
                .string(11, "wait0").string(12, "(J)V").string(13, "Object.java").string(14, "java/lang/String")
                .string(15, "value").string(16, "[Ljava/lang/Object;");
        w.loadClass(1, 100, 1).loadClass(2, 200, ids.threadClassName).loadClass(3, 300, 3).loadClass(4, 400, 10)
                .loadClass(5, 600, 14).loadClass(6, 500, 16);
        w.stackFrame(70, ids.methodName, ids.signature, ids.sourceFile, ids.frameClassSerial, -1)
                .stackTrace(5, 1, ids.traceFrame);
        w.beginHeap()
                .classDump(100, 0, new long[0], new BasicType[0], new long[0], new long[0], new BasicType[0])
                .classDump(400, 100, new long[0], new BasicType[0], new long[0], new long[0], new BasicType[0])
                .classDump(500, 100, new long[0], new BasicType[0], new long[0], new long[0], new BasicType[0])
                .classDump(600, 100, new long[0], new BasicType[0], new long[0],
                        new long[] {ids.stringValueFieldName}, new BasicType[] {OBJECT})
                .classDump(200, ids.threadSuper, new long[0], new BasicType[0], new long[0],
                        new long[] {4, 5}, new BasicType[] {OBJECT, OBJECT})
                .classDump(300, 200, new long[] {7, 8, 9}, new BasicType[] {INT, INT, INT}, new long[] {0, 99, 5},
                        new long[] {ids.stateFieldName}, new BasicType[] {INT})
                .rootStickyClass(300)
                .rootThreadObject(ids.threadRootObject, 1, ids.threadTraceSerial)
                .rootJavaFrame(1100, ids.frameRootThreadSerial, 0)
                .instance(1000, ids.instanceClass, new BasicType[] {INT, OBJECT, OBJECT}, 5, 1201, 0)
                .instance(1201, 600, new BasicType[] {OBJECT}, ids.nameValue)
                .byteArray(1200, "vt".getBytes())
                .objectArray(1100, ids.arrayClass, 1000);
        if (ids.unrootedVirtualThread) {
            w.instance(1300, 300, new BasicType[] {INT, OBJECT, OBJECT}, 5, 0, 0);
        }
        w.endHeap(0x1C)
                .heapDumpEnd();
        return w.toByteArray();
    }

    /** Indexes the dump, reads its threads and proves: what a `heap` command does. */
    private ProofResult prove(Ids ids) throws IOException {
        Path file = Files.write(dir.resolve("dangling.hprof"), dump(ids));
        HeapDumpHistogram.read(file, Progress.NONE);
        try (HeapIndex index = HeapIndex.open(file, Progress.NONE)) {
            index.histogram();
            return LeakProof.prove(index);
        }
    }

    private List<WaitingThread> threads(Ids ids) throws IOException {
        Path file = Files.write(dir.resolve("dangling.hprof"), dump(ids));
        try (HeapIndex index = HeapIndex.open(file, Progress.NONE)) {
            return DumpThreads.read(index);
        }
    }

    private HeapFrame onlyFrame(Ids ids) throws IOException {
        List<WaitingThread> threads = threads(ids);
        assertThat(threads).hasSize(1);
        assertThat(threads.get(0).stack()).hasSize(1);
        return threads.get(0).stack().get(0);
    }

    @Test
    void theBaseDumpIsAWaitingThreadProvenLeakedByWhatItsWaitFrameHolds() throws IOException {
        ProofResult r = prove(new Ids());
        assertThat(r.candidates()).isEqualTo(1);
        // its Object.wait frame holds an array only it reaches: the monitor is among what that frame holds
        assertThat(r.leaked()).hasSize(1);
        assertThat(r.leaked().get(0).stack().get(0).toString()).isEqualTo("java.lang.Object.wait0(Object.java)");
        assertThat(r.leaked().get(0).threads().get(0).name()).isEqualTo("vt");
        assertThat(r.leaked().get(0).pattern().pattern().id()).isEqualTo("orphan-wait");
    }

    @Test
    void aFrameWhoseMethodNameIsNoString() throws IOException {
        Ids ids = new Ids();
        ids.methodName = MISSING;
        ProofResult r = prove(ids);                    // was: NullPointerException in Marking.monitorFrame
        assertThat(r.candidates()).isEqualTo(1);
        assertThat(r.rescued().get(0).stack().get(0).methodName()).isEqualTo("<unknown method 0x3e7>");
    }

    @Test
    void aFrameWhoseSignatureOrSourceIsNoString() throws IOException {
        Ids ids = new Ids();
        ids.signature = MISSING;
        ids.sourceFile = MISSING;
        HeapFrame f = onlyFrame(ids);
        assertThat(f.signature()).isNull();
        assertThat(f.toString()).isEqualTo("java.lang.Object.wait0(Unknown Source)");
        assertThat(prove(ids).candidates()).isEqualTo(1);
    }

    @Test
    void aFrameOfNoClass() throws IOException {
        Ids ids = new Ids();
        ids.frameClassSerial = 99;
        assertThat(onlyFrame(ids).className()).isEqualTo("<unknown class>");
        assertThat(prove(ids).candidates()).isEqualTo(1);
    }

    @Test
    void aTraceWithAFrameOfNoRecord() throws IOException {
        Ids ids = new Ids();
        ids.traceFrame = MISSING;
        assertThat(onlyFrame(ids).toString()).startsWith("<unknown>.<frame 0x3e7>");
        assertThat(prove(ids).candidates()).isEqualTo(1);
    }

    @Test
    void aThreadOfNoTrace() throws IOException {
        Ids ids = new Ids();
        ids.threadTraceSerial = 99;
        assertThat(threads(ids).get(0).stack()).isEmpty();
        assertThat(prove(ids).candidates()).isEqualTo(1);
    }

    @Test
    void aClassWhoseNameIsNoString() throws IOException {
        Ids ids = new Ids();
        ids.threadClassName = MISSING;                       // java.lang.Thread unnamed: no thread can be read
        ProofResult r = prove(ids);
        assertThat(r.threads()).isZero();
        Path file = dir.resolve("dangling.hprof");
        assertThat(HeapDumpHistogram.read(file, Progress.NONE).histogram().rows())
                .noneMatch(row -> row.className() == null);
        try (HeapIndex index = HeapIndex.open(file, Progress.NONE)) {
            assertThat(index.classById(200).name()).isEqualTo("<unknown class 0xc8>");
        }
    }

    @Test
    void aFieldWhoseNameIsNoString() throws IOException {
        Ids ids = new Ids();
        ids.stateFieldName = MISSING;                        // VirtualThread.state unnamed: its state is unknown
        ProofResult r = prove(ids);
        assertThat(r.threads()).isEqualTo(1);
        assertThat(r.candidates()).isZero();
        try (HeapIndex index = HeapIndex.open(dir.resolve("dangling.hprof"), Progress.NONE)) {
            assertThat(index.classById(300).fieldNames()).containsExactly("<name 0x3e7>");
        }
    }

    @Test
    void anUnrootedVirtualThreadWhoseStateFieldHasNoName() throws IOException {
        Ids ids = new Ids();
        ids.unrootedVirtualThread = true;
        assertThat(prove(ids).refused()).startsWith("1 live virtual threads have no thread root");
        ids.stateFieldName = MISSING;                        // its state cannot be read: it may be live, so counted
        assertThat(prove(ids).refused()).startsWith("1 live virtual threads have no thread root");
    }

    @Test
    void aSuperClassOfNoClassDump() throws IOException {
        Ids ids = new Ids();
        ids.threadSuper = MISSING;
        assertThat(prove(ids).candidates()).isEqualTo(1);
    }

    @Test
    void anInstanceOfNoClass() throws IOException {
        for (long missing : new long[] {MISSING, 0}) {
            Ids ids = new Ids();
            ids.instanceClass = missing;
            // Counted, under a placeholder name...
            Path file = Files.write(dir.resolve("dangling.hprof"), dump(ids));
            assertThat(HeapDumpHistogram.read(file, Progress.NONE).histogram().rows())
                    .anyMatch(row -> row.className().equals("<unknown class 0x" + Long.toHexString(missing) + ">"));
            // ... but its fields cannot be read, so nothing can be proven: a clear error, not a guess (leaving its
            // references out could make what it holds look unreachable)
            try (HeapIndex index = HeapIndex.open(file, Progress.NONE)) {
                assertThatThrownBy(() -> LeakProof.prove(index)).isInstanceOf(HprofFormatException.class)
                        .hasMessageStartingWith(file + ": at byte ")
                        .hasMessageEndingWith("instance of <unknown class 0x" + Long.toHexString(missing)
                                + ">, which has no CLASS_DUMP (or a super class without one)");
            }
        }
    }

    @Test
    void anArrayOfNoClass() throws IOException {
        for (long missing : new long[] {MISSING, 0}) {
            Ids ids = new Ids();
            ids.arrayClass = missing;
            assertThat(prove(ids).candidates()).isEqualTo(1);
            assertThat(HeapDumpHistogram.read(dir.resolve("dangling.hprof"), Progress.NONE).histogram().rows())
                    .anyMatch(row -> row.className().equals("<unknown class 0x" + Long.toHexString(missing) + ">"));
        }
    }

    @Test
    void aThreadRootOfNoObject() throws IOException {
        Ids ids = new Ids();
        ids.threadRootObject = MISSING;
        ProofResult r = prove(ids);
        assertThat(r.threads()).isZero();
    }

    @Test
    void aFrameRootOfNoThread() throws IOException {
        Ids ids = new Ids();
        ids.frameRootThreadSerial = 99;
        assertThat(prove(ids).candidates()).isEqualTo(1);
    }

    @Test
    void aThreadNameWithoutItsText() throws IOException {
        Ids ids = new Ids();
        ids.nameValue = MISSING;                             // String.value names no object
        assertThat(threads(ids).get(0).name()).isEmpty();
        ids.nameValue = 1000;                                // ... or an instance, not an array
        assertThat(threads(ids).get(0).name()).isEmpty();
        ids = new Ids();
        ids.stringValueFieldName = MISSING;                  // a String without a field "value"
        assertThat(threads(ids).get(0).name()).isEmpty();
        assertThat(prove(ids).candidates()).isEqualTo(1);
    }
}
