package dev.leakhound.hprof;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Writes small HPROF files by hand, for tests: any id size, segmented or not. Public, with the methods it uses, for
 * {@code dev.leakhound.proof.ProofRefusalTest}.
 */
public final class HprofWriter {
    private final int idSize;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final DataOutputStream out = new DataOutputStream(bytes);
    private ByteArrayOutputStream heap;
    private DataOutputStream h;

    public HprofWriter(String format, int idSize) {
        this.idSize = idSize;
        try {
            out.write(format.getBytes(StandardCharsets.US_ASCII));
            out.write(0);
            out.writeInt(idSize);
            out.writeLong(1_700_000_000_000L);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void id(DataOutputStream o, long id) throws IOException {
        if (idSize == 4) {
            o.writeInt((int) id);
        } else {
            o.writeLong(id);
        }
    }

    private void record(int tag, byte[] body) throws IOException {
        out.write(tag);
        out.writeInt(0);
        out.writeInt(body.length);
        out.write(body);
    }

    private interface Body {
        void write(DataOutputStream o) throws IOException;
    }

    private HprofWriter top(int tag, Body body) {
        try {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            DataOutputStream o = new DataOutputStream(b);
            body.write(o);
            record(tag, b.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    public HprofWriter string(long id, String s) {
        return top(0x01, o -> {
            id(o, id);
            o.write(s.getBytes(StandardCharsets.UTF_8));
        });
    }

    public HprofWriter loadClass(int serial, long classId, long nameId) {
        return top(0x02, o -> {
            o.writeInt(serial);
            id(o, classId);
            o.writeInt(0);
            id(o, nameId);
        });
    }

    HprofWriter stackFrame(long frameId, long method, long signature, long source, int classSerial, int line) {
        return top(0x04, o -> {
            id(o, frameId);
            id(o, method);
            id(o, signature);
            id(o, source);
            o.writeInt(classSerial);
            o.writeInt(line);
        });
    }

    HprofWriter stackTrace(int serial, int threadSerial, long... frames) {
        return top(0x05, o -> {
            o.writeInt(serial);
            o.writeInt(threadSerial);
            o.writeInt(frames.length);
            for (long f : frames) {
                id(o, f);
            }
        });
    }

    /** Starts collecting heap dump sub-records. */
    public HprofWriter beginHeap() {
        heap = new ByteArrayOutputStream();
        h = new DataOutputStream(heap);
        return this;
    }

    /** Ends them as one HEAP_DUMP (0x0C) or HEAP_DUMP_SEGMENT (0x1C) record. */
    public HprofWriter endHeap(int tag) {
        try {
            record(tag, heap.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        heap = null;
        return this;
    }

    public HprofWriter heapDumpEnd() {
        return top(0x2C, o -> {
        });
    }

    private HprofWriter sub(Body body) {
        try {
            body.write(h);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    public HprofWriter rootStickyClass(long id) {
        return sub(o -> {
            o.write(0x05);
            id(o, id);
        });
    }

    public HprofWriter rootThreadObject(long id, int threadSerial, int traceSerial) {
        return sub(o -> {
            o.write(0x08);
            id(o, id);
            o.writeInt(threadSerial);
            o.writeInt(traceSerial);
        });
    }

    HprofWriter rootJavaFrame(long id, int threadSerial, int depth) {
        return sub(o -> {
            o.write(0x03);
            id(o, id);
            o.writeInt(threadSerial);
            o.writeInt(depth);
        });
    }

    /** A CLASS_DUMP; fields as (nameId, type) pairs; statics as (nameId, type, value) triples. */
    public HprofWriter classDump(long id, long superId, long[] staticNames, BasicType[] staticTypes, long[] staticValues,
                          long[] fieldNames, BasicType[] fieldTypes) {
        return sub(o -> {
            o.write(0x20);
            id(o, id);
            o.writeInt(0);
            id(o, superId);
            for (int i = 0; i < 5; i++) {
                id(o, 0);
            }
            int size = 0;
            for (BasicType t : fieldTypes) {
                size += t.size(idSize);
            }
            o.writeInt(size);
            o.writeShort(0);
            o.writeShort(staticNames.length);
            for (int i = 0; i < staticNames.length; i++) {
                id(o, staticNames[i]);
                o.write(staticTypes[i].tag);
                value(o, staticTypes[i], staticValues[i]);
            }
            o.writeShort(fieldNames.length);
            for (int i = 0; i < fieldNames.length; i++) {
                id(o, fieldNames[i]);
                o.write(fieldTypes[i].tag);
            }
        });
    }

    private void value(DataOutputStream o, BasicType t, long v) throws IOException {
        switch (t) {
            case OBJECT -> id(o, v);
            case BOOLEAN, BYTE -> o.write((int) v);
            case CHAR, SHORT -> o.writeShort((int) v);
            case INT, FLOAT -> o.writeInt((int) v);
            case LONG, DOUBLE -> o.writeLong(v);
        }
    }

    /** An INSTANCE_DUMP whose field values are given by type, subclass fields first. */
    public HprofWriter instance(long id, long classId, BasicType[] types, long... values) {
        return sub(o -> {
            o.write(0x21);
            id(o, id);
            o.writeInt(0);
            id(o, classId);
            int size = 0;
            for (BasicType t : types) {
                size += t.size(idSize);
            }
            o.writeInt(size);
            for (int i = 0; i < types.length; i++) {
                value(o, types[i], values[i]);
            }
        });
    }

    HprofWriter objectArray(long id, long classId, long... elements) {
        return sub(o -> {
            o.write(0x22);
            id(o, id);
            o.writeInt(0);
            o.writeInt(elements.length);
            id(o, classId);
            for (long e : elements) {
                id(o, e);
            }
        });
    }

    HprofWriter byteArray(long id, byte[] data) {
        return sub(o -> {
            o.write(0x23);
            id(o, id);
            o.writeInt(0);
            o.writeInt(data.length);
            o.write(BasicType.BYTE.tag);
            o.write(data);
        });
    }

    HprofWriter rawSub(byte[] raw) {
        return sub(o -> o.write(raw));
    }

    public byte[] toByteArray() {
        return bytes.toByteArray();
    }
}
