package dev.leakhound.agent.proof;

import dev.leakhound.agent.http.Unavailable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The disk fills during a heap proof: a real ext4 file system on a loop device as the proof's temporary directory,
 * filled for real ({@code fallocate}) right before the dump, or right after it (before the proof's JVM writes its
 * answer): the refusal says that the disk filled, never "(it wrote nothing on standard error)". The proof's host is
 * this JVM. Needs root and loop devices (mkfs.ext4, mount, fallocate); skipped where they are not permitted.
 */
class HeapProofsDiskFullTest {
    @TempDir
    static Path dir;
    static Path image;
    static Path mount;
    static String skipped;

    @BeforeAll
    static void mountASmallFileSystem() throws Exception {
        System.gc();
        long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        // Room for the proof's own check (3 times the heap in use plus 64 MB, a tenth left free), with a wide margin
        // for this JVM's heap growing meanwhile; sparse, so it costs the disk below nearly nothing.
        long size = 4 * (3 * used + (64L << 20)) + (1L << 30);
        image = dir.resolve("fs.img");
        mount = Files.createDirectory(dir.resolve("mnt"));
        try (var f = new java.io.RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(size);
        }
        String fallocate = run("fallocate", "--version");
        String mkfs = fallocate != null ? fallocate : run("mkfs.ext4", "-q", "-F", "-m", "0", image.toString());
        skipped = mkfs != null ? mkfs : run("mount", "-o", "loop", image.toString(), mount.toString());
    }

    @AfterAll
    static void unmount() throws Exception {
        if (skipped == null) {
            run("umount", mount.toString());
        }
    }

    /** Runs a command; null when it succeeded, else what it said. */
    private static String run(String... cmd) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            return String.join(" ", cmd) + ": " + e.getMessage();
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return String.join(" ", cmd) + ": timed out";
        }
        return p.exitValue() == 0 ? null : String.join(" ", cmd) + ": " + out.strip();
    }

    /**
     * Takes all but about {@code leave} bytes of the file system: most without writing them ({@code fallocate}), and
     * with {@code leave} 0 the last few blocks by writing until the file system says it is full.
     */
    private static void fill(long leave) {
        try {
            long usable = Files.getFileStore(mount).getUsableSpace();
            String failed = run("fallocate", "-l", Long.toString(Math.max(4096, usable - leave - (1 << 20))),
                    mount.resolve("filler").toString());
            assertThat(failed).isNull();
            if (leave == 0) {
                try (var out = Files.newOutputStream(mount.resolve("filler-last"))) {
                    byte[] block = new byte[4096];
                    while (true) {
                        out.write(block);
                        out.flush();
                    }
                } catch (IOException full) {
                    assertThat(full).hasMessageContaining("No space left on device");
                }
            }
            assertThat(Files.getFileStore(mount).getUsableSpace()).isLessThanOrEqualTo(leave + (2 << 20));
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static void removeFillers() throws IOException {
        Files.deleteIfExists(mount.resolve("filler"));
        Files.deleteIfExists(mount.resolve("filler-last"));
    }

    private static HeapProofs proofs(String fillBefore, long leave) {
        return new HeapProofs(0, 512, Duration.ofMinutes(5), System::nanoTime, mount, step -> {
            if (step.equals(fillBefore)) {
                fill(leave);
            }
        });
    }

    private static void assertNothingLeft() throws IOException {
        try (Stream<Path> s = Files.list(mount)) {
            assertThat(s.map(p -> p.getFileName().toString()))
                    .noneMatch(n -> n.startsWith(HeapProofs.DIRECTORY_PREFIX));
        }
    }

    @Test
    void theDiskFillsWhileTheJvmWritesTheDump() throws Exception {
        assumeTrue(skipped == null, () -> "no loop-mounted file system here: " + skipped);
        try {
            Unavailable e = catchThrowableOfType(Unavailable.class,
                    () -> proofs("dump", 2L << 20).prove());
            assertThat(e).isNotNull();
            assertThat(e.getMessage()).startsWith("the disk filled while the JVM wrote the heap dump: the temporary"
                    + " directory (java.io.tmpdir, " + mount + ") had ").contains("MB usable before the dump")
                    .contains("No space left on device");
            assertNothingLeft();
        } finally {
            removeFillers();
        }
    }

    @Test
    void theDiskIsFullWhenTheProofWritesItsAnswer() throws Exception {
        assumeTrue(skipped == null, () -> "no loop-mounted file system here: " + skipped);
        try {
            Unavailable e = catchThrowableOfType(Unavailable.class,
                    () -> proofs("proof", 0).prove());
            assertThat(e).isNotNull();
            // was: "the heap proof failed: (it wrote nothing on standard error)"
            assertThat(e.getMessage()).startsWith("the disk filled after the JVM wrote the heap dump (")
                    .contains("left in the temporary directory (java.io.tmpdir, " + mount + ")");
            assertNothingLeft();
        } finally {
            removeFillers();
        }
    }

}
