package dev.ringmeter.core;

import dev.ringmeter.InvalidEventException;
import dev.ringmeter.MetricSample;
import dev.ringmeter.core.journal.Snapshot;
import dev.ringmeter.core.query.WindowStats;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A metric sample's count weighs it in its series (count, sum, percentiles), through the journal and its replay and
 * through the snapshot, on a real store in a temporary directory.
 */
@Timeout(60)
class WeightedMetricSampleTest {
    private static final long T0 = 1_760_000_400_000L;

    @TempDir
    Path data;

    private final CachedEpochClock clock = new CachedEpochClock();

    private StoreConfig config() {
        return new StoreConfig().dataDirectory(data).clock(clock).shutdownHook(false)
            .fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK).journalBlockBytes(1 << 20);
    }

    private static void assertWeighted(final EmbeddedStore store, final String how) {
        final WindowStats s = store.aggregates().metricWindow("duration_s", T0, T0 + 1_000, new WindowStats());
        assertEquals(10, s.count(), how + ": 9 observations of 2.0 and one of 40.0");
        assertEquals(9 * 2.0 + 40.0, s.valueSum(), 1e-9, how);
        assertEquals(5.8, s.valueMean(), 1e-9, how);
        assertEquals(2.0, s.valuePercentile(50), 2.0 / 32, how + ": the median is one of the nine");
        assertEquals(2.0, s.valuePercentile(90), 2.0 / 32, how);
        assertEquals(40.0, s.valuePercentile(99), 40.0 / 32, how);
    }

    @Test
    void shouldWeighASampleByItsCountThroughReplayAndSnapshot() throws Exception {
        clock.update(T0);
        try (EmbeddedStore store = EmbeddedStore.open(config())) {
            store.record(new MetricSample().name("duration_s").value(2.0).count(9).timestampMs(T0));
            store.record(new MetricSample().name("duration_s").value(40.0).timestampMs(T0));
            assertTrue(store.flush(10, TimeUnit.SECONDS));
            assertWeighted(store, "recorded");
        }
        Files.delete(data.resolve(Snapshot.FILE));
        try (EmbeddedStore replayed = EmbeddedStore.open(config())) {
            assertTrue(replayed.recovery().replayedRecords() > 0, "read back from the journal");
            assertWeighted(replayed, "replayed from the journal");
        }
        try (EmbeddedStore reopened = EmbeddedStore.open(config())) {
            assertTrue(reopened.recovery().snapshotLoaded());
            assertWeighted(reopened, "loaded from the snapshot");
        }
    }

    @Test
    void shouldRefuseACountOutsideItsBoundsNamingTheField() {
        final MetricSample s = new MetricSample();
        assertEquals("count", assertThrows(InvalidEventException.class, () -> s.count(0)).field());
        assertEquals("count", assertThrows(InvalidEventException.class,
            () -> s.count(MetricSample.MAX_COUNT + 1)).field());
        assertEquals(MetricSample.MAX_COUNT, s.count(MetricSample.MAX_COUNT).count());
        assertEquals(1, s.reset().count(), "a reset sample stands for one observation");
    }
}
