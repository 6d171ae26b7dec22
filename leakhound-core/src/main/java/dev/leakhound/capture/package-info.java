/**
 * Thread dumps in: {@link dev.leakhound.capture.LiveThreads} captures this JVM's threads,
 * {@link dev.leakhound.capture.ThreadDumpReader} reads a dump file (JDK JSON, JDK plain text, jstack; plain or
 * gzip) into the {@code model}, and {@link dev.leakhound.capture.CreationSites} attaches where the agent saw
 * each thread start. The format parsers behind the reader are package-private.
 *
 * <p>Depends on {@code model} and the internal {@code io} only; never on {@code analysis}, {@code report},
 * {@code gc} or a front end.
 */
package dev.leakhound.capture;
