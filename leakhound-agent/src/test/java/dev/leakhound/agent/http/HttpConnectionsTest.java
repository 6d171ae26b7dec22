package dev.leakhound.agent.http;

import dev.leakhound.testing.Http;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
                ConnectionLimits.DEFAULT, head -> Response.text("hello\n"), failsFirst, System::nanoTime)) {
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

    /**
     * {@link System#nanoTime()} may start anywhere, near {@link Long#MAX_VALUE} too, and wrap: deadlines still
     * expire.
     */
    @Test
    void deadlinesExpireWhenTheClockWraps() throws Exception {
        long before = Long.MAX_VALUE - System.nanoTime() - Duration.ofMillis(500).toNanos();
        ConnectionLimits limits = ConnectionLimits.DEFAULT.withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(2),
                Duration.ofSeconds(30));
        try (HttpConnections server = HttpConnections.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                limits, head -> Response.text("hello\n"), Executors.defaultThreadFactory(),
                () -> System.nanoTime() + before);
             Socket silent = new Socket(InetAddress.getLoopbackAddress(), server.address().getPort())) {
            // Its idle deadline (1 s) is past the wrap: it is closed unanswered all the same.
            silent.setSoTimeout(30_000);
            InputStream in = silent.getInputStream();
            int read;
            try {
                read = in.read();
            } catch (SocketException reset) {
                read = -1;
            }
            assertThat(read).as("closed by the server, unanswered").isEqualTo(-1);

            URI url = URI.create("http://127.0.0.1:" + server.address().getPort() + "/");
            assertThat(Http.get(url, "/").status()).isEqualTo(200);
        }
    }

    /**
     * {@link HttpConnections#close()} waits for its dispatcher to end however near the clock is to wrapping: it
     * compared {@code nanoTime() < until}, false at once when {@code until} had wrapped, and returned at once.
     */
    @Test
    void closeEndsTheDispatcherWhenItsWaitWraps() throws Exception {
        long before = Long.MAX_VALUE - System.nanoTime() - Duration.ofSeconds(1).toNanos();
        HttpConnections server = HttpConnections.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                ConnectionLimits.DEFAULT, head -> Response.text("hello\n"), Executors.defaultThreadFactory(),
                () -> System.nanoTime() + before);
        try (Socket open = new Socket(InetAddress.getLoopbackAddress(), server.address().getPort())) {
            await().atMost(Duration.ofSeconds(30)).until(() -> server.openConnections() == 1);
            server.close();
            assertThat(server.dispatching()).as("the dispatcher ended when close() returned").isFalse();
            assertThat(server.openConnections()).isZero();
        } finally {
            server.close();
        }
    }

    /**
     * A response whose head the socket takes in several writes and whose body is empty is sent whole: the server
     * checked only the last buffer (the empty body) for bytes left, took the response for sent after the first
     * write and shut the connection with most of the head unsent.
     */
    @Test
    void aLongHeadBeforeAnEmptyBodyIsSentWhole() throws Exception {
        String big = "a".repeat(16 << 20);                      // far more than both ends' socket buffers
        Response r = new Response(200, Response.TEXT, new byte[0], java.util.Map.of("X-Big", big));
        long expected = HttpConnections.render(r, false)[0].remaining();
        try (HttpConnections server = HttpConnections.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                ConnectionLimits.DEFAULT, head -> r, Executors.defaultThreadFactory(), System::nanoTime);
             Socket s = new Socket(InetAddress.getLoopbackAddress(), server.address().getPort())) {
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            s.setSoTimeout(30_000);
            InputStream in = s.getInputStream();
            byte[] buf = new byte[1 << 16];
            long total = 0;
            for (int n; (n = in.read(buf)) >= 0; ) {
                total += n;
            }
            assertThat(total).as("bytes of the response received").isEqualTo(expected);
        }
    }
}
