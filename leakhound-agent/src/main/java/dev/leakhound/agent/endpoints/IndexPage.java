package dev.leakhound.agent.endpoints;

import dev.leakhound.agent.http.Endpoint;
import dev.leakhound.agent.http.Query;
import dev.leakhound.agent.http.Response;

import java.util.Map;

/** {@code /debug/}: the endpoints, one line each. */
public final class IndexPage {
    private IndexPage() {
    }

    public static Endpoint endpoint(Map<String, Endpoint> routes) {
        return new Endpoint() {
            @Override
            public Response handle(Query q) {
                StringBuilder sb = new StringBuilder("leakhound debug server (GET only, but POST where it says so)\n\n");
                for (Map.Entry<String, Endpoint> e : routes.entrySet()) {
                    if (e.getValue() != this) {
                        sb.append(e.getKey()).append('\n').append("    ").append(e.getValue().description()).append('\n');
                    }
                }
                return Response.text(sb.toString());
            }

            @Override
            public String description() {
                return "this list";
            }
        };
    }
}
