/**
 * Internal, not API: the debug server's endpoints, one class per endpoint (the thread endpoints share
 * {@link dev.leakhound.agent.endpoints.ThreadEndpoints} and their views {@code ThreadViews}), and the
 * {@code /debug/} page ({@link dev.leakhound.agent.endpoints.IndexPage}). Public only for {@code LeakhoundAgent},
 * which builds the routes (and {@code ThreadViews} for the benchmarks). A new endpoint goes here; it depends on
 * {@code agent.http} and on the parts it shows, never on the start-up but for {@code AgentOptions} and
 * {@code AgentLog}.
 */
package dev.leakhound.agent.endpoints;
