package dev.leakhound.testing;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JDK older than 21 installed beside the one running the tests (the default {@code java} of these build machines is
 * 17), for tests on what older JVMs write: heap dumps, GC logs, thread dumps. Tests that use it are skipped where there
 * is none. Looked for: the system property {@code leakhound.olderJdk} (a JDK home), else the usual install places.
 */
public final class OlderJdk {
    private static final Pattern VERSION = Pattern.compile("(?m)^JAVA_VERSION=\"(1\\.)?(\\d+)");

    /** A JDK home and its feature version (17 for 17.0.15). */
    public record Jdk(Path home, int feature) {
        public String tool(String name) {
            return home.resolve("bin").resolve(name).toString();
        }

        public String java() {
            return tool("java");
        }
    }

    private OlderJdk() {
    }

    /** The older JDK, or the calling test is skipped (a JUnit assumption fails). */
    public static Jdk require() {
        Optional<Jdk> jdk = find();
        org.junit.jupiter.api.Assumptions.assumeTrue(jdk.isPresent(), "no JDK 11-20 installed beside this one");
        return jdk.get();
    }

    /**
     * Copies a program for the older JDK, the test resource {@code /olderjdk/NAME} of {@code owner}'s class path,
     * into {@code dir}, to be run from source ({@code java NAME}).
     */
    public static Path source(Class<?> owner, String name, Path dir) throws IOException {
        Path source = dir.resolve(name);
        try (java.io.InputStream in = owner.getResourceAsStream("/olderjdk/" + name)) {
            if (in == null) {
                throw new IOException("no test resource /olderjdk/" + name);
            }
            Files.copy(in, source);
        }
        return source;
    }

    /** The newest JDK from 11 to 20 found, if any. */
    public static Optional<Jdk> find() {
        List<Path> homes = new ArrayList<>();
        String given = System.getProperty("leakhound.olderJdk");
        if (given != null && !given.isBlank()) {
            homes.add(Path.of(given));
        }
        for (String parent : List.of("/usr/lib/jvm", "/usr/lib64/jvm", "/usr/java", "/opt/java",
                System.getProperty("user.home") + "/.sdkman/candidates/java")) {
            Path dir = Path.of(parent);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                entries.forEach(homes::add);
            } catch (IOException ignored) {
                // an unreadable place: look elsewhere
            }
        }
        return homes.stream().map(OlderJdk::describe).flatMap(Optional::stream)
                .filter(j -> j.feature() >= 11 && j.feature() < 21)
                .max(Comparator.comparingInt(Jdk::feature));
    }

    private static Optional<Jdk> describe(Path home) {
        try {
            Path release = home.resolve("release");
            if (!Files.isRegularFile(release) || !Files.isExecutable(home.resolve("bin").resolve("java"))
                    || !Files.isExecutable(home.resolve("bin").resolve("javac"))) {
                return Optional.empty();
            }
            Matcher m = VERSION.matcher(Files.readString(release));
            return m.find() ? Optional.of(new Jdk(home.toRealPath(), Integer.parseInt(m.group(2)))) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
