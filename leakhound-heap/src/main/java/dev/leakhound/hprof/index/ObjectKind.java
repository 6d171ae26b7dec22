package dev.leakhound.hprof.index;

/** What an object id of the dump is ({@link HeapIndex#kindOf}). */
public enum ObjectKind { INSTANCE, OBJECT_ARRAY, PRIMITIVE_ARRAY, CLASS }
