package dev.leakhound.capture;

import dev.leakhound.analysis.StackGroup;
import dev.leakhound.analysis.ThreadGrouping;
import dev.leakhound.model.Blocker;
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
 * Thread dumps written by an older JDK's own tools (17 on these machines; skipped where there is none): {@code jstack -l}
 * and {@code jcmd PID Thread.print} of a JVM of that JDK, read into the same groups and suspects.
 */
@Timeout(300)
class OlderJdkThreadDumpTest {

    @TempDir
    Path dir;

    @Test
    void jstackAndThreadPrintOfAnOlderJdkGroupTheBlockedThreads() throws Exception {
        OlderJdk.Jdk jdk = OlderJdk.require();
        Path source = OlderJdk.source(OlderJdkThreadDumpTest.class, "HoldOnOlderJdk.java", dir);
        Process p = new ProcessBuilder(jdk.java(), "-Xmx32m", source.toString()).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            for (String line; !"ready".equals(line = out.readLine()); ) {
                assertThat(line).as("the older JDK's JVM ended before it was ready").isNotNull();
            }
            for (List<String> tool : List.of(List.of(jdk.tool("jstack"), "-l", Long.toString(p.pid())),
                    List.of(jdk.tool("jcmd"), Long.toString(p.pid()), "Thread.print"))) {
                Path file = dir.resolve(Path.of(tool.get(0)).getFileName() + ".txt");
                Process t = new ProcessBuilder(tool).redirectErrorStream(true).redirectOutput(file.toFile()).start();
                try {
                    assertThat(t.waitFor(120, TimeUnit.SECONDS)).as(tool.get(0) + " ended").isTrue();
                } finally {
                    t.destroyForcibly();
                }
                assertThat(t.exitValue()).as(Files.readString(file)).isZero();
                check(ThreadDumpReader.read(file), jdk, file);
            }
        } finally {
            p.getOutputStream().close();                       // lets it end; then make sure
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static void check(ThreadDump dump, OlderJdk.Jdk jdk, Path file) {
        String what = "JDK " + jdk.feature() + " " + file.getFileName();
        assertThat(dump.threads()).as(what).noneMatch(t -> t.virtual());
        List<StackGroup> suspects = ThreadGrouping.suspects(ThreadGrouping.group(dump.threads()));
        assertThat(suspects).as(what).anySatisfy(g -> {
            assertThat(g.count()).isEqualTo(3);
            assertThat(g.state()).isEqualTo(Thread.State.WAITING);
            assertThat(g.waitSite().call()).isEqualTo("CountDownLatch.await");
            assertThat(g.waitSite().blockingFrame().className()).isEqualTo("HoldOnOlderJdk");
        });
        assertThat(suspects).as(what).anySatisfy(g -> {
            assertThat(g.threads()).singleElement().satisfies(t -> {
                assertThat(t.name()).isEqualTo("older-entering");
                assertThat(t.blocker().kind()).isEqualTo(Blocker.Kind.ENTERING);
            });
            assertThat(g.state()).isEqualTo(Thread.State.BLOCKED);
        });
    }
}
