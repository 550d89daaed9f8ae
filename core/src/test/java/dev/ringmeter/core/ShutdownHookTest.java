package dev.ringmeter.core;

import dev.ringmeter.Event;
import dev.ringmeter.core.query.WindowStats;
import dev.ringmeter.core.test.ChildJvm;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real child JVM records into a durable store and exits without closing it: the store's shutdown hook closes it,
 * so the next open finds a snapshot with every event and nothing to replay.
 */
@Tag("slow")
@Timeout(120)
class ShutdownHookTest {
    private static final long T0 = 1_760_000_400_000L;
    private static final int EVENTS = 500;

    @TempDir
    Path dir;

    @Test
    void shouldCloseADurableStoreTheProcessExitsWithoutClosing() throws Exception {
        final Path data = dir.resolve("data");
        final String text = ChildJvm.runToEnd(ChildJvm.command(Child.class, data.toString()), dir.resolve("child.out"),
            60);
        assertTrue(text.contains("RECORDED " + EVENTS), text);

        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(T0 + 60_000);
        try (EmbeddedStore reopened = EmbeddedStore.open(new StoreConfig().dataDirectory(data).clock(clock)
            .shutdownHook(false).journalBlockBytes(1 << 20))) {
            assertTrue(reopened.recovery().snapshotLoaded(), "the hook wrote a snapshot: " + text);
            assertEquals(0, reopened.recovery().replayedRecords(), "and left nothing to replay");
            assertEquals(EVENTS, reopened.aggregates().window("gpt-4o", T0, T0 + 60_000, new WindowStats()).count());
        }
    }

    /**
     * The child process: opens a durable store (shutdown hook on, the default) on its argument, records
     * {@value #EVENTS} events, flushes, prints {@code RECORDED n} and exits without closing the store.
     */
    public static final class Child {
        private Child() {
        }

        public static void main(final String[] args) throws Exception {
            final CachedEpochClock clock = new CachedEpochClock();
            clock.update(T0);
            final EmbeddedStore store = EmbeddedStore.open(new StoreConfig().dataDirectory(Path.of(args[0]))
                .clock(clock).fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK).journalBlockBytes(1 << 20));
            final Event event = new Event();
            for (int i = 0; i < EVENTS; i++) {
                store.record(event.reset().model("gpt-4o").timestampMs(T0 + i).latencyNs(1_000_000L + i));
            }
            if (!store.flush(30, TimeUnit.SECONDS)) {
                System.out.println("FLUSH FAILED");
                System.exit(2);
            }
            System.out.println("RECORDED " + EVENTS);
            System.out.flush();
            System.exit(0);
        }
    }
}
