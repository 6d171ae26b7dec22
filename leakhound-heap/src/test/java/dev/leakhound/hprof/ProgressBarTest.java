package dev.leakhound.hprof;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class ProgressBarTest {

    @Test
    void silentForTheFirstSecondThenOneLineErasedWhenDone() throws InterruptedException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        bar.update("reading x.hprof", 10 << 20, 100 << 20);
        assertThat(bytes.size()).as("nothing before a second has passed").isZero();

        Thread.sleep(1100);
        bar.update("reading x.hprof", 50 << 20, 100 << 20);
        String shown = bytes.toString(StandardCharsets.UTF_8);
        assertThat(shown).isEqualTo("\rreading x.hprof [###############...............] 50% 50/100 MB");

        bar.done();
        assertThat(bytes.toString(StandardCharsets.UTF_8)).endsWith("\r" + " ".repeat(shown.length() - 1) + "\r")
                .doesNotContain("\n");
    }

    @Test
    void noBarWithoutAConsole() {
        if (System.console() == null) {
            assertThat(ProgressBar.forTerminal()).isSameAs(Progress.NONE);
        }
    }
}
