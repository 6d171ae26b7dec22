package dev.leakhound.heapprofile.jfr;

import dev.leakhound.heapprofile.HeapProfile;
import dev.leakhound.heapprofile.HeapProfile.Kind;
import dev.leakhound.heapprofile.HeapProfile.Totals;
import dev.leakhound.heapprofile.ProfileSite;
import dev.leakhound.model.CreationSite;
import dev.leakhound.model.StackFrame;
import jdk.jfr.consumer.RecordedClass;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedObject;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Aggregates JFR events into the two views of a heap profile as they come, one at a time ({@link #accept}), holding
 * only what the views need: one entry per distinct stack (and start site), frames and stacks shared.
 *
 * <ul>
 *   <li>{@value #ALLOCATION_SAMPLE}: the alloc view; one sample, {@code weight} bytes, at its stack; only events
 *       whose start time is in the {@link Options#from()}-{@link Options#to()} window count.</li>
 *   <li>{@value #OLD_OBJECT_SAMPLE}: the inuse view. JFR writes the sampled objects still alive all at once, with
 *       one start time, when a recording is dumped or a chunk ends; a recording may thus hold several such
 *       batches, with the same objects again: only the latest batch counts (a later start time starts a new view,
 *       an earlier one is skipped). One sample is one object of {@code objectSize} bytes (an array's whole size),
 *       of age {@code objectAge}; when the event carries the path from a GC root ({@code path-to-gc-roots=true}),
 *       the site keeps the path of its largest object.</li>
 *   <li>{@value #THREAD_START}: where a platform thread was started (the creator's stack), attached to the later
 *       samples of that thread ("started at"). JFR writes no such event for virtual threads, nor for threads
 *       started before the recording: their samples have no start site. A file's events are not in time order, so
 *       read its thread starts first ({@link JfrRecording} does).</li>
 * </ul>
 * Samples of virtual threads are attributed like those of platform threads (by stack) and counted apart
 * ({@link ProfileSite#virtualSamples()}).
 *
 * <p>Bounds: at most {@link Options#maxSites()} sites per view (the samples of further stacks are counted in
 * {@link HeapProfile#dropped()}), {@link #MAX_FRAMES} frames per stack (the innermost), {@link #MAX_THREADS}
 * threads' start sites, {@link #MAX_PATH} steps of a root path. Not thread-safe: one reader at a time.
 */
public final class JfrProfileBuilder {
    public static final String ALLOCATION_SAMPLE = "jdk.ObjectAllocationSample";
    public static final String OLD_OBJECT_SAMPLE = "jdk.OldObjectSample";
    public static final String THREAD_START = "jdk.ThreadStart";

    /** Frames kept per stack, the innermost (JFR's default stack depth is 64). */
    public static final int MAX_FRAMES = 64;
    /** Threads whose start site is kept. */
    public static final int MAX_THREADS = 100_000;
    /** Distinct frames shared; past it frames are still kept, only not shared. */
    static final int MAX_SHARED_FRAMES = 200_000;
    /** Steps of a root path kept (the ones nearest the object). */
    public static final int MAX_PATH = 32;

    /**
     * What to keep.
     *
     * @param from     alloc samples before it are skipped ({@code null}: none)
     * @param to       alloc samples after it are skipped ({@code null}: none)
     * @param maxSites distinct sites kept per view
     */
    public record Options(Instant from, Instant to, int maxSites) {
        public static final int DEFAULT_MAX_SITES = 10_000;
        public static final Options DEFAULTS = new Options(null, null, DEFAULT_MAX_SITES);

        public Options {
            if (maxSites < 1) {
                throw new IllegalArgumentException("maxSites must be at least 1: " + maxSites);
            }
        }

        /** Alloc samples from {@code from} on. */
        public Options since(Instant from) {
            return new Options(from, to, maxSites);
        }
    }

    private final Options options;
    private final String source;
    private final Map<StackFrame, StackFrame> frames = new HashMap<>();
    private final Map<List<StackFrame>, CreationSite> startSites = new HashMap<>();
    private final Map<Long, CreationSite> threadStarts = new HashMap<>();
    private final Map<String, Long> seen = new LinkedHashMap<>();
    private final View alloc;
    private View inuse;
    private Instant inuseBatch;
    private long threadStartsMissed;

    /** A builder for events from {@code source} (a file name, or e.g. {@code "this JVM"}). */
    public JfrProfileBuilder(String source, Options options) {
        this.source = Objects.requireNonNull(source, "source");
        this.options = Objects.requireNonNull(options, "options");
        this.alloc = new View(Kind.ALLOC, options.maxSites());
        this.inuse = new View(Kind.INUSE, options.maxSites());
    }

    /**
     * Takes one event: one of the three above is counted, any other is ignored.
     *
     * @return whether the event was one of the three
     */
    public boolean accept(RecordedEvent event) {
        String name = event.getEventType().getName();
        switch (name) {
            case ALLOCATION_SAMPLE -> allocation(event);
            case OLD_OBJECT_SAMPLE -> oldObject(event);
            case THREAD_START -> threadStart(event);
            default -> {
                return false;
            }
        }
        seen.merge(name, 1L, Long::sum);
        return true;
    }

    /** How many events of a name were taken (0 for one never seen): to say which events a recording lacks. */
    public long events(String name) {
        return seen.getOrDefault(name, 0L);
    }

    /** The view of a kind, as of now. */
    public HeapProfile profile(Kind kind) {
        return (kind == Kind.ALLOC ? alloc : inuse).snapshot(source);
    }

    // ---------------------------------------------------------------- events

    private void allocation(RecordedEvent e) {
        Instant at = e.getStartTime();
        if (options.from() != null && at.isBefore(options.from()) || options.to() != null && at.isAfter(options.to())) {
            return;
        }
        long weight = Math.max(0, e.getLong("weight"));
        RecordedClass type = e.getClass("objectClass");
        alloc.add(e, at, 1, weight, type == null ? null : javaName(type.getName()), null, null);
    }

    private void oldObject(RecordedEvent e) {
        Instant at = e.getStartTime();
        if (inuseBatch != null && at.isBefore(inuseBatch)) {
            return;                                         // an earlier batch: the objects may have died since
        }
        if (inuseBatch != null && at.isAfter(inuseBatch)) {
            inuse = new View(Kind.INUSE, options.maxSites());
        }
        inuseBatch = at;
        long size = Math.max(0, e.hasField("objectSize") ? e.getLong("objectSize") : 0);
        RecordedObject object = e.hasField("object") ? e.getValue("object") : null;
        String type = null;
        if (object != null && object.hasField("type") && object.getValue("type") instanceof RecordedClass c) {
            type = javaName(c.getName());
        }
        Duration age = e.hasField("objectAge") ? e.getDuration("objectAge") : null;
        inuse.add(e, at, 1, size, type, age, object);
    }

    private void threadStart(RecordedEvent e) {
        RecordedThread thread = e.hasField("thread") ? e.getThread("thread") : null;
        RecordedStackTrace trace = e.getStackTrace();
        if (thread == null || trace == null || thread.getJavaThreadId() < 0) {
            return;
        }
        if (threadStarts.size() >= MAX_THREADS && !threadStarts.containsKey(thread.getJavaThreadId())) {
            threadStartsMissed++;
            return;
        }
        List<StackFrame> stack = stack(trace);
        // The site is where, not who or when: one entry for all threads started at the same stack.
        CreationSite site = startSites.size() < options.maxSites()
                ? startSites.computeIfAbsent(stack, s -> new CreationSite(s, null, null))
                : startSites.getOrDefault(stack, new CreationSite(stack, null, null));
        threadStarts.put(thread.getJavaThreadId(), site);
    }

    /** Thread starts not kept because {@link #MAX_THREADS} were. */
    public long threadStartsMissed() {
        return threadStartsMissed;
    }

    private List<StackFrame> stack(RecordedStackTrace trace) {
        List<RecordedFrame> recorded = trace.getFrames();
        int n = Math.min(recorded.size(), MAX_FRAMES);
        StackFrame[] out = new StackFrame[n];
        for (int i = 0; i < n; i++) {
            out[i] = frame(recorded.get(i));
        }
        return List.of(out);
    }

    private StackFrame frame(RecordedFrame f) {
        RecordedMethod m = f.getMethod();
        String className = m == null || m.getType() == null ? "<unknown>" : m.getType().getName();
        String method = m == null ? "<unknown>" : m.getName();
        int line = f.getLineNumber();
        StackFrame frame = new StackFrame(null, className, method, null,
                line > 0 ? line : StackFrame.UNKNOWN_LINE);
        StackFrame shared = frames.get(frame);
        if (shared != null) {
            return shared;
        }
        if (frames.size() < MAX_SHARED_FRAMES) {
            frames.put(frame, frame);
        }
        return frame;
    }

    /**
     * {@code byte[]}, {@code java.util.HashMap$Node[]}: JFR names array classes as the JVM does ({@code [B},
     * {@code [Ljava.util.HashMap$Node;}); other names are kept.
     */
    static String javaName(String jvmName) {
        if (jvmName == null || !jvmName.startsWith("[")) {
            return jvmName;
        }
        int dims = 0;
        while (dims < jvmName.length() && jvmName.charAt(dims) == '[') {
            dims++;
        }
        String element = jvmName.substring(dims);
        String base = switch (element) {
            case "Z" -> "boolean";
            case "B" -> "byte";
            case "C" -> "char";
            case "S" -> "short";
            case "I" -> "int";
            case "J" -> "long";
            case "F" -> "float";
            case "D" -> "double";
            default -> element.startsWith("L") && element.endsWith(";")
                    ? element.substring(1, element.length() - 1) : element;
        };
        return base + "[]".repeat(dims);
    }

    // ---------------------------------------------------------------- the views

    private record SiteKey(List<StackFrame> stack, CreationSite startedAt) {
    }

    /** One view's sites as they are added up. */
    private final class View {
        private final Kind kind;
        private final int maxSites;
        private final Map<SiteKey, Site> sites = new HashMap<>();
        private long samples;
        private long objects;
        private long bytes;
        private long droppedSamples;
        private long droppedObjects;
        private long droppedBytes;
        private long truncated;
        private Instant first;
        private Instant last;

        View(Kind kind, int maxSites) {
            this.kind = kind;
            this.maxSites = maxSites;
        }

        void add(RecordedEvent e, Instant at, long count, long size, String type, Duration age, RecordedObject object) {
            samples++;
            objects += count;
            bytes += size;
            first = first == null || at.isBefore(first) ? at : first;
            last = last == null || at.isAfter(last) ? at : last;
            RecordedStackTrace trace = e.getStackTrace();
            boolean cut = trace != null && trace.isTruncated();
            if (cut) {
                truncated++;
            }
            List<StackFrame> stack = trace == null ? List.of() : stack(trace);
            RecordedThread thread = e.getThread();
            boolean virtual = thread != null && thread.isVirtual();
            CreationSite started = thread == null || virtual ? null : threadStarts.get(thread.getJavaThreadId());
            SiteKey key = new SiteKey(stack, started);
            Site site = sites.get(key);
            if (site == null) {
                if (sites.size() >= maxSites) {
                    droppedSamples++;
                    droppedObjects += count;
                    droppedBytes += size;
                    return;
                }
                site = new Site(key);
                sites.put(key, site);
            }
            site.add(cut, virtual, count, size, type, age, object, kind == Kind.INUSE ? e : null);
        }

        HeapProfile snapshot(String source) {
            List<ProfileSite> out = new ArrayList<>(sites.size());
            for (Site s : sites.values()) {
                out.add(s.snapshot());
            }
            out.sort(Comparator.comparingLong(ProfileSite::bytes).reversed()
                    .thenComparing(Comparator.comparingLong(ProfileSite::objects).reversed())
                    .thenComparing(s -> s.stack().toString()));
            Instant from = kind == Kind.ALLOC && options.from() != null ? options.from() : first;
            return new HeapProfile(kind, source, from, last, out, samples, objects, bytes,
                    new Totals(droppedSamples, droppedObjects, droppedBytes), maxSites, truncated);
        }
    }

    /** One site as it is added up. */
    private static final class Site {
        private final SiteKey key;
        private boolean truncated;
        private long samples;
        private long virtualSamples;
        private long objects;
        private long bytes;
        private final Map<String, long[]> types = new LinkedHashMap<>();
        private Duration oldest;
        private long largestWithPath = -1;
        private List<String> rootPath = List.of();

        Site(SiteKey key) {
            this.key = key;
        }

        void add(boolean cut, boolean virtual, long count, long size, String type, Duration age, RecordedObject object,
                 RecordedEvent oldObject) {
            truncated |= cut;
            samples++;
            virtualSamples += virtual ? 1 : 0;
            objects += count;
            bytes += size;
            if (type != null) {
                long[] t = types.get(type);
                if (t == null && types.size() < 2 * ProfileSite.MAX_TYPES) {     // a few more than shown, to rank them
                    t = new long[2];
                    types.put(type, t);
                }
                if (t != null) {
                    t[0] += count;
                    t[1] += size;
                }
            }
            if (age != null && (oldest == null || age.compareTo(oldest) > 0)) {
                oldest = age;
            }
            if (oldObject != null && size > largestWithPath) {
                List<String> path = RootPaths.of(oldObject, object);
                if (!path.isEmpty()) {
                    largestWithPath = size;
                    rootPath = path;
                }
            }
        }

        ProfileSite snapshot() {
            List<ProfileSite.TypeShare> shares = new ArrayList<>(types.size());
            types.forEach((name, t) -> shares.add(new ProfileSite.TypeShare(name, t[0], t[1])));
            shares.sort(Comparator.comparingLong(ProfileSite.TypeShare::bytes).reversed());
            return new ProfileSite(key.stack(), truncated, key.startedAt(), samples, virtualSamples, objects, bytes,
                    shares.subList(0, Math.min(ProfileSite.MAX_TYPES, shares.size())), oldest, rootPath);
        }
    }
}
