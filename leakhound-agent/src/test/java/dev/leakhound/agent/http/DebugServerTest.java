package dev.leakhound.agent.http;

import dev.leakhound.agent.AgentLog;
import dev.leakhound.agent.AgentOptions;
import dev.leakhound.testing.Http;
import dev.leakhound.testing.StdErr;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The server's rules, with endpoints of the test's own, over real HTTP. */
class DebugServerTest {
    private static final String TOKEN = "s3cret-token-0123456789";

    private DebugServer server;

    @BeforeEach
    void forgetReportedFailures() {
        AgentLog.resetForTests();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static Endpoint endpoint(Set<String> params, java.util.function.Function<Query, Response> get) {
        return new Endpoint() {
            @Override
            public Set<String> params() {
                return params;
            }

            @Override
            public void validate(Query q) {
                q.intParam("n", 1, 1, 3);
            }

            @Override
            public Response handle(Query q) {
                return get.apply(q);
            }

            @Override
            public String description() {
                return "test";
            }
        };
    }

    private static Map<String, Endpoint> endpoints() {
        Map<String, Endpoint> e = new LinkedHashMap<>();
        e.put("/hello", endpoint(Set.of("n"), q -> Response.text("hello x" + q.intParam("n", 1, 1, 3) + "\n")));
        e.put("/boom", endpoint(Set.of(), q -> {
            throw new IllegalStateException("a bug in an endpoint");
        }));
        e.put("/busy", endpoint(Set.of(), q -> {
            throw new Unavailable("not now");
        }));
        return e;
    }

    @Test
    void answersGetAndHeadOnlyOnItsPathsWithTheParametersItKnows() throws Exception {
        server = DebugServer.start(AgentOptions.parse("port=0"), endpoints());
        URI url = server.url();
        assertThat(url.toString()).matches("http://127\\.0\\.0\\.1:\\d+/");
        assertThat(url.getPort()).isPositive().isNotEqualTo(6060);

        Http.Result ok = Http.get(url, "/hello?n=2");
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.text()).isEqualTo("hello x2\n");
        assertThat(ok.contentType()).isEqualTo("text/plain; charset=utf-8");
        assertThat(ok.header("Cache-Control")).isEqualTo("no-store");
        assertThat(ok.header("X-Content-Type-Options")).isEqualTo("nosniff");

        Http.Result head = Http.send("HEAD", url, "/hello");
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(Http.send("HEAD", url, "/hello?n=9").status()).as("HEAD checks parameters too").isEqualTo(400);

        for (String method : List.of("POST", "PUT", "DELETE", "OPTIONS", "TRACE")) {
            Http.Result r = Http.send(method, url, "/hello");
            assertThat(r.status()).as(method).isEqualTo(405);
            assertThat(r.header("Allow")).isEqualTo("GET, HEAD");
            assertThat(r.text()).isEqualTo("method " + method + " not allowed: GET or HEAD only\n");
        }

        for (String path : List.of("/", "/hello/", "/HELLO", "/hello/../hello", "/etc/passwd", "/hello%2F")) {
            Http.Result r = Http.get(url, path);
            assertThat(r.status()).as(path).isEqualTo(404);
            assertThat(r.text()).startsWith("no such endpoint: ").hasLineCount(1);
        }

        Map<String, String> bad = Map.of(
                "/hello?n=7", "bad request: n=7: expected a number from 1 to 3\n",
                "/hello?x=1", "bad request: unknown parameter 'x' (accepted: n)\n",
                "/hello?n=1&n=2", "bad request: parameter 'n' given twice\n");
        for (Map.Entry<String, String> e : bad.entrySet()) {
            Http.Result r = Http.get(url, e.getKey());
            assertThat(r.status()).as(e.getKey()).isEqualTo(400);
            assertThat(r.text()).isEqualTo(e.getValue());
        }
    }

    @Test
    void withATokenEveryRequestMustCarryIt() throws Exception {
        server = DebugServer.start(AgentOptions.parse("port=0,host=0.0.0.0,token=" + TOKEN), endpoints());
        URI url = URI.create("http://127.0.0.1:" + server.port() + "/");

        assertThat(Http.get(url, "/hello", "Authorization", "Bearer " + TOKEN).status()).isEqualTo(200);
        for (String[] headers : List.of(new String[0], new String[] {"Authorization", "Bearer " + TOKEN + "x"},
                new String[] {"Authorization", "Bearer " + TOKEN.substring(1)},
                new String[] {"Authorization", "Basic " + TOKEN}, new String[] {"Authorization", "Bearer"})) {
            Http.Result r = Http.get(url, "/hello", headers);
            assertThat(r.status()).as(String.join(" ", headers)).isEqualTo(401);
            assertThat(r.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"leakhound\"");
            assertThat(r.text()).doesNotContain(TOKEN);
        }
        // Unauthenticated requests learn nothing, not even which paths or methods exist.
        assertThat(Http.get(url, "/nothing-here").status()).isEqualTo(401);
        assertThat(Http.send("POST", url, "/hello").status()).isEqualTo(401);
        assertThat(Http.send("POST", url, "/hello", "Authorization", "Bearer " + TOKEN).status()).isEqualTo(405);
    }

    /** One raw HTTP/1.1 request with the given Host header; the status line of the answer. */
    private static String rawRequest(int port, String host) throws java.io.IOException {
        try (java.net.Socket s = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(30_000);
            s.getOutputStream().write(("GET /hello HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(),
                    java.nio.charset.StandardCharsets.US_ASCII)).readLine();
        }
    }

    @Test
    void withoutATokenOnlyLoopbackHostHeadersAreServedAgainstDnsRebinding() throws Exception {
        server = DebugServer.start(AgentOptions.parse("port=0"), endpoints());
        int port = server.port();
        for (String ok : List.of("127.0.0.1:" + port, "localhost:" + port, "LOCALHOST", "[::1]:" + port, "127.0.0.2",
                "localhost.:" + port)) {
            assertThat(rawRequest(port, ok)).as(ok).isEqualTo("HTTP/1.1 200 OK");
        }
        for (String bad : List.of("evil.example:" + port, "evil.example", "127.0.0.1.evil.example", "10.0.0.1:" + port,
                "[::1", "localhost.evil.example")) {
            assertThat(rawRequest(port, bad)).as(bad).isEqualTo("HTTP/1.1 403 Forbidden");
        }
        assertThat(DebugServer.loopbackHost(null)).isTrue();
    }

    @Test
    void aFailingEndpointIsLoggedOnceAndSwitchedOffWhileTheRestGoesOn() throws Exception {
        server = DebugServer.start(AgentOptions.parse("port=0"), endpoints());
        URI url = server.url();
        try (StdErr err = new StdErr()) {
            Http.Result first = Http.get(url, "/boom");
            assertThat(first.status()).isEqualTo(500);
            assertThat(first.text()).isEqualTo("/boom failed and is switched off: a bug in an endpoint (IllegalStateException)\n");
            for (int i = 0; i < 3; i++) {
                Http.Result again = Http.get(url, "/boom");
                assertThat(again.status()).isEqualTo(503);
                assertThat(again.text()).isEqualTo("/boom is switched off after an error: a bug in an endpoint (IllegalStateException)\n");
            }
            assertThat(Http.get(url, "/hello").status()).isEqualTo(200);
            assertThat(Http.get(url, "/busy").status()).isEqualTo(503);
            assertThat(Http.get(url, "/busy").text()).isEqualTo("not now\n");
            assertThat(err.text()).isEqualTo("leakhound-agent: endpoint /boom failed and is switched off: "
                    + "a bug in an endpoint (IllegalStateException)\n");
        }
    }

    @Test
    void itsThreadsAreFewDaemonAndNamedLeakhoundAndCloseEndsThem() throws Exception {
        server = DebugServer.start(AgentOptions.parse("port=0"), endpoints());
        for (int i = 0; i < 10; i++) {
            assertThat(Http.get(server.url(), "/hello").status()).isEqualTo(200);
        }
        List<Thread> ours = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("leakhound-http")).toList();
        assertThat(ours).extracting(Thread::getName).contains("leakhound-http-dispatcher");
        assertThat(ours).allMatch(Thread::isDaemon);
        assertThat(ours.stream().filter(t -> t.getName().matches("leakhound-http-\\d+"))).hasSizeLessThanOrEqualTo(2);
        assertThat(ours).hasSizeLessThanOrEqualTo(3);
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("HTTP-Dispatcher"));

        server.close();
        server = null;
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> ours.stream()
                .noneMatch(Thread::isAlive));
    }

    /** Raw bytes sent as they are (the request and its end); the whole answer, until the server closes. */
    private static String raw(int port, String request) throws java.io.IOException {
        try (java.net.Socket s = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(30_000);
            s.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            return new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void requestsThatAreNotHttp1AreRefusedWithOneLine() throws Exception {
        server = DebugServer.start(AgentOptions.parse("port=0"), endpoints());
        int port = server.port();
        Map<String, String> refused = new LinkedHashMap<>();
        refused.put("GET /hello\r\n\r\n", "HTTP/1.1 400 Bad Request");
        refused.put("GET  /hello HTTP/1.1\r\n\r\n", "HTTP/1.1 400 Bad Request");
        refused.put("G(T /hello HTTP/1.1\r\n\r\n", "HTTP/1.1 400 Bad Request");
        refused.put("GET http://127.0.0.1/hello HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", "HTTP/1.1 400 Bad Request");
        refused.put("GET * HTTP/1.1\r\n\r\n", "HTTP/1.1 400 Bad Request");
        refused.put("GET /hello?n=%zz HTTP/1.1\r\n\r\n", "HTTP/1.1 400 Bad Request");
        refused.put("GET /hello HTTP/2.0\r\n\r\n", "HTTP/1.1 505 HTTP Version Not Supported");
        refused.put("GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\n\r\n", "HTTP/1.1 400 Bad Request");
        refused.put("GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\n folded\r\n\r\n", "HTTP/1.1 400 Bad Request");
        refused.put("GET /hello HTTP/1.1\r\nX-Big: " + "x".repeat(40_000) + "\r\n\r\n",
                "HTTP/1.1 431 Request Header Fields Too Large");
        for (Map.Entry<String, String> e : refused.entrySet()) {
            String answer = raw(port, e.getKey());
            String what = e.getKey().length() > 80 ? e.getKey().substring(0, 80) : e.getKey();
            assertThat(answer).as(what).startsWith(e.getValue() + "\r\n").contains("\r\nConnection: close\r\n");
            assertThat(answer.substring(answer.indexOf("\r\n\r\n") + 4)).as(what).hasLineCount(1);
        }
        // Bare line feeds are read too, and HTTP/1.0 is answered.
        assertThat(raw(port, "GET /hello?n=3 HTTP/1.0\n\n")).startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\nhello x3\n")
                .contains("\r\nContent-Length: 9\r\n");
        assertThat(raw(port, "HEAD /hello HTTP/1.1\r\nHost: localhost\r\n\r\n")).startsWith("HTTP/1.1 200 OK\r\n")
                .endsWith("\r\n\r\n").doesNotContain("Content-Length");
    }

    @Test
    void aRequestSentAByteAtATimeIsAnswered() throws Exception {
        server = DebugServer.start(AgentOptions.parse("port=0"), endpoints());
        try (java.net.Socket s = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), server.port())) {
            s.setTcpNoDelay(true);
            s.setSoTimeout(30_000);
            for (byte b : "GET /hello?n=2 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII)) {
                s.getOutputStream().write(b);                  // the end of the head may come split over reads
                s.getOutputStream().flush();
            }
            String answer = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
            assertThat(answer).startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\nhello x2\n");
        }
    }

    @Test
    void aPostWithABodyGetsItsAnswerWholeBeforeTheClose() throws Exception {
        server = DebugServer.start(AgentOptions.parse("port=0"), endpoints());
        // The body is never read; the server drops it after the answer instead of resetting the connection.
        String answer = raw(server.port(), "POST /hello HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 20000\r\n\r\n"
                + "b".repeat(20_000));
        assertThat(answer).startsWith("HTTP/1.1 405 Method Not Allowed\r\n")
                .endsWith("\r\n\r\nmethod POST not allowed: GET or HEAD only\n");
    }

    @Test
    void itStartsAgainOnTheSamePortRightAfterServingAndClosing() throws Exception {
        server = DebugServer.start(AgentOptions.parse("port=0"), endpoints());
        int port = server.port();
        // The server shuts its side first: its ends of these connections wait in TIME_WAIT on that port.
        for (int i = 0; i < 3; i++) {
            assertThat(raw(port, "GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n")).startsWith("HTTP/1.1 200 OK\r\n");
        }
        server.close();
        server = DebugServer.start(AgentOptions.parse("port=" + port), endpoints());
        assertThat(Http.get(server.url(), "/hello").status()).isEqualTo(200);
    }

    @Test
    void itTakesASmallFixedShareOfTheHostsDescriptors() {
        assertThat(ConnectionLimits.connectionsFor(-1)).isEqualTo(16);
        assertThat(ConnectionLimits.connectionsFor(1_048_576)).isEqualTo(16);
        assertThat(ConnectionLimits.connectionsFor(4096)).isEqualTo(16);
        assertThat(ConnectionLimits.connectionsFor(1024)).isEqualTo(16);
        assertThat(ConnectionLimits.connectionsFor(512)).isEqualTo(8);
        assertThat(ConnectionLimits.connectionsFor(64)).isEqualTo(4);
        assertThat(ConnectionLimits.DEFAULT.maxConnections()).isBetween(4, 16);
    }

    @Test
    void aPortInUseFailsTheStartWithAnIoException() throws Exception {
        server = DebugServer.start(AgentOptions.parse("port=0"), endpoints());
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> DebugServer.start(AgentOptions.parse("port=" + server.port()), endpoints()))
                .isInstanceOf(java.net.BindException.class);
    }
}
