/**
 * Thread dumps in: {@link dev.leakhound.capture.LiveThreads} captures this JVM's threads,
 * {@link dev.leakhound.capture.ThreadDumpReader} reads a dump file (JDK JSON, JDK plain text, jstack; plain or
 * gzip) into the {@code model}, and {@link dev.leakhound.capture.CreationSites} attaches where the agent saw
 * each thread start. The text-format parsers behind the reader are package-private; {@code JsonThreadDumpParser}
 * is public for leakhound-bench, which times the parse of a saved dump alone, and {@code ExclusiveOwner} (a lock's
 * owner, where {@code java.util.concurrent.locks} is open) for the agent's live deadlock search.
 *
 * <p>Depends on {@code model} and the internal {@code io} only; never on {@code analysis}, {@code report},
 * {@code gc} or a front end.
 */
package dev.leakhound.capture;
