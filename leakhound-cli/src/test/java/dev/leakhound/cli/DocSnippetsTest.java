package dev.leakhound.cli;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every Java snippet of the README and of docs/ compiles against the real API, as a reader would paste it: each
 * fenced {@code ```java} block, and each inline {@code `@Annotation(...)`} of the text. A block that declares a
 * type is a source file; any other block is the body of a method. The imports below are added to each (a block may
 * add its own); a nested type must be named as a reader can import it ({@code CheckThreadLeaks.Scope.CLASS}).
 */
class DocSnippetsTest {

    /** What every snippet may use without importing it: the API a reader imports with the dependency. */
    private static final List<String> IMPORTS = List.of(
            "dev.leakhound.*", "dev.leakhound.junit.*", "org.junit.jupiter.api.*",
            "java.time.*", "java.util.*", "java.util.concurrent.*");

    private static final Pattern JAVA_BLOCK = Pattern.compile("(?ms)^```java\\n(.*?)^```$");
    private static final Pattern INLINE_ANNOTATION = Pattern.compile("`(@[A-Z]\\w*\\([^`]*\\))`");
    private static final Pattern TYPE_DECLARATION = Pattern.compile(
            "(?m)^(@\\w+(\\([^)]*\\))?\\s+)*((public|final|abstract|sealed)\\s+)*(class|record|interface|enum)\\s");

    @TempDir
    Path classes;

    /** One snippet: the file and line it starts at, and its text. */
    record Snippet(Path file, int line, String code, boolean inlineAnnotation) {
        String where() {
            return file.getFileName() + ":" + line;
        }
    }

    @TestFactory
    Stream<DynamicTest> everyJavaSnippetOfTheReadmeAndTheDocsCompiles() {
        List<Snippet> snippets = snippets(docs());
        assertThat(snippets).as("Java snippets in the README and docs/").isNotEmpty();
        return snippets.stream().map(s -> DynamicTest.dynamicTest(s.where(), () -> assertCompiles(s)));
    }

    @Test
    void aNestedTypeNamedAsIfImportedFailsAndTheMessageSaysWhere() {
        Snippet wrong = new Snippet(Path.of("README.md"), 1, "@CheckThreadLeaks(scope = Scope.CLASS)", true);

        List<String> errors = compile(wrong);

        assertThat(errors).anyMatch(e -> e.contains("cannot find symbol") && e.contains("Scope"));
    }

    private void assertCompiles(Snippet s) {
        List<String> errors = compile(s);
        assertThat(errors).as("%s does not compile:%n%s%nas compiled:%n%s", s.where(), String.join("\n", errors),
                source(s)).isEmpty();
    }

    private List<String> compile(Snippet s) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        String source = source(s);
        String className = className(s, source);
        JavaFileObject file = new SimpleJavaFileObject(URI.create("string:///" + className + ".java"),
                JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return source;
            }
        };
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, null)) {
            List<String> options = List.of("--release", "21", "-proc:none", "-Xlint:none", "-classpath", classPath(),
                    "-d", classes.toString());
            javac.getTask(null, files, diagnostics, options, null, List.of(file)).call();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return diagnostics.getDiagnostics().stream().filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
                .map(d -> "line " + (d.getLineNumber() - headerLines(s, source)) + " of the snippet: "
                        + d.getMessage(Locale.ROOT))
                .toList();
    }

    /** The snippet as a compilation unit: imports, then the block as it is, in a method, or on a class. */
    static String source(Snippet s) {
        List<String> own = new ArrayList<>();
        List<String> rest = new ArrayList<>();
        for (String line : s.code().lines().toList()) {
            (line.startsWith("import ") ? own : rest).add(line);
        }
        StringBuilder src = new StringBuilder();
        IMPORTS.forEach(i -> src.append("import ").append(i).append(";\n"));
        own.forEach(i -> src.append(i).append('\n'));
        String body = String.join("\n", rest);
        if (s.inlineAnnotation()) {
            src.append(s.code()).append("\nclass Snippet {}\n");
        } else if (TYPE_DECLARATION.matcher(body).find()) {
            src.append(body).append('\n');
        } else {
            src.append("class Snippet {\nvoid snippet() throws Exception {\n").append(body).append("\n}\n}\n");
        }
        return src.toString();
    }

    /** Lines added before the snippet's first line, so that errors give the snippet's own line numbers. */
    private static long headerLines(Snippet s, String source) {
        String first = s.code().lines().filter(l -> !l.startsWith("import ")).findFirst().orElse("");
        int at = source.indexOf(first + "\n");
        return at < 0 ? 0 : source.substring(0, at).lines().count();
    }

    /** The public type's name if the snippet declares one (javac wants the file named after it), else Snippet. */
    private static String className(Snippet s, String source) {
        Matcher m = Pattern.compile("(?m)^public\\s+(?:final\\s+)?(?:class|record|interface|enum)\\s+(\\w+)")
                .matcher(source);
        return m.find() ? m.group(1) : "Snippet";
    }

    /** The test class path: the real API (leakhound-core, leakhound-junit) and JUnit, as a reader's project has. */
    private static String classPath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
    }

    /** README.md and every page of docs/, from the repository's root. */
    static List<Path> docs() {
        Path root = Path.of("..").toAbsolutePath().normalize();
        List<Path> files = new ArrayList<>();
        files.add(root.resolve("README.md"));
        try (Stream<Path> pages = Files.list(root.resolve("docs"))) {
            pages.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    static List<Snippet> snippets(List<Path> files) {
        List<Snippet> snippets = new ArrayList<>();
        for (Path f : files) {
            String text;
            try {
                text = Files.readString(f);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Matcher block = JAVA_BLOCK.matcher(text);
            while (block.find()) {
                snippets.add(new Snippet(f, lineOf(text, block.start(1)), block.group(1), false));
            }
            Matcher inline = INLINE_ANNOTATION.matcher(text);
            while (inline.find()) {
                snippets.add(new Snippet(f, lineOf(text, inline.start(1)), inline.group(1), true));
            }
        }
        return snippets;
    }

    private static int lineOf(String text, int offset) {
        return (int) text.substring(0, offset).chars().filter(c -> c == '\n').count() + 1;
    }
}
