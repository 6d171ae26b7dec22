package dev.leakhound.proof;

import dev.leakhound.hprof.Progress;
import dev.leakhound.hprof.index.HeapIndex;
import dev.leakhound.testing.OlderJdk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Heap dumps of a real JDK 21. Its dumps have no thread root and no frames for unmounted virtual threads, so a dump
 * with live virtual threads is refused ({@link LeakProof#prove}'s {@code refused}) and claims nothing; one without
 * virtual threads is proven like any other. The live runs need a JDK 21 ({@link OlderJdk#require21()}: skipped
 * where there is none); one such dump is committed ({@code dumps/jdk21-virtual-and-platform.hprof.gz}, 0.6 MB:
 * {@code LeakVirtualOnJdk21} compiled, run with {@code -Xshare:off --limit-modules java.base,jdk.management
 * -Xmx16m -XX:+UseSerialGC}) and read on every machine.
 */
@Timeout(180)
class Jdk21DumpTest {

    @TempDir
    Path dir;

    @Test
    void theCommittedJdk21DumpListsThePlatformThreadsAndIsRefusedForItsVirtualOnes() throws Exception {
        Path dump = dir.resolve("jdk21.hprof");
        try (InputStream in = new GZIPInputStream(
                Jdk21DumpTest.class.getResourceAsStream("/dumps/jdk21-virtual-and-platform.hprof.gz"))) {
            Files.copy(in, dump);
        }
        checkRefused(dump);
    }

    @Test
    void aDumpOfAJdk21JvmWithLiveVirtualThreadsIsRefused() throws Exception {
        OlderJdk.Jdk jdk = OlderJdk.require21();
        checkRefused(dumpOf(jdk, "LeakVirtualOnJdk21.java"));
    }

    @Test
    void platformThreadsOfAJdk21DumpAreProvenLeakedAndTheControlIsNot() throws Exception {
        OlderJdk.Jdk jdk = OlderJdk.require21();
        OlderJdkDumpTest.assertOlderLeakProven(dumpOf(jdk, "LeakOnOlderJdk.java"), jdk);
    }

    /** The platform threads are listed, none of the virtual ones (no thread root), and the proof refuses. */
    private static void checkRefused(Path dump) throws IOException {
        try (HeapIndex index = HeapIndex.open(dump, Progress.NONE)) {
            List<WaitingThread> threads = DumpThreads.read(index);
            assertThat(threads).noneMatch(WaitingThread::virtual)
                    .filteredOn(t -> t.name().startsWith("jdk21-platform-leak-")).hasSize(3)
                    .allSatisfy(t -> assertThat(t.waitKind()).isEqualTo(WaitingThread.Wait.PARKED));
            ProofResult result = LeakProof.prove(index);
            assertThat(result.refused()).startsWith("3 live virtual threads have no thread root")
                    .contains("JDK 21 and 22", "take the dump on JDK 23 or later");
            assertThat(result.leaked()).isEmpty();
        }
    }

    /** Runs the program {@code /olderjdk/NAME} from source on the JDK 21; it dumps its live heap. */
    private Path dumpOf(OlderJdk.Jdk jdk, String name) throws Exception {
        Path source = OlderJdk.source(Jdk21DumpTest.class, name, dir);
        Path dump = dir.resolve(name.replace(".java", ".hprof"));
        Path out = dir.resolve(name.replace(".java", ".txt"));
        Process p = new ProcessBuilder(jdk.java(), "-Xmx64m", source.toString(), dump.toString())
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("the JDK 21 JVM ended").isTrue();
        } finally {
            p.destroyForcibly();
        }
        assertThat(p.exitValue()).as(Files.readString(out)).isZero();
        return dump;
    }
}
