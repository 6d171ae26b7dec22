package dev.leakhound.hprof;

import java.io.IOException;

/**
 * Callbacks of {@link HprofReader#read}, in file order. Every method does nothing by default. The per-object
 * callbacks ({@link #instance}, {@link #objectArray}, {@link #primitiveArray}, {@link #root}) get primitives
 * only: the reader allocates nothing for them, and gives positions in the (uncompressed) file instead of
 * contents; read contents later through {@code index.HeapIndex}, or with a positional read of your own. A visitor
 * may stop the pass by throwing (an {@link HprofFormatException} for what it finds wrong).
 */
public interface HprofVisitor {

    default void header(HprofHeader header) throws IOException {
    }

    /**
     * A STRING record (class, field and method names) at {@code position}: its id and the length in bytes of its
     * text. The text is not read (a dump may hold millions of strings, few of them needed): read the ones needed
     * afterwards with {@link HprofReader#readStrings}.
     */
    default void string(long position, long id, int length) throws IOException {
    }

    /** A LOAD_CLASS record: the class's serial number (used by stack frames), object id and name string id. */
    default void loadClass(int classSerial, long classId, int stackTraceSerial, long nameId) throws IOException {
    }

    /** A STACK_FRAME record, at {@code position}; {@code line} is the line number, 0 or negative when unknown. */
    default void stackFrame(long position, long frameId, long methodNameId, long signatureId, long sourceFileId,
                            int classSerial, int line) throws IOException {
    }

    /** A STACK_TRACE record at {@code position}: the thread serial number and the frame ids, top first. */
    default void stackTrace(long position, int serial, int threadSerial, long[] frameIds) throws IOException {
    }

    /** A HEAP_DUMP or HEAP_DUMP_SEGMENT record begins at {@code position}, with {@code length} bytes of sub-records. */
    default void heapDumpSegment(long position, long length) throws IOException {
    }

    /**
     * A GC root sub-record. {@code threadSerial} is the thread serial number for the kinds that have one
     * ({@link RootKind#hasThread()}), else -1; {@code extra} is the frame depth for {@link RootKind#JAVA_FRAME}
     * and {@link RootKind#JNI_LOCAL}, the stack trace serial number for {@link RootKind#THREAD_OBJECT}, the
     * JNI global reference's id for {@link RootKind#JNI_GLOBAL}, else -1.
     */
    default void root(RootKind kind, long objectId, int threadSerial, long extra) throws IOException {
    }

    default void classDump(ClassDump classDump) throws IOException {
    }

    /**
     * An INSTANCE_DUMP sub-record at {@code position} (its tag byte): its field values are the
     * {@code dataLength} bytes at {@code dataPosition}, this class's fields first, then the super class's.
     */
    default void instance(long position, long objectId, long classId, long dataPosition, int dataLength) throws IOException {
    }

    /** An OBJ_ARRAY_DUMP at {@code position}: {@code length} ids start at {@code elementsPosition}. */
    default void objectArray(long position, long objectId, long arrayClassId, int length, long elementsPosition) throws IOException {
    }

    /** A PRIM_ARRAY_DUMP at {@code position}: {@code length} values of {@code type} start at {@code elementsPosition}. */
    default void primitiveArray(long position, long objectId, BasicType type, int length, long elementsPosition) throws IOException {
    }

    /**
     * Progress: {@code done} of {@code total} input bytes read (compressed bytes for a gzip file; total is -1
     * when unknown). Called at most once per buffer refill.
     */
    default void progress(long done, long total) {
    }

    /** The end of the file was reached, every record read. */
    default void end(long fileLength) throws IOException {
    }
}
