package dev.leakhound;

import com.sun.net.httpserver.HttpServer;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.HttpURLConnection;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;

/**
 * Run in a fresh JVM by {@link DefaultIgnoresTest}: wakes the JDK features that start threads of their
 * own (virtual-thread socket I/O pollers, HTTP keep-alive, the asynchronous-channel pool, the
 * fork-join delay scheduler, the common pool), closes everything it opened, then prints the leak
 * check's report with no baseline. Exit 0: nothing reported.
 */
public final class JdkThreadsProbe {
    public static void main(String[] args) throws Exception {
        // Virtual-thread socket I/O starts the JDK's pollers.
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread accept = Thread.ofVirtual().start(() -> {
                try (Socket s = server.accept(); OutputStream out = s.getOutputStream()) {
                    out.write(42);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread client = Thread.ofVirtual().start(() -> {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                     InputStream in = s.getInputStream()) {
                    if (in.read() != 42) {
                        throw new IllegalStateException("bad byte");
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            accept.join();
            client.join();
        }
        // HttpURLConnection keeps connections alive with a timer thread.
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/", ex -> {
            byte[] body = "ok".getBytes();
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        http.start();
        HttpURLConnection c = (HttpURLConnection) URI.create(
                "http://127.0.0.1:" + http.getAddress().getPort() + "/").toURL().openConnection();
        try (InputStream in = c.getInputStream()) {
            in.readAllBytes();
        }
        http.stop(0);
        // An asynchronous file channel uses the JDK's default pool.
        Path tmp = Files.createTempFile("leakhound-probe", ".bin");
        try (AsynchronousFileChannel ch = AsynchronousFileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[]{1}), 0).get();
        } finally {
            Files.delete(tmp);
        }
        // A timed wait of a virtual thread starts the scheduler's delay scheduler (JDK 25+).
        Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(Duration.ofMillis(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }).join();
        // The common pool, including a timed task (its delay scheduler on JDK 25+).
        CompletableFuture.supplyAsync(() -> 1).get();
        CompletableFuture.delayedExecutor(1, TimeUnit.MILLISECONDS).execute(() -> { });
        ForkJoinPool.commonPool().awaitQuiescence(5, TimeUnit.SECONDS);

        LeakReport report = Leakhound.find((args.length > 0 ? LeakOptions.builder().withoutDefaultIgnores() : LeakOptions.builder()).retryFor(Duration.ofSeconds(2)).build());
        System.out.println(report);
        System.exit(report.isEmpty() ? 0 : 1);
    }
}
