package dev.leakhound.hprof.index;

/** What holds a reference found by {@link HeapIndex#forEachReference}. */
public enum ReferenceKind {
    /** An instance field; owner is the class that declares it, index the field's in {@link HeapClass#fieldNames()}. */
    FIELD,
    /** A static field of a class object; owner the class, index in {@link HeapClass#staticFieldNames()}. */
    STATIC_FIELD,
    /** An element of an object array; owner the array's class, index the element's. */
    ARRAY_ELEMENT,
    /** An instance's or an array's class; owner that class itself (the reference's target), index -1. */
    CLASS,
    /** A class object's super class; index -1. */
    SUPER_CLASS,
    /** A class object's class loader; index -1. */
    CLASS_LOADER
}
