package dev.leakhound.cli;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code ./leakhound} script's staleness check, run by bash in a copy of the script with a jar an hour old
 * and a {@code mvnw} that only records that it was called: a source newer than the jar rebuilds, build output
 * under {@code target/} (Maven's generated sources among it) and {@code .git} do not.
 */
@DisabledOnOs(OS.WINDOWS)
@Timeout(120)
class LeakhoundScriptTest {
    private static final String BUILDING = "leakhound: building";

    @TempDir
    Path root;

    @BeforeEach
    void aCopyOfTheScriptWithABuiltJar() throws IOException {
        Path project = Path.of("").toAbsolutePath().getParent();        // surefire runs in leakhound-cli
        Files.copy(project.resolve("leakhound"), root.resolve("leakhound"), StandardCopyOption.COPY_ATTRIBUTES);
        Files.createDirectories(root.resolve("tools"));
        Files.copy(project.resolve("tools/find-jdk.sh"), root.resolve("tools/find-jdk.sh"));
        Path mvnw = root.resolve("mvnw");
        Files.writeString(mvnw, "#!/usr/bin/env bash\necho \"$@\" > \"$(dirname \"$0\")/mvnw-called\"\n");
        mvnw.toFile().setExecutable(true);
        Path pom = Files.createDirectories(root.resolve("leakhound-cli/src/main/java/dev")).resolve("Main.java");
        Files.writeString(pom, "class Main {}\n");
        Files.writeString(root.resolve("pom.xml"), "<project/>\n");
        Path jar = Files.createDirectories(root.resolve("leakhound-cli/target")).resolve("leakhound.jar");
        Files.write(jar, new byte[0]);
        FileTime hourAgo = FileTime.from(Instant.now().minusSeconds(3600));
        for (Path p : List.of(pom, root.resolve("pom.xml"))) {
            Files.setLastModifiedTime(p, FileTime.from(Instant.now().minusSeconds(7200)));
        }
        Files.setLastModifiedTime(jar, hourAgo);
    }

    /** {@code ./leakhound} with {@code java -version} in place of the jar's run: its standard error. */
    private String run() throws IOException, InterruptedException {
        Path err = root.resolve("stderr.txt");
        ProcessBuilder pb = new ProcessBuilder("bash", root.resolve("leakhound").toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile());
        pb.environment().put("LEAKHOUND_JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("LEAKHOUND_JAVA_OPTS", "-version");       // exits before it reads the (empty) jar
        Process p = pb.start();
        try {
            assertThat(p.waitFor(100, TimeUnit.SECONDS)).as("./leakhound finished").isTrue();
            return Files.readString(err);
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void generatedSourcesUnderTargetAndGitDoNotMakeItRebuild() throws Exception {
        for (String path : List.of("leakhound-core/target/generated-sources/annotations/Gen.java",
                "leakhound-cli/target/classes/version.properties", "target/x/pom.xml",
                "leakhound-core/target/x/src/main/resources/y.txt", ".git/modules/x/pom.xml")) {
            Path f = Files.createDirectories(root.resolve(path).getParent()).resolve(root.resolve(path).getFileName());
            Files.writeString(f, "new\n");
        }
        String err = run();
        assertThat(err).doesNotContain(BUILDING);
        assertThat(root.resolve("mvnw-called")).doesNotExist();
    }

    @Test
    void aChangedSourceMakesItRebuild() throws Exception {
        Files.writeString(root.resolve("leakhound-cli/src/main/java/dev/Main.java"), "class Main { }\n");
        String err = run();
        assertThat(err).contains(BUILDING);
        assertThat(root.resolve("mvnw-called")).exists();
    }
}
