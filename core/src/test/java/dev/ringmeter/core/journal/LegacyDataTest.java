package dev.ringmeter.core.journal;

import dev.ringmeter.Event;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.query.WindowStats;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A data directory written before ids were released (journal records of version 1, a snapshot of version 2; the
 * fixture legacy-dict-v1, made by the store of that time) opens, with and without its snapshot, and keeps working.
 * The fixture: at 2026-01-01T00:00:01Z a price for gpt-a, six events (gpt-a and gpt-b, runs run-1..3, tag env=prod,
 * the last an error) and a metric sample, then a close (snapshot); at 00:01:00 four more events (gpt-a and gpt-c,
 * runs run-1 and run-4, the last tagged env=dev), journaled after the snapshot. It has no FORMAT file: data format 1,
 * upgraded to the current one as it opens.
 */
@Timeout(60)
class LegacyDataTest {
    private static final long T = 1_767_225_600_000L;

    @TempDir
    Path dir;

    private final CachedEpochClock clock = new CachedEpochClock();

    private StoreConfig config() {
        return new StoreConfig().dataDirectory(dir).clock(clock).shutdownHook(false)
            .fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK).journalBlockBytes(128 << 10);
    }

    private void copyFixture() throws IOException, URISyntaxException {
        final Path fixture = Path.of(getClass().getResource("/legacy-dict-v1").toURI());
        try (Stream<Path> files = Files.walk(fixture)) {
            for (final Path p : (Iterable<Path>)files::iterator) {
                final Path target = dir.resolve(fixture.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /** @param extraRun1 events recorded since the fixture, each gpt-a, run-1, env=prod. */
    private static void assertFixture(final EmbeddedStore store, final long extraRun1) {
        final WindowStats s = store.aggregates().newWindowStats();
        assertEquals(List.of("gpt-a", "gpt-b", "gpt-c"), store.aggregates().models());
        assertEquals(5 + extraRun1, store.aggregates().window("gpt-a", T, T + 180_000, s).count());
        assertEquals(3, store.aggregates().window("gpt-b", T, T + 180_000, s).count());
        assertEquals(1, s.errorCount());
        assertEquals(2, store.aggregates().window("gpt-c", T, T + 180_000, s).count());
        assertArrayEquals(new double[] {1.0, 2.0}, store.aggregates().price("gpt-a"));
        assertEquals(List.of("queue.depth"), store.aggregates().metricNames());
        assertEquals("run-4", store.aggregates().recent("gpt-c", 1).get(0).run());
        assertEquals("task-x", store.aggregates().recent("gpt-b", 1).get(0).task());
        assertEquals(Map.of("run-1", 4L + extraRun1, "run-2", 2L, "run-3", 2L, "run-4", 2L),
            SelfSufficientJournalTest.counts(new JournalScan(store).between(T, T + 3_600_000)
                .groupBy(JournalScan.GroupBy.RUN).run()));
        assertEquals(Map.of("prod", 9L + extraRun1, "dev", 1L), SelfSufficientJournalTest.counts(new JournalScan(store)
            .between(T, T + 3_600_000).groupByTag("env").run()));
    }

    @Test
    void opensWithItsVersion2SnapshotReplaysVersion1RecordsAndKeepsWorking() throws Exception {
        copyFixture();
        clock.update(T + 120_000);
        try (EmbeddedStore store = EmbeddedStore.open(config())) {
            assertTrue(store.recovery().snapshotLoaded());
            assertEquals(7, store.recovery().replayedRecords(), "the tail: 4 events, 3 DICT records of new values");
            assertFixture(store, 0);
            store.record(new Event().model("gpt-a").run("run-1").tag("env", "prod").latencyMs(3)
                .timestampMs(T + 120_000));
            assertTrue(store.flush(10, TimeUnit.SECONDS));
            assertFixture(store, 1);
        }
        try (EmbeddedStore store = EmbeddedStore.open(config())) {
            assertTrue(store.recovery().snapshotLoaded());
            assertFixture(store, 1);
        }
        Files.delete(dir.resolve(Snapshot.FILE));
        try (EmbeddedStore store = EmbeddedStore.open(config())) {
            assertFalse(store.recovery().snapshotLoaded(), "versions 1 and 2 replayed from one cycle file");
            assertFixture(store, 1);
        }
    }

    @Test
    void opensAsThePreviousFormatAndIsUpgradedToTheCurrentOne() throws Exception {
        copyFixture();
        assertFalse(Files.exists(dir.resolve("FORMAT")), "the previous format has no FORMAT file");
        clock.update(T + 120_000);
        try (EmbeddedStore store = EmbeddedStore.open(config())) {
            assertFixture(store, 0);
        }
        assertEquals("ringmeter-data 2\n", Files.readString(dir.resolve("FORMAT")));
        try (EmbeddedStore store = EmbeddedStore.open(config())) {
            assertFixture(store, 0);
        }
    }

    @Test
    void replaysAVersion1JournalWithoutItsSnapshot() throws Exception {
        copyFixture();
        Files.delete(dir.resolve(Snapshot.FILE));
        clock.update(T + 120_000);
        try (EmbeddedStore store = EmbeddedStore.open(config())) {
            assertFalse(store.recovery().snapshotLoaded());
            assertFixture(store, 0);
        }
    }
}
