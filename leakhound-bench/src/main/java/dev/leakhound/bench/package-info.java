/**
 * Benchmarks (JMH) and measuring programs whose figures are in {@code docs/benchmarks.md}, each with the command
 * that reproduces it. Not a library and not published: it may use every module, and nothing may use it.
 */
package dev.leakhound.bench;
