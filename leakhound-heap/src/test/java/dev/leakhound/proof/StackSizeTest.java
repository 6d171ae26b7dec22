package dev.leakhound.proof;

import dev.leakhound.hprof.Progress;
import dev.leakhound.hprof.index.HeapIndex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A leaked virtual thread's retained size counts its stack: the dump writes a {@code StackChunk}'s frames as no field,
 * but its {@code size}; the retained bytes of {@link StackScenario}'s leaked threads are compared with the JVM's own
 * class histogram of the same heap.
 */
@Timeout(420)
class StackSizeTest {
    private static final Pattern CHUNKS = Pattern.compile("\\s(\\d+)\\s+(\\d+)\\s+jdk\\.internal\\.vm\\.StackChunk\\b");

    @TempDir
    Path dir;

    @Test
    void theRetainedSizeOfLeakedVirtualThreadsCountsTheirStacksAsTheJvmDoes() throws Exception {
        Path dump = ScenarioDumps.take(StackScenario.class, dir, "stacks.hprof");
        String out = Files.readString(dir.resolve("stacks.hprof.out"));
        Matcher m = CHUNKS.matcher(out);
        assertThat(m.find()).as(out).isTrue();
        long chunks = Long.parseLong(m.group(1));
        long histogramBytes = Long.parseLong(m.group(2));
        try (HeapIndex index = HeapIndex.open(dump, Progress.NONE)) {
            ProofResult result = LeakProof.prove(index);
            assertThat(result.leakedThreads()).isEqualTo(StackScenario.THREADS);
            long retained = result.leaked().stream().mapToLong(ProofResult.LeakedGroup::retainedBytes).sum();
            System.out.printf("StackChunk: %d objects, %d bytes in the JVM's histogram; the leaked threads retain %d"
                    + " bytes%n", chunks, histogramBytes, retained);
            assertThat(chunks).isGreaterThanOrEqualTo(StackScenario.THREADS);
            // the stacks are most of what they retain: counted at least as the JVM counts them, less its own headers
            assertThat(retained).isGreaterThan(histogramBytes * 9 / 10);
            assertThat(retained).isLessThan(histogramBytes * 3);
        }
    }
}
