package dev.leakhound.cli;

import dev.leakhound.hprof.HprofInput;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * {@code leakhound heap} on damaged copies of a real dump (a small child JVM's, with two parked virtual threads):
 * truncated, bytes changed at random offsets (fixed seeds), gzipped; with the proof and with {@code --no-proof}. Each
 * run ends with status 0 (or 1: a leaked thread proven), or 2 and one line naming the file and where it broke:
 * never 3, never a stack trace.
 */
class HeapBadInputTest {
    @TempDir
    static Path dir;
    static byte[] real;

    @BeforeAll
    static void smallRealDump() throws Exception {
        Path file = dir.resolve("small.hprof");
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx32m",
                "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), "dev.leakhound.hprof.SmallDump",
                file.toString(), "2000", "2");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as(out).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        real = Files.readAllBytes(file);
    }

    /** Runs {@code heap} with and without the proof: 0 (or 1, a leaked thread proven), or 2 with one line naming the file. */
    private static void zeroOrTwo(Path file) {
        for (String[] args : List.of(new String[] {"heap", file.toString()},
                new String[] {"heap", "--no-proof", file.toString()})) {
            Cli.Result r = Cli.run(args);
            assertThat(r.status()).as("%s: %s", Arrays.toString(args), r).isIn(Main.EXIT_OK, Main.EXIT_FOUND,
                    Main.EXIT_USAGE);
            if (r.status() == Main.EXIT_USAGE) {
                assertThat(r.errLines()).as(r.toString()).hasSize(1);
                assertThat(r.err()).as(r.toString()).startsWith("leakhound: " + file).doesNotContain("\tat ");
            }
        }
    }

    /**
     * {@code heap} maps its dump: when the file shrinks under it, the JVM answers a read of a page that is gone with an
     * {@code InternalError} (not a crash), which {@code Main} turns into one line and status 2. Made to happen here
     * without a race: the file is mapped and read, then truncated, then read past its new end.
     */
    @Test
    void aDumpThatShrinksWhileMappedIsAFaultMainRecognises() throws IOException {
        Path file = dir.resolve("shrinks.hprof");
        Files.write(file, real);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            HprofInput in = HprofInput.mapped(file.toString(), ch);
            in.u1();
            try (FileChannel w = FileChannel.open(file, StandardOpenOption.WRITE)) {
                w.truncate(0);
            }
            in.skip(real.length - 2);
            InternalError fault = catchThrowableOfType(InternalError.class, in::u1);
            assertThat(fault).isNotNull();
            assertThat(OutOfResources.isMappedReadFault(fault)).as(fault.toString()).isTrue();
        }
        assertThat(OutOfResources.isMappedReadFault(new InternalError("something else"))).isFalse();
        assertThat(OutOfResources.changedWhileRead(null, 0)).startsWith("the file changed while it was read");
    }

    /** A program that leaves one thread in {@code Object.wait()} on a lock nothing else holds, then dumps its heap. */
    private static final String WAITS_FOREVER = """
            import java.lang.management.ManagementFactory;
            import com.sun.management.HotSpotDiagnosticMXBean;
            public class WaitsForever {
                public static void main(String[] args) throws Exception {
                    Thread t = Thread.ofPlatform().daemon().name("waits-forever").start(() -> {
                        Object lock = new Object();
                        synchronized (lock) {
                            try {
                                lock.wait();
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }
                    });
                    while (!inObjectWait(t)) {          // polled: spinning would starve it on a busy machine
                        java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
                    }
                    t = null;
                    ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).dumpHeap(args[0], true);
                }

                /** WAITING in Object.wait itself: where it stays, not a wait on its way there. */
                static boolean inObjectWait(Thread t) {
                    if (t.getState() != Thread.State.WAITING) {
                        return false;
                    }
                    for (StackTraceElement e : t.getStackTrace()) {
                        if (e.getClassName().equals("java.lang.Object") && e.getMethodName().startsWith("wait")) {
                            return t.getState() == Thread.State.WAITING;
                        }
                    }
                    return false;
                }
            }
            """;

    @Test
    void theIssuesDumpAFrameWhoseMethodNameIsNoString() throws Exception {
        Path source = Files.writeString(dir.resolve("WaitsForever.java"), WAITS_FOREVER);
        Path dump = dir.resolve("waits.hprof");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx32m",
                source.toString(), dump.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as(out).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        Cli.Result before = Cli.run("heap", dump.toString());
        // proven leaked: nothing else reaches the monitor its Object.wait frames hold
        assertThat(before.status()).as(before.toString()).isEqualTo(Main.EXIT_FOUND);
        assertThat(before.out()).contains("\"waits-forever\"");

        // Change the method-name id of the STACK FRAME records of Object.wait0 (8 bytes each), as in issue 9.
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(dump));
        int idSize = b.getInt("JAVA PROFILE 1.0.2".length() + 1);
        assertThat(idSize).isEqualTo(8);
        long wait0 = -1;
        int changed = 0;
        for (int at = "JAVA PROFILE 1.0.2".length() + 1 + 12; at < b.limit(); at += 9 + b.getInt(at + 5)) {
            int tag = b.get(at);
            if (tag == 0x01 && b.getInt(at + 5) == 8 + 5) {
                byte[] text = new byte[5];
                b.get(at + 9 + 8, text);
                if (new String(text, StandardCharsets.US_ASCII).equals("wait0")) {
                    wait0 = b.getLong(at + 9);
                }
            } else if (tag == 0x04 && b.getLong(at + 9 + 8) == wait0) {
                b.putLong(at + 9 + 8, 0x7FFF_FFFF_FFFFL);
                changed++;
            }
        }
        assertThat(changed).isPositive();
        Path file = Files.write(dir.resolve("dangling-method.hprof"), b.array());
        Cli.Result r = Cli.run("heap", file.toString());
        // was 3: a NullPointerException; Object.wait(long)'s frame, still named, holds the monitor
        assertThat(r.status()).as(r.toString()).isEqualTo(Main.EXIT_FOUND);
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).contains("<unknown method 0x7fffffffffff>");
    }

    @Test
    void aGzippedDumpLargerThanTheLimitIsRefused() throws IOException {
        Path file = dir.resolve("large.hprof.gz");
        try (OutputStream gz = new GZIPOutputStream(Files.newOutputStream(file))) {
            gz.write(real);
            gz.write(new byte[4 << 20]);
        }
        Cli.Result r = Cli.run("heap", "--max-uncompressed", "1m", file.toString());
        assertThat(r.status()).as(r.toString()).isEqualTo(Main.EXIT_USAGE);
        assertThat(r.errLines()).singleElement().asString()
                .startsWith("leakhound: " + file + " (uncompressed): at byte ")
                .endsWith(": decompressed, the dump is larger than the limit of 1048576 bytes");
        r = Cli.run("heap", "--max-uncompressed", "lots", file.toString());
        assertThat(r.status()).as(r.toString()).isEqualTo(Main.EXIT_USAGE);
        assertThat(r.err()).contains("--max-uncompressed must be a size such as 512m or 20g: lots");
        assertThat(Cli.run("heap", "--max-uncompressed", "64m", file.toString()).status()).isIn(Main.EXIT_OK,
                Main.EXIT_USAGE);                            // the zeros after the dump: read, or refused cleanly
        try (var s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            assertThat(s.map(p -> p.getFileName().toString()))
                    .noneMatch(n -> n.startsWith("leakhound-heap-" + ProcessHandle.current().pid() + "-"));
        }
    }

    @Test
    void aValidHeaderThenZerosIsRefusedAtItsFirstRecord() throws IOException {
        // A valid header, then 200 MB of zeros (200 KB gzipped): decompressed in full to the temporary directory
        // (up to the disk's bound) before the reader failed, as records of tag 0; now the first is refused on the
        // stream. With a limit of 4 KB it is still that line, not the limit's: no more than 4 KB were decompressed.
        Path file = dir.resolve("header-zeros.hprof.gz");
        try (DataOutputStream gz = new DataOutputStream(new GZIPOutputStream(Files.newOutputStream(file)))) {
            gz.write("JAVA PROFILE 1.0.2\0".getBytes(StandardCharsets.US_ASCII));
            gz.writeInt(8);
            gz.writeLong(1_700_000_000_000L);
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 200; i++) {
                gz.write(zeros);
            }
        }
        String line = "leakhound: " + file + " (uncompressed): at byte 31: unknown record tag 0x0: not an HPROF record"
                + " (corrupt dump?)";
        for (String[] args : List.of(new String[] {"heap", file.toString()},
                new String[] {"heap", "--max-uncompressed", "4k", file.toString()},
                new String[] {"heap", "--no-proof", file.toString()})) {
            Cli.Result r = Cli.run(args);
            assertThat(r.status()).as("%s: %s", Arrays.toString(args), r).isEqualTo(Main.EXIT_USAGE);
            assertThat(r.errLines()).as(r.toString()).containsExactly(line);
        }
        try (var s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            assertThat(s.map(p -> p.getFileName().toString()))
                    .noneMatch(n -> n.startsWith("leakhound-heap-" + ProcessHandle.current().pid() + "-"));
        }
    }

    @Test
    void theRealDumpGzippedReadsAsThePlainOne() throws IOException {
        Path plain = Files.write(dir.resolve("real.hprof"), real);
        Path file = dir.resolve("real.hprof.gz");
        try (OutputStream gz = new GZIPOutputStream(Files.newOutputStream(file))) {
            gz.write(real);
        }
        Cli.Result expected = Cli.run("heap", plain.toString());
        Cli.Result r = Cli.run("heap", file.toString());
        assertThat(expected.status()).as(expected.toString()).isEqualTo(Main.EXIT_OK);
        assertThat(r.status()).as(r.toString()).isEqualTo(Main.EXIT_OK);
        assertThat(r.out()).contains("8-byte ids, gzip-compressed", "(" + real.length + " bytes) uncompressed");
        // the same objects, proof and histogram
        assertThat(r.out().substring(r.out().indexOf("  objects ")))
                .isEqualTo(expected.out().substring(expected.out().indexOf("  objects ")));
    }

    @Test
    void truncatedAndMutatedCopies() throws IOException {
        Random r = new Random(20261207);
        Path file = dir.resolve("fuzz.hprof");
        for (int i = 0; i < 15; i++) {
            Files.write(file, Arrays.copyOf(real, r.nextInt(real.length)));
            zeroOrTwo(file);
        }
        for (int i = 0; i < 60; i++) {
            byte[] b = real.clone();
            // a third of the changes among the first records (strings, classes, frames, traces), the rest anywhere
            int at = i % 3 == 0 ? r.nextInt(Math.min(real.length, 300_000)) : r.nextInt(real.length);
            int len = 1 + r.nextInt(8);
            for (int k = 0; k < len && at + k < b.length; k++) {
                b[at + k] = (byte) (i % 4 == 0 ? 0xFF : r.nextInt(256));
            }
            Files.write(file, b);
            zeroOrTwo(file);
        }
    }

    @Test
    void gzippedMutatedCopies() throws IOException {
        Random r = new Random(7);
        Path file = dir.resolve("fuzz.hprof.gz");
        for (int i = 0; i < 10; i++) {
            byte[] b = real.clone();
            int at = r.nextInt(b.length);
            b[at] = (byte) r.nextInt(256);
            try (OutputStream gz = new GZIPOutputStream(Files.newOutputStream(file))) {
                gz.write(b, 0, i % 2 == 0 ? b.length : r.nextInt(b.length));
            }
            zeroOrTwo(file);
        }
        byte[] gz = Files.readAllBytes(file);                 // the compressed bytes themselves, cut and changed
        for (int i = 0; i < 10; i++) {
            byte[] b = Arrays.copyOf(gz, 10 + r.nextInt(gz.length - 10));
            b[10 + r.nextInt(b.length - 10)] ^= (byte) (1 + r.nextInt(255));
            Files.write(file, b);
            zeroOrTwo(file);
        }
    }
}
