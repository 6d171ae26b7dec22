/**
 * The Leakhound Java agent's start-up: {@link dev.leakhound.agent.Agent} ({@code premain}/{@code agentmain}, named
 * by leakhound.jar's manifest), {@link dev.leakhound.agent.LeakhoundAgent} (starts and stops every part, also
 * in-process), {@link dev.leakhound.agent.AgentOptions} and {@link dev.leakhound.agent.AgentLog}.
 * The other packages of the agent use only {@code AgentOptions} and {@code AgentLog} from here; nothing here is
 * imported by leakhound-core or leakhound-heap.
 */
package dev.leakhound.agent;
