package dev.leakhound.agent.capture;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** In the plain test JVM (no export): unavailable with a reason; and the agent path in a child JVM. */
class ContainerThreadsTest {

    @Test
    void unavailableWithoutExportSaysWhy() {
        Assumptions.assumeFalse(Object.class.getModule().isExported("jdk.internal.vm", getClass().getModule()),
                "this JVM exports jdk.internal.vm (the other surefire execution, picked by a -Dtest filter)");
        ContainerThreads ct = ContainerThreads.open();
        assertFalse(ct.isAvailable());
        assertTrue(ct.unavailableReason().contains("--add-exports java.base/jdk.internal.vm=ALL-UNNAMED"),
                ct.unavailableReason());
        assertFalse(ContainerThreads.open(null).isAvailable());
        assertThrows(IllegalStateException.class, ct::count);
        assertThrows(IllegalStateException.class, ct::snapshot);

        dev.leakhound.agent.ThreadSource source = CaptureSources.best(null);
        assertTrue(source.description().startsWith("JDK thread dump"), source.description());
        assertTrue(source.description().contains("the faster capture is unavailable: java.base does not export"),
                source.description());
        assertTrue(source.capture().origin().contains("dumpThreads"), "the JSON dump");
    }

    @Test
    void anAgentOpensTheContainersThroughInstrumentation(@TempDir Path dir) throws Exception {
        Path jar = dir.resolve("capture-test-agent.jar");
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().putValue("Premain-Class", CaptureTestAgent.class.getName());
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, m)) {
            j.flush();
        }
        Path out = dir.resolve("out.txt");
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-javaagent:" + jar, "-cp", System.getProperty("java.class.path"), CaptureTestAgent.class.getName());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish");
        } finally {
            p.destroyForcibly();
        }
        String text = Files.readString(out);
        assertEquals(0, p.exitValue(), text);
        assertTrue(text.contains("before=false"), text);
        assertTrue(text.contains("available=true"), text);
        assertTrue(text.contains("parked=100 of 100"), text);
    }
}
