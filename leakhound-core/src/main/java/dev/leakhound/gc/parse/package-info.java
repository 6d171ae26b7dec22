/**
 * Reading GC logs: {@link dev.leakhound.gc.parse.GcLogParser} turns the JDK's unified logging (plain or gzip)
 * into a {@link dev.leakhound.gc.GcLog}, refusing broken or hostile input with a
 * {@link dev.leakhound.gc.parse.GcLogParseException}; a new kind of GC-log line goes here. The line, event and
 * line-reader classes are package-private.
 *
 * <p>Depends on {@code gc} and the internal {@code io}; never on {@code gc.report} or the thread rooms.
 */
package dev.leakhound.gc.parse;
