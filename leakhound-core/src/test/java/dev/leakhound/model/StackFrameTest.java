package dev.leakhound.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link StackFrame#parse} on every form the JDK's dumps and {@link StackTraceElement} print. */
class StackFrameTest {

    @Test
    void moduleSlashForm() {
        assertThat(StackFrame.parse("java.base/java.util.concurrent.SynchronousQueue.put(SynchronousQueue.java:266)"))
                .isEqualTo(new StackFrame("java.base", "java.util.concurrent.SynchronousQueue", "put",
                        "SynchronousQueue.java", 266));
    }

    @Test
    void moduleWithVersionAndLoader() {
        assertThat(StackFrame.parse("com.foo.loader/foo@9.0/com.foo.Main.run(Main.java:101)"))
                .isEqualTo(new StackFrame("foo", "com.foo.Main", "run", "Main.java", 101));
    }

    @Test
    void noModule() {
        assertThat(StackFrame.parse("Sample.lambda$main$1(Sample.java:8)"))
                .isEqualTo(new StackFrame(null, "Sample", "lambda$main$1", "Sample.java", 8));
    }

    @Test
    void appLoaderPrefixIsDropped() {
        StackFrame f = StackFrame.parse("app//com.example.Foo.bar(Foo.java:12)");
        assertThat(f).isEqualTo(new StackFrame(null, "com.example.Foo", "bar", "Foo.java", 12));
        assertThat(f).isEqualTo(StackFrame.parse("com.example.Foo.bar(Foo.java:12)"));
    }

    @Test
    void jstackPutsTheModuleInsideTheParentheses() {
        StackFrame jstack = StackFrame.parse("java.lang.Thread.run(java.base@25.0.3/Thread.java:1474)");
        assertThat(jstack).isEqualTo(new StackFrame("java.base", "java.lang.Thread", "run", "Thread.java", 1474));
        assertThat(jstack).isEqualTo(StackFrame.parse("java.base/java.lang.Thread.run(Thread.java:1474)"));
    }

    @Test
    void nativeMethodInEveryForm() {
        StackFrame json = StackFrame.parse("java.base/java.lang.Object.wait0(Native Method)");
        StackFrame jstack = StackFrame.parse("java.lang.Object.wait0(java.base@25.0.3/Native Method)");
        assertThat(json).isEqualTo(jstack);
        assertThat(json.isNative()).isTrue();
        assertThat(json.lineNumber()).isEqualTo(StackFrame.NATIVE);
        assertThat(json.fileName()).isNull();
        assertThat(StackFrame.parse("java.lang.Object.wait(Native Method)"))   // JDK 8 jstack
                .isEqualTo(new StackFrame(null, "java.lang.Object", "wait", null, StackFrame.NATIVE));
    }

    @Test
    void unknownSourceAndFileWithoutLine() {
        assertThat(StackFrame.parse("com.example.Foo.bar(Unknown Source)"))
                .isEqualTo(new StackFrame(null, "com.example.Foo", "bar", null, StackFrame.UNKNOWN_LINE));
        assertThat(StackFrame.parse("com.example.Foo.bar(Foo.java)"))
                .isEqualTo(new StackFrame(null, "com.example.Foo", "bar", "Foo.java", StackFrame.UNKNOWN_LINE));
    }

    @Test
    void hiddenClassesKeepTheirSlash() {
        assertThat(StackFrame.parse("Foo$$Lambda/0x0000000801001234.run(Unknown Source)"))
                .isEqualTo(new StackFrame(null, "Foo$$Lambda/0x0000000801001234", "run", null, StackFrame.UNKNOWN_LINE));
        assertThat(StackFrame.parse(
                "java.lang.VirtualThread$$Lambda/0x0000000074004ff0.run(java.base@25.0.3/Unknown Source)"))
                .isEqualTo(new StackFrame("java.base", "java.lang.VirtualThread$$Lambda/0x0000000074004ff0", "run",
                        null, StackFrame.UNKNOWN_LINE));
        assertThat(StackFrame.parse("app//Foo$$Lambda/0x0000000801001234.run(Unknown Source)").className())
                .isEqualTo("Foo$$Lambda/0x0000000801001234");
        // JDK 17 lambda names: Sample17$$Lambda$5/0x00007fd7b8001448
        assertThat(StackFrame.parse("Sample17$$Lambda$5/0x00007fd7b8001448.run(Unknown Source)").className())
                .isEqualTo("Sample17$$Lambda$5/0x00007fd7b8001448");
    }

    @Test
    void equalsTheStackTraceElementItWasPrintedFrom() {
        StackTraceElement e = new StackTraceElement("app", "java.base", "21", "java.lang.Thread", "run",
                "Thread.java", 1474);
        assertThat(StackFrame.parse(e.toString())).isEqualTo(StackFrame.of(e));
        StackTraceElement mine = new Throwable().getStackTrace()[0];
        assertThat(StackFrame.parse(mine.toString())).isEqualTo(StackFrame.of(mine));
    }

    /** A native StackTraceElement keeps its file name, which no printed form shows: of() drops it too. */
    @Test
    void nativeStackTraceElementEqualsItsPrintedForm() {
        StackTraceElement e = new StackTraceElement(null, "java.base", null, "java.lang.Object", "wait0",
                "Object.java", -2);
        assertThat(e.toString()).isEqualTo("java.base/java.lang.Object.wait0(Native Method)");
        assertThat(StackFrame.of(e)).isEqualTo(StackFrame.parse(e.toString()));
        assertThat(StackFrame.of(e).fileName()).isNull();
    }

    @Test
    void toStringIsTheFrameWithoutModule() {
        assertThat(StackFrame.parse("java.base/java.lang.Object.wait0(Native Method)").toString())
                .isEqualTo("java.lang.Object.wait0(Native Method)");
        assertThat(StackFrame.parse("java.base/java.lang.Thread.run(Thread.java:1474)").shortName())
                .isEqualTo("Thread.run");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "hello", "java.lang.Thread.run", "run(Thread.java:1)", "java.lang.Thread.(x)",
            "java.lang.Thread.run(Thread.java:12", "java.lang.Thread.run(Thread.java:abc)", "(Thread.java:1)",
            "java.base/java.lang.Thread.run(Thread.java:99999999999)"})
    void badInputIsRefused(String text) {
        assertThatThrownBy(() -> StackFrame.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }
}
