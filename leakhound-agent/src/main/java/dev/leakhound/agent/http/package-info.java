/**
 * Internal, not API: the debug server's transport, a small HTTP/1.1 server of its own
 * ({@link dev.leakhound.agent.http.DebugServer}, {@code HttpConnections}), and what an endpoint is made of
 * ({@link dev.leakhound.agent.http.Endpoint}, {@link dev.leakhound.agent.http.Query},
 * {@link dev.leakhound.agent.http.Response}, {@link dev.leakhound.agent.http.Unavailable}). Public only for the
 * agent's endpoints and start-up. Knows no endpoint and nothing of threads; uses only {@code AgentLog} and
 * {@code AgentOptions} of the agent.
 */
package dev.leakhound.agent.http;
