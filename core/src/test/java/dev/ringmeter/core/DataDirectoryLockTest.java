package dev.ringmeter.core;

import dev.ringmeter.core.test.ChildJvm;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One process per data directory: a second store on a directory another process holds is refused with a message
 * naming the directory and the holder's pid, and the directory is free again once that process is killed.
 */
@Tag("slow")
@Timeout(120)
class DataDirectoryLockTest {
    @TempDir
    Path dir;

    @Test
    void shouldRefuseASecondStoreOnADirectoryAnotherProcessHolds() throws Exception {
        final Path data = dir.resolve("data");
        final Path output = dir.resolve("child.out");
        final Process child = new ProcessBuilder(ChildJvm.command(Holder.class, data.toString()))
            .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        try {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.readString(output, StandardCharsets.UTF_8).contains("OPEN")) {
                assertTrue(child.isAlive() && System.nanoTime() < deadline,
                    "the child did not open its store: " + Files.readString(output, StandardCharsets.UTF_8));
                Thread.onSpinWait();
            }
            final IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> EmbeddedStore.open(config(data)));
            assertTrue(refused.getMessage().contains(data.toString())
                && refused.getMessage().contains("pid " + child.pid()), refused.getMessage());
        } finally {
            child.destroyForcibly();   // SIGKILL: the operating system drops its lock
            child.waitFor(30, TimeUnit.SECONDS);
        }
        try (EmbeddedStore store = EmbeddedStore.open(config(data))) {
            final IllegalStateException second = assertThrows(IllegalStateException.class,
                () -> EmbeddedStore.open(config(data)));
            assertTrue(second.getMessage().contains("this process"), second.getMessage());
            assertTrue(store.flush(10, TimeUnit.SECONDS), "the first store still works");
        }
        EmbeddedStore.open(config(data)).close();   // released at close
    }

    static StoreConfig config(final Path data) {
        return new StoreConfig().dataDirectory(data).shutdownHook(false).journalBlockBytes(1 << 20);
    }

    /** The child: opens a store on the directory, says so, and holds it until killed. */
    public static final class Holder {
        private Holder() {
        }

        public static void main(final String[] args) throws Exception {
            EmbeddedStore.open(config(Path.of(args[0])));
            System.out.println("OPEN");
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
