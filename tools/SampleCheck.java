import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * tools/sample-check's verdict on samples/junit-maven's run with -Pleaks, from Surefire's XML reports:
 * java tools/SampleCheck.java REPORTS_DIR FirstAnswer.java. Each clean test must pass; each leaking test
 * must fail with Leakhound's report, naming the line where the leaked threads block and the line that
 * started them (recorded by the agent). Prints what it found and exits 1 on the first run that differs.
 */
public class SampleCheck {
    record Result(String status, String text) {}

    public static void main(String[] args) throws Exception {
        Path reports = Path.of(args[0]);
        List<String> source = Files.readAllLines(Path.of(args[1]));
        int putLine = lineOf(source, "answers.put(answer)");
        int startLine = lineOf(source, "Thread.ofVirtual()");  // the first one is in leaky()
        Pattern blocking = Pattern.compile(Pattern.quote("FirstAnswer.java:" + putLine + ")"));
        Pattern startedAt = Pattern.compile("started at\\s+com\\.example\\.search\\.FirstAnswer\\.leaky\\(FirstAnswer\\.java:"
                + startLine + "\\)");

        Map<String, Result> results = new LinkedHashMap<>();
        if (!Files.isDirectory(reports)) {
            fail("no Surefire reports in " + reports + ": the sample's tests did not run");
        }
        try (Stream<Path> files = Files.list(reports)) {
            for (Path f : files.filter(p -> p.getFileName().toString().matches("TEST-.*\\.xml")).sorted().toList()) {
                NodeList cases = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(f.toFile())
                        .getElementsByTagName("testcase");
                for (int i = 0; i < cases.getLength(); i++) {
                    Element c = (Element) cases.item(i);
                    String name = c.getAttribute("classname").replace("com.example.search.", "") + "." + c.getAttribute("name").replace("()", "");
                    String status = "passed";
                    StringBuilder text = new StringBuilder();
                    for (String tag : List.of("failure", "error", "skipped")) {
                        NodeList n = c.getElementsByTagName(tag);
                        if (n.getLength() > 0) {
                            status = tag.equals("skipped") ? "skipped" : "failed";
                            Element e = (Element) n.item(0);
                            text.append(e.getAttribute("type")).append(": ").append(e.getAttribute("message"))
                                    .append('\n').append(e.getTextContent());
                        }
                    }
                    results.put(name, new Result(status, text.toString()));
                }
            }
        }
        List<String> problems = new ArrayList<>();
        for (String t : List.of("FirstAnswerTest.firstAnswerWins", "PlainJavaTest.fixedLeavesNoThread",
                "ParallelTest.cleanTestAlongside")) {
            Result r = results.get(t);
            if (r == null || !r.status().equals("passed")) {
                problems.add(t + " (no leak) should pass, but " + (r == null ? "did not run" : r.status() + ":\n" + r.text()));
            } else {
                System.out.println("sample-check: " + t + " passed, as it should (no leak)");
            }
        }
        for (String t : List.of("FirstAnswerTest.losersAreLeft", "PlainJavaTest.leakyLeavesThreads",
                "ParallelTest.leaksWhileAnotherTestRuns")) {
            Result r = results.get(t);
            if (r == null || !r.status().equals("failed")) {
                problems.add(t + " (leaks) should fail with Leakhound's report, but " + (r == null ? "did not run" : r.status()));
            } else if (!r.text().contains("LeakedThreadsError")) {
                problems.add(t + " failed, but not with Leakhound's LeakedThreadsError:\n" + r.text());
            } else if (!blocking.matcher(r.text()).find()) {
                problems.add(t + "'s report does not name the blocking line FirstAnswer.java:" + putLine + ":\n" + r.text());
            } else if (!startedAt.matcher(r.text()).find()) {
                problems.add(t + "'s report does not say \"started at ... FirstAnswer.leaky(FirstAnswer.java:" + startLine
                        + ")\" (is the agent loaded? -javaagent in the sample's argLine):\n" + r.text());
            } else {
                System.out.println("sample-check: " + t + " failed with the report, as it should (blocked at FirstAnswer.java:"
                        + putLine + ", started at FirstAnswer.java:" + startLine + ")");
            }
        }
        if (!problems.isEmpty()) {
            fail(String.join("\n\n", problems));
        }
    }

    private static int lineOf(List<String> source, String text) {
        for (int i = 0; i < source.size(); i++) {
            if (source.get(i).contains(text)) {
                return i + 1;
            }
        }
        throw new IllegalStateException("FirstAnswer.java has no line with " + text);
    }

    private static void fail(String message) {
        System.err.println("sample-check: " + message);
        System.exit(1);
    }
}
