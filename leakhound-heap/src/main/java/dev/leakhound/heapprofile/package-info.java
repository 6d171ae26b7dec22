/**
 * The heap profile's model: memory by the stack that allocated it, as immutable records. {@link
 * dev.leakhound.heapprofile.HeapProfile} is one view ({@link dev.leakhound.heapprofile.HeapProfile.Kind#ALLOC}:
 * what was allocated in a window of time; {@link dev.leakhound.heapprofile.HeapProfile.Kind#INUSE}: the sampled
 * objects still alive), made of {@link dev.leakhound.heapprofile.ProfileSite}s. Filled by
 * {@code heapprofile.jfr} from JFR events, written by {@code heapprofile.report} and the agent's pprof encoder.
 * Uses core's {@code model} only (frames, creation sites); JDK-only, as the agent carries it.
 */
package dev.leakhound.heapprofile;
