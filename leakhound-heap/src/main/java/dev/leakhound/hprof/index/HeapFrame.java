package dev.leakhound.hprof.index;

/**
 * A frame of a stack trace as the dump's STACK_FRAME record gives it. {@code line} keeps HPROF's codes: positive a
 * line number, 0 or negative when unknown: -1 no line information, -2 a compiled method, {@link #HPROF_NATIVE_LINE}
 * (-3) a native method. These are not core's {@code model.StackFrame} codes (there {@code NATIVE} is -2): a heap
 * dump's frame is never turned into a {@code StackFrame}, and prints as the JVM does ({@link #toString}). The class
 * and method names are never null: a name the dump does not hold (a dangling id) is a placeholder in angle brackets
 * ({@code <unknown class>}, {@code <unknown method 0x...>}); signature and source file are null when unknown.
 */
public record HeapFrame(String className, String methodName, String signature, String sourceFile, int line) {

    /** HPROF's line number of a native method's frame (HotSpot's heapDumper writes -3). */
    public static final int HPROF_NATIVE_LINE = -3;

    /** Whether the frame is a native method's. */
    public boolean isNative() {
        return line == HPROF_NATIVE_LINE;
    }

    @Override
    public String toString() {
        String where = line > 0 ? (sourceFile == null ? "Unknown Source" : sourceFile) + ":" + line
                : isNative() ? "Native Method" : sourceFile == null ? "Unknown Source" : sourceFile;
        return className + "." + methodName + "(" + where + ")";
    }
}
