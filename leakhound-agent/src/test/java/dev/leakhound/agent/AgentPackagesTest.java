package dev.leakhound.agent;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The agent's rooms depend one way, as their {@code package-info.java} says: the transport knows no endpoint, the
 * captures know neither the server nor the sampler, and only the start-up knows every part. Read from the sources
 * (imports and qualified names), so that a new dependency against the flow fails here, not in review.
 */
class AgentPackagesTest {
    private static final Path SOURCES = Path.of("src/main/java/dev/leakhound/agent");

    /** Package (below {@code dev.leakhound.agent}; "" is the root) to the agent's types or packages it may use. */
    private static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
            Map.entry("boot", Set.of()),
            Map.entry("instrument", Set.of("boot")),
            Map.entry("capture", Set.of()),
            Map.entry("gcwatch", Set.of()),
            Map.entry("metrics", Set.of()),
            Map.entry("pprof", Set.of()),
            Map.entry("http", Set.of("AgentLog", "AgentOptions")),
            Map.entry("sampling", Set.of("AgentLog", "capture", "http")),
            Map.entry("proof", Set.of("AgentLog", "http")),
            Map.entry("endpoints", Set.of("AgentLog", "AgentOptions", "http", "sampling", "capture", "gcwatch",
                    "metrics", "pprof", "proof")));

    private static final Pattern USE = Pattern.compile("\\bdev\\.leakhound\\.agent\\.(\\w+)");

    @Test
    void noRoomUsesOneAboveIt() throws IOException {
        List<String> wrong = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                Path dir = SOURCES.relativize(f.getParent());
                String room = dir.toString().replace('\\', '/');
                if (room.isEmpty()) {
                    continue;                                  // the start-up may use every part
                }
                seen.add(room);
                assertThat(ALLOWED).as("a rule for the package of " + f).containsKey(room);
                String code = withoutComments(Files.readString(f));
                Matcher m = USE.matcher(code);
                while (m.find()) {
                    String used = m.group(1);
                    if (!used.equals(room) && !ALLOWED.get(room).contains(used)) {
                        wrong.add(f.getFileName() + " (agent." + room + ") uses agent." + used);
                    }
                }
            }
        }
        assertThat(seen).as("the sources were found").contains("http", "endpoints", "sampling", "capture");
        assertThat(wrong).isEmpty();
    }

    private static String withoutComments(String s) {
        return s.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\\n]*", " ");
    }
}
