package dev.leakhound.hprof;

/**
 * A CLASS_DUMP sub-record as read: one per loaded class, few enough to be objects. Field names are string ids
 * (resolve them with the STRING records, or through {@code index.HeapIndex}). Static values are raw: an object id,
 * or the bits of a primitive (floats and doubles as their raw bits).
 *
 * @param position          where the sub-record starts (its tag byte)
 * @param classId           the class object's id
 * @param stackTraceSerial  the stack trace of its loading, usually 0
 * @param superClassId      the super class's id, 0 for none
 * @param classLoaderId     its loader's id, 0 for the boot loader
 * @param instanceSize      the instance size HotSpot writes (the bytes of its fields in the dump, not on the heap)
 * @param staticNameIds     the static fields' names
 * @param staticTypes       their types
 * @param staticValues      their values
 * @param fieldNameIds      the instance fields' names, declared by this class only (super classes have theirs)
 * @param fieldTypes        their types
 */
public record ClassDump(long position, long classId, int stackTraceSerial, long superClassId, long classLoaderId,
                        int instanceSize, long[] staticNameIds, BasicType[] staticTypes, long[] staticValues,
                        long[] fieldNameIds, BasicType[] fieldTypes) {
}
