package dev.leakhound.agent;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AgentOptionsTest {
    private static final String TOKEN = "0123456789abcdef-token";

    @Test
    void defaultsAreLoopbackPort6060WithoutToken() {
        for (String none : new String[] {null, "", "  "}) {
            AgentOptions o = AgentOptions.parse(none);
            assertThat(o).isEqualTo(AgentOptions.defaults());
            assertThat(o.host()).isEqualTo("127.0.0.1");
            assertThat(o.port()).isEqualTo(6060);
            assertThat(o.token()).isNull();
            assertThat(o.server()).isTrue();
            assertThat(o.sampleMillis()).isEqualTo(5000);
            assertThat(o.window()).isEqualTo(6);
            assertThat(o.gctrace()).isFalse();
            assertThat(o.stop()).isFalse();
            assertThat(o.heapProof()).as("the heap proof is opt-in").isFalse();
            assertThat(o.proofHeapMb()).isEqualTo(1024);
            assertThat(o.heapProfile()).as("the heap profile recording is opt-in").isFalse();
        }
    }

    @Test
    void everyOptionIsReadAndWrittenBack() {
        AgentOptions o = AgentOptions.parse("port=0, host=::1,token=" + TOKEN + ",server=true,sampleMillis=250,"
                + "window=3,minGrowth=4,gctrace,gcHistory=7,maxThreads=9,heapIntervalMillis=1000,creationSites=false,"
                + "maxTrackedThreads=5000,heapProof,proofHeapMb=256,heapProfile");
        assertThat(o).isEqualTo(new AgentOptions("::1", 0, TOKEN, true, 250, 3, 4, true, 7, 9, 1000, false, false, 5000,
                true, 256).withHeapProfile(true));
        assertThat(AgentOptions.parse(o.toAgentArgs())).isEqualTo(o);
        assertThat(o.toString()).doesNotContain(TOKEN).contains("token=***");
        assertThat(AgentOptions.parse("SAMPLEMILLIS=100,GcTrace=false").sampleMillis()).isEqualTo(100);
        assertThat(AgentOptions.parse("stop").stop()).isTrue();
        assertThat(AgentOptions.parse("stop").toAgentArgs()).isEqualTo("stop");
    }

    @Test
    void theTokenCanComeFromAnEnvironmentVariable() {
        AgentOptions o = AgentOptions.parse("host=0.0.0.0,tokenEnv=LH_TOKEN", Map.of("LH_TOKEN", TOKEN)::get);
        assertThat(o.token()).isEqualTo(TOKEN);
        assertThatThrownBy(() -> AgentOptions.parse("tokenEnv=NOPE", Map.<String, String>of()::get))
                .hasMessage("agent option tokenEnv=NOPE: no such environment variable, or it is empty");
        assertThatThrownBy(() -> AgentOptions.parse("tokenEnv=LH_TOKEN,token=" + TOKEN, Map.of("LH_TOKEN", TOKEN)::get))
                .hasMessageContaining("give one of them");
    }

    @Test
    void aNonLoopbackAddressRequiresAToken() {
        assertThatThrownBy(() -> AgentOptions.parse("host=0.0.0.0"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("agent option host=0.0.0.0 is not a loopback address: a token is required");
        assertThatThrownBy(() -> AgentOptions.parse("host=example.com")).hasMessageContaining("a token is required");
        assertThat(AgentOptions.parse("host=0.0.0.0,token=" + TOKEN).token()).isEqualTo(TOKEN);
        assertThat(AgentOptions.parse("host=localhost").token()).isNull();
        assertThat(AgentOptions.parse("host=127.0.0.2").token()).isNull();
        assertThat(AgentOptions.parse("host=0.0.0.0,server=false").server()).isFalse();  // nothing is served
    }

    @Test
    void badOptionsSayWhatIsWrongInOneLine() {
        Map<String, String> cases = Map.ofEntries(
                Map.entry("prot=1", "unknown agent option 'prot' (known: port, host, token, tokenEnv, server, "
                        + "sampleMillis, window, minGrowth, gctrace, gcHistory, maxThreads, heapIntervalMillis, creationSites, "
                        + "maxTrackedThreads, heapProof, proofHeapMb, heapProfile, stop)"),
                Map.entry("heapProof=sometimes", "agent option heapProof=sometimes: expected true or false"),
                Map.entry("proofHeapMb=32", "agent option proofHeapMb=32: expected 64 to 1048576"),
                Map.entry("maxTrackedThreads=10", "agent option maxTrackedThreads=10: expected 1000 to 10000000"),
                Map.entry("creationSites=maybe", "agent option creationSites=maybe: expected true or false"),
                Map.entry("heapProfile=maybe", "agent option heapProfile=maybe: expected true or false"),
                Map.entry("port=abc", "agent option port=abc: not a number (expected 0 to 65535)"),
                Map.entry("port=70000", "agent option port=70000: expected 0 to 65535"),
                Map.entry("port=", "agent option 'port' needs a value (port=...)"),
                Map.entry("port=1,port=2", "agent option 'port' given twice"),
                Map.entry("port=1,,window=3", "empty agent option in 'port=1,,window=3' (options are key=value separated by commas)"),
                Map.entry("window=1", "agent option window=1: expected 2 to 1000"),
                Map.entry("sampleMillis=5", "agent option sampleMillis=5: expected 100 to 3600000"),
                Map.entry("gctrace=maybe", "agent option gctrace=maybe: expected true or false"),
                Map.entry("token=short", "token: expected 16 to 256 characters, got 5"),
                Map.entry("token=0123456789 abcdef", "token: only printable ASCII characters, no comma or space"),
                Map.entry("host=a/b", "agent option host=a/b: expected an IP address or a host name"),
                Map.entry("stop=now", "agent option 'stop' takes no value"));
        cases.forEach((args, message) -> assertThatThrownBy(() -> AgentOptions.parse(args))
                .as(args).isInstanceOf(IllegalArgumentException.class).hasMessage(message));
    }
}
