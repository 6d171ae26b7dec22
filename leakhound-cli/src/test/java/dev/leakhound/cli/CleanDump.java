package dev.leakhound.cli;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.lang.management.ManagementFactory;

/**
 * A child JVM of {@link HeapCommandTest}: a program that leaves no thread blocked for good; dumps its heap
 * ({@code live=true}) to {@code args[0]} and exits.
 */
public final class CleanDump {
    private CleanDump() {
    }

    public static void main(String[] args) throws Exception {
        ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).dumpHeap(args[0], true);
        System.out.println("dumped");
        System.exit(0);
    }
}
