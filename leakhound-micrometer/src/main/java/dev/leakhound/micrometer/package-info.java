/**
 * Leakhound's thread figures for Micrometer: {@link dev.leakhound.micrometer.ThreadCensus}, one cached live
 * capture of this JVM's threads with its analysis (counts by kind and state, groups, suspects with their leak
 * pattern, deadlocks), and {@link dev.leakhound.micrometer.LeakhoundMetrics}, the {@code MeterBinder} that
 * reads it. Uses core's {@code capture}, {@code analysis}, {@code model} and the leak check's default ignores;
 * nothing of the agent, nothing of Spring.
 */
package dev.leakhound.micrometer;
