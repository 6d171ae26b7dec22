package dev.leakhound.model;

import java.util.Objects;

/**
 * One frame of a thread's stack, as every source reports it: the JSON and text thread dumps,
 * {@code jstack}, and {@link StackTraceElement}.
 *
 * <p>The module is kept without its version ({@code java.base}, not {@code java.base@25.0.3}) and
 * the class loader name is dropped, so that the same frame read from different sources is equal.
 *
 * @param moduleName module of the class, or {@code null} for the unnamed module or when not given
 * @param className  binary name of the declaring class, e.g. {@code java.util.concurrent.SynchronousQueue}
 * @param methodName method name, e.g. {@code put} or {@code lambda$main$0}
 * @param fileName   source file, or {@code null} when unknown
 * @param lineNumber line number; {@link #NATIVE} for a native method, {@link #UNKNOWN_LINE} when unknown
 */
public record StackFrame(String moduleName, String className, String methodName, String fileName, int lineNumber) {

    /** Line number of a native method (as in {@link StackTraceElement}). */
    public static final int NATIVE = -2;
    /** Line number when the source does not say. */
    public static final int UNKNOWN_LINE = -1;

    public StackFrame {
        Objects.requireNonNull(className, "className");
        Objects.requireNonNull(methodName, "methodName");
        if (moduleName != null && moduleName.isEmpty()) {
            moduleName = null;
        }
    }

    /**
     * Whether the frame belongs to the JDK; see {@link #isJdk(String, String)}.
     */
    public boolean isJdk() {
        return isJdk(moduleName, className);
    }

    /**
     * Whether a class belongs to the JDK. A class whose module is named is the JDK's when the module is
     * ({@code java.*}, {@code jdk.*}); the JDK's dumps name the module of every JDK frame. A class without a
     * module (class path code, a JDK 8 dump, a heap dump) is the JDK's when it is in {@code java.*},
     * {@code jdk.*} or {@code sun.*}; {@code javax.*} and {@code com.sun.*} classes on the class path are
     * libraries (servlets, Jersey, JNA), not the JDK.
     */
    public static boolean isJdk(String moduleName, String className) {
        if (moduleName != null) {
            return moduleName.startsWith("java.") || moduleName.startsWith("jdk.");
        }
        return className.startsWith("java.") || className.startsWith("jdk.") || className.startsWith("sun.");
    }

    public static StackFrame of(StackTraceElement e) {
        if (e.isNativeMethod()) {
            // A native frame keeps its file name (Object.java) but every text form prints "(Native Method)"
            // instead, so drop it here too: the same frame must be equal from every source.
            return new StackFrame(e.getModuleName(), e.getClassName(), e.getMethodName(), null, NATIVE);
        }
        int line = Math.max(e.getLineNumber(), UNKNOWN_LINE);
        return new StackFrame(e.getModuleName(), e.getClassName(), e.getMethodName(), e.getFileName(), line);
    }

    /**
     * Parses a frame in any of the forms the JDK prints:
     * <ul>
     *   <li>{@code java.base/java.lang.Object.wait0(Native Method)} (JSON and text thread dumps)</li>
     *   <li>{@code app//com.example.Foo.bar(Foo.java:12)} ({@link StackTraceElement#toString()})</li>
     *   <li>{@code java.lang.Object.wait0(java.base@25.0.3/Native Method)} ({@code jstack}); the text before the
     *       first {@code /} in the parentheses is taken as the module only when it is a module name, with or
     *       without {@code @version}: in {@code Foo.bar(/home/x/s.rb:10)} the file is {@code /home/x/s.rb}</li>
     *   <li>{@code com.example.Foo.bar(Unknown Source)}, {@code com.example.Foo.bar(Foo.java)}</li>
     * </ul>
     *
     * @throws IllegalArgumentException if the text is not a frame
     */
    public static StackFrame parse(String text) {
        String s = text.strip();
        int open = s.indexOf('(');
        if (open <= 0 || !s.endsWith(")")) {
            throw new IllegalArgumentException("not a stack frame: " + abbreviate(s));
        }
        String qualified = s.substring(0, open);
        String location = s.substring(open + 1, s.length() - 1);

        // Optional "loader/" and "module@version/" prefixes. A hidden class has a '/' of its own,
        // always followed by "0x" (Foo$$Lambda/0x0000000801001234), which is not a prefix.
        String module = null;
        int classStart = 0;
        for (int i = 0, prefixes = 0; i < qualified.length() && prefixes < 2; i++) {
            if (qualified.charAt(i) == '/') {
                if (qualified.startsWith("0x", i + 1)) {
                    break;
                }
                classStart = i + 1;
                prefixes++;
            }
        }
        if (classStart > 0) {
            module = lastSegmentWithoutVersion(qualified.substring(0, classStart - 1));
            qualified = qualified.substring(classStart);
        }
        // jstack puts the module inside the parentheses: (java.base@25.0.3/Thread.java:1474). Only a prefix
        // that is a module name (with or without version) is one: a file name may be a path (/home/x/s.rb).
        int locSlash = location.indexOf('/');
        if (locSlash > 0) {
            String inner = moduleOf(location.substring(0, locSlash));
            if (inner != null) {
                location = location.substring(locSlash + 1);
                if (module == null) {
                    module = inner;
                }
            }
        }
        int dot = qualified.lastIndexOf('.');
        if (dot <= 0 || dot == qualified.length() - 1) {
            throw new IllegalArgumentException("not a stack frame: " + abbreviate(s));
        }
        String cls = qualified.substring(0, dot);
        String method = qualified.substring(dot + 1);

        String file = null;
        int line = UNKNOWN_LINE;
        if (location.equals("Native Method")) {
            line = NATIVE;
        } else if (!location.equals("Unknown Source") && !location.isEmpty()) {
            int colon = location.lastIndexOf(':');
            if (colon > 0) {
                file = location.substring(0, colon);
                try {
                    line = Integer.parseInt(location.substring(colon + 1));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("bad line number in stack frame: " + abbreviate(s));
                }
            } else {
                file = location;
            }
        }
        return new StackFrame(module, cls, method, file, line);
    }

    /**
     * The module name of jstack's {@code name@version} or {@code name} prefix, or {@code null} when the text is
     * not one: a module name is one or more Java identifiers joined by dots; a version is not empty and has
     * no white space.
     */
    private static String moduleOf(String prefix) {
        int at = prefix.indexOf('@');
        String name = at >= 0 ? prefix.substring(0, at) : prefix;
        if (at >= 0) {
            String version = prefix.substring(at + 1);
            if (version.isEmpty() || version.chars().anyMatch(Character::isWhitespace)) {
                return null;
            }
        }
        return isModuleName(name) ? name : null;
    }

    private static boolean isModuleName(String name) {
        boolean start = true;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (start ? !Character.isJavaIdentifierStart(c) : c != '.' && !Character.isJavaIdentifierPart(c)) {
                return false;
            }
            start = c == '.';
        }
        return !start;                                   // neither empty nor ending with a dot
    }

    private static String lastSegmentWithoutVersion(String prefix) {
        String module = prefix.substring(prefix.lastIndexOf('/') + 1);
        int at = module.indexOf('@');
        module = at >= 0 ? module.substring(0, at) : module;
        return module.isEmpty() ? null : module;
    }

    private static String abbreviate(String s) {
        return s.length() <= 120 ? s : s.substring(0, 117) + "...";
    }

    public boolean isNative() {
        return lineNumber == NATIVE;
    }

    /** {@code SynchronousQueue.put}: the simple class name (outer classes kept) and the method. */
    public String shortName() {
        int dot = className.lastIndexOf('.');
        return className.substring(dot + 1) + "." + methodName;
    }

    /** {@code java.util.concurrent.SynchronousQueue.put(SynchronousQueue.java:266)}, without the module. */
    @Override
    public String toString() {
        String where;
        if (isNative()) {
            where = "Native Method";
        } else if (fileName == null) {
            where = "Unknown Source";
        } else if (lineNumber >= 0) {
            where = fileName + ":" + lineNumber;
        } else {
            where = fileName;
        }
        return className + "." + methodName + "(" + where + ")";
    }
}
