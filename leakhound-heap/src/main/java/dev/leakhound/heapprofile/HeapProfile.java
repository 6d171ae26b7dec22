package dev.leakhound.heapprofile;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One view of a heap profile: memory by the stack that allocated it, largest first.
 *
 * <p>{@link Kind#ALLOC}: every allocation sample of the window ({@code from} to {@code to}); {@code bytes} is the sum
 * of the samples' weights (JFR's estimate of the bytes the thread allocated since its previous sample), {@code
 * objects} the number of samples (JFR's {@code jdk.ObjectAllocationSample} gives no object size, so the number of
 * objects cannot be estimated: a sample stands for {@code weight} bytes of allocations). {@link Kind#INUSE}: the
 * objects of JFR's old-object sample still alive when it was last written ({@code to}); one sample is one object,
 * its bytes its size.
 *
 * @param kind           which view
 * @param source         where the events came from: a file name, or e.g. {@code "this JVM"}
 * @param from           the first event's time (alloc: the window's start when one was given), {@code null} if none
 * @param to             the last event's time (inuse: when the live samples were written), {@code null} if none
 * @param sites          the sites kept, largest bytes first
 * @param samples        every sample counted, the dropped ones too
 * @param objects        objects of every sample (alloc: samples)
 * @param bytes          bytes of every sample
 * @param dropped        the samples, objects and bytes of stacks past {@code maxSites} (counted, not kept)
 * @param maxSites       the cap on distinct sites
 * @param truncatedStacks samples whose stack JFR cut at its stack depth (default 64 frames)
 */
public record HeapProfile(Kind kind, String source, Instant from, Instant to, List<ProfileSite> sites,
                          long samples, long objects, long bytes, Totals dropped, int maxSites, long truncatedStacks) {

    /** The two views, named as pprof names their sample types. */
    public enum Kind {
        /** Allocations by stack over a window: {@code alloc_objects}/{@code alloc_space}. */
        ALLOC("alloc_objects", "alloc_space"),
        /** Sampled objects still alive by allocation stack: {@code inuse_objects}/{@code inuse_space}. */
        INUSE("inuse_objects", "inuse_space");

        private final String objectsType;
        private final String spaceType;

        Kind(String objectsType, String spaceType) {
            this.objectsType = objectsType;
            this.spaceType = spaceType;
        }

        /** pprof's sample type of the object counts (unit {@code count}). */
        public String objectsType() {
            return objectsType;
        }

        /** pprof's sample type of the bytes (unit {@code bytes}). */
        public String spaceType() {
            return spaceType;
        }

        /** {@code alloc} or {@code inuse}: the word of {@code --kind} and {@code ?kind=}. */
        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Samples, objects and bytes. */
    public record Totals(long samples, long objects, long bytes) {
        public static final Totals NONE = new Totals(0, 0, 0);
    }

    public HeapProfile {
        Objects.requireNonNull(kind, "kind");
        sites = List.copyOf(sites);
        dropped = dropped == null ? Totals.NONE : dropped;
    }

    /** The window's length, {@link Duration#ZERO} when unknown. */
    public Duration span() {
        return from == null || to == null || to.isBefore(from) ? Duration.ZERO : Duration.between(from, to);
    }

    /** The first {@code n} sites. */
    public List<ProfileSite> top(int n) {
        return sites.subList(0, Math.min(n, sites.size()));
    }
}
