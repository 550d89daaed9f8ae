package dev.ringmeter.core.journal;

import dev.ringmeter.Event;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.query.WindowStats;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A scan's bounds over a real journal: it keeps the most frequent groups and merges the rest into "other", whatever
 * the number of distinct values; it ends at its time limit or when cancelled, and lets retention delete cycles
 * again afterwards; {@code forEach} gives every matching event with its names.
 */
@Timeout(120)
class JournalScanBoundsTest {
    private static final long T0 = 1_760_000_400_000L;
    private static final int LIGHT_RUNS = 20_000;

    @TempDir
    Path dir;

    private final CachedEpochClock clock = new CachedEpochClock();

    private EmbeddedStore open() {
        clock.update(T0);
        return EmbeddedStore.open(new StoreConfig().dataDirectory(dir).clock(clock).shutdownHook(false)
            .fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK).journalBlockBytes(1 << 20));
    }

    /** Three heavy runs (2,001, 1,334 and 666 events) among 20,000 runs of one event each. */
    private static void record(final EmbeddedStore store) throws InterruptedException {
        final Event e = new Event();
        int t = 0;
        for (int i = 0; i < LIGHT_RUNS; i++) {
            store.record(e.reset().model("m").run("light-" + i).latencyMs(1).timestampMs(T0 + t++));
            if (i % 10 == 0) {
                final int heavy = i % 30 == 0 ? 0 : i % 30 == 10 ? 1 : 2;
                for (int k = 0; k < 3 - heavy; k++) {
                    store.record(e.reset().model("m").run("heavy-" + heavy).latencyMs(100).timestampMs(T0 + t++));
                }
            }
        }
        assertTrue(store.flush(30, TimeUnit.SECONDS));
    }

    @Test
    void shouldKeepTheMostFrequentGroupsAndPutTheRestInOther() throws Exception {
        try (EmbeddedStore store = open()) {
            record(store);
            final JournalScan scan = new JournalScan(store).groupBy(JournalScan.GroupBy.RUN).limit(3);
            final Map<String, WindowStats> groups = scan.run();
            assertEquals(List.of("heavy-0", "heavy-1", "heavy-2"), List.copyOf(groups.keySet()), "largest first");
            assertEquals(2_001, groups.get("heavy-0").count());
            assertEquals(1_334, groups.get("heavy-1").count());
            assertEquals(666, groups.get("heavy-2").count());
            assertTrue(scan.twoPasses(), "more groups than kept: counted first, then gathered");
            assertEquals(LIGHT_RUNS, scan.other().count(), "every other event is in other");
            assertEquals(1.0, scan.other().latencyMs(50), 0.01);

            final JournalScan all = new JournalScan(store).groupBy(JournalScan.GroupBy.RUN).limit(100_000);
            assertEquals(LIGHT_RUNS + 3, all.run().size(), "a limit above the groups keeps them all");
            assertFalse(all.twoPasses());
            assertNull(all.other());
        }
    }

    @Test
    void shouldEndAtItsTimeLimitOrWhenCancelledAndLetRetentionGoOn() throws Exception {
        try (EmbeddedStore store = open()) {
            record(store);
            final AtomicInteger asked = new AtomicInteger();
            final ScanStoppedException cancelled = assertThrows(ScanStoppedException.class, () ->
                new JournalScan(store).groupBy(JournalScan.GroupBy.RUN).cancelWhen(() -> asked.incrementAndGet() > 2)
                    .run());
            assertFalse(cancelled.timedOut());
            assertEquals(3, asked.get(), "looked at every " + JournalScan.CHECK_EVERY + " events, stopped at once");

            final ScanStoppedException late = assertThrows(ScanStoppedException.class, () ->
                new JournalScan(store).groupBy(JournalScan.GroupBy.RUN).timeLimitMs(1)
                    .cancelWhen(() -> {
                        final long until = System.nanoTime() + 2_000_000;
                        while (System.nanoTime() < until) {
                            Thread.onSpinWait();   // the scan's own work, made slow: 2 ms per look
                        }
                        return false;
                    }).run());
            assertTrue(late.timedOut(), late.getMessage());
            assertTrue(late.getMessage().contains("time limit of 1 ms"), late.getMessage());

            // the stopped scans hold no cycle file: retention may delete again (the write lock is free)
            final boolean[] ran = new boolean[1];
            store.journal().whileCyclesKept(() -> ran[0] = true);
            assertTrue(ran[0]);
            assertEquals(0, store.journal().deleteExpiredCycles(store.journal().lastIndex()),
                "nothing is due, but the sweep ran rather than being skipped for a scan");
        }
    }

    @Test
    void shouldVisitEveryMatchingEventWithItsNames() throws Exception {
        try (EmbeddedStore store = open()) {
            record(store);
            final Map<String, Integer> runs = new HashMap<>();
            final long visited = new JournalScan(store).where(dev.ringmeter.core.dictionary.Dimension.MODEL, "m")
                .forEach(e -> {
                    assertEquals("m", e.model());
                    runs.merge(e.run(), 1, Integer::sum);
                });
            assertEquals(LIGHT_RUNS + 4_001, visited);
            assertEquals(LIGHT_RUNS + 3, runs.size());
            assertEquals(2_001, runs.get("heavy-0"));
            assertEquals(1, runs.get("light-12345"));
        }
    }
}
