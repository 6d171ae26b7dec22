package dev.leakhound.hprof;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The heap module's packages depend one way, as their package-info says: {@code hprof} (the reader) on none of the
 * others, {@code hprof.index} not on {@code hprof.histogram}, neither of the three on {@code proof}.
 */
class PackageLayersTest {
    private static final Path MAIN = Path.of("src/main/java/dev/leakhound");

    @Test
    void theReaderTheIndexAndTheHistogramDependOneWay() throws IOException {
        assertThat(importsOf("hprof", "dev.leakhound.hprof.index", "dev.leakhound.hprof.histogram",
                "dev.leakhound.proof")).isEmpty();
        assertThat(importsOf("hprof/index", "dev.leakhound.hprof.histogram", "dev.leakhound.proof")).isEmpty();
        assertThat(importsOf("hprof/histogram", "dev.leakhound.proof")).isEmpty();
    }

    /** The import lines of the package's own files (not its sub-packages') that name one of {@code forbidden}. */
    private static List<String> importsOf(String dir, String... forbidden) throws IOException {
        List<String> found = new ArrayList<>();
        List<Path> sources;
        try (Stream<Path> files = Files.list(MAIN.resolve(dir))) {
            sources = files.filter(p -> p.toString().endsWith(".java")).toList();
        }
        assertThat(sources).as("sources of " + dir).hasSizeGreaterThan(1);
        for (Path f : sources) {
            for (String line : Files.readAllLines(f)) {
                for (String pkg : forbidden) {
                    if (line.startsWith("import " + pkg + ".") || line.startsWith("import static " + pkg + ".")) {
                        found.add(f.getFileName() + ": " + line);
                    }
                }
            }
        }
        return found;
    }
}
