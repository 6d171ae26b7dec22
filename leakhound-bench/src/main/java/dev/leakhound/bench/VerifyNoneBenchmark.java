package dev.leakhound.bench;

import dev.leakhound.IgnoreRule;
import dev.leakhound.LeakOptions;
import dev.leakhound.Leakhound;
import dev.leakhound.capture.LiveThreads;
import dev.leakhound.model.ThreadDump;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The leak check of a test: {@code Leakhound.verifyNone(options)} in a JVM of about 20 platform threads,
 * none leaked, with options holding the baseline taken in setup ({@code ignoreCurrent()}).
 *
 * <p>Target: median (p0.50) at most 5 ms. {@link #jdkJsonDump} is the bare JDK thread dump the check is
 * built on, measured in the same run, so that the overhead shows as a ratio; {@link #liveThreadsCapture}
 * is the capture alone (dump + parse + ThreadMXBean enrichment), without the check.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class VerifyNoneBenchmark {

    /** Platform threads (all of the JVM's, the benchmark's own included) wanted during the measurement. */
    static final int TOTAL_PLATFORM_THREADS = 20;

    /**
     * Threads the harness starts after setup (e.g. the sampling thread of {@code -prof stack}): they are not
     * leaks of the code under test, as the defaults ignore test runners' threads.
     */
    static final IgnoreRule JMH_THREADS = new IgnoreRule("JMH harness threads",
            t -> t.stack().stream().anyMatch(f -> f.className().startsWith("org.openjdk.jmh.")));

    private ParkedThreads parked;
    private LeakOptions options;
    private Path dir;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        int existing = LiveThreads.capture().threads().size();
        parked = ParkedThreads.platformDaemons(Math.max(0, TOTAL_PLATFORM_THREADS - existing));
        options = LeakOptions.builder().ignoreCurrent().ignore(JMH_THREADS).build();
        dir = JdkDump.tempDir();
        ThreadDump now = LiveThreads.capture();
        System.out.printf("%n[setup] threads before: %d, parked platform daemons started: %d, threads now: %d "
                + "(%d platform, %d virtual)%n", existing, parked.size(), now.threads().size(),
                now.platformCount(), now.virtualCount());
        Leakhound.verifyNone(options);  // fail fast if the setup itself looks like a leak
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        parked.close();
        JdkDump.deleteDir(dir);
    }

    @Benchmark
    public void verifyNone() {
        Leakhound.verifyNone(options);
    }

    @Benchmark
    public ThreadDump liveThreadsCapture() {
        return LiveThreads.capture();
    }

    @Benchmark
    public long jdkJsonDump() throws IOException {
        return JdkDump.dumpAndDelete(dir);
    }
}
