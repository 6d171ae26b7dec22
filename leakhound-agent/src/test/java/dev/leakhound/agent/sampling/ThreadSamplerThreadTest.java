package dev.leakhound.agent.sampling;

import dev.leakhound.agent.capture.ThreadSource;
import org.junit.jupiter.api.Test;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The sampler's thread holds nothing of the host's thread that starts it. */
class ThreadSamplerThreadTest {

    /**
     * An inheritable thread-local value of the host's thread (a request context, a tenant, ...) is not copied into
     * {@code leakhound-sampler}, which would keep it reachable for as long as the agent runs (the debug server's
     * threads already inherit none).
     */
    @Test
    void theSamplerThreadInheritsNoThreadLocalValueOfTheThreadThatStartsIt() throws Exception {
        InheritableThreadLocal<Object> hostValue = new InheritableThreadLocal<>();
        hostValue.set("the host's value");
        ThreadSampler sampler = new ThreadSampler(new SharedCapture(ThreadSource.jdkDump(), d -> { }), 60_000);
        CompletableFuture<Optional<Object>> seen = new CompletableFuture<>();
        sampler.addListener((dump, groups) -> seen.complete(Optional.ofNullable(hostValue.get())));
        try {
            sampler.start();
            assertThat(seen.get(60, TimeUnit.SECONDS)).as("the value the sampler's thread sees").isEmpty();
        } finally {
            sampler.close();
            hostValue.remove();
        }
    }
}
