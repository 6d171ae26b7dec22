package dev.leakhound;

import dev.leakhound.model.CreationSite;
import dev.leakhound.model.StackFrame;
import dev.leakhound.model.ThreadSnapshot;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What the leak check ignores and how long it waits. Immutable; build with {@link #builder()}.
 *
 * <pre>{@code
 * LeakOptions options = LeakOptions.builder()
 *         .ignoreCurrent()                                  // threads alive now are not leaks
 *         .ignoreTopFrame("com.example.Pool.workerLoop")
 *         .ignoreThreadNames("grpc-default-worker-.*")
 *         .build();
 * Leakhound.verifyNone(options);
 * }</pre>
 */
public final class LeakOptions {

    private final Baseline baseline;
    private final Set<Long> ignoredIds;
    private final List<IgnoreRule> rules;
    private final boolean defaultIgnores;
    private final RetryPolicy retry;
    private final boolean showAllFrames;
    private final List<String> startSites;

    private LeakOptions(Builder b) {
        this.baseline = b.baseline;
        this.ignoredIds = Set.copyOf(b.ignoredIds);
        this.rules = List.copyOf(b.rules);
        this.defaultIgnores = b.defaultIgnores;
        this.retry = b.retry;
        this.showAllFrames = b.showAllFrames;
        this.startSites = List.copyOf(b.startSites);
    }

    /** Default ignores, default retry (about half a second), no baseline. */
    public static LeakOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these options, to add to them. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.baseline = baseline;
        b.ignoredIds.addAll(ignoredIds);
        b.rules.addAll(rules);
        b.defaultIgnores = defaultIgnores;
        b.retry = retry;
        b.showAllFrames = showAllFrames;
        b.startSites.addAll(startSites);
        return b;
    }

    /** The threads alive when {@link Builder#ignoreCurrent()} was called, or {@code null}. */
    public Baseline baseline() {
        return baseline;
    }

    /** Ids of threads ignored whatever they do ({@link Builder#ignoreThreadIds}). */
    public Set<Long> ignoredThreadIds() {
        return ignoredIds;
    }

    /** The user's rules, without the defaults. */
    public List<IgnoreRule> rules() {
        return rules;
    }

    public boolean defaultIgnores() {
        return defaultIgnores;
    }

    public RetryPolicy retry() {
        return retry;
    }

    /** Whether reports list JDK frames too, instead of folding them. */
    public boolean showAllFrames() {
        return showAllFrames;
    }

    /** The prefixes of {@link Builder#ignoreStartSite}: they need the agent, and the report says so without it. */
    List<String> startSites() {
        return startSites;
    }

    /** Whether the check should ignore this thread. */
    public boolean ignores(ThreadSnapshot t) {
        if (ignoredIds.contains(t.id()) || baseline != null && baseline.covers(t)) {
            return true;
        }
        for (IgnoreRule r : rules) {
            if (r.test(t)) {
                return true;
            }
        }
        if (defaultIgnores) {
            for (IgnoreRule r : DefaultIgnores.rules()) {
                if (r.test(t)) {
                    return true;
                }
            }
        }
        return false;
    }

    public static final class Builder {
        private Baseline baseline;
        private final Set<Long> ignoredIds = new HashSet<>();
        private final List<IgnoreRule> rules = new ArrayList<>();
        private boolean defaultIgnores = true;
        private RetryPolicy retry = RetryPolicy.defaultPolicy();
        private boolean showAllFrames;
        private final List<String> startSites = new ArrayList<>();

        private Builder() {
        }

        /**
         * Ignores the threads alive now (goleak's {@code IgnoreCurrent}): takes one capture. Call it
         * before the code under test starts its threads. A thread of this baseline still counts if it is
         * later found blocked with no timeout in application code it was not running now: a task of the
         * code under test, stuck on a pooled thread (see {@link Baseline}).
         */
        public Builder ignoreCurrent() {
            return baseline(Baseline.capture());
        }

        /** Uses a baseline taken earlier; added to any baseline already set. */
        public Builder baseline(Baseline b) {
            baseline = baseline == null ? Objects.requireNonNull(b, "baseline") : baseline.plus(b);
            return this;
        }

        /** Ignores the threads with these ids, whatever they do. */
        public Builder ignoreThreadIds(Iterable<Long> ids) {
            ids.forEach(id -> ignoredIds.add(Objects.requireNonNull(id)));
            return this;
        }

        /**
         * Ignores threads whose top frame is {@code method}, given as {@code fully.qualified.Class.method}.
         * For a thread blocked inside the JDK, the top frame of application code counts too, so
         * {@code ignoreTopFrame("com.example.Pool.workerLoop")} matches a worker parked in a queue's
         * {@code take} called from {@code workerLoop}.
         */
        public Builder ignoreTopFrame(String method) {
            Objects.requireNonNull(method, "method");
            return ignore(new IgnoreRule("top frame " + method, t -> {
                StackFrame top = t.topFrame();
                if (top == null) {
                    return false;
                }
                if (matches(top, method)) {
                    return true;
                }
                for (StackFrame f : t.stack()) {
                    if (!f.isJdk()) {
                        return matches(f, method);
                    }
                }
                return false;
            }));
        }

        /** Ignores threads with {@code method} ({@code fully.qualified.Class.method}) anywhere on the stack. */
        public Builder ignoreAnyFrame(String method) {
            Objects.requireNonNull(method, "method");
            return ignore(new IgnoreRule("any frame " + method,
                    t -> t.stack().stream().anyMatch(f -> matches(f, method))));
        }

        /**
         * Ignores threads started at {@code prefix}: the frame that started the thread (the first frame outside
         * the JDK when {@code Thread.start} was called, see {@link CreationSite#startingFrame()}), written
         * {@code fully.qualified.Class.method}, is {@code prefix} or begins with it followed by {@code .} or
         * {@code $}. So {@code "org.example.Lib.<clinit>"} matches the threads {@code Lib}'s static initialiser
         * starts (a lazily started singleton), {@code "org.example.Lib"} those of any method of {@code Lib} and
         * its nested classes, {@code "org.example"} those of the package and its subpackages.
         *
         * <p>Where threads are started is recorded by the Leakhound agent only: without it no thread matches,
         * and the report says so.
         */
        public Builder ignoreStartSite(String prefix) {
            Objects.requireNonNull(prefix, "prefix");
            String p = prefix.strip();
            if (p.isEmpty() || p.startsWith(".") || p.endsWith(".") || p.chars().anyMatch(
                    c -> Character.isWhitespace(c) || c == '(' || c == ')' || c == '/' || c == ',')) {
                throw new IllegalArgumentException("expected a start site as fully.qualified.Class.method, or a "
                        + "class or package prefix of it (e.g. org.example.Lib.<clinit>), not '" + prefix + "'");
            }
            startSites.add(p);
            return ignore(new IgnoreRule("started at " + p, t -> startedAt(t.creationSite(), p)));
        }

        /** Ignores threads whose whole name matches the regular expression. */
        public Builder ignoreThreadNames(String regex) {
            Pattern p = Pattern.compile(regex);
            return ignore(new IgnoreRule("thread name " + regex, t -> p.matcher(t.name()).matches()));
        }

        /**
         * Ignores threads whose container (as the JDK names it, e.g.
         * {@code java.util.concurrent.ThreadPoolExecutor@1b2c3d}) matches the regular expression.
         */
        public Builder ignoreContainers(String regex) {
            Pattern p = Pattern.compile(regex);
            return ignore(new IgnoreRule("container " + regex,
                    t -> t.container() != null && p.matcher(t.container()).matches()));
        }

        /** Adds a rule of your own. */
        public Builder ignore(IgnoreRule rule) {
            rules.add(Objects.requireNonNull(rule, "rule"));
            return this;
        }

        /** Drops {@link DefaultIgnores}: every thread counts unless a rule of yours ignores it. */
        public Builder withoutDefaultIgnores() {
            defaultIgnores = false;
            return this;
        }

        public Builder retry(RetryPolicy policy) {
            retry = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * Retries with the default backoff for {@code total} after the first capture; zero means a
         * single capture.
         */
        public Builder retryFor(Duration total) {
            if (total.isNegative()) {
                throw new IllegalArgumentException("retry time must not be negative: " + total);
            }
            retry = total.isZero() ? RetryPolicy.none()
                    : RetryPolicy.backoff(Duration.ofMillis(1), Duration.ofMillis(100), total);
            return this;
        }

        /** Lists JDK frames in reports instead of folding them. */
        public Builder showAllFrames(boolean show) {
            showAllFrames = show;
            return this;
        }

        public LeakOptions build() {
            return new LeakOptions(this);
        }

        private static boolean startedAt(CreationSite site, String prefix) {
            StackFrame f = site == null ? null : site.startingFrame();
            if (f == null) {
                return false;
            }
            String at = f.className() + "." + f.methodName();
            if (!at.startsWith(prefix)) {
                return false;
            }
            if (at.length() == prefix.length()) {
                return true;
            }
            char next = at.charAt(prefix.length());
            return next == '.' || next == '$';
        }

        private static boolean matches(StackFrame f, String method) {
            String c = f.className();
            String m = f.methodName();
            return method.length() == c.length() + 1 + m.length() && method.startsWith(c)
                    && method.charAt(c.length()) == '.' && method.endsWith(m);
        }
    }
}
