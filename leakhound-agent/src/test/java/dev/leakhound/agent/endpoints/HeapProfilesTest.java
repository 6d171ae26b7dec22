package dev.leakhound.agent.endpoints;

import dev.leakhound.agent.http.Unavailable;
import dev.leakhound.heapprofile.HeapProfile;
import dev.leakhound.heapprofile.ProfileSite;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;
import jdk.jfr.RecordingState;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The heap profile recording in this JVM, with a real JFR: started and closed by the agent, read while a host's
 * own recording runs, and never taking a host's in-memory events.
 */
class HeapProfilesTest {
    static volatile Object sink;

    @TempDir
    Path dir;

    private static List<Recording> ours() {
        return FlightRecorder.getFlightRecorder().getRecordings().stream()
                .filter(r -> r.getName().startsWith(JfrProfileRecording.NAME)).toList();
    }

    private static void allocateHere() {
        for (int i = 0; i < 20_000; i++) {
            sink = new long[256];
        }
    }

    private static boolean hasThisTestsSite(HeapProfile p) {
        return p.sites().stream().map(ProfileSite::stack).anyMatch(s -> s.stream().anyMatch(f ->
                f.className().equals(HeapProfilesTest.class.getName()) && f.methodName().equals("allocateHere")));
    }

    @Test
    void theRecordingRunsBoundedUntilClosed() throws Exception {
        HeapProfiles profiles = HeapProfiles.start(10_000, System::nanoTime);
        try {
            assertThat(profiles.off()).isNull();
            assertThat(ours()).singleElement().satisfies(r -> {
                assertThat(r.isToDisk()).isTrue();
                assertThat(r.getMaxAge()).isEqualTo(JfrProfileRecording.MAX_AGE);
                assertThat(r.getMaxSize()).isEqualTo(JfrProfileRecording.MAX_BYTES);
                assertThat(r.getState()).isEqualTo(RecordingState.RUNNING);
            });
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
                allocateHere();
                return hasThisTestsSite(profiles.alloc(Duration.ofSeconds(60)));
            });
            HeapProfile p = profiles.alloc(Duration.ofSeconds(60));
            assertThat(p.kind()).isEqualTo(HeapProfile.Kind.ALLOC);
            assertThat(hasThisTestsSite(p)).as("a read leaves the samples for the next").isTrue();
        } finally {
            profiles.close();
        }
        assertThat(ours()).as("closed with the agent").isEmpty();
        assertThatThrownBy(() -> profiles.inuse(false)).isInstanceOf(Unavailable.class);
    }

    @Test
    void aHostsInMemoryRecordingKeepsItsEventsAndStillRuns() throws Exception {
        Recording host = new Recording();
        host.setName("host-in-memory");
        host.enable("jdk.ObjectAllocationSample").with("throttle", "150/s").withStackTrace();
        host.setToDisk(false);
        host.start();
        HeapProfiles profiles = HeapProfiles.start(10_000, System::nanoTime);
        try {
            assertThat(profiles.off()).as("not started beside it").contains("'host-in-memory'").contains("JFR.dump");
            assertThat(ours()).isEmpty();
            allocateHere();
            assertThatThrownBy(() -> profiles.inuse(false)).isInstanceOf(Unavailable.class);
            assertThat(host.getState()).isEqualTo(RecordingState.RUNNING);
            Path file = dir.resolve("host.jfr");
            host.dump(file);
            long samples = RecordingFile.readAllEvents(file).stream()
                    .filter(e -> e.getEventType().getName().equals("jdk.ObjectAllocationSample")).count();
            assertThat(samples).as("the host's allocation samples, not taken by ours").isPositive();
        } finally {
            profiles.close();
            host.close();
        }
    }

    @Test
    void aHostsInMemoryRecordingStartedLaterStopsOurs() throws Exception {
        HeapProfiles profiles = HeapProfiles.start(10_000, System::nanoTime);
        Recording host = new Recording();
        try {
            assertThat(profiles.off()).isNull();
            host.setName("host-later");
            host.enable("jdk.ObjectAllocationSample").with("throttle", "150/s").withStackTrace();
            host.setToDisk(false);
            host.start();
            assertThat(ours()).as("ours closed itself").isEmpty();
            assertThatThrownBy(() -> profiles.alloc(Duration.ofSeconds(10))).isInstanceOf(Unavailable.class)
                    .hasMessageContaining("'host-later'");
            allocateHere();
            Path file = dir.resolve("host.jfr");
            host.dump(file);
            assertThat(RecordingFile.readAllEvents(file).stream()
                    .filter(e -> e.getEventType().getName().equals("jdk.ObjectAllocationSample")).count())
                    .as("the host's allocation samples").isPositive();
        } finally {
            profiles.close();
            host.close();
        }
    }

    @Test
    void besideAHostsToDiskRecordingOursReadsAndClosingItLeavesTheirs() throws Exception {
        Recording host = new Recording();
        host.setName("host-to-disk");
        host.enable("jdk.ThreadSleep");
        host.setToDisk(true);
        host.setMaxSize(10_000_000);
        host.start();
        var before = new ArrayList<>(host.getSettings().entrySet());
        HeapProfiles profiles = HeapProfiles.start(10_000, System::nanoTime);
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
                allocateHere();
                return hasThisTestsSite(profiles.alloc(Duration.ofSeconds(60)));
            });
            assertThat(profiles.inuse(false).kind()).isEqualTo(HeapProfile.Kind.INUSE);
        } finally {
            profiles.close();
        }
        try {
            assertThat(host.getState()).isEqualTo(RecordingState.RUNNING);
            assertThat(host.getSettings().entrySet()).containsExactlyInAnyOrderElementsOf(before);
        } finally {
            host.close();
        }
    }

    @Test
    void offSaysWhy() {
        HeapProfiles off = HeapProfiles.off(HeapProfiles.OFF);
        assertThatThrownBy(() -> off.alloc(Duration.ofSeconds(1))).isInstanceOf(Unavailable.class)
                .hasMessageContaining("heapProfile=true");
        off.close();
    }
}
