/**
 * The article's programs, leaky and fixed: {@link dev.leakhound.examples.MultiQuery} (first answer wins, the
 * losers block forever on an unbuffered channel) and {@link dev.leakhound.examples.SentinelAgent} (the
 * article's "sentinel agent", a monitoring program, not a Java agent; its {@code done} queue is never read).
 *
 * <p>Depends on nothing of Leakhound: they are the programs under test, not part of the tool.
 */
package dev.leakhound.examples;
