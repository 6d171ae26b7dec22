/**
 * GC results out: {@link dev.leakhound.gc.report.GcTrace}, one line per collection in the spirit of Go's
 * gctrace, and {@link dev.leakhound.gc.report.HeapPlot}, an SVG of heap after GC with its trend.
 *
 * <p>Depends on {@code gc} only; never on {@code gc.parse}: the agent prints collections it never read from a log.
 */
package dev.leakhound.gc.report;
