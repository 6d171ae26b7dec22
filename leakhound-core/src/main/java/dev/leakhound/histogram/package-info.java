/**
 * A class histogram of a heap: {@link dev.leakhound.histogram.ClassHistogram} (parsed from {@code GC.class_histogram}
 * text, or counted from a heap dump by {@code leakhound-heap}) and its growth between two
 * ({@link dev.leakhound.histogram.ClassGrowth}). Depends on the JDK only: no other Leakhound package.
 */
package dev.leakhound.histogram;
