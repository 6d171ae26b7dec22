package dev.leakhound.agent.http;

import dev.leakhound.agent.AgentOptions;
import dev.leakhound.testing.Http;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * Hostile clients over raw sockets on 127.0.0.1: silent connections, requests sent in part and never finished,
 * responses never taken, and many more connections than the server takes. A slow client costs the server no
 * worker and no thread, its descriptors stay bounded, and a request sent at once (a probe) is answered while such
 * clients are still connected.
 *
 * <p>No verdict here depends on speed: where a deadline matters it is the only way the server could close the
 * connection, and the test waits (at most 30 s) for the close; where it must not matter, the deadlines are ten
 * minutes, far longer than the test, and the test checks afterwards that the attackers were still connected.
 */
@Timeout(180)
class DebugServerSlowClientTest {
    /** Deadlines that never expire during a test. */
    private static final Duration NEVER = Duration.ofMinutes(10);
    /** Far more than the socket buffers of both ends (Linux: at most 4 MB to send on loopback). */
    private static final byte[] BIG = new byte[32 << 20];

    private DebugServer server;
    private final List<Socket> sockets = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (Socket s : sockets) {
            s.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /** An endpoint that answers {@code r} to every request (also {@link DebugServerAttack}'s). */
    static Endpoint endpoint(Response r) {
        return new Endpoint() {
            @Override
            public Response handle(Query q) {
                return r;
            }

            @Override
            public String description() {
                return "test";
            }
        };
    }

    private URI start(ConnectionLimits limits) throws IOException {
        server = DebugServer.start(AgentOptions.parse("port=0"), Map.of(
                "/hello", endpoint(Response.text("hello\n")),
                "/big", endpoint(new Response(200, Response.BINARY, BIG, Map.of()))), limits);
        return server.url();
    }

    private static ConnectionLimits limits(int maxConnections, Duration idle, Duration request, Duration response) {
        return ConnectionLimits.DEFAULT.withMaxConnections(maxConnections).withTimeouts(idle, request, response)
                .withMaxResponseBytes(Long.MAX_VALUE);
    }

    /**
     * A raw connection that sends these bytes, if any, one write per byte, and then nothing. A write that fails
     * because the server has closed the connection already ends the sending (the test looks at the connection).
     */
    private Socket connect(String send) throws IOException {
        Socket s = new Socket();
        s.setReceiveBufferSize(4096);                          // before connecting: a small window
        sockets.add(s);
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), 30_000);
        OutputStream out = s.getOutputStream();
        try {
            for (byte b : send.getBytes(StandardCharsets.US_ASCII)) {
                out.write(b);
                out.flush();
            }
        } catch (SocketException e) {
            // closed by the server (e.g. to make room for a newer connection)
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

    /** Whether the server has not closed this connection, which has nothing to read (a read waits, 1 ms). */
    private static boolean stillOpen(Socket s) throws IOException {
        s.setSoTimeout(1);
        try {
            return s.getInputStream().read() >= 0;             // an answer to a request that was not finished: no
        } catch (SocketTimeoutException e) {
            return true;
        } catch (SocketException e) {
            return false;                                      // reset
        }
    }

    private static void probeAnswers(URI url) throws Exception {
        Http.Result r = Http.get(url, "/hello");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).isEqualTo("hello\n");
        assertThat(r.header("Connection")).isEqualTo("close");
    }

    @Test
    void silentAndHalfRequestsAreClosedUnansweredAtTheirDeadlines() throws Exception {
        URI url = start(limits(16, Duration.ofSeconds(1), Duration.ofSeconds(2), NEVER));
        List<Socket> slow = List.of(connect(""), connect(""), connect("GET /hel"),
                connect("GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\n"), connect("GE"));
        probeAnswers(url);
        for (Socket s : slow) {
            assertThat(readUntilClosed(s)).as("closed by the server, with no answer").isZero();
        }
        probeAnswers(url);
    }

    @Test
    void slowClientsHoldNoWorkerAndAProbeIsAnsweredWhileTheyAreConnected() throws Exception {
        URI url = start(limits(64, NEVER, NEVER, NEVER));
        List<Socket> slow = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            // each sends part of a request, a byte at a time, and stops (as one sending a byte a second, frozen)
            slow.add(connect(i % 2 == 0 ? "GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\n" : "GET /hel"));
        }
        for (int i = 0; i < 3; i++) {
            probeAnswers(url);
        }
        for (Socket s : slow) {
            assertThat(stillOpen(s)).as("the slow clients were not cut to let the probe in").isTrue();
        }
    }

    @Test
    void clientsThatDoNotTakeALargeAnswerDoNotStopAProbe() throws Exception {
        URI url = start(limits(64, NEVER, NEVER, NEVER));
        List<Socket> readers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {                          // three times the old server's workers
            Socket s = connect("GET /big HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            s.setSoTimeout(60_000);
            assertThat(s.getInputStream().read()).as("the answer has started").isEqualTo('H');
            readers.add(s);                                    // and is not read any further for now
        }
        for (int i = 0; i < 3; i++) {
            probeAnswers(url);
        }
        for (Socket s : readers) {
            assertThat(readUntilClosed(s)).as("the rest of the whole answer: it was not cut")
                    .isGreaterThan(BIG.length);
        }
    }

    @Test
    void clientsThatDoNotTakeTheResponseOrSendTheBodyTheyAnnouncedAreCutAtTheirDeadline() throws Exception {
        URI url = start(limits(16, NEVER, NEVER, Duration.ofSeconds(2)));
        Socket reader = connect("GET /big HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");           // never reads
        Socket body = connect("GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n");
        probeAnswers(url);
        // Only the response deadline (of the reader) and the linger deadline (of the body) can close them.
        await().atMost(Duration.ofSeconds(30)).until(() -> server.openConnections() == 0);
        assertThat(readUntilClosed(reader)).as("cut short").isLessThan(BIG.length);
        assertThat(readUntilClosed(body)).as("the answer, then closed").isPositive();
    }

    @Test
    void connectionsBeyondTheCapHoldNoDescriptorsAndAProbeGetsIn() throws Exception {
        Path fds = Path.of("/proc/self/fd");
        assumeThat(Files.isDirectory(fds)).as("/proc/self/fd (Linux)").isTrue();
        int cap = 8;
        URI url = start(limits(cap, NEVER, NEVER, NEVER));
        probeAnswers(url);                                     // the HTTP client's own descriptors are open from here
        long before = count(fds);
        int attackers = 200;
        for (int i = 0; i < attackers; i++) {
            connect(i % 2 == 0 ? "" : "GET /hello HTTP/1.1\r\n");    // silent, or a request never finished
        }
        probeAnswers(url);
        long serverHolds = count(fds) - before - attackers;    // the attackers' own ends stay open in this JVM
        assertThat(serverHolds).as("descriptors the server holds for %d connections, at most %d of them", attackers, cap)
                .isLessThanOrEqualTo(cap + 4);
        long open = sockets.stream().filter(s -> {
            try {
                return stillOpen(s);
            } catch (IOException e) {
                return false;
            }
        }).count();
        assertThat(open).as("connections the server still holds").isLessThanOrEqualTo(cap);
    }

    @Test
    void whenFullAStalledResponseMakesRoomForANewClient() throws Exception {
        URI url = start(limits(4, NEVER, NEVER, NEVER));
        List<Socket> readers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Socket s = connect("GET /big HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            s.setSoTimeout(60_000);
            assertThat(s.getInputStream().read()).as("the answer has started").isEqualTo('H');
            readers.add(s);
        }
        probeAnswers(url);
        assertThat(readUntilClosed(readers.get(0))).as("the oldest was cut for the probe").isLessThan(BIG.length);
    }

    private static long count(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }
}
