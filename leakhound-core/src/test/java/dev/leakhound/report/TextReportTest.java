package dev.leakhound.report;

import dev.leakhound.model.StackFrame;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TextReportTest {
    @Test
    void foldedStackKeepsTheCallAndApplicationFrames() {
        List<StackFrame> stack = List.of(
                StackFrame.parse("java.base/java.lang.VirtualThread.park(VirtualThread.java:742)"),
                StackFrame.parse("java.base/java.util.concurrent.locks.LockSupport.park(LockSupport.java:367)"),
                StackFrame.parse("java.base/java.util.concurrent.SynchronousQueue.put(SynchronousQueue.java:266)"),
                StackFrame.parse("com.example.App.send(App.java:8)"),
                StackFrame.parse("java.base/java.lang.VirtualThread.run(VirtualThread.java:460)"));
        StringBuilder folded = new StringBuilder();
        TextReport.appendStack(folded, stack, stack.get(2), false);
        assertThat(folded.toString()).isEqualTo("""
                      ... 2 JDK frames
                    java.util.concurrent.SynchronousQueue.put(SynchronousQueue.java:266)
                    com.example.App.send(App.java:8)
                      ... 1 JDK frame
                """);
        StringBuilder all = new StringBuilder();
        TextReport.appendStack(all, stack, stack.get(2), true);
        assertThat(all.toString().lines()).hasSize(5);
    }
}
