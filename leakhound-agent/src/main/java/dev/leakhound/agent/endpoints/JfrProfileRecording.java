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
import jdk.jfr.FlightRecorderListener;
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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The agent's JFR recording for the heap profile, and its reading. Measured on JDK 25 (docs/services.md, "Heap
 * profile by allocating line"), which gives this design:
 *
 * <ul>
 *   <li>To disk, bounded ({@link #MAX_BYTES}, {@link #MAX_AGE}): in memory, JFR's native memory grew without end
 *       (some 250 KB/s) in a JVM whose threads come and go or that listens to GC notifications, as the agent does;
 *       to disk it stays flat (about 15 MB). JFR writes the chunks in its repository ({@code
 *       java.io.tmpdir/<date>_<pid>/}, or {@code -XX:FlightRecorderOptions:repository}), deletes those past the
 *       bounds, and deletes the repository when the JVM exits.</li>
 *   <li>Read by {@link Recording#dump}: a copy of our chunks in a private temporary directory, deleted before the
 *       answer; each dump also writes JFR's current old-object samples ({@code jdk.OldObjectSample}: the objects of
 *       JFR's sample, 256 by default, still alive at the last GC), with the settings of the recording dumped.
 *       Root paths: a second recording with {@code cutoff} infinity, started for one dump of its own.</li>
 *   <li>A to-disk recording moves every buffered event into the disk chunks, out of reach of an in-memory
 *       recording of the host's (JFR's in-memory recordings share the buffers): the recording does not start while
 *       one runs, and closes itself when one starts (a {@link FlightRecorderListener}).</li>
 * </ul>
 */
final class JfrProfileRecording implements HeapProfiles.Source {
    static final String NAME = "leakhound-heap-profile";
    static final String ALLOCATION_THROTTLE = "150/s";
    /** The most an alloc profile covers, in seconds. */
    static final int MAX_SECONDS = 300;
    /** How long JFR keeps our chunks: a little more than {@link #MAX_SECONDS}, for the chunk under way. */
    static final Duration MAX_AGE = Duration.ofSeconds(MAX_SECONDS + 60);
    /** The most JFR keeps of our chunks on disk. */
    static final long MAX_BYTES = 32L * 1024 * 1024;
    /** Sites per profile. */
    static final int MAX_SITES = 2_000;
    /** Distinct thread start sites a profile tells apart; the samples of others have no start site. */
    static final int MAX_START_SITES = 64;

    private final Recording recording;
    private final FlightRecorderListener listener;
    private volatile String closedBecause;

    private JfrProfileRecording(Recording recording) {
        this.recording = recording;
        this.listener = new FlightRecorderListener() {
            @Override
            public void recordingStateChanged(Recording r) {
                if (r.getId() != recording.getId() && isHostsInMemory(r)) {
                    closeBecause("the host started the in-memory JFR recording '" + r.getName() + "' (id " + r.getId()
                            + "), whose events this recording would take (JFR's in-memory recordings share their"
                            + " buffers with ours, which writes them to disk): the heap profile stopped; dump that"
                            + " recording instead (jcmd PID JFR.dump name=" + r.getId() + " filename=rec.jfr;"
                            + " leakhound jfr rec.jfr)");
                }
            }
        };
    }

    static JfrProfileRecording start() {
        if (!FlightRecorder.isAvailable()) {
            throw new IllegalStateException("JFR is not available in this JVM (disabled, or not supported here)");
        }
        for (Recording r : FlightRecorder.getFlightRecorder().getRecordings()) {
            if (isHostsInMemory(r)) {
                throw new IllegalStateException("this JVM runs the in-memory JFR recording '" + r.getName() + "' (id "
                        + r.getId() + "), whose events the heap profile recording would take (JFR's in-memory"
                        + " recordings share their buffers with ours, which writes them to disk); dump that recording"
                        + " instead (jcmd PID JFR.dump name=" + r.getId() + " filename=rec.jfr; leakhound jfr rec.jfr)");
            }
        }
        Recording r = new Recording();
        try {
            r.setName(NAME);
            r.enable(JfrProfileBuilder.ALLOCATION_SAMPLE).with("throttle", ALLOCATION_THROTTLE).withStackTrace();
            r.enable(JfrProfileBuilder.OLD_OBJECT_SAMPLE).withStackTrace().with("cutoff", "0 ns");
            r.setToDisk(true);
            r.setMaxAge(MAX_AGE);
            r.setMaxSize(MAX_BYTES);
            JfrProfileRecording ours = new JfrProfileRecording(r);
            FlightRecorder.addListener(ours.listener);
            r.start();
            return ours;
        } catch (RuntimeException | Error e) {
            r.close();
            throw e;
        }
    }

    private static boolean isHostsInMemory(Recording r) {
        return r.getState() == RecordingState.RUNNING && !r.isToDisk() && !r.getName().startsWith(NAME);
    }

    @Override
    public HeapProfile alloc(Duration last) throws IOException {
        Instant from = Instant.now().minus(last);
        return read(false, Kind.ALLOC, new JfrProfileBuilder.Options(from, null, MAX_SITES));
    }

    @Override
    public HeapProfile inuse(boolean roots) throws IOException {
        return read(roots, Kind.INUSE, new JfrProfileBuilder.Options(null, null, MAX_SITES));
    }

    /** Dumps our recording into a private temporary directory, reads the view from it, deletes it. */
    private synchronized HeapProfile read(boolean roots, Kind kind, JfrProfileBuilder.Options options)
            throws IOException {
        String why = closedBecause;
        if (why != null) {
            throw new Unavailable(why);
        }
        Recording paths = null;
        Path dir = Files.createTempDirectory("leakhound-heap-profile-");   // owner-only on POSIX
        Path file = dir.resolve("profile.jfr");
        try {
            if (roots) {
                paths = new Recording();
                paths.setName(NAME + "-roots");
                paths.enable(JfrProfileBuilder.OLD_OBJECT_SAMPLE).withStackTrace().with("cutoff", "infinity");
                paths.setToDisk(true);
                paths.start();
            }
            // JFR writes the old-object samples of a dump with the settings of the recording dumped: the roots one
            // for root paths (it holds the samples as of now, which is all the inuse view reads)
            (paths != null ? paths : recording).dump(file);
            String event = kind == Kind.ALLOC ? JfrProfileBuilder.ALLOCATION_SAMPLE : JfrProfileBuilder.OLD_OBJECT_SAMPLE;
            BySite sites = new BySite(options);
            try (RecordingFile in = new RecordingFile(file)) {
                while (in.hasMoreEvents()) {
                    RecordedEvent e = in.readEvent();
                    if (e.getEventType().getName().equals(event)) {
                        sites.accept(e);
                    }
                }
            }
            return sites.profile(kind);
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

    /**
     * Events attributed to where their thread was started when the agent knows it (platform and virtual threads
     * alike, from its own start tracking): one builder per start site.
     */
    private static final class BySite {
        private final JfrProfileBuilder.Options options;
        private final Map<CreationSite, JfrProfileBuilder> bySite = new LinkedHashMap<>();
        private final JfrProfileBuilder unknown;
        private final Map<Long, CreationSite> sites = new HashMap<>();

        BySite(JfrProfileBuilder.Options options) {
            this.options = options;
            this.unknown = new JfrProfileBuilder("this JVM", options);
        }

        void accept(RecordedEvent e) {
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

        HeapProfile profile(Kind kind) {
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

    private void closeBecause(String why) {
        closedBecause = why;
        try {
            FlightRecorder.removeListener(listener);
            recording.close();
        } catch (RuntimeException e) {
            // already closed, or JFR is shutting down
        }
    }

    @Override
    public void close() {
        if (closedBecause == null) {
            closeBecause("the heap profile recording is closed (the agent stops)");
        }
    }
}
