package dev.leakhound.capture;

import dev.leakhound.model.ThreadDump;
import dev.leakhound.model.ThreadSnapshot;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test fixtures under {@code src/test/resources/dumps/}, and small helpers. */
final class Dumps {
    private Dumps() {
    }

    static Path path(String name) {
        URL url = Dumps.class.getResource("/dumps/" + name);
        if (url == null) {
            throw new IllegalArgumentException("no fixture " + name);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] bytes(String name) {
        try {
            return Files.readAllBytes(path(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static InputStream stream(String name) throws IOException {
        return Files.newInputStream(path(name));
    }

    static ThreadSnapshot thread(ThreadDump dump, long id) {
        return dump.threads().stream().filter(t -> t.id() == id).findFirst()
                .orElseThrow(() -> new AssertionError("no thread #" + id + " in " + dump.origin()));
    }

    static ThreadSnapshot thread(ThreadDump dump, String name) {
        return dump.threads().stream().filter(t -> t.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no thread \"" + name + "\" in " + dump.origin()));
    }
}
