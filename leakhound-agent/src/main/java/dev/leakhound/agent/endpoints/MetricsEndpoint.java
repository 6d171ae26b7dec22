package dev.leakhound.agent.endpoints;

import dev.leakhound.agent.http.Endpoint;
import dev.leakhound.agent.http.Query;
import dev.leakhound.agent.http.Response;
import dev.leakhound.agent.http.Unavailable;
import dev.leakhound.agent.metrics.ThreadMetrics;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code /metrics}: Prometheus' text format (version 0.0.4), or OpenMetrics when the request's {@code Accept} asks for
 * it (as Prometheus does), through the Prometheus Java client (relocated in leakhound.jar): threads by kind and state,
 * the leak suspects and their sites, deadlocks, the sampler's state, GC figures.
 */
public final class MetricsEndpoint implements Endpoint {
    private final Supplier<ThreadMetrics> metrics;
    private final Supplier<String> off;

    public MetricsEndpoint(Supplier<ThreadMetrics> metrics, Supplier<String> off) {
        this.metrics = metrics;
        this.off = off;
    }

    @Override
    public String contentType(Query q) {
        ThreadMetrics m = metrics.get();
        return m == null ? Response.TEXT : m.contentType(q.accept());
    }

    @Override
    public String description() {
        return "Prometheus metrics (text format 0.0.4, or OpenMetrics when asked): threads by kind and state, leak suspects"
                + " and their sites, deadlocks, the sampler, GC";
    }

    @Override
    public Response handle(Query q) {
        ThreadMetrics m = metrics.get();
        if (m == null) {
            throw new Unavailable("the metrics are off: " + off.get());
        }
        String accept = q.accept();
        return new Response(200, m.contentType(accept), m.scrape(accept).getBytes(StandardCharsets.UTF_8),
                Map.of("Vary", "Accept"));
    }
}
