package dev.leakhound.cli;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The decompressed copy of a gzipped dump ({@code leakhound heap FILE.gz}) does not outlive the command: a
 * {@code leakhound} stopped by SIGINT or SIGTERM while it decompresses removes it, and one killed with SIGKILL
 * leaves it to the next run, which removes it (issue 9: all three left a 9.2 GB file in the temporary directory).
 * Real child JVMs running the command line, each with a temporary directory of its own.
 */
class HeapTempFileTest {
    /** Whether {@code env} can start a command with SIGINT and SIGTERM back at their defaults (coreutils 8.31+). */
    private static final boolean RESETS_SIGNALS = resetsSignals();

    @TempDir
    Path dir;

    /**
     * A gzip of a valid HPROF header followed by {@code gigabytes} GB of zeros in 64 MB gzip members, each the body
     * of a HEAP_DUMP_SEGMENT (its header a member of its own): long to decompress, and valid to the walk of record
     * headers that decompression does (which would refuse bare zeros at once).
     */
    private Path headerAndZeros(int gigabytes) throws IOException {
        int segment = 64 << 20;
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        try (DataOutputStream h = new DataOutputStream(new GZIPOutputStream(head))) {
            h.write("JAVA PROFILE 1.0.2\0".getBytes(StandardCharsets.US_ASCII));
            h.writeInt(8);
            h.writeLong(1_700_000_000_000L);
        }
        ByteArrayOutputStream segmentHeader = new ByteArrayOutputStream();
        try (DataOutputStream h = new DataOutputStream(new GZIPOutputStream(segmentHeader))) {
            h.write(0x1C);
            h.writeInt(0);
            h.writeInt(segment);
        }
        ByteArrayOutputStream zeros = new ByteArrayOutputStream();
        try (OutputStream z = new GZIPOutputStream(zeros)) {
            z.write(new byte[segment]);
        }
        Path file = dir.resolve("zeros.hprof.gz");
        try (OutputStream out = Files.newOutputStream(file)) {
            head.writeTo(out);
            for (int i = 0; i < gigabytes * 16; i++) {
                segmentHeader.writeTo(out);
                zeros.writeTo(out);
            }
        }
        return file;
    }

    private Process heap(Path tmp, Path file) throws IOException {
        List<String> cmd = new ArrayList<>();
        if (RESETS_SIGNALS) {
            // A job started in the background of a script (as CI may start this build) inherits SIGINT ignored, and
            // a JVM leaves an ignored SIGINT ignored: the command would go on decompressing and the test would time
            // the machine instead of the clean-up. A user's terminal delivers it; so does the child here.
            cmd.addAll(List.of("env", "--default-signal=INT,TERM"));
        }
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + tmp, "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "heap", file.toString()));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    /** The files named {@code leakhound-*} in {@code tmp}. */
    private static List<Path> ours(Path tmp) throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.filter(p -> p.getFileName().toString().startsWith("leakhound-")).toList();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"INT", "TERM", "KILL"})
    void theDecompressedFileDoesNotOutliveTheCommand(String signal) throws Exception {
        Path gz = headerAndZeros(4);
        Path tmp = Files.createDirectory(dir.resolve("tmp"));
        Process p = heap(tmp, gz);
        try {
            // decompressing: its file exists and grows
            await().atMost(Duration.ofSeconds(120)).until(() -> !p.isAlive()
                    || ours(tmp).stream().anyMatch(f -> f.toFile().length() > 0));
            assertThat(p.isAlive()).as("still decompressing").isTrue();
            if (!signal.equals("KILL")) {
                assumeTrue(RESETS_SIGNALS || !ignores(p, signal),
                        "SIG" + signal + " is ignored in this process tree and env cannot restore it");
                assertThat(ignores(p, signal)).as("the command ignores SIG" + signal).isFalse();
            }
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start();
            assertThat(kill.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        } finally {
            p.destroyForcibly();
        }
        if (signal.equals("KILL")) {
            // nothing runs at a SIGKILL: the next run removes what it left (and then reads its own file)
            assertThat(ours(tmp)).hasSize(1);
            Path small = dir.resolve("small.hprof.gz");
            try (OutputStream out = Files.newOutputStream(small)) {
                out.write(Files.readAllBytes(gz), 0, 4096);          // a truncated gzip: fails, after the clean-up
            }
            Process next = heap(tmp, small);
            assertThat(next.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(next.exitValue()).isEqualTo(Main.EXIT_USAGE);
        }
        assertThat(ours(tmp)).isEmpty();
    }

    /** Whether {@code p} ignores the signal, from the SigIgn mask of {@code /proc/PID/status} (false off Linux). */
    private static boolean ignores(Process p, String signal) throws IOException {
        Path status = Path.of("/proc", Long.toString(p.pid()), "status");
        if (!Files.exists(status)) {
            return false;
        }
        int number = signal.equals("INT") ? 2 : 15;
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << (number - 1))) != 0;
            }
        }
        return false;
    }

    private static boolean resetsSignals() {
        try {
            Process p = new ProcessBuilder("env", "--default-signal=INT,TERM", "true")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
