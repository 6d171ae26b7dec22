/**
 * Internal, not API: where the agent's captures of the live threads come from,
 * {@link dev.leakhound.agent.capture.ThreadSource} beside its implementations (the JDK's thread containers,
 * {@link dev.leakhound.agent.capture.ContainerThreads}, or the JDK's JSON dump) and the choice between them
 * ({@link dev.leakhound.agent.capture.CaptureSources}); public for the agent's other packages, the CLI's demo
 * and the benchmarks. The agent's counterpart of core's {@code dev.leakhound.capture};
 * depends on leakhound-core only, on no other package of the agent.
 */
package dev.leakhound.agent.capture;
