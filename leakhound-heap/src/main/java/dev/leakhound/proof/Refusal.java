package dev.leakhound.proof;

import dev.leakhound.hprof.index.HeapClass;
import dev.leakhound.hprof.index.HeapIndex;
import dev.leakhound.hprof.index.ObjectKind;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Before the proof: whether the dump can support one. It cannot when a live virtual thread has no thread root (dumps
 * of JDK 21 and 22 hold no frames of unmounted virtual threads, so what only they hold would look unreachable).
 */
final class Refusal {
    private Refusal() {
    }

    /** Why the dump cannot support a proof, or {@code null}. */
    static String why(HeapIndex index, List<WaitingThread> threads) throws IOException {
        HeapClass vthread = index.classByName("java.lang.VirtualThread");
        if (vthread == null) {
            return null;
        }
        Set<Long> rooted = new HashSet<>();
        for (WaitingThread t : threads) {
            if (t.virtual()) {
                rooted.add(t.objectId());
            }
        }
        long neu = vthread.staticFieldNames().contains("NEW") ? vthread.staticValue("NEW") : 0;
        long terminated = vthread.staticFieldNames().contains("TERMINATED") ? vthread.staticValue("TERMINATED") : 99;
        long[] missing = {0};
        List<Long> unrooted = new ArrayList<>();
        boolean[] virtual = new boolean[index.classCount()];      // by class index: no walk up per object
        for (HeapClass c : index.classes()) {
            virtual[c.index()] = c.isSubclassOf(vthread);
        }
        index.forEachObject((id, kind, cls) -> {
            if (kind == ObjectKind.INSTANCE && cls != null && virtual[cls.index()] && !rooted.contains(id)) {
                unrooted.add(id);
            }
        });
        for (long id : unrooted) {
            // A state that cannot be read (a corrupt dump: no field of that name) may be a live one: counted.
            long state = index.hasField(index.classOf(id), "state") ? index.fieldValue(id, "state") & 0xff : -1;
            if (state != neu && state != terminated) {
                missing[0]++;
            }
        }
        return missing[0] == 0 ? null : missing[0] + " live virtual threads have no thread root in this dump (dumps "
                + "of JDK 21 and 22 leave out the frames of unmounted virtual threads): anything only they hold would "
                + "look unreachable, so no thread is claimed leaked; take the dump on JDK 23 or later";
    }
}
