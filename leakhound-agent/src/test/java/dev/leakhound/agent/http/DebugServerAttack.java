package dev.leakhound.agent.http;

import dev.leakhound.agent.AgentOptions;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Measures the debug server under slow, silent and non-reading clients (a benchmark, not a test: run by hand, see
 * docs/benchmarks.md). All traffic goes to 127.0.0.1, bounded in connections and time. The server runs in this JVM
 * with two endpoints of its own: {@code /probe} (a short text) and {@code /big} (387 KB, the size of a
 * {@code debug=2} dump that a non-reading client leaves unread). It uses only
 * {@code DebugServer.start(options, endpoints)}, so that it can measure other versions of the server as well.
 *
 * <pre>
 * idle N        N connections that send nothing: descriptors the server holds, and probe latency
 * slow N [S]    N connections that send one byte a second, reconnecting when cut, for S seconds (default 20)
 * nonread N [S] N connections that ask for /big and never read, reconnecting when cut, for S seconds
 * </pre>
 *
 * Probes: one every 200 ms during the attack, each a new connection sending {@code GET /probe} at once and reading
 * until the close, given 15 s; printed: count, failures, median, 90th percentile and maximum latency.
 */
public final class DebugServerAttack {
    private static final byte[] BIG = new byte[387 << 10];
    private static final long PROBE_TIMEOUT_MS = 15_000;

    private DebugServerAttack() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: DebugServerAttack idle|slow|nonread N [SECONDS]");
            System.exit(2);
        }
        String mode = args[0];
        int n = Integer.parseInt(args[1]);
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        Arrays.fill(BIG, (byte) 'x');
        try (DebugServer server = DebugServer.start(AgentOptions.parse("port=0"), Map.of(
                "/probe", DebugServerSlowClientTest.endpoint(Response.text("ok\n")),
                "/big", DebugServerSlowClientTest.endpoint(new Response(200, Response.TEXT, BIG, Map.of()))))) {
            int port = server.port();
            long fdsBefore = descriptors();
            System.out.printf("probe before the attack: %d ms%n", probe(port));
            switch (mode) {
                case "idle" -> idle(port, n, fdsBefore);
                case "slow", "nonread" -> trickle(port, n, seconds, mode.equals("slow"));
                default -> throw new IllegalArgumentException(mode);
            }
        }
    }

    private static void idle(int port, int n, long fdsBefore) throws Exception {
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                Socket s = new Socket();
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 30_000);
                sockets.add(s);
            }
            List<Long> latencies = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                latencies.add(probe(port));
            }
            long held = descriptors() - fdsBefore - n;         // this JVM holds the n client ends itself
            System.out.printf("idle %d: server descriptors for connections: %d (process total %d)%n", n, held,
                    descriptors());
            // A connect completes in the kernel before the server accepts it: count again once it had time to.
            Thread.sleep(10_000);
            System.out.printf("idle %d: 10 s later: %d%n", n, descriptors() - fdsBefore - n);
            report("idle " + n, latencies);
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    /** n attackers, each on a thread of its own, for that long; probes meanwhile. */
    private static void trickle(int port, int n, int seconds, boolean slow) throws Exception {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        int[] connects = new int[1];
        List<Thread> attackers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Thread t = Thread.ofVirtual().unstarted(() -> {
                while (System.nanoTime() < end) {
                    try (Socket s = new Socket()) {
                        s.setReceiveBufferSize(4096);
                        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
                        synchronized (connects) {
                            connects[0]++;
                        }
                        OutputStream out = s.getOutputStream();
                        if (slow) {
                            byte[] req = "GET /probe HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII);
                            for (int b = 0; System.nanoTime() < end; b++) {
                                out.write(b < req.length ? req[b] : 'a');   // never ends its headers
                                out.flush();
                                Thread.sleep(1000);                          // the attack's pace, not a wait
                            }
                        } else {
                            out.write("GET /big HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                            out.flush();
                            while (System.nanoTime() < end) {          // never reads; a write fails once cut
                                Thread.sleep(500);
                                out.write('x');
                                out.flush();
                            }
                        }
                    } catch (IOException e) {
                        try {
                            Thread.sleep(100);                 // cut by the server: connect again, at most 10/s
                        } catch (InterruptedException ie) {
                            return;
                        }
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            attackers.add(t);
            t.start();
        }
        List<Long> latencies = new ArrayList<>();
        Thread.sleep(2000);                                    // let the attack take hold
        while (System.nanoTime() < end) {
            latencies.add(probe(port));
            Thread.sleep(200);
        }
        for (Thread t : attackers) {
            t.join(30_000);
        }
        System.out.printf("%d attackers made %d connections in %d s%n", n, connects[0], seconds);
        report((slow ? "slow " : "nonread ") + n, latencies);
    }

    /** One probe on a new connection; its latency in ms, or -1 if it took more than 15 s, -2 if closed unanswered. */
    private static long probe(int port) {
        long start = System.nanoTime();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), (int) PROBE_TIMEOUT_MS);
            s.setSoTimeout((int) PROBE_TIMEOUT_MS);
            s.getOutputStream().write("GET /probe HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            if (!answer.startsWith("HTTP/1.1 200") || !answer.endsWith("ok\n")) {
                return -2;
            }
            return (System.nanoTime() - start) / 1_000_000;
        } catch (java.net.SocketTimeoutException e) {
            return -1;
        } catch (IOException e) {
            return -2;
        }
    }

    private static void report(String what, List<Long> latencies) {
        List<Long> ok = latencies.stream().filter(l -> l >= 0).sorted().toList();
        long timedOut = latencies.stream().filter(l -> l == -1).count();
        long closed = latencies.stream().filter(l -> l == -2).count();
        String failed = String.format("%d timed out (15 s), %d closed unanswered", timedOut, closed);
        if (ok.isEmpty()) {
            System.out.printf("%s: %d probes, none answered: %s%n", what, latencies.size(), failed);
            return;
        }
        System.out.printf("%s: %d probes, %s; latency ms: median %d, p90 %d, max %d%n", what, latencies.size(),
                failed, ok.get(ok.size() / 2), ok.get(Math.min(ok.size() - 1, ok.size() * 9 / 10)), ok.getLast());
    }

    private static long descriptors() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }
}
