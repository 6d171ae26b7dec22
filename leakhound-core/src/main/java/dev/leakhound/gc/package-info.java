/**
 * Garbage collections and their trend: a {@link dev.leakhound.gc.GcCycle} per collection (from a GC log or the
 * agent's GC notifications), the {@link dev.leakhound.gc.GcLog} a log holds, and
 * {@link dev.leakhound.gc.HeapTrend}, whether heap after GC keeps rising.
 *
 * <p>The model the other two GC rooms share: {@code gc.parse} builds it, {@code gc.report} prints it; it
 * depends on neither, nor on the thread rooms.
 */
package dev.leakhound.gc;
