package dev.leakhound.capture;

import dev.leakhound.analysis.StackGroup;
import dev.leakhound.analysis.ThreadGrouping;
import dev.leakhound.model.Blocker;
import dev.leakhound.model.DumpFormat;
import dev.leakhound.model.ThreadDump;
import dev.leakhound.testing.OlderJdk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Thread dumps of a real JDK 21, the LTS most services run virtual threads on: its JSON and text dumps
 * ({@code jcmd PID Thread.dump_to_file [-format=json]}, which list virtual threads but no state), {@code jstack -l}
 * and {@code jcmd PID Thread.print} (platform threads only), and {@link LiveThreads} inside a JDK 21 JVM. The files
 * one such run wrote are committed ({@code dumps/jdk21-real*}, {@code jdk21-jstack-l.txt},
 * {@code jdk21-thread-print.txt}) and read here on every machine; the live runs need a JDK 21
 * ({@link OlderJdk#require21()}: skipped where there is none).
 */
@Timeout(180)
class Jdk21ThreadDumpTest {

    @TempDir
    Path dir;

    @Test
    void theCommittedJdk21FilesGroupTheBlockedThreads() throws Exception {
        checkVirtual(ThreadDumpReader.read(Dumps.path("jdk21-real.json")), DumpFormat.JDK_JSON);
        checkVirtual(ThreadDumpReader.read(Dumps.path("jdk21-real-plain.txt")), DumpFormat.JDK_TEXT);
        checkPlatform(ThreadDumpReader.read(Dumps.path("jdk21-jstack-l.txt")));
        checkPlatform(ThreadDumpReader.read(Dumps.path("jdk21-thread-print.txt")));
    }

    @Test
    void everyDumpOfALiveJdk21JvmGroupsTheBlockedThreads() throws Exception {
        OlderJdk.Jdk jdk = OlderJdk.require21();
        Path source = OlderJdk.source(Jdk21ThreadDumpTest.class, "HoldOnJdk21.java", dir);
        Process p = new ProcessBuilder(jdk.java(), "-Xmx64m", source.toString()).directory(dir.toFile())
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            for (String line; !"ready".equals(line = out.readLine()); ) {
                assertThat(line).as("the JDK 21 JVM ended before it was ready").isNotNull();
            }
            String pid = Long.toString(p.pid());
            Path json = dir.resolve("threads.json");
            Path text = dir.resolve("threads.txt");
            tool(List.of(jdk.tool("jcmd"), pid, "Thread.dump_to_file", "-format=json", json.toString()), "jcmd-json");
            tool(List.of(jdk.tool("jcmd"), pid, "Thread.dump_to_file", text.toString()), "jcmd-text");
            checkVirtual(ThreadDumpReader.read(json), DumpFormat.JDK_JSON);
            checkVirtual(ThreadDumpReader.read(text), DumpFormat.JDK_TEXT);
            checkPlatform(ThreadDumpReader.read(tool(List.of(jdk.tool("jstack"), "-l", pid), "jstack")));
            checkPlatform(ThreadDumpReader.read(tool(List.of(jdk.tool("jcmd"), pid, "Thread.print"), "thread-print")));
        } finally {
            p.getOutputStream().close();                       // lets it end; then make sure
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void liveThreadsInsideAJdk21JvmSeesItsVirtualThreads() throws Exception {
        OlderJdk.Jdk jdk = OlderJdk.require21();
        Path out = dir.resolve("probe.txt");
        Process p = new ProcessBuilder(jdk.java(), "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                Jdk21LiveProbe.class.getName()).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("the JDK 21 probe ended").isTrue();
        } finally {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String text = Files.readString(out);
        assertThat(p.exitValue()).as(text).isZero();
        assertThat(text).as(text).startsWith("runtime 21.")
                .contains("\nsuspect 3 3 CountDownLatch.await dev.leakhound.capture.Jdk21LiveProbe\n",
                        "\nsuspect 2 2 SynchronousQueue.put dev.leakhound.capture.Jdk21LiveProbe\n");
    }

    /** A JSON or text dump of HoldOnJdk21: both virtual groups, each thread virtual, no state (JDK 21 writes none). */
    private static void checkVirtual(ThreadDump dump, DumpFormat format) {
        String what = dump.origin();
        assertThat(dump.format()).as(what).isEqualTo(format);
        assertThat(dump.runtimeVersion()).as(what).startsWith("21.");
        assertThat(dump.virtualCount()).as(what).isEqualTo(5);
        List<StackGroup> suspects = ThreadGrouping.suspects(ThreadGrouping.group(dump.threads()));
        assertThat(suspects).as(what).anySatisfy(g -> {
            assertThat(g.count()).isEqualTo(3);
            assertThat(g.virtualCount()).isEqualTo(3);
            assertThat(g.waitSite().call()).isEqualTo("CountDownLatch.await");
            assertThat(g.waitSite().blockingFrame().className()).isEqualTo("HoldOnJdk21");
        });
        assertThat(suspects).as(what).anySatisfy(g -> {
            assertThat(g.count()).isEqualTo(2);
            assertThat(g.virtualCount()).isEqualTo(2);
            assertThat(g.waitSite().call()).isEqualTo("SynchronousQueue.put");
        });
    }

    /** jstack or Thread.print of HoldOnJdk21: no virtual thread, the one entering the monitor BLOCKED. */
    private static void checkPlatform(ThreadDump dump) {
        String what = dump.origin();
        assertThat(dump.format()).as(what).isEqualTo(DumpFormat.JSTACK);
        assertThat(dump.threads()).as(what).noneMatch(t -> t.virtual())
                .anySatisfy(t -> assertThat(t.name()).isEqualTo("ForkJoinPool-1-worker-1"));
        assertThat(ThreadGrouping.suspects(ThreadGrouping.group(dump.threads()))).as(what).anySatisfy(g -> {
            assertThat(g.threads()).singleElement().satisfies(t -> {
                assertThat(t.name()).isEqualTo("jdk21-entering");
                assertThat(t.blocker().kind()).isEqualTo(Blocker.Kind.ENTERING);
            });
            assertThat(g.state()).isEqualTo(Thread.State.BLOCKED);
        });
    }

    /** Runs a JDK 21 tool (killed if it takes more than a minute), its output in a file of {@link #dir}. */
    private Path tool(List<String> cmd, String name) throws Exception {
        Path file = dir.resolve(name + ".txt");
        Process t = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(file.toFile()).start();
        try {
            assertThat(t.waitFor(60, TimeUnit.SECONDS)).as(cmd + " ended").isTrue();
        } finally {
            t.destroyForcibly();
        }
        assertThat(t.exitValue()).as(Files.readString(file)).isZero();
        return file;
    }
}
