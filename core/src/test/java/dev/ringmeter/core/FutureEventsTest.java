package dev.ringmeter.core;

import dev.ringmeter.Event;
import dev.ringmeter.MetricSample;
import dev.ringmeter.core.query.WindowStats;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Events ahead of the store clock, within the future-skew bound: they never move the tiers' newest bucket past the
 * clock, so the events of now stay on the fast path, and each is counted in the window of its own time.
 */
@Timeout(60)
class FutureEventsTest {
    private static final long T0 = 1_760_000_400_000L;   // an instant on a whole hour
    private final CachedEpochClock clock = new CachedEpochClock();
    private final WindowStats s = new WindowStats();
    private EmbeddedStore store;

    @TempDir
    Path dir;

    private EmbeddedStore open(final StoreConfig config) {
        store = EmbeddedStore.open(config.clock(clock).fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK));
        return store;
    }

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    private void record(final String model, final long timeMs, final long latencyMs) {
        assertTrue(store.record(new Event().model(model).latencyMs(latencyMs).timestampMs(timeMs)));
    }

    private long count(final String model, final long fromMs, final long toMs) {
        return store.aggregates().window(model, fromMs, toMs, s).count();
    }

    @Test
    void shouldKeepEventsAtNowOnTheFastPathAfterOneFiftyNineSecondsAhead() throws Exception {
        clock.update(T0 + 500);
        open(new StoreConfig());
        record("m", T0 + 100, 1);
        record("m", T0 + 59_300, 99);
        for (int i = 0; i < 100; i++) {
            record("m", T0 + 200 + i, 1);
        }
        assertTrue(store.flush(5, TimeUnit.SECONDS));
        assertEquals(0, store.stats().lateEvents(), "events at the store's time after one 59 s ahead are not late");
        assertEquals(1, store.stats().heldEvents());
        assertEquals(101, count("m", T0, T0 + 1000));
        assertEquals(0, count("m", T0 + 1000, T0 + 59_000));
        assertEquals(1, count("m", T0 + 59_000, T0 + 60_000), "a query of the future second sees the held event");

        // the clock gets there while the model is idle: the event is in the window of its time, for the model
        // and for all models
        clock.update(T0 + 60_000);
        assertEquals(1, count("m", T0 + 59_000, T0 + 60_000));
        assertEquals(99.0, s.latencyMaxMs(), 1e-9);
        assertEquals(1, count(null, T0 + 59_000, T0 + 60_000));
        assertEquals(102, count(null, T0 - 60_000, T0 + 60_000));

        // an event of the second after places the held one in the tiers; it is counted once, in its own second
        record("m", T0 + 60_100, 5);
        assertTrue(store.flush(5, TimeUnit.SECONDS));
        assertEquals(0, store.stats().lateEvents());
        assertEquals(1, count("m", T0 + 59_000, T0 + 60_000));
        assertEquals(1, count(null, T0 + 59_000, T0 + 60_000));
        assertEquals(1, count("m", T0 + 50_000, T0 + 60_000));
        assertEquals(103, count("m", T0, T0 + 61_000));

        // ten minutes on, only the coarser tiers keep that minute: the held event was rolled up with the others
        clock.update(T0 + 600_000);
        record("m", T0 + 600_000, 1);
        assertTrue(store.flush(5, TimeUnit.SECONDS));
        assertEquals(102, count("m", T0, T0 + 60_000));
        assertEquals(102, count(null, T0, T0 + 60_000));
        assertEquals(99.0, s.latencyMaxMs(), 1e-9);
    }

    @Test
    void shouldCatchAnIdleModelUpWithTheClockBeforeHoldingItsFutureEvents() throws Exception {
        clock.update(T0);
        open(new StoreConfig());
        record("m", T0, 1);
        assertTrue(store.flush(5, TimeUnit.SECONDS));
        clock.update(T0 + 3_600_000);
        for (int i = 0; i <= 60; i++) {
            record("m", T0 + 3_600_000 + i * 1000L, 2);   // one in each second of the next minute, up to the bound
        }
        for (int i = 0; i < 10; i++) {
            record("m", T0 + 3_600_000 + i, 3);
        }
        assertTrue(store.flush(5, TimeUnit.SECONDS));
        assertEquals(0, store.stats().lateEvents());
        assertEquals(60, store.stats().heldEvents());
        for (int i = 1; i <= 60; i++) {
            clock.update(T0 + 3_600_000 + i * 1000L + 500);
            record("m", T0 + 3_600_000 + i * 1000L + 1, 4);   // now, which reaches the held second of now
            assertTrue(store.flush(5, TimeUnit.SECONDS));
            assertEquals(2, count("m", T0 + 3_600_000 + i * 1000L, T0 + 3_600_000 + (i + 1) * 1000L), "second " + i);
        }
        assertEquals(0, store.stats().lateEvents());
        assertEquals(1 + 61 + 10 + 60, count("m", T0, T0 + 3_661_000));
        assertEquals(11 + 9 * 2, count("m", T0 + 3_600_000, T0 + 3_610_000));
        assertEquals(60 * 2, count(null, T0 + 3_601_000, T0 + 3_661_000));
    }

    @Test
    void shouldHoldMetricSamplesAheadOfTheClockToo() throws Exception {
        clock.update(T0);
        open(new StoreConfig());
        final MetricSample m = new MetricSample();
        assertTrue(store.record(m.reset().name("queue_depth").value(7).timestampMs(T0 + 30_000)));
        for (int i = 0; i < 5; i++) {
            assertTrue(store.record(m.reset().name("queue_depth").value(1).timestampMs(T0 + i)));
        }
        assertTrue(store.flush(5, TimeUnit.SECONDS));
        assertEquals(0, store.stats().lateEvents());
        assertEquals(1, store.stats().heldEvents());
        clock.update(T0 + 31_000);
        assertEquals(1, store.aggregates().metricWindow("queue_depth", T0 + 30_000, T0 + 31_000, s).count());
        assertEquals(7.0, s.valueMax(), 1e-9);
        assertEquals(6, store.aggregates().metricWindow("queue_depth", T0, T0 + 31_000, s).count());
    }

    @Test
    void shouldKeepHeldEventsInTheSnapshotAcrossARestart() throws Exception {
        clock.update(T0 + 500);
        final StoreConfig config = new StoreConfig().dataDirectory(dir).shutdownHook(false);
        open(config);
        record("m", T0 + 100, 1);
        record("m", T0 + 45_100, 45);
        assertTrue(store.flush(5, TimeUnit.SECONDS));
        store.close();

        open(new StoreConfig().dataDirectory(dir).shutdownHook(false));
        assertTrue(store.recovery().snapshotLoaded());
        assertEquals(0, store.recovery().replayedRecords());
        assertEquals(1, count("m", T0 + 45_000, T0 + 46_000), "the held event came back with the snapshot");
        record("m", T0 + 200, 1);
        assertTrue(store.flush(5, TimeUnit.SECONDS));
        assertEquals(0, store.stats().lateEvents());
        clock.update(T0 + 45_500);
        record("m", T0 + 45_200, 2);
        assertTrue(store.flush(5, TimeUnit.SECONDS));
        assertEquals(2, count("m", T0 + 45_000, T0 + 46_000));
        assertEquals(45.0, s.latencyMaxMs(), 1e-9);
        assertEquals(4, count(null, T0, T0 + 46_000));
    }

    private record Recorded(String model, long timeMs) {
    }

    @Test
    void shouldCountEveryWindowExactlyWithLateAndFutureEventsMixed() throws Exception {
        clock.update(T0);
        open(new StoreConfig());
        final SplittableRandom random = new SplittableRandom(11);
        final String[] models = {"a", "b", "c"};
        final List<Recorded> all = new ArrayList<>();
        final Event e = new Event();
        long now = T0;
        for (int i = 0; i < 40_000; i++) {
            now += random.nextInt(0, 200);
            clock.update(now);
            final int kind = random.nextInt(10);
            final long t = kind == 0 ? Math.max(T0, now - random.nextLong(0, 1_200_000))
                : kind == 1 ? now + random.nextLong(0, 60_001) : now;
            final Recorded r = new Recorded(models[random.nextInt(models.length)], t);
            all.add(r);
            assertTrue(store.record(e.reset().model(r.model).latencyMs(1).timestampMs(t)));
            if (i % 4000 == 0) {
                assertTrue(store.flush(5, TimeUnit.SECONDS));
            }
        }
        assertTrue(store.flush(5, TimeUnit.SECONDS));
        assertTrue(store.stats().heldEvents() > 0);
        final long end = now;
        // every window that the finest tier, or a coarser one at its own bucket edges, covers exactly
        final long[][] windows = {{1_000, 30_000}, {10_000, 300_000}, {60_000, 3_600_000}};
        for (final long[] w : windows) {
            for (int trial = 0; trial < 40; trial++) {
                final long to = end + 60_000 - w[0] * random.nextLong(0, w[1] / w[0]);
                final long from = to - w[0] * random.nextLong(1, 10);
                final long aligned = from - Math.floorMod(from, w[0]);
                final String model = trial % 4 == 3 ? null : models[trial % 4];
                store.aggregates().window(model, aligned, to - Math.floorMod(to, w[0]), s);
                long expected = 0;
                for (final Recorded r : all) {
                    if (r.timeMs >= s.coveredFromMs() && r.timeMs < s.coveredToMs()
                        && (model == null || model.equals(r.model))) {
                        expected++;
                    }
                }
                assertEquals(expected, s.count(), model + " in " + (s.coveredFromMs() - T0) + ".."
                    + (s.coveredToMs() - T0));
            }
        }
        assertEquals(all.size(), count(null, T0 - 60_000, end + 60_001));
    }
}
