package dev.leakhound.agent;

import dev.leakhound.agent.capture.ThreadSource;
import dev.leakhound.testing.BlockedThreads;
import dev.leakhound.testing.Http;
import dev.leakhound.testing.StdErr;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Loading, loading again, stopping, and failures that leave the host untouched: through {@link Agent#load}. */
class LeakhoundAgentTest {
    /** Loaded here without an Instrumentation (and without --add-exports), the agent says it uses the JSON dump. */
    private static final String NO_INSTRUMENTATION = "leakhound-agent: using the JDK's thread dump, the faster capture"
            + " is unavailable: java.base does not export jdk.internal.vm to " + LeakhoundAgentTest.class.getModule()
            + " (start the JVM with the agent, or with --add-exports java.base/jdk.internal.vm=ALL-UNNAMED)\n";

    @BeforeEach
    void forgetReportedFailures() {
        AgentLog.resetForTests();
        System.clearProperty(Agent.STATUS_PROPERTY);
    }

    @AfterEach
    void stopWhateverRuns() {
        LeakhoundAgent a = LeakhoundAgent.running();
        if (a != null) {
            a.close();
        }
        System.clearProperty(Agent.STATUS_PROPERTY);
    }

    @Test
    void loadingTwiceIsHarmlessAndStopStopsEverything() throws Exception {
        try (StdErr err = new StdErr()) {
            Agent.agentmain("port=0,sampleMillis=100", null);
            LeakhoundAgent first = LeakhoundAgent.running();
            assertThat(first).isNotNull();
            URI url = first.url();
            assertThat(System.getProperty(Agent.STATUS_PROPERTY)).isEqualTo("running " + url);
            assertThat(Http.get(url, "/debug/threads/count").status()).isEqualTo(200);

            Agent.agentmain("port=0", null);                       // attach after -javaagent
            assertThat(LeakhoundAgent.running()).isSameAs(first);
            // it says it ran already, with the options it runs with (for attach to compare with those asked for)
            assertThat(System.getProperty(Agent.STATUS_PROPERTY)).startsWith("already running " + url + " options port=0,");

            Agent.agentmain("stop", null);
            assertThat(LeakhoundAgent.running()).isNull();
            assertThat(System.getProperty(Agent.STATUS_PROPERTY)).isEqualTo("stopped");
            Agent.agentmain("stop", null);
            assertThat(System.getProperty(Agent.STATUS_PROPERTY)).isEqualTo(Agent.NOT_RUNNING);
            assertThatThrownBy(() -> Http.get(url, "/debug/threads/count")).isInstanceOf(ConnectException.class);
            // stop waits a bounded time for a sample in progress; the sampler thread then ends by itself
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> Thread.getAllStackTraces()
                    .keySet().stream().noneMatch(t -> t.getName().equals("leakhound-sampler") && t.isAlive()));

            assertThat(err.text()).isEqualTo(NO_INSTRUMENTATION + "leakhound-agent: debug server on " + url + "debug/\n"
                    + "leakhound-agent: already running, debug server on " + url + "debug/"
                    + "; to change options, stop it first (option stop)\n"
                    + "leakhound-agent: stopped\n"
                    + "leakhound-agent: not running, nothing to stop\n");
        }
        // It can be started again after a stop.
        Agent.premain("port=0", null);
        assertThat(LeakhoundAgent.running()).isNotNull();
        assertThat(Http.get(LeakhoundAgent.running().url(), "/debug/threads/count").status()).isEqualTo(200);
    }

    @Test
    void badOptionsAreOneLineAndNoAgent() {
        try (StdErr err = new StdErr()) {
            Agent.premain("port=99999", null);
            assertThat(LeakhoundAgent.running()).isNull();
            assertThat(err.text()).isEqualTo("leakhound-agent: bad options, the agent is off: agent option port=99999:"
                    + " expected 0 to 65535\n");
            assertThat(System.getProperty(Agent.STATUS_PROPERTY)).startsWith("failed: bad options: ");
        }
    }

    @Test
    void withNoPortAskedForATakenDefaultPortGivesWayToAFreeOneNamedInTheLine() throws Exception {
        ServerSocket taken;
        try {
            taken = new ServerSocket(AgentOptions.DEFAULT_PORT, 1, InetAddress.getByName(AgentOptions.DEFAULT_HOST));
        } catch (java.net.BindException e) {
            org.junit.jupiter.api.Assumptions.abort("port 6060 is held by another program: cannot hold it for the test");
            return;
        }
        try (taken; StdErr err = new StdErr()) {
            Agent.premain("sampleMillis=100", null);

            LeakhoundAgent a = LeakhoundAgent.running();
            URI url = a.url();
            assertThat(url).isNotNull();
            assertThat(url.getPort()).isNotEqualTo(AgentOptions.DEFAULT_PORT);
            assertThat(err.text()).isEqualTo(NO_INSTRUMENTATION
                    + "leakhound-agent: port 6060 is in use by another program: the debug server takes any free port"
                    + " (port=N to choose one)\n"
                    + "leakhound-agent: debug server on http://127.0.0.1:" + url.getPort() + "/debug/\n");
            assertThat(Http.get(url, "/debug/threads/count").status()).isEqualTo(200);
            assertThat(System.getProperty(Agent.STATUS_PROPERTY)).isEqualTo("running " + url);
        }
    }

    @Test
    void aPortInUseSwitchesTheServerOffAndTheRestRuns() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()); StdErr err = new StdErr()) {
            Agent.premain("port=" + taken.getLocalPort() + ",sampleMillis=100", null);

            LeakhoundAgent a = LeakhoundAgent.running();
            assertThat(a).isNotNull();
            assertThat(a.url()).isNull();
            assertThat(a.partsOff()).containsOnlyKeys("debug server");
            assertThat(err.text()).startsWith(NO_INSTRUMENTATION)
                    .endsWith("\n").contains("leakhound-agent: debug server failed and is switched off: port "
                            + taken.getLocalPort() + " on 127.0.0.1 is in use by another program (")
                    .contains("Address already in use").contains("): choose another port, port=0 for any free port or"
                            + " another number (leakhound attach: --port) (BindException)");
            assertThat(err.text().lines()).hasSize(2);
            assertThat(System.getProperty(Agent.STATUS_PROPERTY)).startsWith("failed: debug server: ");
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60))
                    .until(() -> a.sampler().latest() != null);                            // the sampler runs
        }
    }

    @Test
    void inProcessWithSamplingOnDemandALeakIsReportedWithinThreeRoundsOfItsStart() throws Exception {
        LeakhoundAgent a = LeakhoundAgent.start(AgentOptions.parse("port=0,window=3"), ThreadSource.jdkDump(), false);
        List<BlockedThreads> rounds = new ArrayList<>();
        try {
            assertThat(a.sample()).as("before the leak").isEmpty();
            List<Integer> reportedAt = new ArrayList<>();
            for (int round = 1; round <= 3; round++) {
                rounds.add(new RoundLeak("agent-test-round-" + round + "-", 2));   // 2 more leaked per round
                if (!a.sample().isEmpty()) {
                    reportedAt.add(round);
                }
            }
            assertThat(reportedAt).as("rounds with a suspect").isNotEmpty().allMatch(r -> r <= 3);
            assertThat(a.suspects()).singleElement().satisfies(g -> {
                assertThat(g.count()).isEqualTo(6);
                assertThat(g.waitSite().blockingFrame().methodName()).isEqualTo("blockForever");
                assertThat(g.waitSite().blockingFrame().className()).endsWith("RoundLeak");
                assertThat(g.growthPerSample()).isEqualTo(2.0);
            });
            assertThat(a.sampler().scheduled()).isFalse();
            assertThat(Http.get(a.url(), "/debug/leaks").text()).contains("samples taken on demand")
                    .contains("  growth      +4 threads over ");
        } finally {
            a.close();
            for (BlockedThreads b : rounds) {
                b.close();
            }
        }
    }

    /** Blocked at a line of its own. */
    static final class RoundLeak extends BlockedThreads {
        RoundLeak(String prefix, int n) {
            super(prefix, n);
        }

        @Override
        protected void blockForever() throws InterruptedException {
            nobodyTakes.put("a round's leak");
        }
    }

    @Test
    void theAgentThreadsAreFewDaemonAndNamed() throws Exception {
        Agent.premain("port=0,sampleMillis=100", null);
        LeakhoundAgent a = LeakhoundAgent.running();
        assertThat(Http.get(a.url(), "/debug/threads/dump?debug=1").status()).isEqualTo(200);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> a.sampler().latest() != null);
        var ours = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("leakhound-")).toList();
        assertThat(ours).extracting(Thread::getName).contains("leakhound-sampler", "leakhound-http-dispatcher");
        assertThat(ours).allMatch(Thread::isDaemon);
        assertThat(ours.stream().map(Thread::getName).filter(n -> n.equals("leakhound-sampler"))).hasSize(1);
    }
}
