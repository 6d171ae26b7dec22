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

    /** Languages other than Java may record a path as the source file; it is not a module. */
    @Test
    void aPathInTheParenthesesIsTheFileNotAModule() {
        assertThat(StackFrame.parse("Foo.bar(/home/x/s.rb:10)"))
                .isEqualTo(new StackFrame(null, "Foo", "bar", "/home/x/s.rb", 10));
        assertThat(StackFrame.parse("org.jruby.Ruby.run(uri:classloader:/gems/x.rb:5)"))
                .isEqualTo(new StackFrame(null, "org.jruby.Ruby", "run", "uri:classloader:/gems/x.rb", 5));
        assertThat(StackFrame.parse("Foo.bar(C:/work/s.rb:7)"))
                .isEqualTo(new StackFrame(null, "Foo", "bar", "C:/work/s.rb", 7));
        assertThat(StackFrame.parse("Foo.bar(../x/s.py:3)"))
                .isEqualTo(new StackFrame(null, "Foo", "bar", "../x/s.py", 3));
        assertThat(StackFrame.parse("Foo.bar(my-lib/s.kts:3)"))
                .isEqualTo(new StackFrame(null, "Foo", "bar", "my-lib/s.kts", 3));
        assertThat(StackFrame.parse("Foo.bar(/Native Method)"))
                .isEqualTo(new StackFrame(null, "Foo", "bar", "/Native Method", StackFrame.UNKNOWN_LINE));
        // jstack's module prefix before a path: only the first segment is the module
        assertThat(StackFrame.parse("Foo.bar(foo.bar@1.0//home/x/s.rb:10)"))
                .isEqualTo(new StackFrame("foo.bar", "Foo", "bar", "/home/x/s.rb", 10));
        assertThat(StackFrame.parse("Foo.bar(foo@1.0-SNAPSHOT/lib/s.rb:10)"))
                .isEqualTo(new StackFrame("foo", "Foo", "bar", "lib/s.rb", 10));
    }

    @Test
    void moduleInTheParenthesesWithAndWithoutVersion() {
        assertThat(StackFrame.parse("com.example.Foo.bar(com.example.app/Foo.java:7)"))
                .isEqualTo(new StackFrame("com.example.app", "com.example.Foo", "bar", "Foo.java", 7));
        assertThat(StackFrame.parse("com.example.Foo.bar(com.example.app@25-ea+5/Native Method)"))
                .isEqualTo(new StackFrame("com.example.app", "com.example.Foo", "bar", null, StackFrame.NATIVE));
        assertThat(StackFrame.parse("jdk.internal.Foo.bar(jdk.internal.vm.ci@25.0.3/Unknown Source)"))
                .isEqualTo(new StackFrame("jdk.internal.vm.ci", "jdk.internal.Foo", "bar", null,
                        StackFrame.UNKNOWN_LINE));
        // not a module name: a leading or doubled dot, an empty version
        assertThat(StackFrame.parse("Foo.bar(.x/s.rb:1)").moduleName()).isNull();
        assertThat(StackFrame.parse("Foo.bar(a..b/s.rb:1)").moduleName()).isNull();
        assertThat(StackFrame.parse("Foo.bar(a@/s.rb:1)"))
                .isEqualTo(new StackFrame(null, "Foo", "bar", "a@/s.rb", 1));
    }
}
