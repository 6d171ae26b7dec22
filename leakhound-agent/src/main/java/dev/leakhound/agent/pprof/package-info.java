/**
 * Internal, not API: grouped threads as a gzip-compressed pprof profile
 * ({@link dev.leakhound.agent.pprof.PprofEncoder}). Depends on leakhound-core and protobuf only, on no other
 * package of the agent.
 */
package dev.leakhound.agent.pprof;
