package dev.leakhound.report;

import dev.leakhound.analysis.StackGroup;
import dev.leakhound.model.StackFrame;
import dev.leakhound.model.ThreadSnapshot;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The pools a group's threads belong to, named from what a dump says without the agent: the container the
 * JDK's JSON and text dumps give (JDK 21+ executors are containers, e.g.
 * {@code java.util.concurrent.ThreadPoolExecutor@1a2b}) and the threads' names with their number made
 * {@code N} ({@code pool-3-thread-N}). So that "24 platform threads WAITING in LinkedBlockingQueue.take" says
 * whose workers they are.
 */
public final class ThreadPools {
    /** The last run of digits of a thread name: the worker's number. */
    private static final Pattern NUMBER = Pattern.compile("\\d+(?=\\D*$)");
    /** The name {@code Executors.defaultThreadFactory()} gives. */
    private static final Pattern DEFAULT_FACTORY = Pattern.compile("pool-\\d+-thread-N");
    private static final String ROOT = "<root>";

    private ThreadPools() {
    }

    /**
     * One pool of a group.
     *
     * @param container   the container as the dump names it, or {@code null} when the dump gives none
     * @param className   the pool's class (the container's name before {@code @}), or {@code null}
     * @param namePattern the threads' name with their number as {@code N}, e.g. {@code pool-3-thread-N}
     * @param threads     how many of the threads listed are in it
     */
    public record Pool(String container, String className, String namePattern, int threads) {
        public Pool {
            Objects.requireNonNull(namePattern, "namePattern");
        }

        /**
         * {@code java.util.concurrent.ThreadPoolExecutor@1a2b (class ThreadPoolExecutor), threads pool-3-thread-N};
         * without a container {@code threads pool-3-thread-N (Executors' default thread factory)}.
         */
        public String text() {
            StringBuilder sb = new StringBuilder();
            if (container != null) {
                sb.append(container);
                if (className != null) {
                    sb.append(" (class ").append(className.substring(className.lastIndexOf('.') + 1)).append(')');
                }
                sb.append(", ");
            }
            sb.append("threads ").append(namePattern);
            if (container == null && DEFAULT_FACTORY.matcher(namePattern).matches()) {
                sb.append(" (Executors' default thread factory)");
            }
            return sb.toString();
        }
    }

    /**
     * The pools of the group's threads listed, largest first: threads of a container other than the root, or
     * named alike with a number (two or more, or idle pool workers, or the name of Executors' default factory);
     * empty when no thread is either.
     */
    public static List<Pool> of(StackGroup group) {
        Map<List<String>, int[]> counts = new LinkedHashMap<>();
        for (ThreadSnapshot t : group.threads()) {
            String container = t.container() == null || t.container().equals(ROOT) ? null : t.container();
            String pattern = t.name().isEmpty() ? "" : NUMBER.matcher(t.name()).replaceFirst("N");
            if (container == null && (pattern.equals(t.name()) || pattern.equals("Thread-N"))) {
                continue;                    // neither a container nor a pool's numbered name (Thread-N: new Thread())
            }
            counts.computeIfAbsent(java.util.Arrays.asList(container, pattern), k -> new int[1])[0]++;
        }
        List<Pool> pools = new ArrayList<>();
        boolean idle = group.idlePoolWorkers();
        counts.forEach((key, n) -> {
            String container = key.get(0);
            if (container == null && n[0] < 2 && !idle && !DEFAULT_FACTORY.matcher(key.get(1)).matches()) {
                return;        // one thread named with a number ("dead-1") is no pool by its name alone
            }
            int at = container == null ? -1 : container.lastIndexOf('@');
            pools.add(new Pool(container, at > 0 ? container.substring(0, at) : null,
                    key.get(1).isEmpty() ? "(unnamed)" : key.get(1), n[0]));
        });
        pools.sort((a, b) -> Integer.compare(b.threads(), a.threads()));
        return pools;
    }

    /** The pools in one line, or {@code null} when there is none; more than three are counted, not listed. */
    public static String text(StackGroup group) {
        List<Pool> pools = of(group);
        if (pools.isEmpty()) {
            return null;
        }
        if (pools.size() == 1) {
            return pools.get(0).text();
        }
        StringBuilder sb = new StringBuilder().append(pools.size()).append(" pools: ");
        for (int i = 0; i < Math.min(3, pools.size()); i++) {
            sb.append(i == 0 ? "" : "; ").append(pools.get(i).text()).append(" (")
                    .append(TextFormat.plural(pools.get(i).threads(), "thread")).append(')');
        }
        if (pools.size() > 3) {
            sb.append("; and ").append(pools.size() - 3).append(" more");
        }
        return sb.toString();
    }

}
