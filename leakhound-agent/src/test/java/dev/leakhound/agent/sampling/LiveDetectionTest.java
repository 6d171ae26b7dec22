package dev.leakhound.agent.sampling;

import dev.leakhound.testing.Http;
import dev.leakhound.testing.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 11, live detection: a real agent in a real JVM ({@link LiveLeakProbe}), its leak suspects read over HTTP
 * ({@code /debug/leaks?format=json}) after each sample, with the agent's defaults but the period (samples are taken
 * when the test says, so that it counts samples, not seconds).
 */
class LiveDetectionTest {
    private final List<Process> children = new ArrayList<>();

    @AfterEach
    void endChildren() throws InterruptedException {
        for (Process p : children) {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** The probe's JVM: its commands, its answers and its debug server. */
    private final class Host {
        final Process process;
        final Writer commands;
        final BufferedReader answers;
        final URI url;
        long samples;

        Host(Path dir, String mode) throws IOException {
            Path jar = dir.resolve("probe-agent.jar");
            Manifest m = new Manifest();
            m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
            m.getMainAttributes().putValue("Premain-Class", LiveLeakProbe.class.getName());
            m.getMainAttributes().putValue("Can-Retransform-Classes", "true");
            try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, m)) {
                j.flush();
            }
            process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-javaagent:" + jar, "-cp", System.getProperty("java.class.path"), LiveLeakProbe.class.getName(),
                    mode).redirectError(dir.resolve("stderr.txt").toFile()).start();
            children.add(process);
            commands = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            answers = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String first = answers.readLine();
            assertThat(first).as("the probe's first line").startsWith("url http");
            url = URI.create(first.substring(4));
            samples = sampled();
        }

        private long sampled() throws IOException {
            String line = answers.readLine();
            assertThat(line).as("the probe's answer").startsWith("sampled ");
            return Long.parseLong(line.substring(8));
        }

        /** Sends a command, waits for its sample, and returns the suspects then, as /debug/leaks gives them. */
        List<Map<String, Object>> after(String command) throws Exception {
            commands.write(command + "\n");
            commands.flush();
            samples = sampled();
            Map<String, Object> leaks = Json.object(Json.parse(Http.get(url, "/debug/leaks?format=json").text()));
            assertThat(((Number) leaks.get("samples")).longValue()).isEqualTo(samples);
            return Json.objects(leaks.get("suspects"));
        }
    }

    @Test
    void aLeakFromStartUpIsNamedAtTheThirdSampleAndStaysNamedWhileItsThreadsAreStuck(@TempDir Path dir)
            throws Exception {
        Host host = new Host(dir, "startup");
        assertThat(host.samples).as("the agent's first sample, at start").isEqualTo(1);
        assertThat(host.after("leak 2")).as("sample 2: 0 then 2").isEmpty();
        List<Map<String, Object>> named = host.after("leak 2");
        assertThat(named).as("sample 3: 0 2 4, with the default window of 6").singleElement().satisfies(s -> {
            assertThat(s.get("count")).isEqualTo(4L);
            assertThat(s.get("counts")).isEqualTo(List.of(0L, 2L, 4L));
            assertThat(s.get("growing")).isEqualTo(true);
        });
        // the leak stops; its 4 threads stay stuck: named at every sample, well past the window
        for (int i = 0; i < 10; i++) {
            assertThat(host.after("sample")).as("sample %d", host.samples).singleElement().satisfies(s -> {
                assertThat(s.get("count")).isEqualTo(4L);
                assertThat(s.get("stuckThreads")).isEqualTo(4L);
            });
        }
        assertThat(host.after("end")).as("its threads ended").isEmpty();
    }

    @Test
    void threadsLeakedBeforeTheAttachCountWithThoseLeakedAfter(@TempDir Path dir) throws Exception {
        Host host = new Host(dir, "attach");
        assertThat(host.samples).isEqualTo(1);
        assertThat(host.after("leak 2")).as("26 then 28").isEmpty();
        assertThat(host.after("leak 2")).as("26 28 30").singleElement().satisfies(s -> {
            assertThat(s.get("count")).isEqualTo(30L);
            assertThat(s.get("counts")).isEqualTo(List.of(26L, 28L, 30L));
            assertThat(s.get("startedAt")).as("where the leak after the attach starts").isNotNull();
        });
    }
}
