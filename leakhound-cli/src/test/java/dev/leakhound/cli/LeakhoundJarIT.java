package dev.leakhound.cli;

import dev.leakhound.testing.Json;

import com.sun.management.HotSpotDiagnosticMXBean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shaded {@code leakhound.jar} as users run it: {@code java -jar leakhound.jar ...} in a process of its own.
 * Runs under maven-failsafe-plugin, after {@code package} made the jar; {@code leakhound.jar} names it.
 */
@Timeout(300)
class LeakhoundJarIT {

    @TempDir
    static Path dir;

    private static Path jar;
    private static LeakedThreads leaked;
    private static Path dump;

    @BeforeAll
    static void dumpThisJvmWithALeakedThread() throws IOException {
        jar = ChildJvm.shadedJar();
        leaked = new LeakedThreads();
        dump = dir.resolve("threads.json");
        ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                .dumpThreads(dump.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
    }

    @AfterAll
    static void endTheLeakedThreads() throws InterruptedException {
        if (leaked != null) {
            leaked.close();
        }
    }

    record Result(int status, String out, String err) {
        @Override
        public String toString() {
            return "exit status " + status + "\n--- stdout:\n" + out + "\n--- stderr:\n" + err;
        }
    }

    /** {@code java -jar leakhound.jar ARGS < stdin}, with the Java running the tests; killed after 2 minutes. */
    private static Result leakhound(Path stdin, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-jar");
        cmd.add(jar.toString());
        Collections.addAll(cmd, args);
        Path out = Files.createTempFile(dir, "stdout-", ".txt");
        Path err = Files.createTempFile(dir, "stderr-", ".txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.redirectInput(stdin == null ? ProcessBuilder.Redirect.from(nullFile()) : ProcessBuilder.Redirect.from(stdin.toFile()));
        Process p = pb.start();
        try {
            if (!p.waitFor(240, TimeUnit.SECONDS)) {
                throw new AssertionError("leakhound did not finish in 120 s: " + cmd);
            }
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static java.io.File nullFile() {
        return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }

    @Test
    void versionAndHelp() throws Exception {
        Result version = leakhound(null, "--version");
        assertThat(version.status()).as(version.toString()).isZero();
        assertThat(version.out()).startsWith("leakhound 0.").doesNotContain("unknown version");

        Result help = leakhound(null, "--help");
        assertThat(help.status()).isZero();
        assertThat(help.out()).contains("threads", "demo", "Exit status:");
    }

    @Test
    void theLibrariesInsideAreRelocated() throws IOException {
        try (JarFile jf = new JarFile(jar.toFile())) {
            List<String> names = jf.stream().map(ZipEntry::getName).toList();
            assertThat(names).contains("dev/leakhound/cli/Main.class", "dev/leakhound/examples/MultiQuery.class")
                    .anyMatch(n -> n.startsWith("dev/leakhound/shaded/jackson/core/"))
                    .anyMatch(n -> n.startsWith("dev/leakhound/shaded/picocli/"))
                    .noneMatch(n -> n.startsWith("com/fasterxml/") || n.startsWith("picocli/"));
            assertThat(jf.getManifest().getMainAttributes().getValue("Main-Class")).isEqualTo("dev.leakhound.cli.Main");
        }
    }

    @Test
    void threadsFindsTheLeakedThreadInADumpOfThisJvm() throws Exception {
        Result text = leakhound(null, "threads", "--suspects-only", dump.toString());
        assertThat(text.status()).as(text.toString()).isZero();
        assertThat(text.err()).isEmpty();
        assertThat(text.out()).contains("JDK JSON thread dump", "pid " + ProcessHandle.current().pid())
                .containsPattern("1 virtual thread WAITING in SynchronousQueue\\.put, parked on ")
                .contains("blocked at  " + leaked.virtualBlockedAt());

        Result json = leakhound(dump, "threads", "--json", "-");
        assertThat(json.status()).as(json.toString()).isZero();
        Map<String, Object> doc = Json.object(Json.parse(json.out()));
        assertThat(Json.object(doc.get("summary"))).containsEntry("source", "<stdin>")
                .containsEntry("processId", ProcessHandle.current().pid());
        assertThat(Json.objects(doc.get("suspects")))
                .anySatisfy(g -> assertThat(g).containsEntry("blockedAt", leaked.virtualBlockedAt())
                        .containsEntry("waitingIn", "SynchronousQueue.put"));
    }

    @Test
    void badInputExitsWithTwoAndOneLineOnStandardError() throws Exception {
        Path missing = dir.resolve("no-such-dump.json");
        Path garbage = Files.writeString(dir.resolve("garbage.txt"), "not a thread dump\n");
        byte[] whole = Files.readAllBytes(dump);
        Path truncated = Files.write(dir.resolve("truncated.json"), java.util.Arrays.copyOf(whole, whole.length / 2));

        for (Path bad : List.of(missing, garbage, truncated)) {
            Result r = leakhound(null, "threads", bad.toString());
            assertThat(r.status()).as(r.toString()).isEqualTo(2);
            assertThat(r.out()).isEmpty();
            assertThat(r.err().lines()).as(r.toString()).hasSize(1);
            assertThat(r.err()).startsWith("leakhound: " + bad + ":").doesNotContain("Exception");
        }
        Result unknown = leakhound(null, "threads", "--bogus", dump.toString());
        assertThat(unknown.status()).isEqualTo(2);
        assertThat(unknown.err()).isEqualTo("leakhound: Unknown option: '--bogus' (see 'leakhound threads --help')\n");
    }

    @Test
    void demoShowsTheLeaksWithTheirFixesAndExitsWithZero() throws Exception {
        Result quick = leakhound(null, "demo");

        assertThat(quick.status()).as(quick.toString()).isZero();
        assertThat(quick.err()).as("no agent, no server by default").isEmpty();
        assertThat(quick.out()).contains("creation sites: recorded", "5. SentinelAgent FIXED")
                .containsPattern("started at  dev\\.leakhound\\.examples\\.MultiQuery\\.firstAnswer\\(MultiQuery\\.java:\\d+\\) by \"main\"")
                .containsPattern("\n   fix: give the channel a buffer of 3")
                .containsPattern("\n   fix: drain or close the done queue")
                .doesNotContain("6. SentinelAgent LIVE", "NOT as expected");
        assertThat(quick.out().lines().toList().getLast()).startsWith("demo: as expected");

        Result r = leakhound(null, "demo", "--all");

        assertThat(r.status()).as(r.toString()).isZero();
        // the agent's line: where its debug server runs (step 6), or why 6060 could not be used
        assertThat(r.err().lines().toList()).as(r.toString())
                .allMatch(l -> l.startsWith("leakhound-agent: debug server "));
        assertThat(r.out()).contains("2 virtual threads WAITING in SynchronousQueue.put")
                .containsPattern("round 4: [1-9]\\d* leaked checker threads")
                .contains("=> as expected: the leaked checker threads grow every round (")
                .contains("6. SentinelAgent LIVE, buggy")
                .containsPattern("blocked at  dev\\.leakhound\\.examples\\.SentinelAgent\\.runCheck\\(SentinelAgent\\.java:\\d+\\)")
                .contains("creation sites: recorded")
                .containsPattern("started at  dev\\.leakhound\\.examples\\.MultiQuery\\.firstAnswer\\(MultiQuery\\.java:\\d+\\) by \"main\"")
                .containsPattern("started at  dev\\.leakhound\\.examples\\.SentinelAgent\\.round\\(SentinelAgent\\.java:\\d+\\)")
                .contains("=> as expected: the live thread count rises every round (")
                .doesNotContain("NOT as expected");
        assertThat(r.out().lines().toList().getLast()).startsWith("demo: as expected");
        // (its run time is not asserted: that is the machine's load, measured, never a verdict)
    }
}
