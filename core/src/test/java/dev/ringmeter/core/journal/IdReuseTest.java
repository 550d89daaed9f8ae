package dev.ringmeter.core.journal;

import dev.ringmeter.Event;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.dictionary.Dimension;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ids of released dimensions are given to new values, within a journal cycle and across cycles; the live store, a
 * restart from the snapshot and a replay of the whole journal all name every event as it was recorded.
 */
@Timeout(60)
class IdReuseTest {
    private static final long H0 = 1_767_225_600_000L;
    private static final long STEP_MS = 300_000;
    private static final int STEPS = 24;

    @TempDir
    Path dir;

    private final CachedEpochClock clock = new CachedEpochClock();

    private StoreConfig config() {
        return new StoreConfig().dataDirectory(dir).clock(clock).shutdownHook(false)
            .fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK).journalBlockBytes(128 << 10)
            .dictionaryIdleMs(60_000).cardinalityLimit(Dimension.RUN, 2).cardinalityLimit(Dimension.TAG_VALUE, 3);
    }

    @Test
    void namesEveryEventRightWhileIdsAreReleasedAndGivenToOtherValues() throws Exception {
        clock.update(H0);
        final Map<String, Long> runs = new HashMap<>();
        final Map<String, Long> tags = new HashMap<>();
        final Map<String, Long> r7 = new HashMap<>();
        final List<String> newestFirst = new ArrayList<>();
        try (EmbeddedStore store = EmbeddedStore.open(config())) {
            final Event e = new Event();
            for (int k = 0; k < STEPS; k++) {   // every 5 minutes over two hourly cycles: each value idle by the next
                final long t = H0 + k * STEP_MS;
                clock.update(t);
                for (int j = 0; j < 2; j++) {
                    final String run = "r" + k;
                    final String tag = "t" + (k * 2 + j) % 7;
                    store.record(e.reset().model("m").run(run).tag("k", tag).timestampMs(t + j).latencyMs(1 + j));
                    runs.merge(run, 1L, Long::sum);
                    tags.merge(tag, 1L, Long::sum);
                    if (run.equals("r7")) {
                        r7.merge(tag, 1L, Long::sum);
                    }
                    newestFirst.add(0, run);
                }
                assertTrue(store.flush(10, TimeUnit.SECONDS));
            }
            assertTrue(store.dictionary().size(Dimension.RUN) <= 2);
            assertNamedRight(store, runs, tags, r7, newestFirst);
        }
        clock.update(H0 + STEPS * STEP_MS);
        try (EmbeddedStore store = EmbeddedStore.open(config())) {
            assertTrue(store.recovery().snapshotLoaded());
            assertNamedRight(store, runs, tags, r7, newestFirst);
        }
        Files.delete(dir.resolve(Snapshot.FILE));
        try (EmbeddedStore store = EmbeddedStore.open(config())) {
            assertFalse(store.recovery().snapshotLoaded());
            assertNamedRight(store, runs, tags, r7, newestFirst);
        }
    }

    private static void assertNamedRight(final EmbeddedStore store, final Map<String, Long> runs,
                                         final Map<String, Long> tags, final Map<String, Long> r7,
                                         final List<String> newestFirst) {
        final long from = H0;
        final long to = H0 + STEPS * STEP_MS;
        assertEquals(runs, SelfSufficientJournalTest.counts(new JournalScan(store).between(from, to)
            .groupBy(JournalScan.GroupBy.RUN).run()));
        assertEquals(tags, SelfSufficientJournalTest.counts(new JournalScan(store).between(from, to)
            .groupByTag("k").run()));
        assertEquals(r7, SelfSufficientJournalTest.counts(new JournalScan(store).between(from, to)
            .where(Dimension.RUN, "r7").groupByTag("k").run()));
        assertEquals(Map.of("all", 1L), SelfSufficientJournalTest.counts(new JournalScan(store).between(from, to)
            .whereTag("k", "t3").where(Dimension.RUN, "r5").run()), "r5 carried t3 and t4");
        final List<String> recent = new ArrayList<>();
        for (final Event e : store.aggregates().recent("m", newestFirst.size())) {
            recent.add(e.run());
        }
        assertEquals(newestFirst, recent);
    }
}
