/**
 * Internal, not API: the {@code /metrics} figures for Prometheus ({@link dev.leakhound.agent.metrics.ThreadMetrics}).
 * Depends on leakhound-core and the Prometheus client only, on no other package of the agent.
 */
package dev.leakhound.agent.metrics;
