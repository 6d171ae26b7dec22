/**
 * Internal, not API: {@link dev.leakhound.agent.boot.ThreadStarts}, the records of where and when each thread
 * started, copied into {@code java.base} by {@code agent.instrument}. It must depend on nothing but
 * {@code java.base}: the JDK's own thread code calls it.
 */
package dev.leakhound.agent.boot;
