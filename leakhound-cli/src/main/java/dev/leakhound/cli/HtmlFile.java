package dev.leakhound.cli;

import dev.leakhound.report.HtmlPage;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code --html OUT} of {@code threads}, {@code heap} and {@code gc}: one self-contained page ({@link HtmlPage}) made
 * of the document the command's {@code --json} prints, so that the page and the JSON never say different things.
 */
final class HtmlFile {
    private HtmlFile() {
    }

    /** What writes the command's JSON document. */
    interface JsonWriter {
        void write(PrintWriter out) throws IOException;
    }

    /** The JSON document as text. */
    static String json(JsonWriter writer) throws IOException {
        StringWriter text = new StringWriter();
        PrintWriter out = new PrintWriter(text);
        writer.write(out);
        out.flush();
        return text.toString();
    }

    /**
     * Writes the page to {@code out}; a file that cannot be written is bad input (exit 2), said as
     * {@code --html OUT: cannot write: reason}.
     */
    static void write(String out, HtmlPage.View view, String title, String json) throws Main.BadInputException {
        Path path = Main.path(out);
        String page = HtmlPage.selfContained(view, title, json);
        try {
            Files.writeString(path, page, StandardCharsets.UTF_8);
        } catch (FileSystemException e) {
            String reason = e instanceof java.nio.file.NoSuchFileException ? "no such directory"
                    : e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                    : e.getReason() != null ? e.getReason() : e.getClass().getSimpleName();
            throw new Main.BadInputException("--html " + out + ": cannot write: " + reason);
        } catch (IOException e) {
            throw new Main.BadInputException("--html " + out + ": cannot write: " + e.getMessage());
        }
    }
}
