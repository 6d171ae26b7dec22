/**
 * Internal, not API: taking the live threads, shared and within the agent's CPU budget
 * ({@link dev.leakhound.agent.sampling.SharedCapture}, {@link dev.leakhound.agent.sampling.CaptureBudget}), the
 * scheduled sampler that feeds the leak detector ({@link dev.leakhound.agent.sampling.ThreadSampler}) and how long
 * each thread has been blocked ({@link dev.leakhound.agent.sampling.BlockedSince}). Public only for the agent's
 * start-up and endpoints (and the benchmarks). Depends on {@code agent.capture}, on {@code agent.http} only for its
 * 503 ({@code Unavailable}) and on the start-up only for {@code AgentLog}; never on the endpoints.
 */
package dev.leakhound.agent.sampling;
