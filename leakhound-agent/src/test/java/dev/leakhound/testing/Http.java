package dev.leakhound.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Real HTTP requests with the JDK's client. */
public final class Http {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private Http() {
    }

    public record Result(int status, String contentType, byte[] body, HttpResponse<byte[]> response) {
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        public String header(String name) {
            return response.headers().firstValue(name).orElse(null);
        }

        @Override
        public String toString() {
            return status + " " + contentType + "\n" + text();
        }
    }

    public static Result get(URI base, String pathAndQuery, String... headers) throws IOException, InterruptedException {
        return send("GET", base, pathAndQuery, headers);
    }

    public static Result send(String method, URI base, String pathAndQuery, String... headers)
            throws IOException, InterruptedException {
        return send(method, Duration.ofSeconds(60), base, pathAndQuery, headers);
    }

    /** A POST (its one-byte body is for the server to ignore), e.g. to the heap proof, which may take long. */
    public static Result post(Duration timeout, URI base, String pathAndQuery, String... headers)
            throws IOException, InterruptedException {
        return send("POST", timeout, base, pathAndQuery, headers);
    }

    private static Result send(String method, Duration timeout, URI base, String pathAndQuery, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(pathAndQuery)).timeout(timeout)
                .method(method, method.equals("POST") || method.equals("PUT")
                        ? HttpRequest.BodyPublishers.ofString("x") : HttpRequest.BodyPublishers.noBody());
        if (headers.length > 0) {
            b.headers(headers);
        }
        HttpResponse<byte[]> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        return new Result(r.statusCode(), r.headers().firstValue("Content-Type").orElse(null), r.body(), r);
    }
}
