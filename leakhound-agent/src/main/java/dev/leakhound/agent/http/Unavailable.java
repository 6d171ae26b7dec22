package dev.leakhound.agent.http;

import java.util.Map;

/**
 * An {@link Endpoint} cannot answer now, or at all: 503 with this message (or another status, e.g. 429). Thrown
 * by the endpoints and by what they call (the shared capture, the heap proof).
 */
public final class Unavailable extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final transient Map<String, String> headers;

    public Unavailable(String message) {
        this(503, message, Map.of());
    }

    public Unavailable(int status, String message, Map<String, String> headers) {
        super(message, null, false, false);
        this.status = status;
        this.headers = Map.copyOf(headers);
    }

    Response response() {
        Response r = Response.error(status, getMessage());
        for (Map.Entry<String, String> e : headers.entrySet()) {
            r = r.withHeader(e.getKey(), e.getValue());
        }
        return r;
    }
}
