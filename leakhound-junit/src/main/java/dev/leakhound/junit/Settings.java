package dev.leakhound.junit;

import dev.leakhound.LeakOptions;
import dev.leakhound.junit.CheckThreadLeaks.Scope;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

import java.lang.reflect.AnnotatedElement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.PatternSyntaxException;

/**
 * The settings that apply to one test or class: those of the nearest {@link CheckThreadLeaks} (the
 * method's, then its class's, then the enclosing classes'), else the configuration parameters.
 *
 * @param source where they come from, for error messages
 */
record Settings(Scope scope, List<String> ignoreThreadNames, List<String> ignoreTopFrames,
                List<String> ignoreAnyFrames, long retryMillis, boolean showAllFrames, String source) {

    static final String SCOPE_KEY = "leakhound.scope";
    static final String IGNORE_THREAD_NAMES_KEY = "leakhound.ignoreThreadNames";
    static final String RETRY_MILLIS_KEY = "leakhound.retryMillis";
    static final long DEFAULT_RETRY_MILLIS = 500;

    static Settings of(ExtensionContext context) {
        List<String> suiteNames = configuredThreadNames(context);
        Optional<CheckThreadLeaks> found = nearestAnnotation(context);
        if (found.isPresent()) {
            CheckThreadLeaks a = found.get();
            List<String> names = new ArrayList<>(Arrays.asList(a.ignoreThreadNames()));
            names.addAll(suiteNames);
            return new Settings(a.scope(), names, List.of(a.ignoreTopFrames()), List.of(a.ignoreAnyFrames()),
                    a.retryMillis(), a.showAllFrames(), "@CheckThreadLeaks");
        }
        return new Settings(configuredScope(context), suiteNames, List.of(), List.of(), configuredRetry(context),
                false, "configuration parameters (" + SCOPE_KEY + ", " + RETRY_MILLIS_KEY + ")");
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
        for (String regex : ignoreThreadNames) {
            try {
                b.ignoreThreadNames(regex);
            } catch (PatternSyntaxException e) {
                throw new ExtensionConfigurationException("leakhound: ignoreThreadNames: not a regular expression: '"
                        + regex + "' (from @CheckThreadLeaks or " + IGNORE_THREAD_NAMES_KEY + "): "
                        + e.getDescription(), e);
            }
        }
        for (String method : ignoreTopFrames) {
            b.ignoreTopFrame(checkedMethod("ignoreTopFrames", method));
        }
        for (String method : ignoreAnyFrames) {
            b.ignoreAnyFrame(checkedMethod("ignoreAnyFrames", method));
        }
        return b;
    }

    private static String checkedMethod(String attribute, String method) {
        String m = method.strip();
        int dot = m.lastIndexOf('.');
        if (dot <= 0 || dot == m.length() - 1 || m.contains("(")) {
            throw new ExtensionConfigurationException("leakhound: " + attribute
                    + ": expected fully.qualified.Class.method, not '" + method + "'");
        }
        return m;
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

    private static List<String> configuredThreadNames(ExtensionContext context) {
        Optional<String> value = context.getConfigurationParameter(IGNORE_THREAD_NAMES_KEY);
        if (value.isEmpty()) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        for (String part : value.get().split(",")) {
            if (!part.isBlank()) {
                names.add(part.strip());
            }
        }
        return names;
    }
}
