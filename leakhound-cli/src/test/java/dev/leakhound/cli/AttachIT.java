package dev.leakhound.cli;

import dev.leakhound.testing.Http;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code java -jar leakhound.jar attach PID} against JVMs of their own started without the agent. Runs under
 * failsafe, after {@code package} made the jar.
 */
@Timeout(300)
class AttachIT {
    static final Pattern ATTACHED =
            Pattern.compile("\\Aleakhound: agent running in process (\\d+): (http://127\\.0\\.0\\.1:\\d+/)\n");
    private static final String DYNAMIC_AGENT_WARNING = "WARNING: A Java agent has been loaded dynamically";

    @TempDir
    static Path dir;

    private static Path jar;

    @BeforeAll
    static void theJar() {
        jar = ChildJvm.shadedJar();
    }

    record Result(int status, String out, String err) {
        @Override
        public String toString() {
            return "exit status " + status + "\n--- stdout:\n" + out + "\n--- stderr:\n" + err;
        }
    }

    /** {@code java -jar leakhound.jar ARGS}, killed after 2 minutes. */
    private static Result leakhound(String... args) throws IOException, InterruptedException {
        return leakhound(dir, jar, args);
    }

    /** {@code java -jar JAR ARGS} with the Java running the tests, its output in files of {@code dir}. */
    static Result leakhound(Path dir, Path jar, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-jar");
        cmd.add(jar.toString());
        Collections.addAll(cmd, args);
        Path out = Files.createTempFile(dir, "attach-out-", ".txt");
        Path err = Files.createTempFile(dir, "attach-err-", ".txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            if (!p.waitFor(240, TimeUnit.SECONDS)) {
                throw new AssertionError("leakhound did not finish in 240 s: " + cmd);
            }
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void attachLoadsTheAgentIntoARunningJvmAndItsEndpointsAnswer() throws Exception {
        try (ChildJvm child = ChildJvm.start(dir, List.of("-XX:+EnableDynamicAgentLoading"), "4")) {
            Result r = leakhound("attach", Long.toString(child.pid()), "--port", "0", "--sample-millis", "200");
            assertThat(r.status()).as(r + "\nchild: " + child).isZero();
            assertThat(r.err()).isEmpty();
            Matcher m = ATTACHED.matcher(r.out());
            assertThat(m.find()).as(r.out()).isTrue();
            assertThat(m.group(1)).isEqualTo(Long.toString(child.pid()));
            URI url = URI.create(m.group(2));
            assertThat(r.out()).contains("curl '" + url + "debug/threads/dump?debug=1'",
                    "stop it: leakhound attach " + child.pid() + " --stop");

            assertThat(Http.get(url, "/debug/threads/count").text()).matches("\\d+\n");
            assertThat(Http.get(url, "/debug/threads/dump?debug=1").text())
                    .contains("\n4 @ WAITING in SynchronousQueue.put, parked on java.util.concurrent.SynchronousQueue$Transferer")
                    .as("started before the agent was attached: no creation site, and none made up")
                    .doesNotContain("# started at dev.leakhound.cli.TinyService.main");
            assertThat(child.stderr()).as("with -XX:+EnableDynamicAgentLoading, no warning")
                    .doesNotContain(DYNAMIC_AGENT_WARNING).contains("leakhound-agent: debug server on " + url + "debug/");

            // Attaching again is harmless: the running agent answers with its address.
            Result again = leakhound("attach", Long.toString(child.pid()), "--port", "0");
            assertThat(again.status()).as(again.toString()).isZero();
            assertThat(again.out()).startsWith("leakhound: agent running in process " + child.pid() + ": " + url + "\n");
            assertThat(child.stderr()).contains("leakhound-agent: already running, debug server on " + url + "debug/");

            // Other options are not taken by the running agent: said, with how to apply them, exit status 2.
            String otherPort = Integer.toString(url.getPort() == 65535 ? 65534 : url.getPort() + 1);
            Result other = leakhound("attach", Long.toString(child.pid()), "--port", otherPort, "--window", "9");
            assertThat(other.status()).as(other.toString()).isEqualTo(2);
            assertThat(other.out()).isEmpty();
            assertThat(other.err()).hasLineCount(1)
                    .startsWith("leakhound: process " + child.pid() + ": the agent already runs on " + url + " with port=0,")
                    .contains("sampleMillis=200,").contains("; the options given (port=" + otherPort + ",window=9) were"
                            + " NOT applied: to apply them, stop it and attach again: leakhound attach " + child.pid()
                            + " --stop, then leakhound attach " + child.pid() + " --port " + otherPort + " --window 9\n");
            assertThat(Http.get(url, "/debug/threads/count").status()).as("still serving where it was").isEqualTo(200);

            // --stop stops it; the program goes on and ends normally.
            Result stop = leakhound("attach", Long.toString(child.pid()), "--stop");
            assertThat(stop.status()).as(stop.toString()).isZero();
            assertThat(stop.out()).isEqualTo("leakhound: process " + child.pid() + ": agent stopped\n");
            assertThatThrownBy(() -> Http.get(url, "/debug/threads/count")).isInstanceOf(ConnectException.class);

            // A second --stop finds none running and says so.
            Result again2 = leakhound("attach", Long.toString(child.pid()), "--stop");
            assertThat(again2.status()).as(again2.toString()).isZero();
            assertThat(again2.out()).isEqualTo("leakhound: process " + child.pid()
                    + ": agent not running, nothing stopped\n");
            assertThat(child.exit()).as(child.toString()).isZero();
        }
    }

    @Test
    void withoutEnableDynamicAgentLoadingItWorksAndTheJdkWarns() throws Exception {
        try (ChildJvm child = ChildJvm.start(dir, List.of(), "2")) {
            Result r = leakhound("attach", Long.toString(child.pid()), "--port", "0");
            assertThat(r.status()).as(r + "\nchild: " + child).isZero();
            Matcher m = ATTACHED.matcher(r.out());
            assertThat(m.find()).as(r.out()).isTrue();
            URI url = URI.create(m.group(2));
            assertThat(Http.get(url, "/debug/threads/dump?debug=1").text()).contains("\n2 @ WAITING in SynchronousQueue.put");
            assertThat(child.stderr()).as("JDK 21+ warns about a dynamically loaded agent").contains(DYNAMIC_AGENT_WARNING);
            assertThat(child.exit()).isZero();
        }
    }

    @Test
    void aJavaagentAlreadyThereIsReusedByAttach() throws Exception {
        try (ChildJvm child = ChildJvm.start(dir, List.of(AgentJarIT.javaagent(jar, "port=0"),
                "-XX:+EnableDynamicAgentLoading"), "1")) {
            String url = child.awaitStderr(AgentJarIT.SERVER_LINE).group(1);
            Result r = leakhound("attach", Long.toString(child.pid()), "--port", "0");
            assertThat(r.status()).as(r.toString()).isZero();
            assertThat(r.out()).startsWith("leakhound: agent running in process " + child.pid() + ": " + url + "\n");
            assertThat(child.stderr()).contains("leakhound-agent: already running, debug server on " + url + "debug/");
            assertThat(child.exit()).isZero();
        }
    }

    @Test
    void aPortTakenInTheTargetIsExitTwoWithOneLine() throws Exception {
        try (ChildJvm first = ChildJvm.start(dir, List.of(AgentJarIT.javaagent(jar, "port=0")), "1");
             ChildJvm child = ChildJvm.start(dir, List.of("-XX:+EnableDynamicAgentLoading"), "1")) {
            int port = URI.create(first.awaitStderr(AgentJarIT.SERVER_LINE).group(1)).getPort();
            Result r = leakhound("attach", Long.toString(child.pid()), "--port", Integer.toString(port));
            assertThat(r.status()).as(r.toString()).isEqualTo(2);
            assertThat(r.out()).isEmpty();
            assertThat(r.err()).startsWith("leakhound: process " + child.pid() + ": agent failed: debug server: ")
                    .contains("Address already in use")
                    .endsWith(" (attach again with another --port, or --stop)\n").hasLineCount(1);
            assertThat(child.stderr()).contains("leakhound-agent: debug server failed and is switched off: ");

            // Attaching again with a free port replaces the agent whose server could not start.
            Result retry = leakhound("attach", Long.toString(child.pid()), "--port", "0");
            assertThat(retry.status()).as(retry.toString()).isZero();
            Matcher m = ATTACHED.matcher(retry.out());
            assertThat(m.find()).as(retry.out()).isTrue();
            assertThat(Http.get(URI.create(m.group(2)), "/debug/threads/count").status()).isEqualTo(200);
            assertThat(child.exit()).isZero();
            assertThat(first.exit()).isZero();
        }
    }

    /** A JVM of an older Java (17 beside 25 on these machines) is refused before the agent's classes reach it. */
    @Test
    void anOlderJavaIsRefusedBeforeAnythingIsLoaded() throws Exception {
        var older = dev.leakhound.testing.OlderJdk.require();
        Path source = dir.resolve("IdleOnOlderJdk.java");
        Files.writeString(source, "public class IdleOnOlderJdk { public static void main(String[] a) throws Exception {"
                + " System.out.println(\"ready\"); System.out.flush(); while (System.in.read() >= 0) { } } }");
        Path out = dir.resolve("older-out.txt");
        Process p = new ProcessBuilder(older.java(), "-Xmx32m", source.toString()).redirectErrorStream(true)
                .redirectOutput(out.toFile()).start();
        try {
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60))
                    .until(() -> Files.readString(out).contains("ready") || !p.isAlive());
            Result r = leakhound("attach", Long.toString(p.pid()));
            assertThat(r.status()).as(r.toString()).isEqualTo(2);
            assertThat(r.err()).isEqualTo("leakhound: process " + p.pid() + " runs Java " + older.feature()
                    + "; the agent needs Java 21 or newer (nothing was loaded)\n");
            assertThat(Files.readString(out)).doesNotContain("Exception", "UnsupportedClassVersionError");
        } finally {
            p.getOutputStream().close();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void aBadPidOrAJvmThatRefusesAttachIsExitTwoWithOneLine() throws Exception {
        Result letters = leakhound("attach", "abc");
        assertThat(letters.status()).isEqualTo(2);
        assertThat(letters.err()).isEqualTo("leakhound: bad pid 'abc': expected a process id (a number)\n");

        Result gone = leakhound("attach", "2147483647");
        assertThat(gone.status()).isEqualTo(2);
        assertThat(gone.err()).isEqualTo("leakhound: no process with pid 2147483647\n");

        try (ChildJvm noAttach = ChildJvm.start(dir, List.of("-XX:+DisableAttachMechanism"), "1")) {
            Result r = leakhound("attach", Long.toString(noAttach.pid()));
            assertThat(r.status()).as(r.toString()).isEqualTo(2);
            assertThat(r.err()).startsWith("leakhound: cannot attach to process " + noAttach.pid() + ": ")
                    .hasLineCount(1).doesNotContain("Exception\n\tat");
            assertThat(noAttach.exit()).isZero();
        }
    }
}
