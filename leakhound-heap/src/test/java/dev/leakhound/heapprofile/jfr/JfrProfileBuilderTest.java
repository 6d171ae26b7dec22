package dev.leakhound.heapprofile.jfr;

import dev.leakhound.heapprofile.HeapProfile;
import dev.leakhound.heapprofile.HeapProfile.Kind;
import dev.leakhound.heapprofile.ProfileSite;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The builder on real recordings of this JVM: the alloc view, the inuse view of the last batch of old-object
 * samples (objects that died after an earlier batch are gone), the cap on sites, the time window. {@code first.jfr}
 * is dumped while {@code keptFirst}'s buffers are held; then they are dropped and {@code keptSecond}'s kept.
 */
class JfrProfileBuilderTest {
    private static final String TEST = JfrProfileBuilderTest.class.getName();

    @TempDir
    static Path dir;
    /** The whole recording: its old-object samples written at the end, after the first buffers were dropped. */
    private static Path recording;
    private static Instant between;

    static final List<byte[]> FIRST = new ArrayList<>();
    static final List<byte[]> SECOND = new ArrayList<>();

    @BeforeAll
    static void record() throws Exception {
        recording = dir.resolve("two-batches.jfr");
        try (Recording r = new Recording()) {
            r.enable("jdk.ObjectAllocationSample").withStackTrace().with("throttle", "10000/s");
            r.enable("jdk.OldObjectSample").withStackTrace().with("cutoff", "infinity");
            r.enable("jdk.ThreadStart").withStackTrace();
            r.start();
            Thread first = new Thread(() -> {
                for (int i = 0; i < 200; i++) {
                    FIRST.add(keptFirst());
                }
            });
            first.start();
            first.join();
            System.gc();
            r.dump(dir.resolve("first.jfr"));                // ends a chunk: JFR writes the live samples
            between = Instant.now();
            FIRST.clear();
            for (int i = 0; i < 200; i++) {
                SECOND.add(keptSecond());
            }
            System.gc();
            r.stop();
            r.dump(recording);
        }
    }

    static byte[] keptFirst() {
        return new byte[64 * 1024];
    }

    static byte[] keptSecond() {
        return new byte[96 * 1024];
    }

    /**
     * JFR writes the live samples when a recording is dumped or stopped; two such batches in one file (chunks joined,
     * as {@code jfr assemble} or {@code cat} do; JFR reads them as one recording): the later one is the view.
     */
    @Test
    void inuseIsTheLastBatchOnly() throws Exception {
        Path joined = dir.resolve("joined.jfr");
        java.nio.file.Files.write(joined, java.nio.file.Files.readAllBytes(dir.resolve("first.jfr")));
        java.nio.file.Files.write(joined, java.nio.file.Files.readAllBytes(recording),
                java.nio.file.StandardOpenOption.APPEND);
        assertThat(oldObjectSamplesAt(joined, "keptFirst")).as("the first batch is in the file").isPositive();
        HeapProfile inuse = JfrRecording.read(joined, JfrProfileBuilder.Options.DEFAULTS).profile(Kind.INUSE);
        assertThat(inuse.sites()).isNotEmpty();
        assertThat(inuse.sites().get(0).allocatingFrame().methodName()).isEqualTo("keptSecond");
        assertThat(inuse.sites().get(0).threadKind()).isEqualTo("platform");
        assertThat(inuse.sites()).noneMatch(s -> s.allocatingFrame().methodName().equals("keptFirst"));
        assertThat(inuse.samples()).isEqualTo(inuse.sites().stream().mapToLong(ProfileSite::samples).sum());

        HeapProfile earlier = JfrRecording.read(dir.resolve("first.jfr"), JfrProfileBuilder.Options.DEFAULTS)
                .profile(Kind.INUSE);
        ProfileSite first = earlier.sites().get(0);
        assertThat(first.allocatingFrame().methodName()).isEqualTo("keptFirst");
        assertThat(first.allocatingFrame().className()).isEqualTo(TEST);
        assertThat(first.startedAt()).as("started while recording").isNotNull();
        assertThat(first.startedAt().startingFrame().methodName()).isEqualTo("record");
        assertThat(first.types()).singleElement().satisfies(t -> assertThat(t.type()).isEqualTo("byte[]"));
        assertThat(first.bytes()).isEqualTo(first.objects() * (64 * 1024 + 16));
    }

    @Test
    void allocHasBothLinesAndTheWindowCuts() throws Exception {
        HeapProfile all = JfrRecording.read(recording, JfrProfileBuilder.Options.DEFAULTS).profile(Kind.ALLOC);
        assertThat(all.sites()).anyMatch(s -> s.allocatingFrame().methodName().equals("keptFirst"))
                .anyMatch(s -> s.allocatingFrame().methodName().equals("keptSecond"));
        assertThat(all.bytes()).isEqualTo(all.sites().stream().mapToLong(ProfileSite::bytes).sum());

        HeapProfile later = JfrRecording.read(recording, JfrProfileBuilder.Options.DEFAULTS.since(between))
                .profile(Kind.ALLOC);
        assertThat(later.from()).isEqualTo(between);
        assertThat(later.sites()).anyMatch(s -> s.allocatingFrame().methodName().equals("keptSecond"))
                .noneMatch(s -> s.allocatingFrame().methodName().equals("keptFirst"));
    }

    @Test
    void sitesPastTheCapAreCountedNotKept() throws Exception {
        HeapProfile all = JfrRecording.read(recording, JfrProfileBuilder.Options.DEFAULTS).profile(Kind.ALLOC);
        assertThat(all.sites().size()).isGreaterThan(1);
        HeapProfile capped = JfrRecording.read(recording, new JfrProfileBuilder.Options(null, null, 1))
                .profile(Kind.ALLOC);
        assertThat(capped.sites()).hasSize(1);
        assertThat(capped.samples()).isEqualTo(all.samples());
        assertThat(capped.bytes()).isEqualTo(all.bytes());
        assertThat(capped.dropped().samples()).isEqualTo(all.samples() - capped.sites().get(0).samples());
        assertThat(capped.dropped().bytes()).isEqualTo(all.bytes() - capped.sites().get(0).bytes());
    }

    @Test
    void arrayClassesGetTheirJavaNames() {
        assertThat(JfrProfileBuilder.javaName("[B")).isEqualTo("byte[]");
        assertThat(JfrProfileBuilder.javaName("[[J")).isEqualTo("long[][]");
        assertThat(JfrProfileBuilder.javaName("[Ljava.util.HashMap$Node;")).isEqualTo("java.util.HashMap$Node[]");
        assertThat(JfrProfileBuilder.javaName("java.lang.String")).isEqualTo("java.lang.String");
    }

    private static long oldObjectSamplesAt(Path file, String method) throws Exception {
        long n = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            if (e.getEventType().getName().equals(JfrProfileBuilder.OLD_OBJECT_SAMPLE) && e.getStackTrace() != null) {
                for (RecordedFrame f : e.getStackTrace().getFrames()) {
                    if (f.getMethod().getName().equals(method)) {
                        n++;
                        break;
                    }
                }
            }
        }
        return n;
    }
}
