package dev.leakhound.cli;

import dev.leakhound.testing.GeneratedInput;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The CLI in a JVM of its own with a small heap, on inputs larger than that heap: thread dumps of hundreds of
 * thousands of threads (a JVM can have millions; the JDK writes them), made on the fly and piped in, and inputs
 * that cannot fit, which must say so in one line with exit status 2.
 */
class LargeInputsTest {

    /** Threads in each generated dump: far more than the heap holds as a list of threads (about 200k). */
    private static final int THREADS = 300_000;

    @TempDir
    Path dir;

    /** The three formats, each a dump of {@code n} threads parked in {@code SynchronousQueue.put}, each on its own queue. */
    enum Format {
        JSTACK {
            @Override
            String head() {
                return "2026-12-07 08:00:00\nFull thread dump OpenJDK 64-Bit Server VM (25.0.3+9-LTS mixed mode, sharing):\n\n";
            }

            @Override
            String thread(long i) {
                return "\"worker-" + i + "\" #" + (100 + i) + " [" + (5000 + i) + "] prio=5 os_prio=0 cpu=0.10ms "
                        + "elapsed=10.00s tid=0x00007f00" + Long.toHexString(0x10000000L + i) + " nid=" + (5000 + i)
                        + " waiting on condition  [0x00007f0000000000]\n"
                        + "   java.lang.Thread.State: WAITING (parking)\n"
                        + "\tat jdk.internal.misc.Unsafe.park(java.base@25.0.3/Native Method)\n"
                        + "\t- parking to wait for  <0x0000000" + Long.toHexString(0x600000000L + 64 * i)
                        + "> (a java.util.concurrent.SynchronousQueue$Transferer)\n"
                        + "\tat java.util.concurrent.locks.LockSupport.park(java.base@25.0.3/LockSupport.java:371)\n"
                        + "\tat java.util.concurrent.LinkedTransferQueue$DualNode.await(java.base@25.0.3/LinkedTransferQueue.java:458)\n"
                        + "\tat java.util.concurrent.SynchronousQueue$Transferer.xferLifo(java.base@25.0.3/SynchronousQueue.java:194)\n"
                        + "\tat java.util.concurrent.SynchronousQueue.xfer(java.base@25.0.3/SynchronousQueue.java:235)\n"
                        + "\tat java.util.concurrent.SynchronousQueue.put(java.base@25.0.3/SynchronousQueue.java:266)\n"
                        + "\tat example.Leak.lambda$main$0(Leak.java:12)\n"
                        + "\tat java.lang.Thread.run(java.base@25.0.3/Thread.java:1474)\n\n";
            }

            @Override
            String tail() {
                return "JNI global refs: 4, weak refs: 0\n";
            }
        },
        JDK_TEXT {
            @Override
            String head() {
                return "12345\n2026-12-07T08:00:00.000000000Z\n25.0.3+9-LTS\n\n";
            }

            @Override
            String thread(long i) {
                return "#" + (100 + i) + " \"\" virtual WAITING 2026-12-07T08:00:00.000000000Z\n"
                        + "    at java.base/java.lang.VirtualThread.park(VirtualThread.java:742)\n"
                        + "    - parking to wait for <java.util.concurrent.SynchronousQueue$Transferer@"
                        + Long.toHexString(0x10000000L + i) + ">\n"
                        + "    at java.base/java.util.concurrent.locks.LockSupport.park(LockSupport.java:367)\n"
                        + "    at java.base/java.util.concurrent.SynchronousQueue.put(SynchronousQueue.java:266)\n"
                        + "    at example.Leak.lambda$main$0(Leak.java:12)\n"
                        + "    at java.base/java.lang.VirtualThread.run(VirtualThread.java:460)\n\n";
            }

            @Override
            String tail() {
                return "";
            }
        },
        JSON {
            @Override
            String head() {
                return "{\"threadDump\": {\"processId\": \"12345\", \"time\": \"2026-12-07T08:00:00.000000000Z\", "
                        + "\"runtimeVersion\": \"25.0.3+9-LTS\", \"threadContainers\": [{\"container\": \"<root>\", "
                        + "\"parent\": null, \"owner\": null, \"threads\": [\n";
            }

            @Override
            String thread(long i) {
                return (i == 0 ? "" : ",\n") + "{\"tid\": \"" + (100 + i) + "\", \"virtual\": true, \"name\": \"\", "
                        + "\"state\": \"WAITING\", \"parkBlocker\": {\"object\": "
                        + "\"java.util.concurrent.SynchronousQueue$Transferer@" + Long.toHexString(0x10000000L + i)
                        + "\"}, \"stack\": [\"java.base\\/java.lang.VirtualThread.park(VirtualThread.java:742)\", "
                        + "\"java.base\\/java.util.concurrent.locks.LockSupport.park(LockSupport.java:367)\", "
                        + "\"java.base\\/java.util.concurrent.SynchronousQueue.put(SynchronousQueue.java:266)\", "
                        + "\"example.Leak.lambda$main$0(Leak.java:12)\", "
                        + "\"java.base\\/java.lang.VirtualThread.run(VirtualThread.java:460)\"]}";
            }

            @Override
            String tail() {
                return "\n], \"threadCount\": \"" + THREADS + "\"}]}}\n";
            }
        };

        abstract String head();

        abstract String thread(long i);

        abstract String tail();

        /** The dump of {@code n} threads, made as it is read. */
        InputStream generate(long n) {
            return new GeneratedInput(i -> i == 0 ? head() : i <= n ? thread(i - 1) : i == n + 1 ? tail() : null);
        }

        boolean virtual() {
            return this != JSTACK;
        }
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void aDumpOfHundredsOfThousandsOfThreadsIsReadInA64MegabyteHeap(Format format) throws Exception {
        // Before: every thread was kept, some 300 bytes each: OutOfMemoryError, exit 3
        Run run = cli(List.of("-Xmx64m"), format.generate(THREADS), "threads", "--suspects-only", "-");

        assertThat(run.exit).as(run.toString()).isZero();
        assertThat(run.stdout).containsPattern("threads +" + THREADS + ": " + (format.virtual() ? "0" : THREADS)
                + " platform, " + (format.virtual() ? THREADS : "0") + " virtual");
        assertThat(run.stdout).containsPattern("suspects +1 group, " + THREADS + " threads blocked with no timeout");
        assertThat(run.stdout).contains("[1] " + THREADS + " " + (format.virtual() ? "virtual" : "platform")
                + " threads WAITING in SynchronousQueue.put, parked on objects of "
                + "java.util.concurrent.SynchronousQueue$Transferer (10 distinct among the 10 threads listed)");
        assertThat(run.stdout).contains(" and " + (THREADS - 10) + " more");
    }

    @Test
    void theJsonReportOfSuchADumpSaysHowManyThreadsItLeavesOut() throws Exception {
        Run run = cli(List.of("-Xmx64m"), Format.JSON.generate(THREADS), "threads", "--json", "-");

        assertThat(run.exit).as(run.toString()).isZero();
        assertThat(run.stdout).contains("\"threads\" : " + THREADS + ",", "\"virtualThreads\" : " + THREADS + ",",
                "\"count\" : " + THREADS + ",", "\"threadsOmitted\" : " + (THREADS - 10) + ",");
    }

    @Test
    void aDumpWhoseGroupsCannotFitSaysSoWithItsSizeAndTheOptionThatGivesMoreMemory() throws Exception {
        // Every thread with a stack of its own: as many groups as threads, which must be kept. 300k such threads
        // do not fit 32 MB.
        Path file = dir.resolve("distinct.txt");
        try (InputStream in = new GeneratedInput(distinctStacks(THREADS));
             OutputStream out = Files.newOutputStream(file)) {
            in.transferTo(out);
        }
        long size = Files.size(file);

        Run run = cli(List.of("-Xmx32m"), InputStream.nullInputStream(), "threads", file.toString());

        assertThat(run.exit).as(run.toString()).isEqualTo(2);
        assertThat(run.stdout).isEmpty();
        assertThat(run.stderr).matches("leakhound: \\Q" + file + " (" + String.format(Locale.ROOT, "%.1f", size / 1048576.0)
                + " MB): out of memory (Java heap space): the Java heap may grow to \\E[0-9.]+ MB\\Q at most here; "
                + "give it more, e.g. LEAKHOUND_JAVA_OPTS=-Xmx64m\\E\\R");
    }

    @Test
    void aHeapDumpWhoseProofCannotFitSaysSoWithExitStatusTwo() throws Exception {
        // The proof's index takes 12 bytes an object: 3M objects do not fit 48 MB with the proof (before: "internal
        // error", exit 3). When the index fits and the proof does not, the message says what the proof needed.
        Path dump = dir.resolve("many-objects.hprof");
        Run made = java(List.of(), InputStream.nullInputStream(), "dev.leakhound.hprof.SmallDump", dump.toString(),
                "3000000", "0");
        assertThat(made.exit).as(made.toString()).isZero();

        Run run = cli(List.of("-Xmx48m"), InputStream.nullInputStream(), "heap", dump.toString());

        assertThat(run.exit).as(run.toString()).isEqualTo(2);
        assertThat(run.stderr).matches("leakhound: \\Q" + dump + " (" + String.format(Locale.ROOT, "%.1f",
                Files.size(dump) / 1048576.0) + " MB): out of memory (Java heap space\\E"
                + "(; the proof of its 3,0[0-9]{2},[0-9]{3} objects and [0-9]+ threads needs about [0-9,]+ MB)?"
                + "\\Q): the Java heap may grow to "
                + "\\E[0-9.]+ MB\\Q at most here; give it more, e.g. LEAKHOUND_JAVA_OPTS=-Xmx128m\\E\\R");
    }

    /** JDK plain text, each thread in a method of its own. */
    private static LongFunction<String> distinctStacks(long n) {
        return i -> i == 0 ? Format.JDK_TEXT.head() : i <= n
                ? "#" + (100 + i) + " \"\" virtual WAITING 2026-12-07T08:00:00.000000000Z\n"
                        + "    at java.base/java.lang.VirtualThread.park(VirtualThread.java:742)\n"
                        + "    at example.Leak" + i + ".waitHere" + i + "(Leak" + i + ".java:" + i + ")\n"
                        + "    at java.base/java.lang.VirtualThread.run(VirtualThread.java:460)\n\n"
                : null;
    }

    private record Run(int exit, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout:\n" + stdout + "\n--- stderr:\n" + stderr;
        }
    }

    /** {@code java JVM_ARGS dev.leakhound.cli.Main ARGS} with the test's class path, {@code stdin} piped in. */
    private Run cli(List<String> jvmArgs, InputStream stdin, String... args) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(List.of(Main.class.getName()));
        all.addAll(List.of(args));
        return java(jvmArgs, stdin, all.toArray(String[]::new));
    }

    /** {@code java JVM_ARGS MAIN_CLASS ARGS} with the test's class path, {@code stdin} piped in. */
    private Run java(List<String> jvmArgs, InputStream stdin, String... mainAndArgs)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmArgs);
        cmd.add("-XX:+UseSerialGC");                  // one GC thread: the machine may be busy
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.addAll(List.of(mainAndArgs));
        Path out = Files.createTempFile(dir, "out-", ".txt");
        Path err = Files.createTempFile(dir, "err-", ".txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            try (OutputStream in = p.getOutputStream()) {
                stdin.transferTo(in);
            } catch (IOException childStoppedReading) {
                // it ended (or failed) before the end of its input: its status says which
            }
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                throw new AssertionError("the CLI did not end within 10 minutes: " + Files.readString(err));
            }
            return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            p.destroyForcibly();
        }
    }
}
