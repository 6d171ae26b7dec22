package dev.leakhound.bench;

import dev.leakhound.analysis.StackGroup;
import dev.leakhound.analysis.ThreadGrouping;
import dev.leakhound.capture.JsonThreadDumpParser;
import dev.leakhound.capture.LiveThreads;
import dev.leakhound.model.ThreadDump;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A snapshot of a JVM with many parked virtual threads (all blocked in {@code CountDownLatch.await}).
 *
 * <p>{@link #jdkJsonDump} is the baseline: the JDK's JSON thread dump to a temp file, deleted.
 * {@link #leakhoundSnapshotAndGroup} is what Leakhound does with it: {@code LiveThreads.capture()} (the same
 * dump, streamed into the model, plus ThreadMXBean enrichment) and {@code ThreadGrouping.group}. Target:
 * at most 1.2x the baseline. {@link #leakhoundParseOnly} parses a dump written once in setup, to split the
 * overhead between the parse and the rest.
 *
 * <p>One operation takes up to seconds at 100k threads, hence single shots.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
@Warmup(iterations = 3)
@Measurement(iterations = 6)
public class SnapshotBenchmark {

    @Param({"10000", "100000"})
    public int threads;

    private ParkedThreads parked;
    private Path dir;
    private Path savedDump;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        parked = ParkedThreads.virtual(threads);
        dir = JdkDump.tempDir();
        savedDump = JdkDump.dump(dir);
        savedDump.toFile().deleteOnExit(); // registered after its directory, so deleted before it
        ThreadDump d = LiveThreads.capture();
        List<StackGroup> groups = ThreadGrouping.group(d.threads());
        System.out.printf("%n[setup] %d virtual threads parked; dump: %d threads (%d virtual), JSON %,d bytes, "
                        + "%d groups, largest %d%n", parked.size(), d.threads().size(), d.virtualCount(),
                Files.size(savedDump), groups.size(), groups.get(0).count());
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        parked.close();
        JdkDump.deleteDir(dir);
    }

    @Benchmark
    public long jdkJsonDump() throws IOException {
        return JdkDump.dumpAndDelete(dir);
    }

    @Benchmark
    public void leakhoundSnapshotAndGroup(Blackhole bh) {
        ThreadDump dump = LiveThreads.capture();
        bh.consume(dump);
        bh.consume(ThreadGrouping.group(dump.threads()));
    }

    @Benchmark
    public ThreadDump leakhoundParseOnly() throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(savedDump), 1 << 16)) {
            return JsonThreadDumpParser.parse(in, "bench");
        }
    }
}
