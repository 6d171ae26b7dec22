package dev.leakhound.cli;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Prometheus' own checker, {@code promtool} (Debian's {@code prometheus} package; {@code .ci/run} installs it), for
 * the tests of the alert rules and of {@code /metrics}; {@link #require(String, String, String)} finds the package's
 * other executables ({@link PrometheusServer}'s {@code prometheus}) the same way. Looked for: {@code $LEAKHOUND_PROMTOOL}, else the
 * {@code PATH}, else {@code /usr/bin/promtool}. Without it a test fails in CI ({@code LEAKHOUND_CI} or {@code CI}
 * set: CI must run these) unless {@code .ci/run} could not install it ({@code LEAKHOUND_NO_PROMTOOL} says why: the
 * registry is out of reach), and is skipped otherwise, with a loud line on standard error and the skip's reason.
 */
final class Promtool {
    /** How promtool ended: its exit status and everything it printed. */
    record Result(int exitStatus, String output) {
    }

    private final Path binary;

    private Promtool(Path binary) {
        this.binary = binary;
    }

    /** The promtool found, or the calling test fails (in CI) or is skipped (elsewhere), loudly. */
    static Promtool require() {
        return new Promtool(require("promtool", "LEAKHOUND_PROMTOOL", "the Prometheus rule and metrics checks"));
    }

    /**
     * The executable {@code name} of Debian's {@code prometheus} package: {@code $ENV_VAR}, else the {@code PATH},
     * else {@code /usr/bin}. Missing, the calling test fails in CI unless {@code LEAKHOUND_NO_PROMTOOL} says why it
     * could not be installed, and is skipped elsewhere, with a loud line on standard error.
     */
    static Path require(String name, String envVar, String what) {
        Optional<Path> found = find(name, envVar);
        if (found.isEmpty()) {
            String why = "no " + name + ": " + what + " do not run. Install it (Debian: apt-get install prometheus, "
                    + "then stop its service) or point " + envVar + " at one";
            String notInstalled = System.getenv("LEAKHOUND_NO_PROMTOOL");
            if (inCi() && !isSet(notInstalled)) {
                fail(why + " (in CI, where .ci/run installs it)");
            }
            if (isSet(notInstalled)) {
                why = why + "; " + notInstalled;
            }
            System.err.println("!!! SKIPPED: " + why);
            assumeTrue(false, why);
        }
        return found.get();
    }

    private static boolean inCi() {
        return isSet(System.getenv("LEAKHOUND_CI")) || isSet(System.getenv("CI"));
    }

    private static boolean isSet(String v) {
        return v != null && !v.isBlank() && !v.equals("0") && !v.equalsIgnoreCase("false");
    }

    private static Optional<Path> find(String name, String envVar) {
        List<Path> candidates = new ArrayList<>();
        String given = System.getenv(envVar);
        if (isSet(given)) {
            return Optional.of(Path.of(given)).filter(Files::isExecutable);
        }
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

    /** Runs {@code promtool ARGS} in {@code dir} with {@code stdin} as its input (or none); killed after 2 minutes. */
    Result run(Path dir, Path stdin, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(binary.toString());
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("promtool-", ".txt");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(out.toFile());
            pb.redirectInput(stdin != null ? ProcessBuilder.Redirect.from(stdin.toFile())
                    : ProcessBuilder.Redirect.from(new File("/dev/null")));
            Process p = pb.start();
            try {
                if (!p.waitFor(2, TimeUnit.MINUTES)) {
                    throw new AssertionError("promtool " + String.join(" ", args) + " did not end within 2 minutes");
                }
            } finally {
                p.destroyForcibly();
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** The checkout's {@code observability/prometheus}, found from the module's directory upwards. */
    static Path rulesDir() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path rules = d.resolve("observability").resolve("prometheus");
            if (Files.isDirectory(rules)) {
                return rules;
            }
        }
        throw new AssertionError("no observability/prometheus above " + Path.of("").toAbsolutePath());
    }
}
