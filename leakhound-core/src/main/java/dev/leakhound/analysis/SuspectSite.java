package dev.leakhound.analysis;

import dev.leakhound.model.StackFrame;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One blocking site of the growth detector's leak suspects, as a metric labels it: the agent's
 * {@code leakhound_leak_suspect_site_threads{site,wait}} and the Micrometer detector's meter of the same name
 * share it, so that one alert rule serves both.
 *
 * @param site    the line that blocked, {@code Class.method(File.java:LINE)}: the first application frame, else the
 *                innermost one; stable across samples and across restarts of one build; cut at
 *                {@value #MAX_LABEL_LENGTH} characters (a generated class or lambda name can be long)
 * @param waitsIn what it waits in ({@code ArrayBlockingQueue.put}), or {@code ""}
 * @param threads the suspects' threads blocked there
 */
public record SuspectSite(String site, String waitsIn, long threads) {
    /** How many sites a metric exports: those with the most threads, so a leak at many sites cannot flood a scraper. */
    public static final int MAX_SITES = 10;
    /** A longer site label is cut. */
    public static final int MAX_LABEL_LENGTH = 200;

    /**
     * The suspects' threads by site (two groups blocked at one line are one site), the top {@code max} by threads,
     * ties by label so that the order is stable.
     */
    public static List<SuspectSite> top(List<GrowingGroup> suspects, int max) {
        Map<List<String>, Long> bySite = new HashMap<>();
        for (GrowingGroup g : suspects) {
            bySite.merge(List.of(siteOf(g), waitOf(g)), (long) g.count(), Long::sum);
        }
        return bySite.entrySet().stream()
                .map(e -> new SuspectSite(e.getKey().get(0), e.getKey().get(1), e.getValue()))
                .sorted(Comparator.comparingLong(SuspectSite::threads).reversed()
                        .thenComparing(SuspectSite::site).thenComparing(SuspectSite::waitsIn))
                .limit(max)
                .toList();
    }

    /** The {@code site} label of a suspect group. */
    public static String siteOf(GrowingGroup g) {
        StackFrame f = g.waitSite() == null ? null : g.waitSite().blockingFrame();
        if (f == null && !g.stack().isEmpty()) {
            f = g.stack().getFirst();
        }
        String s = f == null ? "unknown" : f.toString();
        return s.length() <= MAX_LABEL_LENGTH ? s : s.substring(0, MAX_LABEL_LENGTH);
    }

    private static String waitOf(GrowingGroup g) {
        String call = g.waitSite() == null ? null : g.waitSite().call();
        return call == null ? "" : call;
    }
}
