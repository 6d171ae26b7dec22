package dev.leakhound.model;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CreationSiteTest {

    @Test
    void theStartingFrameIsTheFirstOutsideTheJdk() {
        CreationSite site = new CreationSite(List.of(
                StackFrame.parse("java.util.concurrent.ThreadPerTaskExecutor.start(ThreadPerTaskExecutor.java:226)"),
                StackFrame.parse("java.util.concurrent.ThreadPerTaskExecutor.submit(ThreadPerTaskExecutor.java:264)"),
                StackFrame.parse("com.example.Orders.send(Orders.java:42)"),
                StackFrame.parse("com.example.Main.main(Main.java:7)")), "main", null);
        assertThat(site.startingFrame()).hasToString("com.example.Orders.send(Orders.java:42)");
    }

    @Test
    void onlyJdkFramesGiveTheFirstAndNoFramesGiveNone() {
        CreationSite jdk = new CreationSite(List.of(
                StackFrame.parse("java.util.concurrent.ForkJoinPool.createWorker(ForkJoinPool.java:1)")), null, null);
        assertThat(jdk.startingFrame()).hasToString("java.util.concurrent.ForkJoinPool.createWorker(ForkJoinPool.java:1)");
        assertThat(new CreationSite(List.of(), null, null).startingFrame()).isNull();
    }
}
