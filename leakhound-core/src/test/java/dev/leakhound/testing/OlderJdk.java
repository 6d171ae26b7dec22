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
 * A JDK older than the one running the tests, for tests on what older JVMs write: heap dumps, GC logs, thread dumps.
 * Tests that use one are skipped where there is none.
 * <ul>
 *   <li>{@link #require()}: a JDK 11-20 (the default {@code java} of these build machines is 17). Looked for: the
 *       system property {@code leakhound.olderJdk} (a JDK home), else the usual install places.</li>
 *   <li>{@link #require21()}: a JDK 21, the LTS most services run virtual threads on. Looked for: the system
 *       property {@code leakhound.jdk21} or else the environment variable {@code LEAKHOUND_JDK21_HOME} (a JDK home;
 *       when given, nothing else is tried), else a JDK 21 in the usual install places, else the chroot that
 *       {@code tools/jdk21-chroot.sh} makes ({@code $LEAKHOUND_JDK21_CHROOT}, default
 *       {@code /opt/leakhound-jdk21-chroot}, whose {@code leakhound-jdk} home runs the chroot's tools at the same
 *       paths: files under the temporary directory, the home directory and the checkout are seen by both).
 *       It must answer {@code java -version} (the chroot's needs root).</li>
 * </ul>
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

    /** The JDK 21, or the calling test is skipped (a JUnit assumption fails). */
    public static Jdk require21() {
        Optional<Jdk> jdk = Jdk21.FOUND;
        org.junit.jupiter.api.Assumptions.assumeTrue(jdk.isPresent(), "no JDK 21 that runs: install one, make the "
                + "chroot (sudo tools/jdk21-chroot.sh) or point LEAKHOUND_JDK21_HOME at one");
        return jdk.get();
    }

    /** The newest JDK from 11 to 20 found, if any. */
    public static Optional<Jdk> find() {
        return installed(System.getProperty("leakhound.olderJdk")).stream()
                .filter(j -> j.feature() >= 11 && j.feature() < 21)
                .max(Comparator.comparingInt(Jdk::feature));
    }

    /** Looked for once per test JVM: trying one runs its {@code java -version}. */
    private static final class Jdk21 {
        static final Optional<Jdk> FOUND = find21();
    }

    /** A JDK 21 that runs, if any (see the class comment for where it is looked for). */
    public static Optional<Jdk> find21() {
        String given = System.getProperty("leakhound.jdk21", System.getenv("LEAKHOUND_JDK21_HOME"));
        if (given != null && !given.isBlank()) {
            return describe(Path.of(given)).filter(j -> j.feature() == 21).filter(OlderJdk::runs);
        }
        String chroot = System.getenv("LEAKHOUND_JDK21_CHROOT");
        List<Jdk> found = new ArrayList<>(installed(null).stream().filter(j -> j.feature() == 21).toList());
        describe(Path.of(chroot == null || chroot.isBlank() ? "/opt/leakhound-jdk21-chroot" : chroot, "leakhound-jdk"))
                .filter(j -> j.feature() == 21).ifPresent(found::add);
        return found.stream().filter(OlderJdk::runs).findFirst();
    }

    /** Whether its {@code java -version} ends well within a minute (a chroot's tools need root, for one). */
    private static boolean runs(Jdk jdk) {
        try {
            Process p = new ProcessBuilder(jdk.java(), "-version").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try {
                return p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0;
            } finally {
                p.destroyForcibly();
            }
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The JDKs of the usual install places, after {@code given} (a home) if any. */
    private static List<Jdk> installed(String given) {
        List<Path> homes = new ArrayList<>();
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
        return homes.stream().map(OlderJdk::describe).flatMap(Optional::stream).toList();
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
