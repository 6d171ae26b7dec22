/**
 * Internal: not API. Reading untrusted input, shared by core's parsers and the other modules:
 * {@link dev.leakhound.io.TextLines}, bounded UTF-8 lines, is the base of the text readers of {@code capture}
 * and {@code gc.parse} (public only for that: they are different packages);
 * {@link dev.leakhound.io.CountingInputStream} counts the bytes read (the GC-log parser's inflation bound, the HPROF
 * reader's offsets, the CLI's message when memory runs out).
 *
 * <p>Depends on the JDK only; no other room of Leakhound.
 */
package dev.leakhound.io;
