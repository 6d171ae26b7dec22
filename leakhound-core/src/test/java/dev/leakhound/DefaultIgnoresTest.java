package dev.leakhound;

import dev.leakhound.model.StackFrame;
import dev.leakhound.model.ThreadSnapshot;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class DefaultIgnoresTest {

    /** A fresh JVM that used sockets from virtual threads, HTTP keep-alive, async channels, timers: no false alarm. */
    @Test
    void jdkServiceThreadsOfAFreshJvmAreNotLeaks() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                JdkThreadsProbe.class.getName())
                .redirectErrorStream(true).start();
        try {
            boolean ended = p.waitFor(240, TimeUnit.SECONDS);
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(ended).as("probe ended").isTrue();
            assertThat(out).contains("leakhound: no leaked threads");
            assertThat(p.exitValue()).as(out).isZero();
        } finally {
            p.destroyForcibly();
        }
    }

    private static ThreadSnapshot thread(String name, boolean virtual, String... frames) {
        List<StackFrame> stack = Arrays.stream(frames).map(StackFrame::parse).toList();
        return new ThreadSnapshot(99, name, virtual, null, Thread.State.WAITING, stack, null, List.of(), null, null,
                null);
    }

    private static boolean ignored(ThreadSnapshot t) {
        return DefaultIgnores.rules().stream().anyMatch(r -> r.test(t));
    }

    @Test
    void aNameAloneDoesNotHideAnApplicationThread() {
        String[] appStack = {"java.base/java.util.concurrent.LinkedBlockingQueue.take(LinkedBlockingQueue.java:435)",
                "com.example.Orders.poll(Orders.java:10)", "java.base/java.lang.Thread.run(Thread.java:1474)"};
        assertThat(ignored(thread("Finalizer", false, appStack))).isFalse();
        assertThat(ignored(thread("Orders-Poller", true, appStack))).isFalse();
        assertThat(ignored(thread("Read-Poller", false, appStack))).isFalse();
        assertThat(ignored(thread("junit-timeout-thread-1", false, appStack))).isFalse();
        assertThat(ignored(thread("surefire-forkedjvm-ping-30s", false, appStack))).isFalse();
        assertThat(ignored(thread("leakhound-sampler", false, appStack))).isFalse();
        // the JDK's own Finalizer, with its own stack, is ignored
        assertThat(ignored(thread("Finalizer", false, "java.base/java.lang.Object.wait0(Native Method)",
                "java.base/java.lang.ref.Finalizer$FinalizerThread.run(Finalizer.java:165)"))).isTrue();
    }

    @Test
    void aUserPoolsDelaySchedulerIsNotIgnored() {
        String[] delay = {"java.base/jdk.internal.misc.Unsafe.park(Native Method)",
                "java.base/java.util.concurrent.locks.LockSupport.park(LockSupport.java:371)",
                "java.base/java.util.concurrent.DelayScheduler.loop(DelayScheduler.java:253)",
                "java.base/java.util.concurrent.DelayScheduler.run(DelayScheduler.java:206)"};
        assertThat(ignored(thread("ForkJoinPool.commonPool-delayScheduler", false, delay))).isTrue();
        assertThat(ignored(thread("ForkJoinPool-77-delayScheduler", false, delay))).isFalse();
    }

    @Test
    void libraryClassesInJavaxAreApplicationCode() {
        ThreadSnapshot servlet = thread("Keep-Alive-Timer", false,
                "java.base/java.lang.Object.wait0(Native Method)",
                "javax.servlet.Foo.run(Foo.java:1)");
        assertThat(ignored(servlet)).isFalse();
    }
}
