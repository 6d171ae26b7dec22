/**
 * Internal, not API: the agent's bytecode instrumentation of the JDK's thread start and end
 * ({@link dev.leakhound.agent.instrument.StartTracking}, {@code StartHooks}), which records creation sites into
 * {@code agent.boot}. Public for the agent's start-up, the CLI's demo and the benchmarks. Depends on
 * {@code agent.boot}, leakhound-core and ASM only.
 */
package dev.leakhound.agent.instrument;
