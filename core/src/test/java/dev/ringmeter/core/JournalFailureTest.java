package dev.ringmeter.core;

import dev.ringmeter.Event;
import dev.ringmeter.core.query.WindowStats;
import dev.ringmeter.core.test.ChildJvm;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A journal write that fails: the store refuses every event after it and acknowledges nothing it did not write,
 * and a restart holds exactly what was acknowledged. The failure runs in a child JVM: Chronicle Queue, whose files
 * are pulled from under it, can leave mappings behind that crash a later queue of the same process, which is not
 * what this test is about (the next process starts clean, as a restarted service does).
 */
@Tag("slow")
@Timeout(120)
class JournalFailureTest {
    private static final long T0 = 1_760_000_400_000L;
    private static final int EVENTS = 1_000;

    @TempDir
    Path dir;

    @Test
    void shouldRefuseEventsAndAcknowledgeNothingOnceAJournalWriteFails() throws Exception {
        final Path data = dir.resolve("data");
        final String output = ChildJvm.runToEnd(ChildJvm.command(Child.class, data.toString()),
            dir.resolve("child.out"), 60);
        assertTrue(output.contains("ACKNOWLEDGED " + EVENTS), output);
        assertTrue(output.contains("TAKEN true"), "taken into the ring: the write fails later, on the journal thread");
        assertTrue(output.contains("FLUSH false"), "nothing is acknowledged that was not written: " + output);
        assertTrue(output.contains("FAILURE named"), "the store names the failure: " + output);
        assertTrue(output.contains("REFUSED the journal cannot write"), "record() refuses, naming the journal: " + output);
        assertTrue(output.contains("FLUSH AGAIN false"), "and the store goes on saying so: " + output);

        Files.delete(data.resolve("journal"));
        Files.move(data.resolve("journal.away"), data.resolve("journal"));
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(T0 + 700_000);
        try (EmbeddedStore reopened = EmbeddedStore.open(config(data, clock))) {
            assertFalse(reopened.recovery().snapshotLoaded(), "a failed journal writes no snapshot at close");
            assertEquals(EVENTS, reopened.aggregates().window(null, T0, T0 + 700_000, new WindowStats()).count(),
                "a restart holds what was acknowledged and not the refused event");
        }
    }

    static StoreConfig config(final Path data, final CachedEpochClock clock) {
        return new StoreConfig().dataDirectory(data).clock(clock).shutdownHook(false)
            .fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK).journalBlockBytes(1 << 20)
            .journalRollCycle("FIVE_MINUTELY");
    }

    /**
     * The child process: records and acknowledges {@value #EVENTS} events, turns the journal's directory into a
     * plain file (so the next cycle's file cannot be created), records one more event at a time in that cycle, and
     * prints what the store answers.
     */
    public static final class Child {
        private Child() {
        }

        public static void main(final String[] args) throws Exception {
            final Path data = Path.of(args[0]);
            final CachedEpochClock clock = new CachedEpochClock();
            clock.update(T0);
            try (EmbeddedStore store = EmbeddedStore.open(config(data, clock))) {
                final Event e = new Event();
                for (int i = 0; i < EVENTS; i++) {
                    store.record(e.reset().model("gpt-4o").latencyMs(1 + i % 100).timestampMs(T0 + i));
                }
                if (store.flush(10, TimeUnit.SECONDS) && store.journalFailure() == null) {
                    System.out.println("ACKNOWLEDGED " + EVENTS);
                }
                Files.move(data.resolve("journal"), data.resolve("journal.away"));
                Files.writeString(data.resolve("journal"), "not a directory");
                clock.update(T0 + 600_000);
                System.out.println("TAKEN " + store.record(e.reset().model("gpt-4o").latencyMs(1)
                    .timestampMs(T0 + 600_000)));
                System.out.println("FLUSH " + store.flush(10, TimeUnit.SECONDS));
                if (store.journalFailure() != null) {
                    System.out.println("FAILURE named");
                }
                try {
                    store.record(e.reset().model("gpt-4o").latencyMs(1).timestampMs(T0 + 600_000));
                    System.out.println("RECORDED after the failure");
                } catch (final IllegalStateException refused) {
                    System.out.println("REFUSED " + (refused.getMessage().contains("journal cannot write")
                        ? "the journal cannot write" : refused.getMessage()));
                }
                System.out.println("FLUSH AGAIN " + store.flush(10, TimeUnit.SECONDS));
            }
            System.out.flush();
            System.exit(0);
        }
    }
}
