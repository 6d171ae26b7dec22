/**
 * Internal, not API: grouped threads as a gzip-compressed pprof profile
 * ({@link dev.leakhound.agent.pprof.PprofEncoder}). Also a heap profile (leakhound-heap's
 * {@code heapprofile}) as pprof's {@code alloc_*}/{@code inuse_*}. Depends on leakhound-core, the heap profile's model
 * and protobuf only, on no other package of the agent.
 */
package dev.leakhound.agent.pprof;
