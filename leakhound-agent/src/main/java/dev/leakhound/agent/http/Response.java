package dev.leakhound.agent.http;

import dev.leakhound.agent.AgentLog;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;

/**
 * What an endpoint answers: status, content type and a body already bounded in size.
 *
 * @param status      HTTP status
 * @param contentType the {@code Content-Type}
 * @param body        the body; empty for none
 * @param headers     extra headers, e.g. {@code Retry-After}
 */
public record Response(int status, String contentType, byte[] body, Map<String, String> headers) {
    public static final String TEXT = "text/plain; charset=utf-8";
    public static final String JSON = "application/json; charset=utf-8";
    public static final String BINARY = "application/octet-stream";

    public Response {
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(body, "body");
        headers = Map.copyOf(headers);
    }

    public static Response text(String body) {
        return new Response(200, TEXT, body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    public static Response text(BoundedText body) {
        return new Response(200, TEXT, body.toBytes(), Map.of());
    }

    public static Response json(byte[] body) {
        return new Response(200, JSON, body, Map.of());
    }

    /** An error: one line of text, ending in a newline. */
    public static Response error(int status, String message) {
        return new Response(status, TEXT, (AgentLog.oneLine(message) + "\n").getBytes(StandardCharsets.UTF_8), Map.of());
    }

    Response withHeader(String name, String value) {
        java.util.Map<String, String> h = new java.util.LinkedHashMap<>(headers);
        h.put(name, value);
        return new Response(status, contentType, body, h);
    }

    Response withContentType(String type) {
        return new Response(status, type, body, headers);
    }

    String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
