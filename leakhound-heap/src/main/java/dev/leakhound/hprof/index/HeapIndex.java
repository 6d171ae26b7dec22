package dev.leakhound.hprof.index;

import dev.leakhound.histogram.ClassHistogram;
import dev.leakhound.hprof.BasicType;
import dev.leakhound.hprof.ClassDump;
import dev.leakhound.hprof.HprofFormatException;
import dev.leakhound.hprof.HprofHeader;
import dev.leakhound.hprof.HprofInput;
import dev.leakhound.hprof.HprofReader;
import dev.leakhound.hprof.HprofVisitor;
import dev.leakhound.hprof.Progress;
import dev.leakhound.hprof.RootKind;
import dev.leakhound.hprof.TempFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * An index of a heap dump, built in one pass of {@link HprofReader}, for reading any object later by id.
 *
 * <p>What it holds in memory:
 * <ul>
 *   <li>per object (instance, array or class): 12 bytes, in a sorted table of paged primitive arrays (id, as an
 *       {@code int} of id / 8 when every id is an 8-aligned address below 32 GB, else 16 bytes with the id whole;
 *       file position, kind and class index packed as 38 + 2 + 24 bits), plus at most one 32K-entry page of
 *       slack; no object per object; and for lookups by id a rank directory of at most 2 bytes per object (about 1
 *       on dense dumps) or a bucket directory under 1. 30M objects take 360-420 MB. Nothing is moved when the objects come in a few
 *       ascending runs of ids, as HotSpot writes them (each dumper thread walks its part of the heap in address
 *       order): a directory of the runs' segments is searched instead; any other order is sorted in place
 *       ({@link LongLongTable});</li>
 *   <li>per class: a {@link HeapClass} with its names, field layout and static values;</li>
 *   <li>the strings that name classes, fields and frames (about their size plus 16 bytes each; not the other
 *       STRING records: HotSpot writes its whole symbol table), and per GC root 21 bytes;</li>
 *   <li>per stack frame and stack trace record: 16 bytes (their position; they are read again when asked), and
 *       the distinct names of the frames (method, signature, source file) once each.</li>
 * </ul>
 * Object contents stay in the file: {@link #forEachReference}, {@link #readFields}, {@link #readString} read
 * them from the file, memory-mapped ({@link HprofInput#mapped}: a walk over millions of objects makes no system call
 * per object).
 *
 * <p>A gzip-compressed dump is first decompressed to a temporary file (random access needs it), after a check of its
 * header and while a tenth of the disk stays free; the file is removed by {@link #close()}, or at the JVM's shutdown,
 * or by the next run when the JVM was killed ({@link #decompressedFile}). Not thread-safe: one reader per index.
 */
public final class HeapIndex implements AutoCloseable {

    /** A reference from the object being read to {@code targetId} (never 0). */
    @FunctionalInterface
    public interface ReferenceVisitor {
        void reference(long targetId, ReferenceKind kind, HeapClass owner, int index);
    }

    /** A field value of an instance: an object id, or a primitive's bits. */
    @FunctionalInterface
    public interface FieldVisitor {
        void field(HeapClass declaringClass, int fieldIndex, BasicType type, long value);
    }

    /** An object of the dump, as {@link #forEachObject} lists it. */
    @FunctionalInterface
    public interface ObjectVisitor {
        void object(long objectId, ObjectKind kind, HeapClass cls);
    }

    /** The name of a decompressed dump: {@code leakhound-heap-PID-RANDOM.hprof}. */
    public static final String TEMP_PREFIX = "leakhound-heap-";
    private static final int KIND_SHIFT = 24;
    private static final int POS_SHIFT = 26;
    private static final long MAX_POSITION = (1L << 38) - 1;
    private static final int MAX_CLASSES = 1 << 24;
    private static final ObjectKind[] KINDS = ObjectKind.values();

    private final String origin;
    private final Path path;
    private final Path tempFile;
    private final FileChannel channel;
    private final HprofInput in;
    private final HprofHeader header;
    private final int idSize;
    private final List<HeapClass> classes;
    private final LongIntMap classIndex;
    private final StringPool strings;
    private final LongLongTable objects;
    private final LongLongTable frames;
    private final LongLongTable traces;
    private final LongLongTable classSerials;
    private final GcRoots roots;
    private final ClassHistogram histogram;
    private final long fileLength;
    private Map<Integer, ThreadRecord> threadsBySerial;
    private final String source;
    private final RecordCounts recordCounts;
    private final Map<String, HeapClass> byName = new HashMap<>();
    /** The distinct frames read so far: HotSpot writes a STACK_FRAME per frame of each thread, most of them equal. */
    private final Map<HeapFrame, HeapFrame> distinctFrames = new HashMap<>();
    /**
     * The frame of each distinct STACK_FRAME content (all but its id): 100k threads' equal frames are found by these
     * numbers, without their names looked up and hashed again.
     */
    private final Map<RawFrame, HeapFrame> framesByRecord = new HashMap<>();

    private record RawFrame(long methodId, long signatureId, long sourceId, int classSerial, int line) {
    }

    private HeapIndex(String source, String origin, Path path, Path tempFile, Builder b, long fileLength)
            throws IOException {
        this.source = source;
        this.origin = origin;
        this.path = path;
        this.tempFile = tempFile;
        this.header = b.header;
        this.idSize = b.idSize;
        this.classes = b.classes;
        this.classIndex = b.classIndex;
        this.strings = b.strings;
        this.objects = b.objects;
        this.frames = b.frames;
        this.traces = b.traces;
        this.classSerials = b.classSerials;
        this.roots = b.roots;
        this.histogram = b.histogram();
        this.recordCounts = b.recordCounts();
        this.fileLength = fileLength;
        for (HeapClass c : classes) {
            // A retransformed class (java.lang.Thread under Leakhound's agent) has a second LOAD CLASS record and no
            // CLASS DUMP of its own: the one dumped is the class of the instances. The built-in primitive array
            // classes (id 0), which count every primitive array, stay: HotSpot also dumps a class object for each.
            HeapClass known = byName.get(c.name);
            if (known == null || known.id != 0 && !known.dumped && c.dumped) {
                byName.put(c.name, c);
            }
        }
        this.channel = FileChannel.open(path, StandardOpenOption.READ);
        this.in = HprofInput.mapped(origin, channel);
        this.in.idSize(idSize);
    }

    /**
     * Indexes a dump, plain or gzip-compressed; {@code progress} hears of the decompression and of the pass.
     *
     * @throws HprofFormatException when the file is not a well-formed HPROF dump (naming it and the offset)
     */
    public static HeapIndex open(Path file, Progress progress) throws IOException {
        return open(file, progress, Long.MAX_VALUE);
    }

    /**
     * {@link #open(Path, Progress)}, refusing a gzip-compressed dump that decompresses to more than
     * {@code maxUncompressed} bytes (whatever that, a tenth of the disk is always left free).
     */
    public static HeapIndex open(Path file, Progress progress, long maxUncompressed) throws IOException {
        String origin = file.toString();
        Path temp = null;
        try {
            Path source = file;
            String readAs = origin;
            if (HprofReader.isGzip(file)) {
                temp = decompressedFile();
                String phase = "decompressing " + origin;
                HprofReader.decompress(file, origin, temp, maxUncompressed, new HprofVisitor() {
                    @Override
                    public void progress(long done, long total) {
                        progress.update(phase, done, total);
                    }
                });
                source = temp;
                readAs = origin + " (uncompressed)";
            }
            Builder b = new Builder(readAs, progress);
            HprofReader reader = HprofReader.of(source, readAs);
            reader.read(b);
            b.finishIndex(reader);
            HeapIndex index = new HeapIndex(origin, readAs, source, temp, b, b.fileLength);
            temp = null;
            return index;
        } finally {
            progress.done();
            if (temp != null) {
                TempFiles.delete(temp);
            }
        }
    }

    /**
     * A new file for a decompressed dump in the temporary directory, {@code leakhound-heap-PID-*.hprof}: deleted by
     * {@link #close()}, or when this JVM shuts down first (the end of main, {@code System.exit}, SIGINT, SIGTERM); what
     * a JVM that could not delete its own (killed with SIGKILL, crashed) left behind is deleted here, by the next one.
     */
    private static Path decompressedFile() throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath();
        try {
            for (Path left : TempFiles.leftovers(tmp, TEMP_PREFIX)) {
                if (Files.isRegularFile(left, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    Files.deleteIfExists(left);
                }
            }
        } catch (IOException ignored) {
            // someone else's files, or a race with another run: they stay, and this run goes on
        }
        Path temp = Files.createTempFile(tmp, TempFiles.prefix(TEMP_PREFIX), ".hprof");
        TempFiles.deleteAtExit(temp);                      // close() deletes it sooner
        return temp;
    }

    @Override
    public void close() throws IOException {
        try {
            channel.close();
        } finally {
            if (tempFile != null) {
                TempFiles.delete(tempFile);
            }
        }
    }

    // ------------------------------------------------------------------------------------------ summary

    /** The dump as named to {@link #open}. */
    public String source() {
        return source;
    }

    /** The header of the file read: for a gzip-compressed dump, of its decompressed copy. */
    public HprofHeader header() {
        return header;
    }

    /** Whether the dump was gzip-compressed (and is read from a decompressed temporary copy). */
    public boolean decompressed() {
        return tempFile != null;
    }

    public int idSize() {
        return idSize;
    }

    /** Bytes of the (uncompressed) dump. */
    public long fileLength() {
        return fileLength;
    }

    /** Objects indexed: instances, arrays and class objects. */
    public long objectCount() {
        return objects.size();
    }

    /**
     * Bytes of the object table: 12 or 16 per object plus the last page's slack, and its rank directory (about one per
     * object of a dense dump).
     */
    public long objectTableBytes() {
        return objects.bytes() + objects.directoryBytes();
    }

    /**
     * The class histogram, counted during the indexing pass as {@link DumpClasses} counts it (what
     * {@code hprof.histogram.HeapDumpHistogram} reads without an index).
     */
    public ClassHistogram histogram() {
        return histogram;
    }

    /** The object records counted during the indexing pass. */
    public RecordCounts recordCounts() {
        return recordCounts;
    }

    // ------------------------------------------------------------------------------------------ classes

    public int classCount() {
        return classes.size();
    }

    /** Every class, by {@link HeapClass#index()}; the eight primitive array types first. */
    public List<HeapClass> classes() {
        return Collections.unmodifiableList(classes);
    }

    /** The class with that class object id, or {@code null}. */
    public HeapClass classById(long classId) {
        int i = classIndex.get(classId);
        return i < 0 ? null : classes.get(i);
    }

    /** A class by its name ({@code java.lang.Thread}, {@code [B}); the first one when several loaders define it. */
    public HeapClass classByName(String name) {
        return byName.get(name);
    }

    /**
     * A string of the dump's STRING records that names a class, a field or a frame's method, signature or source
     * file; {@code null} for any other (only those are read).
     */
    public String string(long id) {
        return strings.get(id);
    }

    // ------------------------------------------------------------------------------------------ objects

    private long packed(long objectId) {
        long i = ordinal(objectId);
        return i < 0 ? -1 : objects.value(i);
    }

    private static long position(long packed) {
        return packed >>> POS_SHIFT;
    }

    private static ObjectKind kind(long packed) {
        return KINDS[(int) ((packed >>> KIND_SHIFT) & 3)];
    }

    private HeapClass cls(long packed) {
        return classes.get((int) (packed & (MAX_CLASSES - 1)));
    }

    public boolean contains(long objectId) {
        return objects.indexOf(objectId) >= 0;
    }

    /**
     * A dense number for the object, 0 to {@link #objectCount()} - 1 (its place in the index's table), or -1
     * when the dump has no object of that id: for bit sets over all objects.
     */
    public long ordinal(long objectId) {
        return objects.indexOf(objectId);
    }

    /** The id of the object with that {@link #ordinal}. */
    public long idAt(long ordinal) {
        return objects.key(ordinal);
    }

    /**
     * The object's shallow size as {@link DumpClasses} estimates it (HPROF records no sizes): two ids of header
     * plus its field data for an instance, plus 4 bytes of length and the elements for an array; for a class
     * object, two ids. 0 when the dump has no such object.
     */
    public long shallowSize(long objectId) throws IOException {
        long p = packed(objectId);
        if (p < 0) {
            return 0;
        }
        HeapClass c = cls(p);
        return switch (kind(p)) {
            case INSTANCE -> 2L * idSize + Math.max(0, c.dataSize);
            case CLASS -> 2L * idSize;
            case OBJECT_ARRAY -> 2L * idSize + 4 + (long) arrayHeader(position(p), p) * idSize;
            case PRIMITIVE_ARRAY -> {
                int length = arrayHeader(position(p), p);
                BasicType type = BasicType.ofArrayClass(c.name);
                yield 2L * idSize + 4 + (long) length * (type == null ? 1 : type.size(idSize));
            }
        };
    }

    /** What the object is, or {@code null} when the dump has no object of that id. */
    public ObjectKind kindOf(long objectId) {
        long p = packed(objectId);
        return p < 0 ? null : kind(p);
    }

    /**
     * The object's class: an instance's or object array's class, the primitive array type ({@code [B}), and for
     * a class object {@code java.lang.Class}; {@code null} when the dump has no such object.
     */
    public HeapClass classOf(long objectId) {
        long p = packed(objectId);
        return p < 0 ? null : classOfPacked(p);
    }

    /** A class object's class is {@code java.lang.Class}; any other object's is in its entry. */
    private HeapClass classOfPacked(long p) {
        return kind(p) == ObjectKind.CLASS ? classByName("java.lang.Class") : cls(p);
    }

    /** Every object, in the index's order (the dump's, or ids' when the dump was not in runs), without reading the file. */
    public void forEachObject(ObjectVisitor visitor) {
        HeapClass javaLangClass = classByName("java.lang.Class");
        for (long i = 0, n = objects.size(); i < n; i++) {
            long p = objects.value(i);
            ObjectKind k = kind(p);
            visitor.object(objects.key(i), k, k == ObjectKind.CLASS ? javaLangClass : cls(p));
        }
    }

    /**
     * The object's outgoing references, read from the file: an instance's reference fields (its class's first,
     * then its super classes'), an object array's elements, a class object's static reference fields, and the
     * class of an instance or array, the super class and loader of a class. Null references are left out.
     *
     * @return false when the dump has no object of that id
     */
    public boolean forEachReference(long objectId, ReferenceVisitor visitor) throws IOException {
        long p = packed(objectId);
        if (p < 0) {
            return false;
        }
        references(p, visitor);
        return true;
    }

    /**
     * {@link #forEachReference} of the object with that {@link #ordinal}: for walks that keep ordinals, without
     * looking the id up again.
     */
    public void forEachReferenceOfOrdinal(long ordinal, ReferenceVisitor visitor) throws IOException {
        references(objects.value(ordinal), visitor);
    }

    /** {@link #classOf} the object with that {@link #ordinal}. */
    public HeapClass classOfOrdinal(long ordinal) {
        return classOfPacked(objects.value(ordinal));
    }

    private void references(long p, ReferenceVisitor visitor) throws IOException {
        HeapClass c = cls(p);
        switch (kind(p)) {
            case CLASS -> {
                for (int i = 0; i < c.staticTypes.length; i++) {
                    if (c.staticTypes[i] == BasicType.OBJECT && c.staticValues[i] != 0) {
                        visitor.reference(c.staticValues[i], ReferenceKind.STATIC_FIELD, c, i);
                    }
                }
                if (c.superId != 0) {
                    visitor.reference(c.superId, ReferenceKind.SUPER_CLASS, c, -1);
                }
                if (c.loaderId != 0) {
                    visitor.reference(c.loaderId, ReferenceKind.CLASS_LOADER, c, -1);
                }
            }
            case INSTANCE -> {
                seekInstanceData(p, c);
                visitor.reference(c.id, ReferenceKind.CLASS, c, -1);
                for (HeapClass k = c; k != null; k = k.superClass) {
                    BasicType[] types = k.fieldTypes;
                    for (int i = 0; i < types.length; i++) {
                        if (types[i] == BasicType.OBJECT) {
                            long r = in.id();
                            if (r != 0) {
                                visitor.reference(r, ReferenceKind.FIELD, k, i);
                            }
                        } else {
                            in.skip(types[i].size(idSize));
                        }
                    }
                }
            }
            case OBJECT_ARRAY -> {
                long at = position(p);
                int length = arrayHeader(at, p);
                visitor.reference(c.id, ReferenceKind.CLASS, c, -1);
                for (int i = 0; i < length; i++) {
                    long r = in.id();
                    if (r != 0) {
                        visitor.reference(r, ReferenceKind.ARRAY_ELEMENT, c, i);
                    }
                }
            }
            case PRIMITIVE_ARRAY -> {
                // no references
            }
        }
    }

    /**
     * An instance's field values, its class's fields first, then its super classes'.
     *
     * @throws IllegalArgumentException when the id is not an instance of the dump
     */
    public void readFields(long objectId, FieldVisitor visitor) throws IOException {
        long p = packed(objectId);
        if (p < 0 || kind(p) != ObjectKind.INSTANCE) {
            throw new IllegalArgumentException("not an instance of the dump: 0x" + Long.toHexString(objectId));
        }
        HeapClass c = cls(p);
        seekInstanceData(p, c);
        for (HeapClass k = c; k != null; k = k.superClass) {
            BasicType[] types = k.fieldTypes;
            for (int i = 0; i < types.length; i++) {
                visitor.field(k, i, types[i], in.value(types[i]));
            }
        }
    }

    /**
     * The value of an instance's field by name (an object id, or a primitive's bits), from the most derived
     * class that declares it.
     *
     * @throws NoSuchElementException   when its class has no such field
     * @throws IllegalArgumentException when the id is not an instance of the dump
     */
    public long fieldValue(long objectId, String fieldName) throws IOException {
        long p = packed(objectId);
        if (p < 0 || kind(p) != ObjectKind.INSTANCE) {
            throw new IllegalArgumentException("not an instance of the dump: 0x" + Long.toHexString(objectId));
        }
        HeapClass c = cls(p);
        seekInstanceData(p, c);
        long place = fieldPlace(c, fieldName);
        if (place < 0) {
            throw new NoSuchElementException(c.name + " has no field " + fieldName);
        }
        in.skip(place >>> 8);
        return in.value(BASIC_TYPES[(int) (place & 0xFF)]);
    }

    private static final BasicType[] BASIC_TYPES = BasicType.values();

    /**
     * Where an instance of the class holds the field of that name, as {@link #readFields} meets it first: its offset in
     * the instance's data (high bits) and its type (low 8 bits); -1 when none. Kept per class and name: reading a
     * thread's fields one by one read all of them each time (the proof reads seven of 100k threads).
     */
    private long fieldPlace(HeapClass c, String fieldName) {
        return fieldPlaces.computeIfAbsent(c, k -> new HashMap<>()).computeIfAbsent(fieldName, name -> {
            long offset = 0;
            for (HeapClass k = c; k != null; k = k.superClass) {
                for (int i = 0; i < k.fieldTypes.length; i++) {
                    if (k.fieldNames[i].equals(name)) {
                        return offset << 8 | k.fieldTypes[i].ordinal();
                    }
                    offset += k.fieldTypes[i].size(idSize);
                }
            }
            return -1L;
        });
    }

    private final Map<HeapClass, Map<String, Long>> fieldPlaces = new HashMap<>();

    /** Whether the instance's class or a super class declares a field of that name. */
    public boolean hasField(HeapClass c, String fieldName) {
        return fieldPlace(c, fieldName) >= 0;
    }

    /** The length of an array; -1 when the id is not an array of the dump. */
    public int arrayLength(long arrayId) throws IOException {
        long p = packed(arrayId);
        if (p < 0 || (kind(p) != ObjectKind.OBJECT_ARRAY && kind(p) != ObjectKind.PRIMITIVE_ARRAY)) {
            return -1;
        }
        return arrayHeader(position(p), p);
    }

    /**
     * The first {@code maxBytes} bytes of a primitive array's elements, as the dump holds them (big-endian
     * for multi-byte types); {@code null} when the id is not a primitive array.
     */
    public byte[] primitiveArrayBytes(long arrayId, int maxBytes) throws IOException {
        long p = packed(arrayId);
        if (p < 0 || kind(p) != ObjectKind.PRIMITIVE_ARRAY) {
            return null;
        }
        int length = arrayHeader(position(p), p);
        BasicType type = BasicType.values()[cls(p).index + 1];      // the primitive array types come first
        long n = Math.max(0, Math.min((long) length * type.size(idSize), maxBytes));
        byte[] b = new byte[(int) n];
        in.bytes(b, 0, b.length);
        return b;
    }

    /**
     * The text of a {@code java.lang.String} instance (Latin-1 or UTF-16 by its {@code coder}; UTF-16 read
     * little-endian, the byte order of the JVMs that write these dumps, x86-64 and AArch64), at most
     * {@code maxChars} characters; {@code null} when the id is not a String or its value is missing.
     */
    public String readString(long stringId, int maxChars) throws IOException {
        HeapClass c = classOf(stringId);
        if (c == null || kindOf(stringId) != ObjectKind.INSTANCE || !c.name.equals("java.lang.String")) {
            return null;
        }
        if (!hasField(c, "value")) {
            return null;
        }
        long value = fieldValue(stringId, "value");
        int coder = hasField(c, "coder") ? (int) fieldValue(stringId, "coder") : -1;
        HeapClass valueClass = classOf(value);
        if (valueClass == null || kindOf(value) != ObjectKind.PRIMITIVE_ARRAY) {
            return null;
        }
        if (valueClass.name.equals("[C")) {                 // JDK 8
            byte[] b = primitiveArrayBytes(value, maxChars * 2);
            return new String(b, 0, b.length & ~1, StandardCharsets.UTF_16BE);
        }
        if (coder == 1) {
            byte[] b = primitiveArrayBytes(value, maxChars * 2);
            return new String(b, 0, b.length & ~1, StandardCharsets.UTF_16LE);
        }
        byte[] b = primitiveArrayBytes(value, maxChars);
        return b == null ? null : new String(b, StandardCharsets.ISO_8859_1);
    }

    private void seekInstanceData(long p, HeapClass c) throws IOException {
        long at = position(p);
        in.seek(at);
        if (in.u1() != HprofReader.INSTANCE_DUMP) {
            throw in.fail(at, "expected an INSTANCE_DUMP here (the file changed since it was indexed?)");
        }
        in.id();
        in.i4();
        in.id();
        long length = in.u4();
        if (c.dataSize < 0) {
            throw in.fail(at, "instance of " + c.name + ", which has no CLASS_DUMP (or a super class without one)");
        }
        if (length != c.dataSize) {
            throw in.fail(at, "instance of " + c.name + " with " + length + " bytes of fields, its class declares "
                    + c.dataSize);
        }
    }

    /** Positions the window at the array's first element; returns its length. */
    private int arrayHeader(long at, long p) throws IOException {
        in.seek(at);
        int tag = in.u1();
        in.id();
        in.i4();
        int length = (int) in.u4();
        if (tag == HprofReader.OBJ_ARRAY_DUMP) {
            in.id();
        } else if (tag == HprofReader.PRIM_ARRAY_DUMP) {
            in.u1();
        } else {
            throw in.fail(at, "expected an array here (the file changed since it was indexed?)");
        }
        return length;
    }

    // ------------------------------------------------------------------------------------------ roots, threads

    /** The GC root records, in file order. */
    public GcRoots roots() {
        return roots;
    }

    /** The threads: one per ROOT_THREAD_OBJ record (on JDK 23+ unmounted virtual threads included), in file order. */
    public List<ThreadRecord> threads() {
        List<ThreadRecord> out = new ArrayList<>();
        for (int i = 0; i < roots.size(); i++) {
            if (roots.kind(i) == RootKind.THREAD_OBJECT) {
                out.add(new ThreadRecord(roots.objectId(i), roots.threadSerial(i), (int) roots.extra(i)));
            }
        }
        return out;
    }

    /** The thread of a thread serial number (as JAVA_FRAME and other roots give it), or {@code null}. */
    public ThreadRecord thread(int threadSerial) {
        if (threadsBySerial == null) {
            Map<Integer, ThreadRecord> m = new HashMap<>();
            for (ThreadRecord t : threads()) {
                m.putIfAbsent(t.threadSerial(), t);
            }
            threadsBySerial = m;
        }
        return threadsBySerial.get(threadSerial);
    }

    /** A thread's stack, top frame first (empty when the dump has none). */
    public List<HeapFrame> stack(ThreadRecord thread) throws IOException {
        return stackTrace(thread.stackTraceSerial());
    }

    /**
     * A STACK_TRACE by serial number, top frame first; empty when the dump has none of that number. Equal frames are
     * one {@link HeapFrame} object, however many stacks hold them (100k threads of one stack take the memory of one).
     */
    public List<HeapFrame> stackTrace(int serial) throws IOException {
        long at = traces.get(serial, -1);
        if (at < 0) {
            return List.of();
        }
        in.seek(at + 9);
        in.i4();
        in.i4();
        int n = (int) in.u4();
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            ids[i] = in.id();
        }
        List<HeapFrame> out = new ArrayList<>(n);
        for (long id : ids) {
            long fp = frames.get(id, -1);
            if (fp < 0) {
                // one object per missing frame, as per known one: stacks are shared by their frames' identities
                out.add(distinctFrames.computeIfAbsent(
                        new HeapFrame("<unknown>", "<frame 0x" + Long.toHexString(id) + ">", null, null, -1), k -> k));
                continue;
            }
            in.seek(fp + 9);
            in.id();
            RawFrame raw = new RawFrame(in.id(), in.id(), in.id(), in.i4(), in.i4());
            HeapFrame known = framesByRecord.get(raw);
            if (known != null) {
                out.add(known);
                continue;
            }
            String method = strings.get(raw.methodId);
            long classId = classSerials.get(raw.classSerial, 0);
            HeapClass c = classId == 0 ? null : classById(classId);
            HeapFrame f = new HeapFrame(c == null ? "<unknown class>" : c.name,
                    method == null ? "<unknown method 0x" + Long.toHexString(raw.methodId) + ">" : method,
                    strings.get(raw.signatureId), strings.get(raw.sourceId), raw.line);
            f = distinctFrames.computeIfAbsent(f, k -> k);
            framesByRecord.put(raw, f);
            out.add(f);
        }
        return out;
    }

    @Override
    public String toString() {
        return "HeapIndex(" + origin + ", " + objects.size() + " objects, " + classes.size() + " classes, "
                + roots.size() + " roots; " + path + ")";
    }

    // ------------------------------------------------------------------------------------------ building

    private static final class Builder extends DumpClasses {
        final LongLongTable objects = new LongLongTable();
        final LongLongTable frames = new LongLongTable();
        final LongLongTable traces = new LongLongTable();
        final LongLongTable classSerials = new LongLongTable();
        final GcRoots roots = new GcRoots();

        Builder(String origin, Progress progress) {
            super(origin, progress);
        }

        long fileLength;

        private void add(long id, long position, ObjectKind kind, HeapClass c) throws IOException {
            if (position > MAX_POSITION) {
                throw new HprofFormatException(origin, position, "dumps larger than 256 GB are not supported");
            }
            if (c.index >= MAX_CLASSES) {
                throw new HprofFormatException(origin, position, "more than " + MAX_CLASSES + " classes");
            }
            objects.add(id, (position << POS_SHIFT) | ((long) kind.ordinal() << KIND_SHIFT) | c.index);
        }

        @Override
        public void stackFrame(long position, long frameId, long methodNameId, long signatureId,
                               long sourceFileId, int classSerial, int line) {
            frames.add(frameId, position);
            want(methodNameId);
            want(signatureId);
            want(sourceFileId);
        }

        @Override
        public void stackTrace(long position, int serial, int threadSerial, long[] frameIds) {
            traces.add(serial, position);
        }

        @Override
        public void root(RootKind kind, long objectId, int threadSerial, long extra) {
            roots.add(kind, objectId, threadSerial, extra);
        }

        @Override
        public void end(long length) {
            fileLength = length;
        }

        @Override
        public void loadClass(int classSerial, long classId, int stackTraceSerial, long nameId) {
            super.loadClass(classSerial, classId, stackTraceSerial, nameId);
            classSerials.add(classSerial, classId);
        }

        @Override
        public void classDump(ClassDump d) throws IOException {
            super.classDump(d);
            add(d.classId(), d.position(), ObjectKind.CLASS, classFor(d.classId()));
        }

        @Override
        public void instance(long position, long objectId, long classId, long dataPosition, int dataLength) throws IOException {
            add(objectId, position, ObjectKind.INSTANCE, countInstance(classId, dataLength));
        }

        @Override
        public void objectArray(long position, long objectId, long arrayClassId, int length, long elementsPosition) throws IOException {
            add(objectId, position, ObjectKind.OBJECT_ARRAY, countObjectArray(arrayClassId, length));
        }

        @Override
        public void primitiveArray(long position, long objectId, BasicType type, int length, long elementsPosition) throws IOException {
            add(objectId, position, ObjectKind.PRIMITIVE_ARRAY, countPrimitiveArray(type, length));
        }

        void finishIndex(HprofReader reader) throws IOException {
            finish(reader);
            String phase = "indexing " + origin;
            progress.update(phase, 0, 4);
            objects.seal();
            progress.update(phase, 1, 4);
            frames.seal();
            traces.seal();
            classSerials.seal();
            roots.trim();
            progress.update(phase, 4, 4);
        }
    }
}
