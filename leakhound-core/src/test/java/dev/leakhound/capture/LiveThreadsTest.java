package dev.leakhound.capture;

import dev.leakhound.model.DumpFormat;
import dev.leakhound.model.ThreadDump;
import dev.leakhound.model.ThreadSnapshot;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class LiveThreadsTest {

    @Test
    void captureSeesThisThreadAndLeavesNoFileBehind() throws Exception {
        ThreadDump dump = LiveThreads.capture();
        assertThat(dump.format()).isEqualTo(DumpFormat.LIVE);
        assertThat(dump.processId()).isEqualTo(ProcessHandle.current().pid());
        assertThat(dump.capturedAt()).isNotNull();
        ThreadSnapshot me = dump.threads().stream()
                .filter(t -> t.id() == Thread.currentThread().threadId()).findFirst().orElseThrow();
        assertThat(me.state()).isEqualTo(Thread.State.RUNNABLE);
        assertThat(me.daemon()).isEqualTo(Thread.currentThread().isDaemon());
        assertThat(me.stack()).anyMatch(f -> f.methodName().equals("captureSeesThisThreadAndLeavesNoFileBehind"));

        LiveThreads.capture();
        Path dir = DumpFiles.currentDirectory();
        assertThat(dir).isDirectory();
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
        if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
        }
    }

    @Test
    void aRemovedDirectoryIsMadeAgain() throws Exception {
        LiveThreads.capture();
        Path dir = DumpFiles.currentDirectory();
        Files.delete(dir);                         // as a temp cleaner would
        assertThat(LiveThreads.capture().threads()).isNotEmpty();
        assertThat(DumpFiles.currentDirectory()).isDirectory();
    }
}
