package dev.leakhound.proof;

import dev.leakhound.hprof.index.HeapClass;
import dev.leakhound.hprof.index.HeapIndex;
import dev.leakhound.hprof.index.ReferenceKind;

import java.util.List;

/**
 * The references the proof does not follow: those that exist for observability only ({@link #OBSERVABILITY}), and a
 * {@code PhantomReference}'s referent (never got). Weak, soft and finalizer referents are followed: live code may
 * {@code get()} them.
 */
final class Exclusions {
    /**
     * References that exist for observability only, as {@code class#field}: the JDK's root thread container's set
     * of every virtual thread started directly, the set of virtual threads of an executor's shared container, the
     * registry of thread containers (weak references, followed otherwise like any weak reference), and, in dumps of
     * JDK 18 and earlier, a thread group's array of its threads (kept for enumeration, as the VM's own thread list
     * is from JDK 19 on; without this no platform thread of such a dump could ever be claimed).
     */
    static final List<String> OBSERVABILITY = List.of(
            "jdk.internal.vm.ThreadContainers$RootContainer$TrackingRootContainer#VTHREADS",
            "jdk.internal.vm.SharedThreadContainer#virtualThreads",
            "jdk.internal.vm.ThreadContainers#CONTAINER_REGISTRY",
            "java.lang.ThreadGroup#threads");

    private long[] excludedFields = new long[0];              // class index << 32 | field index; a few
    private long[] excludedStatics = new long[0];
    /** By class index: whether the class declares an excluded field or static (most references need no more). */
    private final boolean[] declaresExcluded;
    private final HeapClass reference;
    private final HeapClass phantom;
    private int referentField = -1;

    private Exclusions(HeapIndex index) {
        declaresExcluded = new boolean[index.classCount()];
        reference = index.classByName("java.lang.ref.Reference");
        phantom = index.classByName("java.lang.ref.PhantomReference");
    }

    /** The exclusions of this dump: the classes and fields named above that it has. */
    static Exclusions resolve(HeapIndex index) {
        Exclusions x = new Exclusions(index);
        if (x.reference != null) {
            x.referentField = x.reference.fieldNames().indexOf("referent");
        }
        for (String spec : OBSERVABILITY) {
            String cls = spec.substring(0, spec.indexOf('#'));
            String field = spec.substring(spec.indexOf('#') + 1);
            HeapClass c = index.classByName(cls);
            if (c == null) {
                continue;
            }
            int fi = c.fieldNames().indexOf(field);
            if (fi >= 0) {
                x.excludedFields = append(x.excludedFields, ((long) c.index() << 32) | fi);
                x.declaresExcluded[c.index()] = true;
            }
            int si = c.staticFieldNames().indexOf(field);
            if (si >= 0) {
                x.excludedStatics = append(x.excludedStatics, ((long) c.index() << 32) | si);
                x.declaresExcluded[c.index()] = true;
            }
        }
        return x;
    }

    /**
     * Whether a reference of an object of class {@code from} (as {@link HeapIndex.ReferenceVisitor} gives it: its
     * kind, the class that declares the field, the field's index) is not followed.
     */
    boolean excluded(HeapClass from, ReferenceKind kind, HeapClass owner, int i) {
        if (owner != reference && !declaresExcluded[owner.index()]) {
            return false;
        }
        return switch (kind) {
            case FIELD -> (owner == reference && i == referentField && isPhantom(from))
                    || contains(excludedFields, owner, i);
            case STATIC_FIELD -> contains(excludedStatics, owner, i);
            default -> false;
        };
    }

    /** Whether the object whose references are read is a PhantomReference (its referent is never got). */
    private boolean isPhantom(HeapClass from) {
        return phantom != null && from != null && from.isSubclassOf(phantom);
    }

    private static boolean contains(long[] keys, HeapClass owner, int i) {
        long key = ((long) owner.index() << 32) | (i & 0xffffffffL);
        for (long k : keys) {
            if (k == key) {
                return true;
            }
        }
        return false;
    }

    private static long[] append(long[] a, long v) {
        long[] b = java.util.Arrays.copyOf(a, a.length + 1);
        b[a.length] = v;
        return b;
    }
}
