package dev.leakhound.hprof.index;

/**
 * The object records of a dump, counted in one pass ({@link DumpClasses#recordCounts()},
 * {@link HeapIndex#recordCounts()}).
 *
 * @param classDumps      CLASS_DUMP records
 * @param instances       INSTANCE_DUMP records
 * @param objectArrays    OBJ_ARRAY_DUMP records
 * @param primitiveArrays PRIM_ARRAY_DUMP records
 */
public record RecordCounts(long classDumps, long instances, long objectArrays, long primitiveArrays) {
}
