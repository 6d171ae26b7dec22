package dev.leakhound.cli;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code leakhound attach} in this JVM: what it refuses before attaching to anything. The attach itself: {@code AttachIT}. */
class AttachCommandTest {

    @Test
    void helpListsAttach() {
        assertThat(Cli.run("--help").out()).containsPattern("\n  attach +Loads Leakhound into a running JVM");
        Cli.Result help = Cli.run("attach", "--help");
        assertThat(help.status()).isZero();
        assertThat(help.out()).contains("Usage: leakhound attach ", "--port=N", "--token=T", "--token-env=VAR", "--stop",
                "/debug/threads/count", "-XX:+EnableDynamicAgentLoading");
    }

    @Test
    void badPidsAreExitTwoWithOneLine() {
        long self = ProcessHandle.current().pid();
        String[][] cases = {
                {"abc", "leakhound: bad pid 'abc': expected a process id (a number)"},
                {"-5", "leakhound: bad pid -5: expected a process id (a positive number)"},
                {"0", "leakhound: bad pid 0: expected a process id (a positive number)"},
                {Long.toString(self), "leakhound: pid " + self + " is this leakhound process itself"},
                {"2147483647", "leakhound: no process with pid 2147483647"}};
        for (String[] c : cases) {
            Cli.Result r = c[0].startsWith("-") ? Cli.run("attach", "--", c[0]) : Cli.run("attach", c[0]);
            assertThat(r.status()).as(r.toString()).isEqualTo(2);
            assertThat(r.out()).isEmpty();
            assertThat(r.err()).isEqualTo(c[1] + "\n");
        }
    }

    @Test
    void badOptionsAreExitTwoBeforeAttaching() {
        String parent = Long.toString(ProcessHandle.current().parent().orElseThrow().pid());
        String[][] cases = {
                {"leakhound: agent option port=70000: expected 0 to 65535", "--port", "70000"},
                {"leakhound: agent option host=0.0.0.0 is not a loopback address: a token is required (token=... or "
                        + "tokenEnv=VARIABLE, at least 16 characters)", "--host", "0.0.0.0"},
                {"leakhound: token: expected 16 to 256 characters, got 3", "--token", "abc"},
                {"leakhound: --token and --token-env: give one of them", "--token", "0123456789abcdef", "--token-env", "X"},
                {"leakhound: --token-env NO_SUCH_VARIABLE_HERE: no such environment variable, or it is empty",
                        "--token-env", "NO_SUCH_VARIABLE_HERE"},
                {"leakhound: unknown agent option 'colour' (known: port, host, token, tokenEnv, server, sampleMillis, "
                        + "window, minGrowth, gctrace, gcHistory, maxThreads, heapIntervalMillis, creationSites, maxTrackedThreads, heapProof, proofHeapMb, heapProfile, stop)", "--options", "colour=blue"}};
        for (String[] c : cases) {
            String[] args = new String[c.length + 1];
            args[0] = "attach";
            args[1] = parent;
            System.arraycopy(c, 1, args, 2, c.length - 1);
            Cli.Result r = Cli.run(args);
            assertThat(r.status()).as(r.toString()).isEqualTo(2);
            assertThat(r.err()).isEqualTo(c[0] + "\n");
        }
    }

    @Test
    void outsideLeakhoundJarItSaysSo() {
        String parent = Long.toString(ProcessHandle.current().parent().orElseThrow().pid());
        Cli.Result r = Cli.run("attach", parent);
        assertThat(r.status()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).startsWith("leakhound: ").endsWith(" is not a jar: run attach from leakhound.jar "
                + "(java -jar leakhound.jar attach PID)\n");
    }

    /** Which of the options asked for a running agent does not have (it keeps its own): those are said, exit 2. */
    @Test
    void optionsNotTakenByTheRunningAgentAreTheOnesAskedForThatDiffer() {
        String running = "port=6060,host=127.0.0.1,sampleMillis=5000,window=6,minGrowth=2,gcHistory=100";
        String url = "http://127.0.0.1:6060/";
        assertThat(AttachCommand.notTaken("", running, url)).isEmpty();
        assertThat(AttachCommand.notTaken("port=6060", running, url)).isEmpty();
        assertThat(AttachCommand.notTaken("port=0", running, url)).as("any free port").isEmpty();
        assertThat(AttachCommand.notTaken("port=6061", running, url)).containsExactly("port=6061");
        assertThat(AttachCommand.notTaken("port=41000", "port=0,host=127.0.0.1", "http://127.0.0.1:41000/"))
                .as("the port it took for port=0").isEmpty();
        assertThat(AttachCommand.notTaken("window=9,sampleMillis=5000", running, url)).containsExactly("window=9");
        assertThat(AttachCommand.notTaken("gctrace=true,server=false", running, url))
                .containsExactly("gctrace=true", "server=false");
        assertThat(AttachCommand.notTaken("token=0123456789abcdef", running, url)).containsExactly("token=***");
        assertThat(AttachCommand.notTaken("token=0123456789abcdef", running + ",token=***", url)).isEmpty();
    }

    @Test
    void theTargetsJavaVersionIsReadAsAFeatureNumberAndAnUnreadableOneLetsTheLoadBeTried() {
        assertThat(AttachCommand.featureVersion("1.8")).isEqualTo(8);
        assertThat(AttachCommand.featureVersion("17")).isEqualTo(17);
        assertThat(AttachCommand.featureVersion("21")).isEqualTo(21);
        assertThat(AttachCommand.featureVersion("25.0.1")).isEqualTo(25);
        for (String unreadable : new String[] {"", "25-ea", "garbage", " 17"}) {
            assertThat(AttachCommand.featureVersion(unreadable)).as(unreadable)
                    .isGreaterThanOrEqualTo(AttachCommand.MIN_JAVA);
        }
    }
}
