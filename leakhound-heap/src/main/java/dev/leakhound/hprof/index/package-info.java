/**
 * The heap index: {@link dev.leakhound.hprof.index.HeapIndex}, built in one pass of the reader, finds any object by
 * id and reads its fields and references on demand; classes, GC roots, threads and stacks as the dump gives them.
 * The storage ({@code LongLongTable}, {@code LongIntMap}, {@code StringPool}) is package-private.
 * {@link dev.leakhound.hprof.index.DumpClasses} (class records and per-class counts) is public also because
 * {@code hprof.histogram} uses it. Depends on {@code hprof} and core's {@code histogram}; must not depend on
 * {@code hprof.histogram} or {@code proof}.
 */
package dev.leakhound.hprof.index;
