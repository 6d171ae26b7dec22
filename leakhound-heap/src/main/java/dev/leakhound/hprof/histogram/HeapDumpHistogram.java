package dev.leakhound.hprof.histogram;

import dev.leakhound.histogram.ClassGrowth;
import dev.leakhound.histogram.ClassHistogram;
import dev.leakhound.hprof.BasicType;
import dev.leakhound.hprof.ClassDump;
import dev.leakhound.hprof.HprofHeader;
import dev.leakhound.hprof.HprofReader;
import dev.leakhound.hprof.HprofVisitor;
import dev.leakhound.hprof.Progress;
import dev.leakhound.hprof.index.DumpClasses;
import dev.leakhound.hprof.index.HeapIndex;
import dev.leakhound.hprof.index.RecordCounts;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The class histogram of a heap dump, from one streaming pass ({@link #read}) and a second one over the STRING
 * records only, for the class names: memory follows the number of classes, not of objects or of strings, and a
 * gzip-compressed dump is read without a temporary file.
 *
 * <p>Instances per class are exact (every INSTANCE_DUMP, OBJ_ARRAY_DUMP and PRIM_ARRAY_DUMP, and one
 * {@code java.lang.Class} per CLASS_DUMP); a dump taken with {@code live=true} holds only reachable objects.
 * Bytes are the estimate described in {@link DumpClasses}: two ids of header plus the data, no
 * alignment, so they differ from {@code jcmd GC.class_histogram}'s by the JVM's real header and padding.
 *
 * @param source          the file as named
 * @param header          the dump's header
 * @param histogram       the classes with instances, most bytes first (rows share the model of
 *                        {@code GC.class_histogram}, without modules)
 * @param classes         CLASS_DUMP records
 * @param instances       INSTANCE_DUMP records
 * @param objectArrays    OBJ_ARRAY_DUMP records
 * @param primitiveArrays PRIM_ARRAY_DUMP records
 * @param fileBytes       bytes of the (uncompressed) dump
 */
public record HeapDumpHistogram(String source, HprofHeader header, ClassHistogram histogram, long classes,
                            long instances, long objectArrays, long primitiveArrays, long fileBytes) {

    /** Reads the histogram of a dump, plain or gzip-compressed. */
    public static HeapDumpHistogram read(Path file, Progress progress) throws IOException {
        DumpClasses counter = new DumpClasses(file.toString(), progress);
        long[] length = new long[1];
        HprofVisitor v = new Forwarding(counter) {
            @Override
            public void end(long fileLength) {
                length[0] = fileLength;
            }
        };
        try {
            HprofReader reader = HprofReader.of(file);
            reader.read(v);
            counter.finish(reader);
        } finally {
            progress.done();
        }
        RecordCounts n = counter.recordCounts();
        return new HeapDumpHistogram(file.toString(), counter.header(), counter.histogram(), n.classDumps(),
                n.instances(), n.objectArrays(), n.primitiveArrays(), length[0]);
    }

    /**
     * What {@link #read} gives for the dump of {@code index}, from what the index counted in its own pass (no second
     * pass over the file).
     */
    public static HeapDumpHistogram of(HeapIndex index) {
        HprofHeader h = index.header();
        RecordCounts n = index.recordCounts();
        return new HeapDumpHistogram(index.source(), new HprofHeader(h.format(), h.idSize(), h.timeMillis(), h.length(),
                index.decompressed()), index.histogram(), n.classDumps(), n.instances(), n.objectArrays(),
                n.primitiveArrays(), index.fileLength());
    }

    /** All objects: instances, arrays and class objects. */
    public long objects() {
        return classes + instances + objectArrays + primitiveArrays;
    }

    /** The classes that grew since {@code older}, most bytes of growth first (see {@link ClassHistogram#diff}). */
    public List<ClassGrowth> growthSince(HeapDumpHistogram older) {
        return histogram.diff(older.histogram);
    }

    /** Passes every callback on to another visitor. */
    static class Forwarding implements HprofVisitor {
        final HprofVisitor to;

        Forwarding(HprofVisitor to) {
            this.to = to;
        }

        @Override
        public void header(HprofHeader header) throws IOException {
            to.header(header);
        }

        @Override
        public void string(long position, long id, int length) throws IOException {
            to.string(position, id, length);
        }

        @Override
        public void loadClass(int classSerial, long classId, int stackTraceSerial, long nameId) throws IOException {
            to.loadClass(classSerial, classId, stackTraceSerial, nameId);
        }

        @Override
        public void classDump(ClassDump classDump) throws IOException {
            to.classDump(classDump);
        }

        @Override
        public void instance(long position, long objectId, long classId, long dataPosition, int dataLength) throws IOException {
            to.instance(position, objectId, classId, dataPosition, dataLength);
        }

        @Override
        public void objectArray(long position, long objectId, long arrayClassId, int length, long elementsPosition) throws IOException {
            to.objectArray(position, objectId, arrayClassId, length, elementsPosition);
        }

        @Override
        public void primitiveArray(long position, long objectId, BasicType type, int length, long elementsPosition) throws IOException {
            to.primitiveArray(position, objectId, type, length, elementsPosition);
        }

        @Override
        public void progress(long done, long total) {
            to.progress(done, total);
        }
    }
}
