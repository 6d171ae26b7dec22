package dev.leakhound.proof;

import dev.leakhound.hprof.Progress;
import dev.leakhound.hprof.index.HeapIndex;
import dev.leakhound.testing.OlderJdk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real heap dump of an older JDK (17 on these machines; skipped where there is none): its platform threads are held
 * by their {@code ThreadGroup.threads} array, which the proof leaves out as bookkeeping
 * ({@link Exclusions#OBSERVABILITY}), so the threads on latches only they hold are proven leaked and the one on a queue a static field holds is not.
 */
@Timeout(300)
class OlderJdkDumpTest {

    @TempDir
    Path dir;

    @Test
    void platformThreadsOfAnOlderJdksDumpAreProvenLeakedAndTheControlIsNot() throws Exception {
        OlderJdk.Jdk jdk = OlderJdk.require();
        Path source = OlderJdk.source(OlderJdkDumpTest.class, "LeakOnOlderJdk.java", dir);
        Path dump = dir.resolve("older.hprof");
        Path out = dir.resolve("out.txt");
        Process p = new ProcessBuilder(jdk.java(), "-Xmx64m", source.toString(), dump.toString())
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            assertThat(p.waitFor(240, TimeUnit.SECONDS)).as("the older JDK's JVM ended").isTrue();
        } finally {
            p.destroyForcibly();
        }
        assertThat(p.exitValue()).as(Files.readString(out)).isZero();

        assertOlderLeakProven(dump, jdk);
    }

    /**
     * The proof of a dump of {@code LeakOnOlderJdk}: its three latch waiters proven leaked as one group of platform
     * threads, its control not, held by the static field {@code KEPT}. Also {@link Jdk21DumpTest}'s.
     */
    static void assertOlderLeakProven(Path dump, OlderJdk.Jdk jdk) throws IOException {
        try (HeapIndex index = HeapIndex.open(dump, Progress.NONE)) {
            ProofResult result = LeakProof.prove(index);
            assertThat(result.refused()).isNull();
            List<String> leaked = result.leaked().stream().flatMap(g -> g.threads().stream()).map(WaitingThread::name).toList();
            assertThat(leaked).as("JDK %d", jdk.feature())
                    .containsExactlyInAnyOrder("older-leak-0", "older-leak-1", "older-leak-2");
            assertThat(result.leaked()).singleElement().satisfies(g -> {
                assertThat(g.threads()).noneMatch(WaitingThread::virtual);
                assertThat(g.stack().toString()).contains("java.util.concurrent.CountDownLatch.await",
                        "LeakOnOlderJdk.lambda$startThreads$0");
            });
            assertThat(result.rescued()).filteredOn(r -> r.threads().get(0).name().equals("older-control"))
                    .singleElement().satisfies(r -> assertThat(r.path().root().words()).startsWith("the static field ")
                            .endsWith(".KEPT"));
        }
    }
}
