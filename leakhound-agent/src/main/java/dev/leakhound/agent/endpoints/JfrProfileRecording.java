package dev.leakhound.agent.endpoints;

import dev.leakhound.agent.http.Unavailable;
import dev.leakhound.capture.CreationSites;
import dev.leakhound.heapprofile.HeapProfile;
import dev.leakhound.heapprofile.HeapProfile.Kind;
import dev.leakhound.heapprofile.HeapProfile.Totals;
import dev.leakhound.heapprofile.ProfileSite;
import dev.leakhound.heapprofile.jfr.JfrProfileBuilder;
import dev.leakhound.model.CreationSite;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;
import jdk.jfr.RecordingState;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The agent's JFR recording for the heap profile, and its reading. Measured on JDK 25 (docs/services.md, "Heap
 * profile"), which gives this design:
 *
 * <ul>
 *   <li>In memory ({@code setToDisk(false)}): JFR writes nothing while it records; its buffers are a ring of
 *       {@code memorysize} (10 MB by default) that drops the oldest. A to-disk recording would instead write to the
 *       JFR repository all the time, and would take the buffered events of a host's in-memory recording away from
 *       it (JFR moves every buffer into the disk chunks, which in-memory recordings do not see).</li>
 *   <li>Read by {@link FlightRecorder#takeSnapshot()}: the only read that sees our events whether or not the host
 *       records too (a dump of our recording misses them when a host's to-disk recording runs). The snapshot is
 *       a chunk in JFR's repository ({@code java.io.tmpdir/<date>_<pid>/}, which JFR creates at the first read and
 *       deletes at exit) and our copy of it in a private temporary directory: both deleted before the answer.</li>
 *   <li>A snapshot moves the buffered events out of the memory buffers: each read takes the allocation samples
 *       since the previous one, so the allocation samples are kept here between reads ({@link #MAX_EVENTS},
 *       {@link #MAX_SECONDS}). For the same reason, a read is refused while the host runs an in-memory recording
 *       of its own: the snapshot would take its buffered events.</li>
 *   <li>{@code jdk.OldObjectSample} events are written at each snapshot: every read gives the objects of JFR's
 *       sample (256 by default) still alive at the last GC. Root paths: a second recording with {@code cutoff}
 *       infinity runs for the snapshot only.</li>
 * </ul>
 */
final class JfrProfileRecording implements HeapProfiles.Source {
    static final String NAME = "leakhound-heap-profile";
    static final String ALLOCATION_THROTTLE = "150/s";
    /** Seconds of allocation samples kept between reads, and the most an alloc profile covers. */
    static final int MAX_SECONDS = 300;
    /** Allocation samples kept between reads: 150/s for {@link #MAX_SECONDS}, and some margin. */
    static final int MAX_EVENTS = 60_000;
    /** Sites per profile. */
    static final int MAX_SITES = 2_000;
    /** Distinct thread start sites a profile tells apart; the samples of others have no start site. */
    static final int MAX_START_SITES = 64;

    private final Recording recording;
    private final ArrayDeque<RecordedEvent> allocations = new ArrayDeque<>();
    private List<RecordedEvent> oldObjects = List.of();
    private Instant newestAllocation = Instant.MIN;
    private boolean closed;

    private JfrProfileRecording(Recording recording) {
        this.recording = recording;
    }

    static JfrProfileRecording start() {
        if (!FlightRecorder.isAvailable()) {
            throw new IllegalStateException("JFR is not available in this JVM (disabled, or not supported here)");
        }
        Recording r = new Recording();
        try {
            r.setName(NAME);
            r.enable(JfrProfileBuilder.ALLOCATION_SAMPLE).with("throttle", ALLOCATION_THROTTLE).withStackTrace();
            r.enable(JfrProfileBuilder.OLD_OBJECT_SAMPLE).withStackTrace().with("cutoff", "0 ns");
            r.setToDisk(false);
            r.start();
            return new JfrProfileRecording(r);
        } catch (RuntimeException | Error e) {
            r.close();
            throw e;
        }
    }

    @Override
    public HeapProfile alloc(Duration last) throws IOException {
        Instant now = Instant.now();
        List<RecordedEvent> events;
        synchronized (this) {
            read(false);
            Instant from = now.minus(last);
            events = allocations.stream().filter(e -> !e.getStartTime().isBefore(from)).toList();
        }
        return profile(Kind.ALLOC, events, new JfrProfileBuilder.Options(now.minus(last), null, MAX_SITES));
    }

    @Override
    public HeapProfile inuse(boolean roots) throws IOException {
        List<RecordedEvent> events;
        synchronized (this) {
            read(roots);
            events = oldObjects;
        }
        return profile(Kind.INUSE, events, new JfrProfileBuilder.Options(null, null, MAX_SITES));
    }

    /** Takes a snapshot of JFR's data: new allocation samples kept, the old-object samples replaced. */
    private void read(boolean roots) throws IOException {
        if (closed) {
            throw new Unavailable("the heap profile recording is closed (the agent stops)");
        }
        refuseBesideHostInMemory();
        Recording paths = null;
        Path dir = Files.createTempDirectory("leakhound-heap-profile-");   // owner-only on POSIX
        Path file = dir.resolve("snapshot.jfr");
        try {
            if (roots) {
                paths = new Recording();
                paths.setName(NAME + "-roots");
                paths.enable(JfrProfileBuilder.OLD_OBJECT_SAMPLE).withStackTrace().with("cutoff", "infinity");
                paths.setToDisk(false);
                paths.start();
            }
            try (Recording snapshot = FlightRecorder.getFlightRecorder().takeSnapshot()) {
                snapshot.dump(file);
            }
            take(file);
        } finally {
            if (paths != null) {
                // JFR walks the heap again when a recording with root paths stops (measured: a second pause as
                // long as the first); without the event, it does not
                paths.disable(JfrProfileBuilder.OLD_OBJECT_SAMPLE);
                paths.close();
            }
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
    }

    /** A snapshot moves the buffered events of every in-memory recording: the host's must keep theirs. */
    private void refuseBesideHostInMemory() {
        for (Recording r : FlightRecorder.getFlightRecorder().getRecordings()) {
            if (r.getId() != recording.getId() && r.getState() == RecordingState.RUNNING && !r.isToDisk()) {
                throw new Unavailable("this JVM also runs the in-memory JFR recording '" + r.getName() + "' (id "
                        + r.getId() + "): reading the heap profile would take that recording's buffered events"
                        + " (JFR's in-memory recordings share their buffers), so it is not read; dump that recording"
                        + " instead (jcmd PID JFR.dump name=" + r.getId() + " filename=rec.jfr; leakhound jfr rec.jfr)");
            }
        }
    }

    private void take(Path file) throws IOException {
        Instant oldest = Instant.now().minusSeconds(MAX_SECONDS);
        Instant newest = newestAllocation;
        List<RecordedEvent> fresh = new ArrayList<>();
        List<RecordedEvent> old = new ArrayList<>();
        Instant batch = null;
        try (RecordingFile in = new RecordingFile(file)) {
            while (in.hasMoreEvents()) {
                RecordedEvent e = in.readEvent();
                String name = e.getEventType().getName();
                if (name.equals(JfrProfileBuilder.ALLOCATION_SAMPLE)) {
                    // A host's to-disk chunks come again in each snapshot: only what is newer than the last read
                    if (e.getStartTime().isAfter(newestAllocation) && e.getStartTime().isAfter(oldest)) {
                        fresh.add(e);
                        newest = newest.isBefore(e.getStartTime()) ? e.getStartTime() : newest;
                    }
                } else if (name.equals(JfrProfileBuilder.OLD_OBJECT_SAMPLE)) {
                    // the latest batch: the one this snapshot wrote
                    if (batch == null || e.getStartTime().isAfter(batch)) {
                        batch = e.getStartTime();
                        old.clear();
                    }
                    if (e.getStartTime().equals(batch)) {
                        old.add(e);
                    }
                }
            }
        }
        fresh.sort(Comparator.comparing(RecordedEvent::getStartTime));
        allocations.addAll(fresh);
        while (!allocations.isEmpty() && (allocations.size() > MAX_EVENTS
                || allocations.peekFirst().getStartTime().isBefore(oldest))) {
            allocations.removeFirst();
        }
        newestAllocation = newest;
        oldObjects = List.copyOf(old);
    }

    /**
     * The profile of these events, each attributed to where its thread was started when the agent knows it
     * (platform and virtual threads alike, from its own start tracking): one builder per start site.
     */
    private static HeapProfile profile(Kind kind, List<RecordedEvent> events, JfrProfileBuilder.Options options) {
        Map<CreationSite, JfrProfileBuilder> bySite = new LinkedHashMap<>();
        JfrProfileBuilder unknown = new JfrProfileBuilder("this JVM", options);
        Map<Long, CreationSite> sites = new HashMap<>();
        for (RecordedEvent e : events) {
            CreationSite site = startSite(e, sites);
            JfrProfileBuilder b = site == null ? unknown : bySite.get(site);
            if (b == null) {
                b = bySite.size() < MAX_START_SITES ? new JfrProfileBuilder("this JVM", options) : unknown;
                if (b != unknown) {
                    bySite.put(site, b);
                }
            }
            b.accept(e);
        }
        List<HeapProfile> parts = new ArrayList<>();
        List<CreationSite> startedAt = new ArrayList<>();
        parts.add(unknown.profile(kind));
        startedAt.add(null);
        bySite.forEach((site, b) -> {
            parts.add(b.profile(kind));
            startedAt.add(site);
        });
        return merge(kind, parts, startedAt, options);
    }

    /** Where the event's thread was started, as a place (no creator, no time), or {@code null} when unknown. */
    private static CreationSite startSite(RecordedEvent e, Map<Long, CreationSite> cache) {
        RecordedThread t = e.getThread();
        if (t == null || t.getJavaThreadId() <= 0) {
            return null;
        }
        return cache.computeIfAbsent(t.getJavaThreadId(), id -> {
            CreationSite s = CreationSites.of(id);
            return s == null || s.frames().isEmpty() ? null : new CreationSite(s.frames(), null, null, s.poolFrames());
        });
    }

    private static HeapProfile merge(Kind kind, List<HeapProfile> parts, List<CreationSite> startedAt,
                                     JfrProfileBuilder.Options options) {
        List<ProfileSite> sites = new ArrayList<>();
        long samples = 0, objects = 0, bytes = 0, truncated = 0;
        long ds = 0, dob = 0, db = 0;
        Instant from = null, to = null;
        for (int i = 0; i < parts.size(); i++) {
            HeapProfile p = parts.get(i);
            CreationSite site = startedAt.get(i);
            for (ProfileSite s : p.sites()) {
                sites.add(site == null ? s : new ProfileSite(s.stack(), s.truncated(), site, s.samples(),
                        s.virtualSamples(), s.objects(), s.bytes(), s.types(), s.oldestAge(), s.rootPath()));
            }
            samples += p.samples();
            objects += p.objects();
            bytes += p.bytes();
            truncated += p.truncatedStacks();
            ds += p.dropped().samples();
            dob += p.dropped().objects();
            db += p.dropped().bytes();
            from = p.from() == null ? from : from == null || p.from().isBefore(from) ? p.from() : from;
            to = p.to() == null ? to : to == null || p.to().isAfter(to) ? p.to() : to;
        }
        sites.sort(Comparator.comparingLong(ProfileSite::bytes).reversed()
                .thenComparing(Comparator.comparingLong(ProfileSite::objects).reversed()));
        if (sites.size() > options.maxSites()) {
            for (ProfileSite s : sites.subList(options.maxSites(), sites.size())) {
                ds += s.samples();
                dob += s.objects();
                db += s.bytes();
            }
            sites = new ArrayList<>(sites.subList(0, options.maxSites()));
        }
        if (kind == Kind.ALLOC && options.from() != null) {
            from = options.from();
        }
        return new HeapProfile(kind, "this JVM", from, to, sites, samples, objects, bytes, new Totals(ds, dob, db),
                options.maxSites(), truncated);
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            allocations.clear();
            oldObjects = List.of();
            recording.close();
        }
    }
}
