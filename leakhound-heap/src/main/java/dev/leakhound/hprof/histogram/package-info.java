/**
 * The class histogram of a heap dump: {@link dev.leakhound.hprof.histogram.HeapDumpHistogram}, streamed from the
 * file (no index, memory by classes) or taken from a {@code HeapIndex}'s pass. Depends on {@code hprof},
 * {@code hprof.index} and core's {@code histogram}; must not depend on {@code proof}.
 */
package dev.leakhound.hprof.histogram;
