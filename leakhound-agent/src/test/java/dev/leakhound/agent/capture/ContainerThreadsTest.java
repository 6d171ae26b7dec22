package dev.leakhound.agent.capture;

import dev.leakhound.testing.AgentJvm;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

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

        ThreadSource source = CaptureSources.best(null);
        assertTrue(source.description().startsWith("JDK thread dump"), source.description());
        assertTrue(source.description().contains("the faster capture is unavailable: java.base does not export"),
                source.description());
        assertTrue(source.capture().origin().contains("dumpThreads"), "the JSON dump");
    }

    @Test
    void anAgentOpensTheContainersThroughInstrumentation(@TempDir Path dir) throws Exception {
        AgentJvm.Result r = AgentJvm.run(dir, CaptureTestAgent.class, false, Duration.ofSeconds(240));
        String text = r.output();
        assertEquals(0, r.exitStatus(), text);
        assertTrue(text.contains("before=false"), text);
        assertTrue(text.contains("available=true"), text);
        assertTrue(text.contains("parked=100 of 100"), text);
    }
}
