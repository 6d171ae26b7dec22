package dev.leakhound.agent;

import dev.leakhound.testing.Http;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Clients that hold a connection without finishing their request, or without taking the response, over raw
 * sockets: the server's two workers are freed at the deadlines ({@link ClientDeadlines}) and the server goes on
 * answering.
 */
@Timeout(120)
class DebugServerSlowClientTest {
    /** Short deadlines, long enough for the test to see both workers held first. */
    private static final ClientDeadlines.Timeouts TIMEOUTS =
            new ClientDeadlines.Timeouts(Duration.ofSeconds(3), Duration.ofSeconds(3));
    /** Far more than the socket buffers of both ends (Linux: at most 4 MB to send on loopback). */
    private static final byte[] BIG = new byte[32 << 20];

    private DebugServer server;
    private final List<Socket> sockets = new ArrayList<>();
    private final ExecutorService client = Executors.newSingleThreadExecutor();

    @AfterEach
    void cleanUp() throws Exception {
        for (Socket s : sockets) {
            s.close();
        }
        client.shutdownNow();
        assertThat(client.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        if (server != null) {
            server.close();
        }
    }

    private static DebugServer.Endpoint endpoint(Response r) {
        return new DebugServer.Endpoint() {
            @Override
            public Set<String> params() {
                return Set.of();
            }

            @Override
            public Response get(Query q) {
                return r;
            }

            @Override
            public String description() {
                return "test";
            }
        };
    }

    private URI start() throws IOException {
        server = DebugServer.start(AgentOptions.parse("port=0"), Map.of(
                "/hello", endpoint(Response.text("hello\n")),
                "/big", endpoint(new Response(200, Response.BINARY, BIG, Map.of()))), TIMEOUTS);
        return server.url();
    }

    /** A raw connection that sends these bytes, if any, and then nothing. */
    private Socket connect(String send) throws IOException {
        Socket s = new Socket();
        s.setReceiveBufferSize(4096);                          // before connecting: a small window
        sockets.add(s);
        s.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), 10_000);
        if (!send.isEmpty()) {
            s.getOutputStream().write(send.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
        }
        return s;
    }

    /** Reads until the server closes the connection (within 30 s, or the test fails); the bytes it sent. */
    private static long readUntilClosed(Socket s) throws IOException {
        s.setSoTimeout(30_000);
        InputStream in = s.getInputStream();
        byte[] buf = new byte[1 << 16];
        long total = 0;
        try {
            for (int n; (n = in.read(buf)) >= 0; ) {
                total += n;
            }
        } catch (SocketException e) {
            // reset: closed as well
        }
        return total;
    }

    /** How many of the server's workers are in this class, in this method or in any ({@code null}). */
    private static long workersIn(String className, String method) {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> e.getKey().getName().matches("leakhound-http-\\d+"))
                .filter(e -> Arrays.stream(e.getValue()).anyMatch(f -> f.getClassName().equals(className)
                        && (method == null || f.getMethodName().equals(method))))
                .count();
    }

    /** A normal request, sent now from another thread, answers 200 within the bound, as do a few after it. */
    private void normalRequestsAnswer(URI url) throws Exception {
        Future<Http.Result> answer = client.submit(() -> Http.get(url, "/hello"));
        await().atMost(Duration.ofSeconds(30)).until(answer::isDone);
        assertThat(answer.get().status()).isEqualTo(200);
        for (int i = 0; i < 4; i++) {                         // the workers freed by an interrupt serve on
            assertThat(Http.get(url, "/hello").text()).isEqualTo("hello\n");
        }
    }

    @Test
    void halfRequestsAreCutAtTheirDeadlineAndSilentConnectionsHoldNoWorker() throws Exception {
        URI url = start();
        for (int i = 0; i < 3; i++) {
            connect("");                                      // connected, nothing sent
        }
        List<Socket> half = List.of(connect("GET /hel"), connect("GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\n"),
                connect("GE"));
        // Both workers are stuck reading a request line or headers that do not come (Request.readLine, .headers).
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
                .until(() -> workersIn("sun.net.httpserver.Request", null) == 2);

        normalRequestsAnswer(url);
        for (Socket s : half) {
            assertThat(readUntilClosed(s)).as("closed by the server, with no answer").isZero();
        }
    }

    @Test
    void clientsThatDoNotTakeTheResponseOrSendTheBodyTheyAnnouncedAreCutAtTheirDeadline() throws Exception {
        URI url = start();
        Socket reader = connect("GET /big HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");           // never reads
        Socket body = connect("GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n");
        // One worker is stuck writing, the other draining the body that does not come, after the answer.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
                .until(() -> workersIn("sun.net.httpserver.Request$WriteStream", "write") == 1
                        && workersIn("sun.net.httpserver.LeftOverInputStream", "drain") == 1);

        normalRequestsAnswer(url);
        assertThat(readUntilClosed(reader)).as("cut short").isPositive().isLessThan(BIG.length);
        assertThat(readUntilClosed(body)).as("the answer, then closed").isPositive();
    }
}
