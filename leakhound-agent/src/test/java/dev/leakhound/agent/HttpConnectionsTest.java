package dev.leakhound.agent;

import dev.leakhound.testing.Http;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The transport's own failures: what a host in trouble makes it meet. */
@Timeout(120)
class HttpConnectionsTest {

    /**
     * A host at its thread limit (a thread leak: what the agent is there to find) cannot start the worker a request
     * needs (the pool's workers end after 30 s idle, so one is started again later). That request gets 503; the
     * server goes on. The JDK's own words are thrown by the factory: making this JVM, or this user, run out of
     * threads for real would take the other processes of the machine down with it.
     */
    @Test
    void aWorkerThatCannotBeStartedGets503AndTheServerGoesOn() throws Exception {
        AtomicInteger made = new AtomicInteger();
        ThreadFactory failsFirst = r -> {
            if (made.getAndIncrement() == 0) {
                throw new OutOfMemoryError("unable to create native thread: possibly out of memory or process/resource"
                        + " limits reached");
            }
            return Thread.ofPlatform().name("test-http-worker").daemon(true).unstarted(r);
        };
        try (HttpConnections server = HttpConnections.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                ConnectionLimits.DEFAULT, head -> Response.text("hello\n"), failsFirst)) {
            URI url = URI.create("http://127.0.0.1:" + server.address().getPort() + "/");

            Http.Result first = Http.get(url, "/");
            assertThat(first.status()).isEqualTo(503);
            assertThat(first.header("Retry-After")).isEqualTo("1");
            assertThat(first.text()).contains("unable to create native thread");

            Http.Result second = Http.get(url, "/");
            assertThat(second.status()).isEqualTo(200);
            assertThat(second.text()).isEqualTo("hello\n");
        }
    }
}
