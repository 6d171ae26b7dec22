package dev.leakhound.hprof.index;

import dev.leakhound.hprof.BasicType;

import java.util.List;

/**
 * A class of the dump, from its LOAD_CLASS and CLASS_DUMP records: name, super class, loader, the instance
 * fields it declares and its static fields (with their values), and its instances in the histogram. The eight
 * primitive array types are classes too ({@code [B}, {@code [J}, ...), with {@link #id()} 0 and no fields.
 */
public final class HeapClass {
    final int index;
    final long id;
    String name;
    long superId;
    long loaderId;
    HeapClass superClass;
    long[] fieldNameIds;                 // until the names are resolved
    long[] staticNameIds;
    String[] fieldNames = new String[0];
    BasicType[] fieldTypes = new BasicType[0];
    String[] staticNames = new String[0];
    BasicType[] staticTypes = new BasicType[0];
    long[] staticValues = new long[0];
    boolean dumped;
    long instances;
    long bytes;
    /** Bytes of one instance's field data in the dump (this class's fields and its supers'), -1 until known. */
    int dataSize = -1;

    HeapClass(int index, long id) {
        this.index = index;
        this.id = id;
    }

    /** A dense number, 0 to {@link HeapIndex#classCount()} - 1. */
    public int index() {
        return index;
    }

    /** The class object's id; 0 for a primitive array type. */
    public long id() {
        return id;
    }

    /** As the JVM prints it: {@code java.lang.String}, {@code [B}, {@code [Ljava.lang.Object;}, {@code Foo$$Lambda/0x...}. */
    public String name() {
        return name;
    }

    /** The super class, or {@code null} ({@code java.lang.Object}, interfaces' super is Object). */
    public HeapClass superClass() {
        return superClass;
    }

    public long superClassId() {
        return superId;
    }

    /** The class loader's id, 0 for the boot loader. */
    public long classLoaderId() {
        return loaderId;
    }

    /** The instance fields this class declares, in the dump's order (not its supers'). */
    public List<String> fieldNames() {
        return List.of(fieldNames);
    }

    public List<BasicType> fieldTypes() {
        return List.of(fieldTypes);
    }

    public List<String> staticFieldNames() {
        return List.of(staticNames);
    }

    public List<BasicType> staticFieldTypes() {
        return List.of(staticTypes);
    }

    /** A static field's value (an object id, or a primitive's bits), by name. */
    public long staticValue(String fieldName) {
        for (int i = 0; i < staticNames.length; i++) {
            if (staticNames[i].equals(fieldName)) {
                return staticValues[i];
            }
        }
        throw new java.util.NoSuchElementException(name + " has no static field " + fieldName);
    }

    /** Whether it has a CLASS_DUMP (the primitive array types have none). */
    public boolean isDumped() {
        return dumped;
    }

    /** Its instances in the dump (arrays: the arrays of this type). */
    public long instanceCount() {
        return instances;
    }

    /** Their shallow size, as {@link DumpClasses} estimates it. */
    public long shallowBytes() {
        return bytes;
    }

    /** Whether this class is {@code other} or one of its subclasses. */
    public boolean isSubclassOf(HeapClass other) {
        for (HeapClass c = this; c != null; c = c.superClass) {
            if (c == other) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return name + " (class 0x" + Long.toHexString(id) + ")";
    }
}
