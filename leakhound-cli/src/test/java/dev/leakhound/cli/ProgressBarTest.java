package dev.leakhound.cli;

import dev.leakhound.hprof.Progress;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class ProgressBarTest {

    @Test
    void silentForTheFirstSecondThenOneLineErasedWhenDone() {
        // The bar's clock is the test's: "a second has passed" is said here, not left to how fast the machine is.
        AtomicLong now = new AtomicLong(42);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8), now::get);
        bar.update("reading x.hprof", 10 << 20, 100 << 20);
        now.addAndGet(999_999_999);
        bar.update("reading x.hprof", 20 << 20, 100 << 20);
        assertThat(bytes.size()).as("nothing before a second has passed").isZero();

        now.addAndGet(1);
        bar.update("reading x.hprof", 50 << 20, 100 << 20);
        String shown = bytes.toString(StandardCharsets.UTF_8);
        assertThat(shown).isEqualTo("\rreading x.hprof [###############...............] 50% 50/100 MB");
        now.addAndGet(99_999_999);
        bar.update("reading x.hprof", 60 << 20, 100 << 20);
        assertThat(bytes.toString(StandardCharsets.UTF_8)).as("at most ten redraws a second").isEqualTo(shown);

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
