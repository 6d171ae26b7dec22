package dev.leakhound.hprof;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.leakhound.histogram.ClassHistogram;
import dev.leakhound.hprof.histogram.HeapDumpHistogram;
import dev.leakhound.hprof.index.GcRoots;
import dev.leakhound.hprof.index.HeapClass;
import dev.leakhound.hprof.index.HeapFrame;
import dev.leakhound.hprof.index.HeapIndex;
import dev.leakhound.hprof.index.ReferenceKind;
import dev.leakhound.hprof.index.ThreadRecord;
import dev.leakhound.testing.ThreadsAt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static dev.leakhound.hprof.HandMadeHprofTest.row;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Dumps of this JVM taken by HotSpot ({@code dumpHeap(path, live=true)}, and gzip-compressed through the
 * {@code jcmd PID GC.heap_dump -gz=1}) with known objects in it: 12345 {@link Marker}s held by one
 * array, a known string and a {@code long[777]} in static fields, and three parked virtual threads.
 */
@Timeout(300)
class RealDumpTest {

    static final int MARKERS = 12345;
    static final String KNOWN = "leakhound-known-string-" + 0xC0FFEE;
    static Marker[] markers;
    static long[] array = new long[777];
    static final CountDownLatch RELEASE = new CountDownLatch(1);
    static final List<Thread> THREADS = new ArrayList<>();

    /** The test class of which the dump must count exactly {@value #MARKERS} instances. */
    static final class Marker {
        final int n;
        final Object next;

        Marker(int n, Object next) {
            this.n = n;
            this.next = next;
        }
    }

    @TempDir
    static Path dir;
    static Path plain;
    static Path gzipped;

    @BeforeAll
    static void dump() throws Exception {
        markers = new Marker[MARKERS];
        for (int i = 0; i < MARKERS; i++) {
            markers[i] = new Marker(i, i == 0 ? KNOWN : markers[i - 1]);
        }
        for (int i = 0; i < 3; i++) {
            THREADS.add(Thread.ofVirtual().name("hprof-vt-" + i).start(() -> {
                try {
                    RELEASE.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        // in await, where the dump must show them (not merely WAITING somewhere on their way)
        ThreadsAt.await(THREADS, Thread.State.WAITING, "java.util.concurrent.CountDownLatch.await");
        plain = dir.resolve("live.hprof");
        ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).dumpHeap(plain.toString(), true);
        gzipped = dir.resolve("live.hprof.gz");
        // dumpHeap writes plain HPROF only (JDK 25: a path not ending in .hprof is refused), and GC.heap_dump is
        // not among the DiagnosticCommand MBean's operations: jcmd it is
        Path out = dir.resolve("jcmd.txt");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(ProcessHandle.current().pid()), "GC.heap_dump", "-gz=1", gzipped.toString())
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(180, TimeUnit.SECONDS) || p.exitValue() != 0 || !Files.exists(gzipped)) {
            p.destroyForcibly();
            throw new AssertionError("jcmd GC.heap_dump -gz=1 failed: " + Files.readString(out));
        }
    }

    @AfterAll
    static void release() throws InterruptedException {
        RELEASE.countDown();
        for (Thread t : THREADS) {
            t.join();
        }
    }

    @Test
    void histogramCountsTheKnownObjectsExactly() throws Exception {
        HeapDumpHistogram hh = HeapDumpHistogram.read(plain, Progress.NONE);
        assertThat(hh.header().idSize()).isEqualTo(8);
        assertThat(hh.header().format()).isEqualTo("JAVA PROFILE 1.0.2");
        assertThat(hh.fileBytes()).isEqualTo(Files.size(plain));
        ClassHistogram h = hh.histogram();
        assertThat(row(h, Marker.class.getName()).instances()).isEqualTo(MARKERS);
        assertThat(row(h, Marker[].class.getName()).instances()).isEqualTo(1);
        assertThat(row(h, Marker[].class.getName()).bytes()).isEqualTo(8 + 8 + 4 + 8L * MARKERS);
        assertThat(row(h, "java.lang.VirtualThread").instances()).isGreaterThanOrEqualTo(3);
        // one per CLASS_DUMP, and HotSpot writes the primitive types' mirrors (int.class) as INSTANCE_DUMPs
        assertThat(row(h, "java.lang.Class").instances()).isBetween(hh.classes(), hh.classes() + 20);
        assertThat(hh.classes()).isGreaterThan(500);
        assertThat(h.totalInstances()).isEqualTo(hh.objects());
    }

    @Test
    void theIndexCountsTheSameHistogramAsTheStreamingPass() throws Exception {
        for (Path dump : new Path[] {plain, gzipped}) {
            HeapDumpHistogram streamed = HeapDumpHistogram.read(dump, Progress.NONE);
            try (HeapIndex index = HeapIndex.open(dump, Progress.NONE)) {
                assertThat(HeapDumpHistogram.of(index)).as(dump.toString()).isEqualTo(streamed);
            }
        }
    }

    @Test
    void gzipDumpOfHotSpotReadsTheSame() throws Exception {
        assertThat(HprofReader.isGzip(gzipped)).isTrue();
        HeapDumpHistogram hh = HeapDumpHistogram.read(gzipped, Progress.NONE);
        assertThat(hh.header().gzipped()).isTrue();
        assertThat(row(hh.histogram(), Marker.class.getName()).instances()).isEqualTo(MARKERS);
        try (HeapIndex index = HeapIndex.open(gzipped, Progress.NONE)) {
            assertThat(index.classByName(Marker.class.getName()).instanceCount()).isEqualTo(MARKERS);
        }
    }

    @Test
    void indexReadsFieldsStaticsStringsArraysAndReferences() throws Exception {
        try (HeapIndex index = HeapIndex.open(plain, Progress.NONE)) {
            HeapClass test = index.classByName(RealDumpTest.class.getName());
            HeapClass marker = index.classByName(Marker.class.getName());
            assertThat(marker.fieldNames()).containsExactlyInAnyOrder("n", "next");
            assertThat(marker.instanceCount()).isEqualTo(MARKERS);

            long arrayId = test.staticValue("array");
            assertThat(index.classOf(arrayId).name()).isEqualTo("[J");
            assertThat(index.arrayLength(arrayId)).isEqualTo(777);
            // by name, the class that counts the primitive arrays (HotSpot also dumps a class object named "[J")
            assertThat(index.classByName("[J")).isSameAs(index.classOf(arrayId));
            assertThat(index.classByName("[J").instanceCount()).isPositive();

            long markersId = test.staticValue("markers");
            assertThat(index.arrayLength(markersId)).isEqualTo(MARKERS);
            int[] elements = new int[1];
            long[] first = new long[1];
            index.forEachReference(markersId, (target, kind, owner, i) -> {
                if (kind == ReferenceKind.ARRAY_ELEMENT) {
                    assertThat(index.classOf(target)).isSameAs(marker);
                    if (i == 0) {
                        first[0] = target;
                    }
                    elements[0]++;
                }
            });
            assertThat(elements[0]).isEqualTo(MARKERS);
            assertThat(index.fieldValue(first[0], "n")).isZero();
            long known = index.fieldValue(first[0], "next");
            assertThat(index.readString(known, 1000)).isEqualTo(KNOWN);

            long[] objects = new long[1];
            index.forEachObject((id, kind, cls) -> objects[0]++);
            assertThat(objects[0]).isEqualTo(index.objectCount()).isEqualTo(index.histogram().totalInstances());
        }
    }

    @Test
    void rootsIncludeTheParkedVirtualThreadsWithTheirStacksAndFrames() throws Exception {
        try (HeapIndex index = HeapIndex.open(plain, Progress.NONE)) {
            Map<String, ThreadRecord> byName = new HashMap<>();
            for (ThreadRecord t : index.threads()) {
                long name = index.fieldValue(t.objectId(), "name");
                byName.put(index.readString(name, 200), t);
            }
            assertThat(byName).containsKeys("hprof-vt-0", "hprof-vt-1", "hprof-vt-2", "main");
            ThreadRecord vt = byName.get("hprof-vt-1");
            assertThat(index.classOf(vt.objectId()).name()).isEqualTo("java.lang.VirtualThread");
            assertThat(index.stack(vt)).extracting(HeapFrame::toString)
                    .anyMatch(f -> f.startsWith("java.util.concurrent.CountDownLatch.await("))
                    .anyMatch(f -> f.startsWith(RealDumpTest.class.getName() + ".lambda$dump$"));
            int frames = 0;
            GcRoots roots = index.roots();
            for (int i = 0; i < roots.size(); i++) {
                if (roots.kind(i) == RootKind.JAVA_FRAME && roots.threadSerial(i) == vt.threadSerial()) {
                    frames++;
                    assertThat(roots.extra(i)).isBetween(0L, 200L);
                }
            }
            assertThat(frames).as("ROOT_JAVA_FRAME records of the virtual thread").isPositive();
        }
    }
}
