package dev.leakhound.cli;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What a test needs from the system (an executable of a Debian package that {@code ./run-tests} installs with
 * {@code tools/install-test-deps.sh}), found or else: the test fails in CI ({@code LEAKHOUND_CI} or {@code CI} set:
 * CI must run it) unless the install could not reach the registry (its variable says why), and is skipped
 * elsewhere, with a loud {@code !!! SKIPPED:} line on standard error and the skip's reason.
 */
public final class SystemTools {
    private SystemTools() {
    }

    /**
     * The executable {@code name}: {@code $envVar}, else the {@code PATH}, else {@code /usr/bin}; or the calling test
     * (or class, from a {@code @BeforeAll}) fails or is skipped as the class says.
     *
     * @param what          what does not run without it, e.g. "the browser tests of the pages"
     * @param install       how to install it, e.g. "apt-get install chromium chromium-driver"
     * @param notInstalled  the variable that says why the install failed, e.g. {@code LEAKHOUND_NO_CHROMIUM}
     */
    public static Path require(String name, String envVar, String what, String install, String notInstalled) {
        Optional<Path> found = find(name, envVar);
        if (found.isEmpty()) {
            String why = "no " + name + ": " + what + " do not run. Install it (Debian: " + install
                    + "; ./run-tests does it as root) or point " + envVar + " at one";
            String reason = System.getenv(notInstalled);
            if (inCi() && !isSet(reason)) {
                fail(why + " (in CI, where ./run-tests installs it)");
            }
            if (isSet(reason)) {
                why = why + "; " + reason;
            }
            System.err.println("!!! SKIPPED: " + why);
            assumeTrue(false, why);
        }
        return found.get();
    }

    /** {@code $envVar} if set (and executable), else the first {@code name} on the {@code PATH}, else in /usr/bin. */
    public static Optional<Path> find(String name, String envVar) {
        String given = System.getenv(envVar);
        if (isSet(given)) {
            return Optional.of(Path.of(given)).filter(Files::isExecutable);
        }
        List<Path> candidates = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                if (!dir.isEmpty()) {
                    candidates.add(Path.of(dir, name));
                }
            }
        }
        candidates.add(Path.of("/usr/bin", name));
        return candidates.stream().filter(Files::isExecutable).findFirst();
    }

    static boolean inCi() {
        return isSet(System.getenv("LEAKHOUND_CI")) || isSet(System.getenv("CI"));
    }

    static boolean isSet(String v) {
        return v != null && !v.isBlank() && !v.equals("0") && !v.equalsIgnoreCase("false");
    }
}
