package dev.leakhound.analysis;

import dev.leakhound.model.Blocker;
import dev.leakhound.model.CreationSite;
import dev.leakhound.model.StackFrame;
import dev.leakhound.model.ThreadDump;
import dev.leakhound.model.ThreadSnapshot;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Finds leaks by watching blocking sites whose number of stuck threads keeps growing (the approach of
 * Uber's LeakProf): fed with successive samples of grouped threads, it reports the sites of threads
 * blocked with no timeout whose count has grown over the last {@code window} samples.
 *
 * <h2>Sites</h2>
 * A site is what {@link ThreadGrouping} groups by: state, blocker kind and class, the whole stack (by
 * value, so equal stacks from different captures are the same site; the JDK's frames without their lines, which
 * threads inside a JDK class that an attached agent retransformed lose); and, within such a group, where the threads
 * were started when the agent records it (one blocking line reached from two places in the code is two sites,
 * threads without a recorded start a third). A suspect's group holds the threads of its site: its blocking line
 * and stack are the group's, its start site one of the group's. Identity hashes of blocker objects
 * and thread ids are left out, so the key is stable from one sample to the next. Only groups
 * {@linkplain StackGroup#blockedWithoutTimeout() blocked with no timeout} are tracked: a thread with a
 * timeout or a running thread moves on by itself. Groups of one sample with the same site (a caller may
 * split groups further, e.g. by creation site) are added up. Threads without a recorded start (those started
 * before the agent was attached, say) count with the threads of the one start site recorded at their blocking
 * line, when there is exactly one: a leak that began before the attach is one site with the threads it leaks
 * after it.
 *
 * <h2>When a site is reported</h2>
 * From the {@value #MIN_SAMPLES}rd sample on (or the {@code window}th, if smaller), over the samples of the window
 * taken so far ({@code w} of them, at most {@code window}), with {@code c[0]} the oldest count and {@code c[w-1]}
 * the latest (a sample in which the site was absent counts 0), a site is named for its growth when all of these
 * hold:
 * <ul>
 *   <li>it is present in the latest sample;</li>
 *   <li>while the window is not yet full, its latest count is above every earlier one (a pool that grew once at
 *       start-up and stays is not named);</li>
 *   <li>its threads are not the idle workers of one pool (a {@code ThreadPoolExecutor} or {@code ForkJoinPool}
 *       waiting for tasks in the pool's own code, all in one container or with no container known): a pool grows
 *       to its size and stays there; idle workers of many pools (pools nobody shuts down) are judged as any
 *       others;</li>
 *   <li>its growth {@code c[w-1] - c[0]} is at least {@code minGrowth};</li>
 *   <li>its trend, Kendall's tau-a of the counts against their order
 *       ({@code sum over i<j of sign(c[j]-c[i])}, divided by {@code w(w-1)/2}), is at least
 *       {@code minTrend}. A leak only adds threads, so its counts rise (tau 1); a busy but healthy site
 *       goes up and down (tau near 0) even when its last count happens to be above its first. With the
 *       default 0.5, a noisy rise such as {@code 10 14 13 19 22} (tau 0.8) is reported and a jitter such
 *       as {@code 9 12 10 8 11} (tau 0) is not.</li>
 * </ul>
 * A site named for its growth stays named, while not growing, as long as at least one of the threads it had
 * when it was last named for its growth is still at the site in every sample since (they never woke, or the
 * detector would have seen them elsewhere or gone): growth finds a leak, its stuck threads keep it named until
 * they end ({@link GrowingGroup#growing()} tells the two apart). A burst of leaked threads, a leak that stopped,
 * or a slow leak that grows by one thread now and then stay named; a busy site whose threads come and go loses
 * its name with the threads it had.
 *
 * <p>Results are sorted by growth, then by current count, largest first.
 *
 * <h2>Thread ages</h2>
 * For the threads of tracked sites it remembers when each thread id was first seen, to report the age
 * of each suspect's oldest thread. A thread that is no longer in a tracked site is forgotten at the
 * next sample (a thread that leaves and comes back starts again). At most {@code maxTrackedThreads} ids
 * are kept (default one million, 16 bytes each, in two sorted arrays); past that, the threads seen
 * most recently are not tracked, which can only hide young threads, never the oldest one.
 *
 * <h2>Memory</h2>
 * Bounded by {@code maxSites} sites (default 10,000), each holding its stack and {@code window} counts, and
 * the thread ids above. A site absent from every sample of the window is dropped. When there are more
 * sites than {@code maxSites}, those absent from the latest sample go first (least recently present
 * first), then those with the fewest threads. An evicted site that comes back starts with zeros for the
 * samples it missed, as a site never seen before; since the least important sites go first, this can only
 * make a small site look as if it had just appeared.
 *
 * <h2>Threads</h2>
 * {@link #add} is for one writer at a time (calls are serialized). Readers of {@link #suspects()} and the
 * other getters may run concurrently with it: they see immutable results of the latest completed sample.
 */
public final class GrowthDetector {
    /** Default window: 3 samples (so a leak is reported at the third sample after it starts). */
    static final int DEFAULT_WINDOW = 3;
    /** The fewest samples a growth is judged on, while the window is not yet full: 3. */
    public static final int MIN_SAMPLES = 3;
    /** Default minimum growth over the window: 2 threads. */
    static final int DEFAULT_MIN_GROWTH = 2;
    /** Default minimum trend (Kendall's tau): 0.5. */
    static final double DEFAULT_MIN_TREND = 0.5;
    /** Default maximum number of tracked sites: 10,000. */
    static final int DEFAULT_MAX_SITES = 10_000;
    /** Default maximum number of tracked thread ids: 1,000,000 (about 16 MB). */
    static final int DEFAULT_MAX_TRACKED_THREADS = 1_000_000;

    private static final long[] NO_LONGS = new long[0];

    private final int window;
    private final int minGrowth;
    private final double minTrend;
    private final int maxSites;
    private final int maxTrackedThreads;

    // Writer state, guarded by "this".
    private final Map<SiteKey, Site> sites = new HashMap<>();
    private final Instant[] times;                 // the last `window` sample times, oldest first
    private long[] trackedIds = NO_LONGS;          // sorted ascending
    private long[] trackedSince = NO_LONGS;        // first-seen epoch millis, parallel to trackedIds

    // Published to readers.
    private volatile List<GrowingGroup> suspects = List.of();
    private volatile long samples;
    private volatile Instant lastSampleAt;
    private volatile int siteCount;
    private volatile int trackedThreadCount;

    /** A detector with the defaults: window 3, minimum growth 2, minimum trend 0.5. */
    public GrowthDetector() {
        this(DEFAULT_WINDOW, DEFAULT_MIN_GROWTH);
    }

    /** A detector with the given window and minimum growth and the other defaults. */
    public GrowthDetector(int window, int minGrowth) {
        this(window, minGrowth, DEFAULT_MIN_TREND, DEFAULT_MAX_SITES, DEFAULT_MAX_TRACKED_THREADS);
    }

    /**
     * A detector with all its bounds given; package-private: users get the default bounds, the tests smaller ones.
     *
     * @param window            samples a growth is judged over, at least 2
     * @param minGrowth         threads a site must have gained over the window, at least 1
     * @param minTrend          minimum Kendall tau of the window's counts, in {@code [-1, 1]}
     * @param maxSites          the most sites kept, at least 1
     * @param maxTrackedThreads the most thread ids whose first-seen time is kept, at least 0
     */
    GrowthDetector(int window, int minGrowth, double minTrend, int maxSites, int maxTrackedThreads) {
        if (window < 2) {
            throw new IllegalArgumentException("window must be at least 2 samples: " + window);
        }
        if (minGrowth < 1) {
            throw new IllegalArgumentException("minGrowth must be at least 1: " + minGrowth);
        }
        if (!(minTrend >= -1 && minTrend <= 1)) {
            throw new IllegalArgumentException("minTrend must be in [-1, 1]: " + minTrend);
        }
        if (maxSites < 1) {
            throw new IllegalArgumentException("maxSites must be at least 1: " + maxSites);
        }
        if (maxTrackedThreads < 0) {
            throw new IllegalArgumentException("maxTrackedThreads must not be negative: " + maxTrackedThreads);
        }
        this.window = window;
        this.minGrowth = minGrowth;
        this.minTrend = minTrend;
        this.maxSites = maxSites;
        this.maxTrackedThreads = maxTrackedThreads;
        this.times = new Instant[window];
    }

    /**
     * Groups the dump's threads and adds them as a sample taken at the dump's capture time (now, if the
     * dump does not say).
     *
     * @return the suspects after this sample, as {@link #suspects()}
     */
    public List<GrowingGroup> add(ThreadDump dump) {
        Instant at = dump.capturedAt() != null ? dump.capturedAt() : Instant.now();
        return add(at, ThreadGrouping.group(dump.threads()));
    }

    /**
     * Adds a sample. Samples must come in time order; a time before the previous sample's (a wall clock
     * set back) is taken as the previous sample's time.
     *
     * @param at     when the sample was taken
     * @param groups the sample's groups, as {@link ThreadGrouping#group} makes them; all groups may be
     *               given, only those blocked with no timeout are used
     * @return the suspects after this sample, as {@link #suspects()}
     */
    public synchronized List<GrowingGroup> add(Instant at, List<StackGroup> groups) {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(groups, "groups");
        Instant last = times[window - 1];
        if (last != null && at.isBefore(last)) {
            at = last;
        }
        System.arraycopy(times, 1, times, 0, window - 1);
        times[window - 1] = at;
        long sample = samples + 1;

        // 1. This sample's blocked sites: by blocking line, then by start site.
        Map<SiteKey, List<StackGroup>> byLine = new LinkedHashMap<>();
        int blockedThreads = 0;
        for (StackGroup g : groups) {
            if (g != null && g.blockedWithoutTimeout()) {
                for (StackGroup part : byStartSite(g)) {
                    byLine.computeIfAbsent(SiteKey.of(part).withStart(null), k -> new ArrayList<>(1)).add(part);
                    blockedThreads += part.count();
                }
            }
        }
        Map<SiteKey, List<StackGroup>> current = new LinkedHashMap<>();
        for (Map.Entry<SiteKey, List<StackGroup>> e : byLine.entrySet()) {
            List<StackFrame> only = onlyStartSite(e.getValue());
            if (only != null) {
                // The line's first recorded start (the first thread started after an attach, say): its site goes on
                // with the counts of the threads seen there before, whose start was not recorded.
                SiteKey started = e.getKey().withStart(only);
                Site before = sites.get(e.getKey());
                if (before != null && !sites.containsKey(started)) {
                    sites.remove(e.getKey());
                    sites.put(started, before.as(started));
                }
            }
            for (StackGroup part : e.getValue()) {
                SiteKey key = only != null ? e.getKey().withStart(only) : SiteKey.of(part);
                current.computeIfAbsent(key, k -> new ArrayList<>(1)).add(part);
            }
        }

        // 2. Shift every site's counts, add the new ones, drop sites absent from the whole window.
        for (Iterator<Site> it = sites.values().iterator(); it.hasNext(); ) {
            Site s = it.next();
            List<StackGroup> now = current.get(s.key);
            s.shift(now == null ? 0 : total(now), sample);
            if (now == null) {
                s.unname();
            }
            if (s.isEmpty()) {
                it.remove();
            }
        }
        for (Map.Entry<SiteKey, List<StackGroup>> e : current.entrySet()) {
            if (!sites.containsKey(e.getKey())) {
                Site s = new Site(e.getKey(), window);
                s.shift(total(e.getValue()), sample);
                sites.put(e.getKey(), s);
            }
        }
        if (sites.size() > maxSites) {
            evict(sample);
        }

        // 3. First-seen times of the blocked threads.
        long[] ids = new long[blockedThreads];
        int n = 0;
        for (Map.Entry<SiteKey, List<StackGroup>> e : current.entrySet()) {
            if (sites.containsKey(e.getKey())) {
                for (StackGroup g : e.getValue()) {
                    for (ThreadSnapshot t : g.threads()) {
                        ids[n++] = t.id();
                    }
                }
            }
        }
        track(Arrays.copyOf(ids, n), at.toEpochMilli());

        // 4. The suspects.
        List<GrowingGroup> found = new ArrayList<>();
        int judged = (int) Math.min(sample, window);
        for (Map.Entry<SiteKey, List<StackGroup>> e : current.entrySet()) {
            Site s = sites.get(e.getKey());
            if (s != null) {
                GrowingGroup g = judge(s, e.getValue(), judged, at);
                if (g != null) {
                    found.add(g);
                }
            }
        }
        if (!found.isEmpty()) {
            found.sort(Comparator.comparingInt(GrowingGroup::growth).reversed()
                    .thenComparing(Comparator.comparingInt(GrowingGroup::count).reversed()));
        }

        List<GrowingGroup> result = List.copyOf(found);
        suspects = result;
        siteCount = sites.size();
        trackedThreadCount = trackedIds.length;
        lastSampleAt = at;
        samples = sample;
        return result;
    }

    /**
     * The site as a suspect, named for its growth over the last {@code judged} samples or held by its threads that
     * stayed since it was, or {@code null}; updates which threads hold it.
     */
    private GrowingGroup judge(Site s, List<StackGroup> now, int judged, Instant at) {
        StackGroup group = now.size() == 1 ? now.get(0) : merge(now);
        long[] ids = ids(group);
        int[] c = Arrays.copyOfRange(s.counts, window - judged, window);
        int growth = c[judged - 1] - c[0];
        double trend = kendallTau(c);
        boolean growing = judged >= Math.min(MIN_SAMPLES, window) && growth >= minGrowth && trend >= minTrend
                && (judged == window || aboveAllEarlier(c)) && !(group.idlePoolWorkers() && group.containers().size() <= 1);
        if (growing) {
            s.held = ids;
            if (s.namedAt == null) {
                s.namedAt = at;
            }
        } else {
            s.held = s.held.length == 0 ? NO_LONGS : intersect(s.held, ids);
            if (s.held.length == 0) {
                s.namedAt = null;
                return null;
            }
        }
        Instant start = times[window - judged];
        Instant end = times[window - 1];
        double minutes = Duration.between(start, end).toNanos() / 60e9;
        double perMinute = minutes > 0 ? growth / minutes : Double.NaN;
        long oldest = Long.MAX_VALUE;
        for (ThreadSnapshot t : group.threads()) {
            int i = Arrays.binarySearch(trackedIds, t.id());
            if (i >= 0 && trackedSince[i] < oldest) {
                oldest = trackedSince[i];
            }
        }
        Instant oldestSeen = oldest == Long.MAX_VALUE ? null : Instant.ofEpochMilli(oldest);
        Duration age = oldestSeen == null ? null : Duration.between(oldestSeen, end);
        List<Integer> counts = new ArrayList<>(judged);
        for (int v : c) {
            counts.add(v);
        }
        return new GrowingGroup(group, counts, start, end, growth, (double) growth / (judged - 1), perMinute,
                trend, oldestSeen, age, growing, s.namedAt, s.held.length);
    }

    private static boolean aboveAllEarlier(int[] c) {
        for (int i = 0; i < c.length - 1; i++) {
            if (c[i] >= c[c.length - 1]) {
                return false;
            }
        }
        return true;
    }


    /** The distinct thread ids of the group, sorted. */
    private static long[] ids(StackGroup g) {
        long[] ids = new long[g.threads().size()];
        int n = 0;
        for (ThreadSnapshot t : g.threads()) {
            ids[n++] = t.id();
        }
        Arrays.sort(ids);
        int distinct = 0;
        for (int i = 0; i < n; i++) {
            if (i == 0 || ids[i] != ids[i - 1]) {
                ids[distinct++] = ids[i];
            }
        }
        return distinct == n ? ids : Arrays.copyOf(ids, distinct);
    }

    /** The ids in both sorted arrays, sorted. */
    private static long[] intersect(long[] a, long[] b) {
        long[] out = new long[Math.min(a.length, b.length)];
        int k = 0;
        for (int i = 0, j = 0; i < a.length && j < b.length; ) {
            if (a[i] == b[j]) {
                out[k++] = a[i];
                i++;
                j++;
            } else if (a[i] < b[j]) {
                i++;
            } else {
                j++;
            }
        }
        return k == out.length ? out : Arrays.copyOf(out, k);
    }

    /**
     * The one start site recorded among the parts of a blocking line, when there is exactly one (threads without a
     * recorded start then count with it); {@code null} when there are none or several.
     */
    private static List<StackFrame> onlyStartSite(List<StackGroup> parts) {
        List<StackFrame> only = null;
        for (StackGroup part : parts) {
            List<StackFrame> started = SiteKey.of(part).started;
            if (started == null || started.isEmpty()) {
                continue;
            }
            if (only != null && !only.equals(started)) {
                return null;
            }
            only = started;
        }
        return only;
    }

    /** Kendall's tau-a: concordant minus discordant pairs of (index, count), over all pairs. */
    static double kendallTau(int[] c) {
        long s = 0;
        for (int i = 0; i < c.length; i++) {
            for (int j = i + 1; j < c.length; j++) {
                s += Integer.signum(Integer.compare(c[j], c[i]));
            }
        }
        long pairs = (long) c.length * (c.length - 1) / 2;
        return pairs == 0 ? 0 : (double) s / pairs;
    }

    private static int total(List<StackGroup> groups) {
        int n = 0;
        for (StackGroup g : groups) {
            n += g.count();
        }
        return n;
    }

    /**
     * A group split by start site ({@link CreationSite#groupingKey()}; threads without one apart): a site's growth is
     * judged on the threads started at one place, so that a steady pool started elsewhere that blocks at the same
     * line neither hides a leak nor makes one. A group of a dump too large to keep whole is not split.
     */
    private static List<StackGroup> byStartSite(StackGroup g) {
        if (!g.mixedStartSites() || !g.complete()) {
            return List.of(g);
        }
        Map<List<StackFrame>, List<ThreadSnapshot>> parts = new LinkedHashMap<>();
        for (ThreadSnapshot t : g.threads()) {
            CreationSite c = t.creationSite();
            List<StackFrame> key = c == null || c.startingFrame() == null ? List.of() : c.groupingKey();
            parts.computeIfAbsent(key, k -> new ArrayList<>()).add(t);
        }
        List<StackGroup> out = new ArrayList<>(parts.size());
        for (List<ThreadSnapshot> threads : parts.values()) {
            out.add(new StackGroup(g.state(), g.blockerKind(), g.blockerClass(), g.stack(), threads));
        }
        return out;
    }

    private static StackGroup merge(List<StackGroup> groups) {
        StackGroup first = groups.get(0);
        List<ThreadSnapshot> threads = new ArrayList<>();
        for (StackGroup g : groups) {
            threads.addAll(g.threads());
        }
        return new StackGroup(first.state(), first.blockerKind(), first.blockerClass(), first.stack(), threads);
    }

    /** Drops sites until {@code maxSites} remain: absent ones (least recently present first), then smallest. */
    private void evict(long sample) {
        List<Site> order = new ArrayList<>(sites.values());
        order.sort(Comparator.<Site>comparingInt(s -> s.lastPresent == sample ? 1 : 0)
                .thenComparingLong(s -> s.lastPresent)
                .thenComparingInt(s -> s.counts[window - 1]));
        for (int i = 0, excess = sites.size() - maxSites; i < excess; i++) {
            sites.remove(order.get(i).key);
        }
    }

    /**
     * Keeps the first-seen times of exactly the given ids: known ones keep theirs, new ones get
     * {@code now}, absent ones are forgotten. When over the cap, new ids are dropped (in id order).
     */
    private void track(long[] ids, long now) {
        Arrays.sort(ids);
        int distinct = 0;
        for (int i = 0; i < ids.length; i++) {
            if (i == 0 || ids[i] != ids[i - 1]) {
                ids[distinct++] = ids[i];
            }
        }
        int known = 0;
        for (int i = 0, j = 0; i < distinct && j < trackedIds.length; ) {
            if (ids[i] == trackedIds[j]) {
                known++;
                i++;
                j++;
            } else if (ids[i] < trackedIds[j]) {
                i++;
            } else {
                j++;
            }
        }
        int allowedNew = Math.max(0, maxTrackedThreads - known);
        int size = Math.min(distinct, known + allowedNew);
        long[] newIds = new long[size];
        long[] newSince = new long[size];
        int k = 0;
        for (int i = 0, j = 0; i < distinct && k < size; i++) {
            long id = ids[i];
            while (j < trackedIds.length && trackedIds[j] < id) {
                j++;
            }
            if (j < trackedIds.length && trackedIds[j] == id) {
                newIds[k] = id;
                newSince[k++] = trackedSince[j];
            } else if (allowedNew > 0) {
                allowedNew--;
                newIds[k] = id;
                newSince[k++] = now;
            }
        }
        trackedIds = k == size ? newIds : Arrays.copyOf(newIds, k);
        trackedSince = k == size ? newSince : Arrays.copyOf(newSince, k);
    }

    /** The suspects of the latest sample, largest growth first; empty before {@link #minSamples()} samples. */
    public List<GrowingGroup> suspects() {
        return suspects;
    }

    /** The number of samples added so far. */
    public long samples() {
        return samples;
    }

    /** When the latest sample was taken, or {@code null} before the first. */
    public Instant lastSampleAt() {
        return lastSampleAt;
    }

    /** The number of sites tracked now (at most {@code maxSites}, 10,000 by default). */
    public int trackedSites() {
        return siteCount;
    }

    /** The number of thread ids whose first-seen time is kept now (at most {@link #maxTrackedThreads()}). */
    int trackedThreads() {
        return trackedThreadCount;
    }

    public int window() {
        return window;
    }

    /** The samples needed before a growth is judged: {@value #MIN_SAMPLES}, or the window if smaller. */
    public int minSamples() {
        return Math.min(MIN_SAMPLES, window);
    }

    public int minGrowth() {
        return minGrowth;
    }

    public double minTrend() {
        return minTrend;
    }

    int maxSites() {
        return maxSites;
    }

    int maxTrackedThreads() {
        return maxTrackedThreads;
    }

    /**
     * A site's identity: state, blocker kind and class, the stack by value, and where its threads were started
     * when the agent recorded it (hash computed once).
     */
    static final class SiteKey {
        final Thread.State state;
        final Blocker.Kind kind;
        final String blockerClass;
        final List<StackFrame> stack;
        final List<StackFrame> started;
        final int hash;

        private SiteKey(Thread.State state, Blocker.Kind kind, String blockerClass, List<StackFrame> stack,
                        List<StackFrame> started) {
            this.state = state;
            this.kind = kind;
            this.blockerClass = blockerClass;
            this.stack = stack;
            this.started = started;
            this.hash = (Objects.hash(state, kind, blockerClass) * 31 + stack.hashCode()) * 31
                    + Objects.hashCode(started);
        }

        SiteKey withStart(List<StackFrame> start) {
            return Objects.equals(start, started) ? this : new SiteKey(state, kind, blockerClass, stack, start);
        }

        static SiteKey of(StackGroup g) {
            CreationSite site = g.creationSite();
            return new SiteKey(g.state(), g.blockerKind(), g.blockerClass(), withoutJdkLines(g.stack()),
                    site == null ? null : site.groupingKey());
        }

        /**
         * The stack with the JDK's frames by class and method only: a JDK class retransformed by an agent attached
         * later ({@code VirtualThread}, when start sites are recorded) shows its frames without file and line in the
         * threads that were inside it before (they run its old code), with them in the others; at one blocking line
         * of the application they are one site.
         */
        static List<StackFrame> withoutJdkLines(List<StackFrame> stack) {
            List<StackFrame> out = null;
            for (int i = 0; i < stack.size(); i++) {
                StackFrame f = stack.get(i);
                boolean strip = f.isJdk() && (f.fileName() != null || f.lineNumber() >= 0);
                if (strip && out == null) {
                    out = new ArrayList<>(stack.subList(0, i));
                }
                if (out != null) {
                    out.add(strip ? new StackFrame(f.moduleName(), f.className(), f.methodName(), null,
                            StackFrame.UNKNOWN_LINE) : f);
                }
            }
            return out == null ? stack : List.copyOf(out);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof SiteKey k && k.hash == hash && k.state == state && k.kind == kind
                    && Objects.equals(k.blockerClass, blockerClass) && (k.stack == stack || k.stack.equals(stack))
                    && (k.started == started || Objects.equals(k.started, started));
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /** A tracked site: its counts over the window, oldest first. */
    private static final class Site {
        final SiteKey key;
        final int[] counts;
        long lastPresent;
        long[] held = NO_LONGS;      // sorted: the threads it had when last named for its growth, still there since
        Instant namedAt;             // the sample that first named it, while it stays named

        void unname() {
            held = NO_LONGS;
            namedAt = null;
        }

        Site(SiteKey key, int window) {
            this.key = key;
            this.counts = new int[window];
        }

        private Site(SiteKey key, Site from) {
            this.key = key;
            this.counts = from.counts;
            this.lastPresent = from.lastPresent;
            this.held = from.held;
            this.namedAt = from.namedAt;
        }

        /** The same site under another key. */
        Site as(SiteKey other) {
            return new Site(other, this);
        }

        void shift(int count, long sample) {
            System.arraycopy(counts, 1, counts, 0, counts.length - 1);
            counts[counts.length - 1] = count;
            if (count > 0) {
                lastPresent = sample;
            }
        }

        boolean isEmpty() {
            for (int c : counts) {
                if (c != 0) {
                    return false;
                }
            }
            return true;
        }
    }
}
