package dev.leakhound.agent.http;

import java.util.Set;

/**
 * What a path of the {@link DebugServer} answers. The server checks the method, the token and the parameters
 * before it calls {@link #handle}.
 */
public interface Endpoint {
    /** The query parameters it accepts: none unless it says. */
    default Set<String> params() {
        return Set.of();
    }

    /** Checks the parameters' values; throws {@link Query.BadRequest}. Called for HEAD instead of {@link #handle}. */
    default void validate(Query q) {
    }

    /**
     * The answer to a request of the method this endpoint takes: a GET, or a POST for an endpoint that takes POST
     * ({@link #post()}). May throw {@link Query.BadRequest} (400) or {@link Unavailable} (503).
     */
    Response handle(Query q) throws Exception;

    /**
     * Whether this endpoint takes POST, and only POST, instead of GET and HEAD: for an answer that costs the
     * host so much, or changes so much, that nothing but a deliberate request may trigger it.
     */
    default boolean post() {
        return false;
    }

    /**
     * Whether a GET or HEAD with this {@code Accept} header ({@code null} for none) is answered without the token: only
     * for what holds no data of the host (the page and its assets), which a browser loads before it can send a token.
     */
    default boolean open(String accept) {
        return false;
    }

    /** One line for the index page. */
    String description();

    /** The fixed extra headers of a GET with these parameters (e.g. a page's Content-Security-Policy), for HEAD. */
    default java.util.Map<String, String> headers(Query q) {
        return java.util.Map.of();
    }

    /** The {@code Content-Type} of a GET with these parameters, for HEAD. */
    default String contentType(Query q) {
        return Response.TEXT;
    }
}
