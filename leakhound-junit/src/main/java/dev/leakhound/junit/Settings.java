package dev.leakhound.junit;

import dev.leakhound.LeakOptions;
import dev.leakhound.junit.CheckThreadLeaks.Scope;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

import java.lang.reflect.AnnotatedElement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.PatternSyntaxException;

/**
 * The settings that apply to one test or class: those of the nearest {@link CheckThreadLeaks} (the
 * method's, then its class's, then the enclosing classes'), else the configuration parameters; the ignore lists of
 * the configuration parameters are added to the annotation's.
 *
 * @param source where the single-valued settings come from, for error messages
 */
record Settings(Scope scope, List<Value> ignoreThreadNames, List<Value> ignoreTopFrames,
                List<Value> ignoreAnyFrames, List<Value> ignoreStartSites, long retryMillis, boolean showAllFrames,
                String source) {

    static final String SCOPE_KEY = "leakhound.scope";
    static final String RETRY_MILLIS_KEY = "leakhound.retryMillis";
    static final String SHOW_ALL_FRAMES_KEY = "leakhound.showAllFrames";
    static final String IGNORE_THREAD_NAMES_KEY = "leakhound.ignoreThreadNames";
    static final String IGNORE_TOP_FRAMES_KEY = "leakhound.ignoreTopFrames";
    static final String IGNORE_ANY_FRAMES_KEY = "leakhound.ignoreAnyFrames";
    static final String IGNORE_START_SITES_KEY = "leakhound.ignoreStartSites";
    static final long DEFAULT_RETRY_MILLIS = 500;

    /** One entry of an ignore list and where it was given, so that an error can name it. */
    record Value(String text, String from) {
    }

    /** The settings, checked: a bad value fails here, on the class when it is given suite-wide. */
    static Settings of(ExtensionContext context) {
        Settings settings = read(context);
        settings.options();
        return settings;
    }

    private static Settings read(ExtensionContext context) {
        Optional<CheckThreadLeaks> found = nearestAnnotation(context);
        if (found.isPresent()) {
            CheckThreadLeaks a = found.get();
            return new Settings(a.scope(),
                    both(a.ignoreThreadNames(), context, IGNORE_THREAD_NAMES_KEY),
                    both(a.ignoreTopFrames(), context, IGNORE_TOP_FRAMES_KEY),
                    both(a.ignoreAnyFrames(), context, IGNORE_ANY_FRAMES_KEY),
                    both(a.ignoreStartSites(), context, IGNORE_START_SITES_KEY),
                    a.retryMillis(), a.showAllFrames(), "@CheckThreadLeaks");
        }
        return new Settings(configuredScope(context),
                configuredList(context, IGNORE_THREAD_NAMES_KEY),
                configuredList(context, IGNORE_TOP_FRAMES_KEY),
                configuredList(context, IGNORE_ANY_FRAMES_KEY),
                configuredList(context, IGNORE_START_SITES_KEY),
                configuredRetry(context), configuredShowAllFrames(context),
                "configuration parameter " + RETRY_MILLIS_KEY);
    }

    /**
     * The nearest annotation, following the extension contexts upwards: test method (for parameterized and
     * repeated tests: the invocation, then the template), its class (superclasses too, as the annotation is
     * {@code @Inherited}), then the classes enclosing a {@code @Nested} class, as JUnit runs them.
     */
    static Optional<CheckThreadLeaks> nearestAnnotation(ExtensionContext context) {
        for (ExtensionContext c = context; c != null; c = c.getParent().orElse(null)) {
            Optional<AnnotatedElement> element = c.getElement();
            if (element.isPresent()) {
                Optional<CheckThreadLeaks> a = AnnotationSupport.findAnnotation(element.get(), CheckThreadLeaks.class);
                if (a.isPresent()) {
                    return a;
                }
            }
        }
        return Optional.empty();
    }

    /** The core options for these settings, baseline not included. */
    LeakOptions.Builder options() {
        if (retryMillis < 0) {
            throw new ExtensionConfigurationException(
                    "leakhound: retryMillis must be 0 or more, not " + retryMillis + " (from " + source + ")");
        }
        LeakOptions.Builder b = LeakOptions.builder()
                .retryFor(Duration.ofMillis(retryMillis))
                .showAllFrames(showAllFrames);
        for (Value regex : ignoreThreadNames) {
            try {
                b.ignoreThreadNames(regex.text());
            } catch (PatternSyntaxException e) {
                throw new ExtensionConfigurationException("leakhound: ignoreThreadNames: not a regular expression: '"
                        + regex.text() + "' (from " + regex.from() + "): " + e.getDescription(), e);
            }
        }
        for (Value method : ignoreTopFrames) {
            b.ignoreTopFrame(checkedMethod("ignoreTopFrames", method));
        }
        for (Value method : ignoreAnyFrames) {
            b.ignoreAnyFrame(checkedMethod("ignoreAnyFrames", method));
        }
        for (Value site : ignoreStartSites) {
            try {
                b.ignoreStartSite(site.text());
            } catch (IllegalArgumentException e) {
                throw new ExtensionConfigurationException("leakhound: ignoreStartSites: " + e.getMessage()
                        + " (from " + site.from() + ")", e);
            }
        }
        return b;
    }

    private static String checkedMethod(String attribute, Value method) {
        String m = method.text().strip();
        int dot = m.lastIndexOf('.');
        if (dot <= 0 || dot == m.length() - 1 || m.contains("(") || m.chars().anyMatch(Character::isWhitespace)) {
            throw new ExtensionConfigurationException("leakhound: " + attribute
                    + ": expected fully.qualified.Class.method, not '" + method.text() + "' (from " + method.from() + ")");
        }
        return m;
    }

    private static List<Value> both(String[] annotated, ExtensionContext context, String key) {
        List<Value> out = new ArrayList<>();
        for (String s : annotated) {
            out.add(new Value(s, "@CheckThreadLeaks"));
        }
        out.addAll(configuredList(context, key));
        return out;
    }

    private static Scope configuredScope(ExtensionContext context) {
        Optional<String> value = context.getConfigurationParameter(SCOPE_KEY);
        if (value.isEmpty() || value.get().isBlank()) {
            return Scope.METHOD;
        }
        return switch (value.get().strip().toLowerCase(Locale.ROOT)) {
            case "method" -> Scope.METHOD;
            case "class" -> Scope.CLASS;
            default -> throw new ExtensionConfigurationException("leakhound: configuration parameter " + SCOPE_KEY
                    + " must be 'method' or 'class', not '" + value.get() + "'");
        };
    }

    private static long configuredRetry(ExtensionContext context) {
        Optional<String> value = context.getConfigurationParameter(RETRY_MILLIS_KEY);
        if (value.isEmpty() || value.get().isBlank()) {
            return DEFAULT_RETRY_MILLIS;
        }
        try {
            long millis = Long.parseLong(value.get().strip());
            if (millis >= 0) {
                return millis;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ExtensionConfigurationException("leakhound: configuration parameter " + RETRY_MILLIS_KEY
                + " must be a number of milliseconds, 0 or more, not '" + value.get() + "'");
    }

    private static boolean configuredShowAllFrames(ExtensionContext context) {
        Optional<String> value = context.getConfigurationParameter(SHOW_ALL_FRAMES_KEY);
        if (value.isEmpty() || value.get().isBlank()) {
            return false;
        }
        return switch (value.get().strip().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new ExtensionConfigurationException("leakhound: configuration parameter "
                    + SHOW_ALL_FRAMES_KEY + " must be 'true' or 'false', not '" + value.get() + "'");
        };
    }

    /** A comma-separated list; blank entries are skipped. */
    private static List<Value> configuredList(ExtensionContext context, String key) {
        Optional<String> value = context.getConfigurationParameter(key);
        if (value.isEmpty()) {
            return List.of();
        }
        List<Value> out = new ArrayList<>();
        for (String part : value.get().split(",")) {
            if (!part.isBlank()) {
                out.add(new Value(part.strip(), "configuration parameter " + key));
            }
        }
        return out;
    }
}
