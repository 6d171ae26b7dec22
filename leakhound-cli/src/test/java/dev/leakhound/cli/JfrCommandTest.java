package dev.leakhound.cli;

import dev.leakhound.testing.Json;
import dev.leakhound.testing.OlderJdk;
import dev.leakhound.testing.PprofProfile;
import jdk.jfr.Recording;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code leakhound jfr} on real recordings of a real child JVM ({@link AllocatingProgram}: a leak of 256 KB buffers
 * on a platform thread, one of 128 KB buffers on a virtual thread, and far more short-lived arrays), taken with
 * {@code jcmd PID JFR.start settings=profile path-to-gc-roots=true} and {@code JFR.dump}: on JDK 25, and on JDK 21
 * where one runs (else skipped, loudly). Bad files: exit 2 and one line.
 */
class JfrCommandTest {
    private static final String PROGRAM = AllocatingProgram.class.getName();

    @TempDir
    static Path dir;
    private static Path recording;

    @BeforeAll
    static void record() throws Exception {
        recording = record(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), "jdk25");
    }

    /** Runs the program in a JVM of the Java given and records it from before {@code go} to {@code done}. */
    static Path record(String java, String jcmd, String name) throws Exception {
        try (ChildJvm child = ChildJvm.start(dir, java, AllocatingProgram.class, List.of("-Xmx512m"))) {
            Path log = dir.resolve("jcmd-" + name + ".log");
            Jcmd.run(jcmd, child.pid(), log, "JFR.start", "name=leakhound", "settings=profile", "path-to-gc-roots=true");
            child.send("go");
            child.awaitStdoutLine("done");
            Path file = dir.resolve(name + ".jfr");
            Jcmd.run(jcmd, child.pid(), log, "JFR.dump", "name=leakhound", "filename=" + file, "path-to-gc-roots=true");
            assertThat(child.exit()).as(child.toString()).isZero();
            assertThat(file).isNotEmptyFile();
            return file;
        }
    }

    // ---------------------------------------------------------------- the views

    @Test
    void theLeakingLineIsTheTopInuseSiteWithItsStartSiteAndRootPath() throws Exception {
        Map<String, Object> doc = json(recording, "--json");
        Map<String, Object> profile = Json.object(doc.get("profile"));
        assertThat(profile.get("kind")).isEqualTo("inuse");
        assertThat(Json.array(profile.get("sampleTypes"))).containsExactly("inuse_objects", "inuse_space");
        List<Map<String, Object>> sites = Json.objects(doc.get("sites"));
        Map<String, Object> top = sites.get(0);
        assertThat((String) top.get("allocatedAt")).as(doc.toString()).startsWith(PROGRAM + ".leakBuffer:");
        assertThat(((Number) top.get("percent")).doubleValue()).as("the leak's share of the sampled live bytes")
                .isGreaterThan(50);
        assertThat(Json.objects(top.get("types")).get(0).get("type")).isEqualTo("byte[]");
        assertThat(((Number) top.get("bytes")).longValue())
                .isEqualTo(((Number) top.get("objects")).longValue() * (256 * 1024 + 16));    // array header: 16 B
        assertThat(top.get("threadKind")).isEqualTo("platform");
        assertThat((String) Json.object(top.get("startedAt")).get("frame")).startsWith(PROGRAM + ".startLeaker:");
        assertThat(((Number) top.get("oldestAgeSeconds")).doubleValue()).isPositive();
        assertThat(Json.array(top.get("rootPath"))).as("path-to-gc-roots=true: from the static list to the buffer")
                .isNotEmpty().anySatisfy(s -> assertThat((String) s).isEqualTo(PROGRAM + ".KEPT"))
                .last().isEqualTo("byte[]");
    }

    @Test
    void virtualThreadsAreAttributedByStackWithoutAStartSite() throws Exception {
        Map<String, Object> doc = json(recording, "--json", "--top", "1000");
        Map<String, Object> site = Json.objects(doc.get("sites")).stream()
                .filter(s -> String.valueOf(s.get("allocatedAt")).startsWith(PROGRAM + ".virtualBuffer:"))
                .findFirst().orElseThrow(() -> new AssertionError("no virtualBuffer site: " + doc));
        assertThat(site.get("threadKind")).isEqualTo("virtual");
        assertThat(site.get("startedAt")).isNull();
        assertThat((String) site.get("startedAtText")).contains("JFR records no start site of a virtual thread");
        assertThat(((Number) site.get("virtualSamples")).longValue()).isEqualTo(((Number) site.get("samples")).longValue());
    }

    @Test
    void theAllocationHeavyLineIsTheTopAllocSite() throws Exception {
        Map<String, Object> doc = json(recording, "--json", "--kind", "alloc");
        Map<String, Object> profile = Json.object(doc.get("profile"));
        assertThat(profile.get("kind")).isEqualTo("alloc");
        assertThat(Json.array(profile.get("sampleTypes"))).containsExactly("alloc_objects", "alloc_space");
        assertThat(((Number) profile.get("spanSeconds")).doubleValue()).isPositive();
        Map<String, Object> top = Json.objects(doc.get("sites")).get(0);
        assertThat((String) top.get("allocatedAt")).as(doc.toString()).startsWith(PROGRAM + ".churnArray:");
        assertThat(Json.objects(top.get("types")).get(0).get("type")).isEqualTo("long[]");
        assertThat((String) Json.object(top.get("startedAt")).get("frame")).startsWith(PROGRAM + ".startChurner:");
        long sites = ((Number) profile.get("sites")).longValue();
        assertThat(Json.objects(doc.get("sites"))).hasSize((int) Math.min(20, sites));     // --top's default
        assertThat(((Number) profile.get("sitesOmitted")).longValue()).isEqualTo(Math.max(0, sites - 20));
    }

    @Test
    void theTextIsLargestFirstWithTheLineAndWhereTheThreadStarted() {
        Cli.Result r = Cli.run("jfr", recording.toString(), "--top", "3");
        assertThat(r.status()).as(r.toString()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines.get(0)).startsWith("heap profile (inuse) of " + recording + ": ")
                .contains("sampled objects alive");
        int header = lines.indexOf(lines.stream().filter(l -> l.contains("flat%")).findFirst().orElseThrow());
        assertThat(lines.get(header)).matches(" +flat +flat% +sum% +objects +allocated at");
        assertThat(lines.get(header + 1)).matches(" +[0-9.]+ MB +[0-9.]+% +[0-9.]+% +\\d+ +"
                + PROGRAM.replace(".", "\\.").replace("$", "\\$") + "\\.leakBuffer:\\d+");
        assertThat(lines.get(header + 2)).contains("byte[]; oldest ").contains("started at " + PROGRAM + ".startLeaker:");
        assertThat(lines.get(header + 3)).contains("path from a GC root: root: ")
                .contains("-> " + PROGRAM + ".KEPT -> java.util.ArrayList.elementData -> java.lang.Object[][")
                .endsWith("] -> byte[]");
    }

    @Test
    void thePprofProfileDecodesWithTheSampleTypesAndTheLine() throws Exception {
        for (String kind : List.of("inuse", "alloc")) {
            Path out = dir.resolve(kind + ".pb.gz");
            Cli.Result r = Cli.run("jfr", recording.toString(), "--kind", kind, "--pprof", out.toString());
            assertThat(r.status()).as(r.toString()).isZero();
            byte[] bytes = Files.readAllBytes(out);
            assertThat(PprofProfile.isGzip(bytes)).isTrue();
            PprofProfile p = PprofProfile.decode(bytes);
            assertThat(p.sampleTypes()).containsExactly(kind + "_objects/count", kind + "_space/bytes");
            PprofProfile.Sample largest = p.samples().stream()
                    .max(Comparator.comparingLong(s -> s.values().get(1))).orElseThrow();
            String method = kind.equals("inuse") ? ".leakBuffer:" : ".churnArray:";
            assertThat(p.frames(largest).get(0)).startsWith(PROGRAM + method);
            assertThat(p.frames(largest).get(0)).matches(".*:\\d+").doesNotEndWith(":0");
            assertThat(largest.values().get(0)).isPositive();
            assertThat(largest.labels()).contains("kind=platform")
                    .anySatisfy(l -> assertThat(l).startsWith("started_at=" + PROGRAM + ".start"));
            if (kind.equals("inuse")) {
                assertThat(largest.labels()).contains("type=byte[]")
                        .anySatisfy(l -> assertThat(l).matches("oldest_age=\\d+ milliseconds"));
            } else {
                assertThat(largest.labels()).contains("type=long[]");
            }
        }
    }

    // ---------------------------------------------------------------- what cannot be read

    @Test
    void aRecordingWithoutTheEventsSaysWhichAndHowToRecordThem() throws Exception {
        Path file = dir.resolve("threads-only.jfr");
        try (Recording r = new Recording()) {
            r.enable("jdk.ThreadStart");
            r.start();
            Thread t = new Thread(() -> { });
            t.start();
            t.join();
            r.stop();
            r.dump(file);
        }
        Cli.Result inuse = Cli.run("jfr", file.toString());
        assertThat(inuse.status()).as(inuse.toString()).isEqualTo(2);
        assertThat(inuse.errLines()).singleElement().asString()
                .startsWith("leakhound: " + file + ": no jdk.OldObjectSample events")
                .contains("jcmd PID JFR.start settings=profile path-to-gc-roots=true")
                .contains("jcmd PID JFR.dump filename=rec.jfr path-to-gc-roots=true")
                .contains("-XX:StartFlightRecording:settings=profile,path-to-gc-roots=true");
        Cli.Result alloc = Cli.run("jfr", file.toString(), "--kind", "alloc");
        assertThat(alloc.status()).isEqualTo(2);
        assertThat(alloc.errLines()).singleElement().asString()
                .startsWith("leakhound: " + file + ": no jdk.ObjectAllocationSample events")
                .contains("jcmd PID JFR.start settings=profile");
    }

    @Test
    void badFilesExit2WithOneLine() throws Exception {
        Path empty = Files.createFile(dir.resolve("empty.jfr"));
        Path random = dir.resolve("random.jfr");
        byte[] noise = new byte[100_000];
        new Random(13).nextBytes(noise);
        Files.write(random, noise);
        Path magicThenNoise = dir.resolve("magic-noise.jfr");
        byte[] m = noise.clone();
        System.arraycopy(new byte[]{'F', 'L', 'R', 0}, 0, m, 0, 4);
        Files.write(magicThenNoise, m);
        Path text = dir.resolve("text.jfr");
        Files.writeString(text, "not a recording\n");
        assertBad(empty, "empty file");
        assertBad(dir, "is a directory");
        assertBad(random, "not a JFR recording");
        assertBad(text, "not a JFR recording");
        assertBad(magicThenNoise, "");
        assertBad(dir.resolve("missing.jfr"), "no such file");

        byte[] whole = Files.readAllBytes(recording);
        for (int length : new int[]{3, 4, 40, 67, 68, 1000, whole.length / 3, whole.length / 2, whole.length - 1}) {
            Path cut = dir.resolve("cut-" + length + ".jfr");
            Files.write(cut, java.util.Arrays.copyOf(whole, length));
            assertBad(cut, "");
        }
    }

    /** Damaged bytes inside a real recording: read (exit 0) or refused in one line (exit 2), never more. */
    @Test
    void damagedRecordingsAreReadOrRefusedInOneLine() throws Exception {
        byte[] whole = Files.readAllBytes(recording);
        Random random = new Random(2013);
        List<String> refused = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            byte[] copy = whole.clone();
            int at = random.nextInt(copy.length);
            for (int j = at; j < Math.min(copy.length, at + 8); j++) {
                copy[j] = (byte) random.nextInt(256);
            }
            Path damaged = dir.resolve("damaged-" + i + ".jfr");
            Files.write(damaged, copy);
            for (String kind : List.of("inuse", "alloc")) {
                Cli.Result r = Cli.run("jfr", damaged.toString(), "--kind", kind);
                assertThat(r.status()).as("damaged at " + at + ": " + r).isIn(0, 2);
                if (r.status() == 2) {
                    assertThat(r.errLines()).as(r.toString()).singleElement().asString()
                            .startsWith("leakhound: " + damaged + ": ");
                    refused.add(r.err());
                }
            }
            Files.delete(damaged);
        }
        System.out.println("damaged recordings refused: " + refused.size() + " of 48 reads");
    }

    @Test
    void badOptionsExit2() {
        assertThat(Cli.run("jfr", recording.toString(), "--kind", "cpu").status()).isEqualTo(2);
        assertThat(Cli.run("jfr", recording.toString(), "--kind", "cpu").err())
                .isEqualTo("leakhound: --kind must be alloc or inuse: cpu\n");
        assertThat(Cli.run("jfr", recording.toString(), "--top", "0").status()).isEqualTo(2);
        assertThat(Cli.run("jfr", "-").err()).contains("must be a file");
        Cli.Result help = Cli.run("jfr", "--help");
        assertThat(help.status()).isZero();
        assertThat(help.out()).contains("--kind", "--pprof", "path-to-gc-roots=true", "Exit status:");
    }

    private static void assertBad(Path file, String reason) {
        Cli.Result r = Cli.run("jfr", file.toString());
        assertThat(r.status()).as(r.toString()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.errLines()).as(r.toString()).singleElement().asString()
                .startsWith("leakhound: " + file + ": ").contains(reason).doesNotContain("Exception");
    }

    // ---------------------------------------------------------------- JDK 21

    @Test
    void aJdk21RecordingGivesTheSameTopSites() throws Exception {
        Optional<OlderJdk.Jdk> jdk = OlderJdk.find21();
        if (jdk.isEmpty()) {
            System.err.println("!!! SKIPPED: JfrCommandTest on JDK 21: no JDK 21 that runs (sudo tools/jdk21-chroot.sh"
                    + " makes one, or set LEAKHOUND_JDK21_HOME)");
        }
        assumeTrue(jdk.isPresent(), "no JDK 21");
        Path jdk21 = record(jdk.get().java(), jdk.get().tool("jcmd"), "jdk21");
        Map<String, Object> inuse = json(jdk21, "--json");
        assertThat((String) Json.objects(inuse.get("sites")).get(0).get("allocatedAt")).as(inuse.toString())
                .startsWith(PROGRAM + ".leakBuffer:");
        Map<String, Object> alloc = json(jdk21, "--json", "--kind", "alloc");
        assertThat((String) Json.objects(alloc.get("sites")).get(0).get("allocatedAt")).as(alloc.toString())
                .startsWith(PROGRAM + ".churnArray:");
        assertThat((String) Json.object(Json.objects(alloc.get("sites")).get(0).get("startedAt")).get("frame"))
                .startsWith(PROGRAM + ".startChurner:");
    }

    private static Map<String, Object> json(Path file, String... options) throws IOException {
        List<String> args = new ArrayList<>(List.of("jfr", file.toString()));
        args.addAll(List.of(options));
        Cli.Result r = Cli.run(args.toArray(String[]::new));
        assertThat(r.status()).as(r.toString()).isZero();
        assertThat(r.err()).isEmpty();
        return Json.object(Json.parse(r.out()));
    }
}
