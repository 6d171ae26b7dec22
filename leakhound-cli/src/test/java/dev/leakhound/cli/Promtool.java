package dev.leakhound.cli;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Prometheus' own checker, {@code promtool} (Debian's {@code prometheus} package; {@code ./run-tests} installs it), for
 * the tests of the alert rules and of {@code /metrics}; {@link #require(String, String, String)} finds the package's
 * other executables ({@link PrometheusServer}'s {@code prometheus}) the same way. Looked for: {@code $LEAKHOUND_PROMTOOL}, else the
 * {@code PATH}, else {@code /usr/bin/promtool}. Without it a test fails in CI ({@code LEAKHOUND_CI} or {@code CI}
 * set: CI must run these) unless {@code ./run-tests} could not install it ({@code LEAKHOUND_NO_PROMTOOL} says why:
 * the registry is out of reach), and is skipped otherwise, with a loud line on standard error and the reason.
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
     * else {@code /usr/bin}; missing, the calling test fails or is skipped as {@link SystemTools} says
     * ({@code LEAKHOUND_NO_PROMTOOL}: the install could not reach the registry).
     */
    static Path require(String name, String envVar, String what) {
        return SystemTools.require(name, envVar, what, "apt-get install prometheus, then stop its service",
                "LEAKHOUND_NO_PROMTOOL");
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
