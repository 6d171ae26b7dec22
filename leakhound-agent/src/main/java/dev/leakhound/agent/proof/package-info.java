/**
 * Internal, not API: the heap-dump proof of the running JVM's leaked threads
 * ({@link dev.leakhound.agent.proof.HeapProofs}), proven by leakhound-heap in another JVM
 * ({@link dev.leakhound.agent.proof.ProofProcess}, {@link dev.leakhound.agent.proof.IsolatedJvm}, which the CLI's
 * demo uses too). Depends on leakhound-heap, leakhound-core (its {@code capture} reads the thread dump taken with
 * the heap dump), {@code AgentLog} and {@code agent.http}'s
 * {@code Unavailable}; never on the endpoints.
 */
package dev.leakhound.agent.proof;
