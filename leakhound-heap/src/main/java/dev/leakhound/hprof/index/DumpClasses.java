package dev.leakhound.hprof.index;

import dev.leakhound.histogram.ClassHistogram;
import dev.leakhound.hprof.BasicType;
import dev.leakhound.hprof.ClassDump;
import dev.leakhound.hprof.HprofHeader;
import dev.leakhound.hprof.HprofReader;
import dev.leakhound.hprof.HprofVisitor;
import dev.leakhound.hprof.Progress;

import java.io.IOException;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The classes of a dump, from one pass ({@link HprofVisitor}): a {@link HeapClass} per LOAD_CLASS and CLASS_DUMP
 * record, with its instances and their shallow bytes counted, and afterwards ({@link #finish}) the strings that name
 * them, read in a second pass over the STRING records. {@link HeapIndex} builds on it (its builder also indexes each
 * object); {@code hprof.histogram.HeapDumpHistogram} uses it alone, for a histogram without an index.
 * Memory: one {@link HeapClass} per class and the strings that name classes, fields and frames; nothing per object,
 * and nothing per STRING record (a dump may hold millions that nothing names: HotSpot writes its whole symbol table).
 *
 * <p>Shallow size is an estimate in the dump's own terms, since HPROF does not record object sizes: a header
 * of two ids (mark word and class) plus, for instances, the field data as dumped (references at the id size),
 * for arrays 4 more bytes (the length) plus the elements; no alignment. Class objects are counted as
 * instances of {@code java.lang.Class}, each with its static field data.
 */
public class DumpClasses implements HprofVisitor {
    private static final int PRIMITIVE_TYPES = 8;

    final String origin;
    final Progress progress;
    final String phase;
    final StringPool strings = new StringPool();
    /**
     * The ids of the strings to read, each once: added to during the pass (frames' names: HotSpot writes a frame per
     * thread, but their names are a few thousand methods and files), and by {@link #finish} (classes' names).
     */
    private final LongIntMap wantedStrings = new LongIntMap();
    private long stringsFrom = -1;       // the first STRING record's position
    private long stringsTo = -1;         // the end of the last one
    final LongIntMap classIndex = new LongIntMap();
    private HeapClass lastClass;
    final List<HeapClass> classes = new ArrayList<>();
    final List<Long> classNameIds = new ArrayList<>();    // by class index; few
    HprofHeader header;
    int idSize = 8;
    long classDumps;
    long classDumpBytes;
    long instances;
    long objectArrays;
    long primitiveArrays;

    public DumpClasses(String origin, Progress progress) {
        this.origin = origin;
        this.progress = progress;
        this.phase = "reading " + origin;
        for (BasicType t : BasicType.values()) {
            if (t != BasicType.OBJECT) {
                HeapClass c = new HeapClass(classes.size(), 0);
                c.name = t.arrayClassName();
                c.dataSize = 0;
                classes.add(c);
                classNameIds.add(0L);
            }
        }
    }

    /** The class of an id, created on first sight (instances may come before their CLASS_DUMP). */
    final HeapClass classFor(long classId) {
        HeapClass last = lastClass;
        if (last != null && last.id == classId) {             // a dump lists many objects of one class in a row
            return last;
        }
        int i = classIndex.get(classId);
        HeapClass c;
        if (i >= 0) {
            c = classes.get(i);
        } else {
            c = new HeapClass(classes.size(), classId);
            classes.add(c);
            classNameIds.add(0L);
            classIndex.put(classId, c.index);
        }
        lastClass = c;
        return c;
    }

    final HeapClass primitiveArrayClass(BasicType t) {
        return classes.get(t.ordinal() - 1);
    }

    @Override
    public void header(HprofHeader h) {
        header = h;
        idSize = h.idSize();
    }

    @Override
    public void string(long position, long id, int length) {
        if (stringsFrom < 0) {
            stringsFrom = position;
        }
        stringsTo = position + 9 + idSize + length;
    }

    /** Asks for a string to be read by {@link #finish}. */
    final void want(long stringId) {
        if (stringId != 0 && wantedStrings.get(stringId) < 0) {
            wantedStrings.put(stringId, 0);
        }
    }

    @Override
    public void loadClass(int classSerial, long classId, int stackTraceSerial, long nameId) {
        classNameIds.set(classFor(classId).index, nameId);
    }

    @Override
    public void classDump(ClassDump d) throws IOException {
        HeapClass c = classFor(d.classId());
        c.dumped = true;
        c.superId = d.superClassId();
        c.loaderId = d.classLoaderId();
        c.fieldTypes = d.fieldTypes();
        c.staticTypes = d.staticTypes();
        c.staticValues = d.staticValues();
        c.fieldNameIds = d.fieldNameIds();
        c.staticNameIds = d.staticNameIds();
        classDumps++;
        long staticBytes = 0;
        for (BasicType t : d.staticTypes()) {
            staticBytes += t.size(idSize);
        }
        classDumpBytes += 2L * idSize + staticBytes;
    }

    @Override
    public void instance(long position, long objectId, long classId, long dataPosition, int dataLength) throws IOException {
        countInstance(classId, dataLength);
    }

    @Override
    public void objectArray(long position, long objectId, long arrayClassId, int length, long elementsPosition) throws IOException {
        countObjectArray(arrayClassId, length);
    }

    @Override
    public void primitiveArray(long position, long objectId, BasicType type, int length, long elementsPosition) throws IOException {
        countPrimitiveArray(type, length);
    }

    // The counts return the class they counted, so that the index's builder, which also indexes the object, looks it
    // up once.

    final HeapClass countInstance(long classId, int dataLength) {
        HeapClass c = classFor(classId);
        c.instances++;
        c.bytes += 2L * idSize + dataLength;
        instances++;
        return c;
    }

    final HeapClass countObjectArray(long arrayClassId, int length) {
        HeapClass c = classFor(arrayClassId);
        c.instances++;
        c.bytes += 2L * idSize + 4 + (long) length * idSize;
        objectArrays++;
        return c;
    }

    final HeapClass countPrimitiveArray(BasicType type, int length) {
        HeapClass c = primitiveArrayClass(type);
        c.instances++;
        c.bytes += 2L * idSize + 4 + (long) length * type.size(idSize);
        primitiveArrays++;
        return c;
    }

    /** The dump's header; {@code null} before the pass has read it. */
    public HprofHeader header() {
        return header;
    }

    /** The object records counted so far. */
    public RecordCounts recordCounts() {
        return new RecordCounts(classDumps, instances, objectArrays, primitiveArrays);
    }

    @Override
    public void progress(long done, long total) {
        progress.update(phase, done, total);
    }

    /**
     * After the pass: the strings wanted read (a second pass of {@code reader}, over the STRING records only), names
     * resolved, super classes linked, java.lang.Class counted.
     */
    public void finish(HprofReader reader) throws IOException {
        for (HeapClass c : classes) {
            want(classNameIds.get(c.index));
            for (long id : c.fieldNameIds == null ? new long[0] : c.fieldNameIds) {
                want(id);
            }
            for (long id : c.staticNameIds == null ? new long[0] : c.staticNameIds) {
                want(id);
            }
        }
        if (wantedStrings.size() > 0 && stringsFrom >= 0) {
            reader.readStrings(stringsFrom, stringsTo, id -> wantedStrings.get(id) >= 0, strings::add);
        }
        strings.seal();
        HeapClass javaLangClass = null;
        for (HeapClass c : classes) {
            if (c.index < PRIMITIVE_TYPES) {
                continue;                 // named already; a class of id 0 after them is a dangling id, named below
            }
            long nameId = classNameIds.get(c.index);
            String raw = nameId == 0 ? null : strings.get(nameId);
            c.name = raw == null ? "<unknown class 0x" + Long.toHexString(c.id) + ">" : externalName(raw);
            c.fieldNames = resolve(c.fieldNameIds);
            c.staticNames = resolve(c.staticNameIds);
            c.fieldNameIds = null;
            c.staticNameIds = null;
            if (c.superId != 0) {
                int s = classIndex.get(c.superId);
                c.superClass = s < 0 ? null : classes.get(s);
            }
            if (c.name.equals("java.lang.Class")) {
                javaLangClass = c;
            }
        }
        // A corrupt dump can make a class its own (indirect) super class: cut such chains, so that every walk up
        // the hierarchy (here, in HeapIndex, in HeapClass.isSubclassOf) ends.
        for (HeapClass c : classes) {
            int steps = 0;
            for (HeapClass k = c; k != null && k.superClass != null; k = k.superClass) {
                if (++steps > classes.size()) {
                    c.superClass = null;
                    break;
                }
            }
        }
        if (javaLangClass != null) {
            javaLangClass.instances += classDumps;
            javaLangClass.bytes += classDumpBytes;
        }
        for (HeapClass c : classes) {
            if (c.id != 0 && c.dumped) {
                int size = 0;
                for (HeapClass k = c; k != null; k = k.superClass) {
                    for (BasicType t : k.fieldTypes) {
                        size += t.size(idSize);
                    }
                }
                c.dataSize = size;
            }
        }
    }

    private String[] resolve(long[] ids) {
        if (ids == null) {
            return new String[0];
        }
        String[] names = new String[ids.length];
        for (int i = 0; i < ids.length; i++) {
            String s = strings.get(ids[i]);
            names[i] = s == null ? "<name 0x" + Long.toHexString(ids[i]) + ">" : s;
        }
        return names;
    }

    /** {@code java/lang/String} to {@code java.lang.String}; hidden classes {@code Foo$$Lambda+0x..} to {@code /0x..}. */
    static String externalName(String internal) {
        String s = internal.replace('/', '.');
        int plus = s.indexOf("+0x");
        return plus < 0 ? s : s.substring(0, plus) + "/" + s.substring(plus + 1);
    }

    /** The histogram: one row per class with instances, most bytes first. */
    public ClassHistogram histogram() {
        List<HeapClass> rows = new ArrayList<>();
        for (HeapClass c : classes) {
            if (c.instances > 0) {
                rows.add(c);
            }
        }
        rows.sort(Comparator.comparingLong((HeapClass c) -> c.bytes).reversed()
                .thenComparing(Comparator.comparingLong((HeapClass c) -> c.instances).reversed())
                .thenComparing(c -> c.name));
        List<ClassHistogram.Row> out = new ArrayList<>(rows.size());
        long ti = 0;
        long tb = 0;
        for (HeapClass c : rows) {
            out.add(new ClassHistogram.Row(out.size() + 1, c.instances, c.bytes, c.name, null));
            ti += c.instances;
            tb += c.bytes;
        }
        return new ClassHistogram(out, ti, tb);
    }
}
