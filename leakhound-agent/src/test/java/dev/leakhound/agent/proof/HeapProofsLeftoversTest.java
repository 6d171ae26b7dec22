package dev.leakhound.agent.proof;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** What a JVM that ended in the middle of its dump left behind is removed by the next proof, and nothing else. */
class HeapProofsLeftoversTest {

    @TempDir
    Path tmp;

    @Test
    void removesTheDirectoriesOfEndedJvmsOnly() throws Exception {
        Process ended = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-version").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(ended.waitFor(60, TimeUnit.SECONDS)).isTrue();
        long dead = ended.pid();
        long alive = ProcessHandle.current().parent().orElseThrow().pid();   // the build that runs this test
        long self = ProcessHandle.current().pid();

        Path ofDead = Files.createDirectory(tmp.resolve(HeapProofs.DIRECTORY_PREFIX + dead + "-123"));
        Files.writeString(ofDead.resolve("heap.hprof"), "a dump left behind");
        Path ofAlive = Files.createDirectory(tmp.resolve(HeapProofs.DIRECTORY_PREFIX + alive + "-456"));
        Path ofSelf = Files.createDirectory(tmp.resolve(HeapProofs.DIRECTORY_PREFIX + self + "-789"));
        Path notOurs = Files.createDirectory(tmp.resolve(HeapProofs.DIRECTORY_PREFIX + "notapid"));
        Path aFile = Files.writeString(tmp.resolve(HeapProofs.DIRECTORY_PREFIX + dead + "-file"), "x");

        HeapProofs.removeLeftovers(tmp);

        assertThat(ofDead).doesNotExist();
        assertThat(ofAlive).isDirectory();
        assertThat(ofSelf).isDirectory();
        assertThat(notOurs).isDirectory();
        assertThat(aFile).isRegularFile();
    }

    @Test
    void readsThePidFromTheName() {
        assertThat(HeapProofs.pidOf(HeapProofs.DIRECTORY_PREFIX + "4711-8216373")).isEqualTo(4711);
        assertThat(HeapProofs.pidOf(HeapProofs.DIRECTORY_PREFIX + "8216373")).isEqualTo(-1);
        assertThat(HeapProofs.pidOf(HeapProofs.DIRECTORY_PREFIX + "x-1")).isEqualTo(-1);
    }
}
