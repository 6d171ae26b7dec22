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
    /** The two recordings joined (as {@code jfr assemble} or {@code cat} join chunks): two batches of live samples. */
    private static Path recording;
    private static Instant between;

    static final List<byte[]> FIRST = new ArrayList<>();
    static final List<byte[]> SECOND = new ArrayList<>();

    /** Records {@link #main} in a JVM of its own, with a heap of known size (this one's has run other tests). */
    @BeforeAll
    static void record() throws Exception {
        recording = dir.resolve("joined.jfr");
        Path launcher = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(launcher.toString(), "-Xmx256m", "-XX:+UseG1GC", "-cp",
                System.getProperty("java.class.path"), JfrProfileBuilderTest.class.getName(), dir.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("child.out").toFile()).start();
        try {
            assertThat(p.waitFor(180, java.util.concurrent.TimeUnit.SECONDS)).as("the child ended within 180 s").isTrue();
            assertThat(p.exitValue()).as(java.nio.file.Files.readString(dir.resolve("child.out"))).isZero();
        } finally {
            p.destroyForcibly();
            p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS);
        }
        between = Instant.parse(java.nio.file.Files.readString(dir.resolve("between.txt")).strip());
        java.nio.file.Files.write(recording, java.nio.file.Files.readAllBytes(dir.resolve("first.jfr")));
        java.nio.file.Files.write(recording, java.nio.file.Files.readAllBytes(dir.resolve("two-batches.jfr")),
                java.nio.file.StandardOpenOption.APPEND);
    }

    /**
     * The child: {@code first.jfr}, a recording stopped while the first buffers are held, then {@code
     * two-batches.jfr}, one stopped after they were dropped and others kept. (The live samples are written when a
     * recording stops; a dump of a running one has them only at times.)
     */
    public static void main(String[] args) throws Exception {
        Path into = Path.of(args[0]);
        try (Recording r = recording()) {
            r.start();
            Thread first = new Thread(() -> {
                for (int i = 0; i < 4000; i++) {     // the sampler may miss the first ones; the last 200 stay
                    FIRST.add(keptFirst());
                    if (FIRST.size() > 200) {
                        FIRST.remove(0);
                    }
                }
            });
            first.start();
            first.join();
            System.gc();
            r.stop();
            r.dump(into.resolve("first.jfr"));
        }
        java.nio.file.Files.writeString(into.resolve("between.txt"), Instant.now().toString());
        try (Recording r = recording()) {
            r.start();
            FIRST.clear();
            for (int i = 0; i < 200; i++) {
                SECOND.add(keptSecond());
            }
            System.gc();
            r.stop();
            r.dump(into.resolve("two-batches.jfr"));
        }
    }

    private static Recording recording() {
        Recording r = new Recording();
        r.enable("jdk.ObjectAllocationSample").withStackTrace().with("throttle", "10000/s");
        r.enable("jdk.OldObjectSample").withStackTrace().with("cutoff", "infinity");
        r.enable("jdk.ThreadStart").withStackTrace();
        return r;
    }

    static byte[] keptFirst() {
        return new byte[64 * 1024];
    }

    static byte[] keptSecond() {
        return new byte[96 * 1024];
    }

    /** Two batches of live samples in one file (JFR reads joined chunks as one recording): the later one is the view. */
    @Test
    void inuseIsTheLastBatchOnly() throws Exception {
        assertThat(oldObjectSamplesAt(recording, "keptFirst")).as("the first batch is in the file").isPositive();
        HeapProfile inuse = JfrRecording.read(recording, JfrProfileBuilder.Options.DEFAULTS).profile(Kind.INUSE);
        assertThat(inuse.sites()).isNotEmpty();
        assertThat(inuse.sites().get(0).allocatingFrame().methodName()).isEqualTo("keptSecond");
        assertThat(inuse.sites().get(0).threadKind()).isEqualTo("platform");
        assertThat(inuse.sites()).noneMatch(s -> allocatedIn(s, "keptFirst"));
        assertThat(inuse.samples()).isEqualTo(inuse.sites().stream().mapToLong(ProfileSite::samples).sum());

        HeapProfile earlier = JfrRecording.read(dir.resolve("first.jfr"), JfrProfileBuilder.Options.DEFAULTS)
                .profile(Kind.INUSE);
        ProfileSite first = earlier.sites().get(0);
        assertThat(first.allocatingFrame().methodName()).isEqualTo("keptFirst");
        assertThat(first.allocatingFrame().className()).isEqualTo(TEST);
        assertThat(first.startedAt()).as("started while recording").isNotNull();
        assertThat(first.startedAt().startingFrame().methodName()).isEqualTo("main");
        assertThat(first.types()).singleElement().satisfies(t -> assertThat(t.type()).isEqualTo("byte[]"));
        assertThat(first.bytes()).isEqualTo(first.objects() * (64 * 1024 + 16));
    }

    @Test
    void allocHasBothLinesAndTheWindowCuts() throws Exception {
        HeapProfile all = JfrRecording.read(recording, JfrProfileBuilder.Options.DEFAULTS).profile(Kind.ALLOC);
        assertThat(all.sites()).anyMatch(s -> allocatedIn(s, "keptFirst"))
                .anyMatch(s -> allocatedIn(s, "keptSecond"));
        assertThat(all.bytes()).isEqualTo(all.sites().stream().mapToLong(ProfileSite::bytes).sum());

        HeapProfile later = JfrRecording.read(recording, JfrProfileBuilder.Options.DEFAULTS.since(between))
                .profile(Kind.ALLOC);
        assertThat(later.from()).isEqualTo(between);
        assertThat(later.sites()).anyMatch(s -> allocatedIn(s, "keptSecond"))
                .noneMatch(s -> allocatedIn(s, "keptFirst"));
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

    /** Whether the site's allocating frame is the method (a sample may have no stack). */
    private static boolean allocatedIn(ProfileSite s, String method) {
        return s.allocatingFrame() != null && s.allocatingFrame().methodName().equals(method);
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
