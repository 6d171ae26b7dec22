/**
 * The HPROF reader: {@link dev.leakhound.hprof.HprofReader} reads a heap dump (plain or gzip) in one pass and calls an
 * {@link dev.leakhound.hprof.HprofVisitor}; records, header, types and root kinds as the format gives them; the
 * {@link dev.leakhound.hprof.Progress} callback; {@link dev.leakhound.hprof.TempFiles} for what a JVM leaves in the
 * temporary directory. Internal, public only for {@code hprof.index}: {@code HprofInput} (random-access reads), the
 * sub-record tags, {@code TempFiles.delete}/{@code deleteAtExit}. Must not depend on {@code hprof.index},
 * {@code hprof.histogram} or {@code proof}.
 */
package dev.leakhound.hprof;
