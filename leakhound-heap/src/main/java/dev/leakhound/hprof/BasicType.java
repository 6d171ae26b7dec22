package dev.leakhound.hprof;

/** The value types of HPROF fields and array elements, with their tags and sizes. */
public enum BasicType {
    OBJECT(2, -1, 'L', "Object"),
    BOOLEAN(4, 1, 'Z', "boolean"),
    CHAR(5, 2, 'C', "char"),
    FLOAT(6, 4, 'F', "float"),
    DOUBLE(7, 8, 'D', "double"),
    BYTE(8, 1, 'B', "byte"),
    SHORT(9, 2, 'S', "short"),
    INT(10, 4, 'I', "int"),
    LONG(11, 8, 'J', "long");

    private static final BasicType[] BY_TAG = new BasicType[12];

    static {
        for (BasicType t : values()) {
            BY_TAG[t.tag] = t;
        }
    }

    /** The tag in the file. */
    public final int tag;
    private final int size;
    /** The JVM's descriptor letter: {@code [B} is a byte array. */
    public final char descriptor;
    public final String javaName;

    BasicType(int tag, int size, char descriptor, String javaName) {
        this.tag = tag;
        this.size = size;
        this.descriptor = descriptor;
        this.javaName = javaName;
    }

    /** The type of a tag, or {@code null} for none. */
    public static BasicType ofTag(int tag) {
        return tag >= 0 && tag < BY_TAG.length ? BY_TAG[tag] : null;
    }

    /** Bytes of a value of this type in a dump with the given id size. */
    public int size(int idSize) {
        return size < 0 ? idSize : size;
    }

    /** The element type of a primitive array class ({@code [B} is {@link #BYTE}), or {@code null}. */
    public static BasicType ofArrayClass(String name) {
        if (name == null || name.length() != 2 || name.charAt(0) != '[') {
            return null;
        }
        for (BasicType t : values()) {
            if (t != OBJECT && t.descriptor == name.charAt(1)) {
                return t;
            }
        }
        return null;
    }

    /** The array class's name as the JVM prints it: {@code [B}, {@code [J}. */
    public String arrayClassName() {
        return "[" + descriptor;
    }
}
