package dev.leakhound.proof;

import dev.leakhound.hprof.BasicType;
import dev.leakhound.hprof.HprofWriter;
import dev.leakhound.hprof.Progress;
import dev.leakhound.hprof.index.HeapIndex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.leakhound.hprof.BasicType.INT;
import static dev.leakhound.hprof.BasicType.OBJECT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A dump in which a live virtual thread has no thread root (as JDK 21 and 22 write them: no frames of unmounted
 * virtual threads) cannot support a proof: the proof says so and claims nothing. Hand-made dumps, since this JDK
 * writes the roots.
 */
class ProofRefusalTest {
    @TempDir
    Path dir;

    /** A parked virtual thread, with or without its ROOT_THREAD_OBJ. */
    private Path dump(boolean rooted) throws IOException {
        HprofWriter w = new HprofWriter("JAVA PROFILE 1.0.2", 8);
        w.string(1, "java/lang/Object").string(2, "java/lang/Thread").string(3, "java/lang/VirtualThread")
                .string(4, "name").string(5, "parkBlocker").string(6, "state").string(7, "NEW")
                .string(8, "TERMINATED").string(9, "PARKED").string(10, "java/lang/Class");
        w.loadClass(1, 100, 1).loadClass(2, 200, 2).loadClass(3, 300, 3).loadClass(4, 400, 10);
        w.beginHeap()
                .classDump(100, 0, new long[0], new BasicType[0], new long[0], new long[0], new BasicType[0])
                .classDump(400, 100, new long[0], new BasicType[0], new long[0], new long[0], new BasicType[0])
                .classDump(200, 100, new long[0], new BasicType[0], new long[0],
                        new long[] {4, 5}, new BasicType[] {OBJECT, OBJECT})
                .classDump(300, 200, new long[] {7, 8, 9}, new BasicType[] {INT, INT, INT}, new long[] {0, 99, 4},
                        new long[] {6}, new BasicType[] {INT})
                .rootStickyClass(300);
        if (rooted) {
            w.rootThreadObject(1000, 1, 0);
        }
        w.instance(1000, 300, new BasicType[] {INT, OBJECT, OBJECT}, 4, 0, 0)
                .endHeap(0x1C)
                .heapDumpEnd();
        return Files.write(dir.resolve(rooted ? "rooted.hprof" : "unrooted.hprof"), w.toByteArray());
    }

    @Test
    void aLiveVirtualThreadWithoutAThreadRootMeansNoProof() throws IOException {
        try (HeapIndex index = HeapIndex.open(dump(false), Progress.NONE)) {
            ProofResult r = LeakProof.prove(index);
            assertThat(r.refused()).contains("1 live virtual threads have no thread root", "JDK 21 and 22");
            assertThat(r.leaked()).isEmpty();
        }
    }

    @Test
    void withItsThreadRootTheSameThreadIsProvenLeaked() throws IOException {
        try (HeapIndex index = HeapIndex.open(dump(true), Progress.NONE)) {
            ProofResult r = LeakProof.prove(index);
            assertThat(r.refused()).isNull();
            assertThat(r.leakedThreads()).isEqualTo(1);     // parked, and nothing reaches it
        }
    }
}
