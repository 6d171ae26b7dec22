package dev.leakhound.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * The child's half of {@link ChildJvm}'s protocol, for the programs it runs: {@code ready} on standard output, then
 * lines of standard input until {@code exit} (or its end). Only the JDK here: the child's class path is the test
 * classes alone.
 */
final class ChildSide {
    private ChildSide() {
    }

    /** Prints {@code ready}, then returns when standard input says {@code exit} or ends; other lines are answered. */
    static void readyUntilExit() throws IOException {
        System.out.println("ready");
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null && !line.strip().equals("exit")) {
            System.out.println("unknown command: " + line);
        }
    }
}
