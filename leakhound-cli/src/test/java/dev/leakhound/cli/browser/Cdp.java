package dev.leakhound.cli.browser;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.leakhound.testing.Json;

import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The Chrome DevTools protocol over one WebSocket (the JDK's client), JSON with jackson-core: commands with their
 * answers, events to listeners. One connection to the browser; a page's commands carry its session id
 * ({@code Target.attachToTarget} with {@code flatten}).
 */
final class Cdp implements AutoCloseable {
    /** An event: {@code method} (e.g. {@code Network.requestWillBeSent}), its params, the page session it is of. */
    record Event(String method, Map<String, Object> params, String sessionId) {
    }

    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);

    private final HttpClient http;
    private final WebSocket socket;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, CompletableFuture<Map<String, Object>>> pending = new ConcurrentHashMap<>();
    private final List<Consumer<Event>> listeners = new CopyOnWriteArrayList<>();
    private volatile Throwable broken;

    private Cdp(HttpClient http, URI url) throws IOException, InterruptedException {
        this.http = http;
        try {
            this.socket = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(30))
                    .buildAsync(url, new Listener()).get(60, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("no DevTools connection to " + url, e);
        }
    }

    static Cdp connect(URI url) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        try {
            return new Cdp(http, url);
        } catch (IOException | InterruptedException | RuntimeException e) {
            http.close();
            throw e;
        }
    }

    void onEvent(Consumer<Event> listener) {
        listeners.add(listener);
    }

    /** Sends a command (to the browser when {@code sessionId} is null) and waits for its result. */
    Map<String, Object> call(String sessionId, String method, Map<String, Object> params) {
        return call(sessionId, method, params, CALL_TIMEOUT);
    }

    Map<String, Object> call(String sessionId, String method, Map<String, Object> params, Duration timeout) {
        long id = ids.incrementAndGet();
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("id", id);
        message.put("method", method);
        message.put("params", params);
        if (sessionId != null) {
            message.put("sessionId", sessionId);
        }
        CompletableFuture<Map<String, Object>> answer = new CompletableFuture<>();
        pending.put(id, answer);
        try {
            if (broken != null) {
                throw new AssertionError("the DevTools connection is closed: " + broken, broken);
            }
            synchronized (socket) {                                  // one send at a time, as WebSocket requires
                socket.sendText(write(message), true).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
            Map<String, Object> reply = answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (reply.get("error") != null) {
                throw new AssertionError(method + " " + params + " failed: " + reply.get("error"));
            }
            Object result = reply.get("result");
            return result == null ? Map.of() : Json.object(result);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(method + " interrupted", e);
        } catch (ExecutionException e) {
            throw new AssertionError(method + " failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError(method + " " + params + ": no answer within " + timeout, e);
        } finally {
            pending.remove(id);
        }
    }

    @Override
    public void close() {
        try {
            socket.abort();
        } finally {
            http.close();
        }
    }

    private void received(String text) {
        Map<String, Object> message;
        try {
            message = Json.object(Json.parse(text));
        } catch (IOException e) {
            failAll(new IOException("DevTools sent what is not JSON: " + text, e));
            return;
        }
        if (message.get("id") instanceof Long id) {
            CompletableFuture<Map<String, Object>> answer = pending.get(id);
            if (answer != null) {
                answer.complete(message);
            }
        } else if (message.get("method") instanceof String method) {
            Object params = message.get("params");
            Event event = new Event(method, params == null ? Map.of() : Json.object(params),
                    (String) message.get("sessionId"));
            for (Consumer<Event> l : listeners) {
                l.accept(event);
            }
        }
    }

    private void failAll(Throwable why) {
        broken = why;
        pending.values().forEach(f -> f.completeExceptionally(why));
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                received(text);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            failAll(new IOException("DevTools closed the connection: " + statusCode + " " + reason));
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            failAll(error);
        }
    }

    /** JSON of maps, lists, strings, numbers, booleans and nulls. */
    static String write(Object value) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
            write(g, value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }

    private static void write(JsonGenerator g, Object value) throws IOException {
        switch (value) {
            case null -> g.writeNull();
            case Map<?, ?> m -> {
                g.writeStartObject();
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    g.writeFieldName(e.getKey().toString());
                    write(g, e.getValue());
                }
                g.writeEndObject();
            }
            case List<?> l -> {
                g.writeStartArray();
                for (Object o : l) {
                    write(g, o);
                }
                g.writeEndArray();
            }
            case String s -> g.writeString(s);
            case Boolean b -> g.writeBoolean(b);
            case Integer i -> g.writeNumber(i);
            case Long l -> g.writeNumber(l);
            case Double d -> g.writeNumber(d);
            default -> throw new IllegalArgumentException("not JSON: " + value.getClass());
        }
    }
}
