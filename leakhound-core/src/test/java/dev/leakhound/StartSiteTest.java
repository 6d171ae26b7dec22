package dev.leakhound;

import dev.leakhound.model.CreationSite;
import dev.leakhound.model.StackFrame;
import dev.leakhound.model.ThreadSnapshot;
import dev.leakhound.testing.ThreadsAt;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Ignoring threads by where they were started, and what a report says when that was not recorded (no agent here). */
class StartSiteTest {

    private static ThreadSnapshot startedAt(String... frames) {
        List<StackFrame> stack = List.of(StackFrame.parse("java.lang.Object.wait(java.base/Object.java:1)"));
        CreationSite site = frames.length == 0 ? null
                : new CreationSite(List.of(frames).stream().map(StackFrame::parse).toList(), "main", Instant.now());
        return new ThreadSnapshot(42, "Timer-0", false, true, Thread.State.WAITING, stack, null, List.of(), null,
                null, site);
    }

    @Test
    void aStartSitePrefixMatchesTheFrameThatStartedTheThreadAtAClassOrMethodBoundary() {
        ThreadSnapshot t = startedAt("java.util.Timer.<init>(java.base/Timer.java:180)",
                "org.example.Lib.<clinit>(Lib.java:12)", "org.example.App.main(App.java:3)");

        for (String prefix : List.of("org.example.Lib.<clinit>", "org.example.Lib", "org.example", "org")) {
            assertThat(LeakOptions.builder().ignoreStartSite(prefix).build().ignores(t)).as(prefix).isTrue();
        }
        for (String prefix : List.of("org.example.Li", "org.example.App.main", "java.util.Timer.<init>",
                "org.example.Lib.<init>")) {
            assertThat(LeakOptions.builder().ignoreStartSite(prefix).build().ignores(t)).as(prefix).isFalse();
        }
        assertThat(LeakOptions.builder().ignoreStartSite("org.example.Lib").build().ignores(
                startedAt("org.example.Lib$Worker.start(Lib.java:40)"))).as("nested class").isTrue();
        assertThat(LeakOptions.builder().ignoreStartSite("org.example").build().ignores(startedAt()))
                .as("no start site recorded").isFalse();
    }

    @Test
    void aMalformedStartSiteIsRejectedWithTheExpectedForm() {
        for (String bad : List.of("", " ", "org.example.Lib.run()", ".org", "org.", "a b", "org/example/Lib")) {
            assertThatThrownBy(() -> LeakOptions.builder().ignoreStartSite(bad)).as("'%s'", bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("fully.qualified.Class.method")
                    .hasMessageContaining("'" + bad + "'");
        }
    }

    @Test
    void withoutTheAgentAReportSaysHowToRecordWhereThreadsWereStarted() throws Exception {
        LeakOptions options = LeakOptions.builder().ignoreCurrent().ignoreStartSite("org.example.Lib.<clinit>")
                .retry(RetryPolicy.none()).build();
        CountDownLatch release = new CountDownLatch(1);
        Thread leak = Thread.ofPlatform().name("jdk-only-leak").start(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            ThreadsAt.await(leak, Thread.State.WAITING, "java.util.concurrent.CountDownLatch.await");
            String text = Leakhound.find(options).toString();
            assertThat(text)
                    .contains("\"jdk-only-leak\"")
                    .contains("(where these threads were started was not recorded: the Leakhound agent records it")
                    .contains("add the test dependency dev.leakhound:leakhound-agent")
                    .contains("<argLine>-javaagent:${dev.leakhound:leakhound-agent:jar}</argLine>")
                    .contains("note: threads are ignored by start site (org.example.Lib.<clinit>), but where threads"
                            + " are started is recorded by the Leakhound agent only, which is not loaded in this JVM");
        } finally {
            release.countDown();
            leak.join();
        }
    }
}
