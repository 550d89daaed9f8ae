package dev.ringmeter.core;

import dev.ringmeter.MetricSample;
import dev.ringmeter.core.journal.Snapshot;
import dev.ringmeter.core.query.Series;
import dev.ringmeter.core.query.SeriesMetric;
import dev.ringmeter.core.query.WindowStats;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Custom metrics by series (name and tags) in a real durable store: percentiles, tag filters, series, rates. */
@Timeout(60)
class CustomMetricSeriesTest {
    private static final long T0 = 1_760_000_400_000L;
    /** A percentile read as its value histogram bucket's middle is within 1/32 of the exact one. */
    private static final double PRECISION = 1.0 / 32;

    @TempDir
    Path dir;

    private final CachedEpochClock clock = new CachedEpochClock();

    private StoreConfig config(final Path data) {
        return new StoreConfig().dataDirectory(data).clock(clock).shutdownHook(false)
            .fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK).journalBlockBytes(1 << 20);
    }

    /** Two GPUs sampled each second for a minute: gpu 0 at 10..69 %, gpu 1 at 50 %. */
    private static void recordGpus(final EmbeddedStore store) {
        final MetricSample s = new MetricSample();
        for (int i = 0; i < 60; i++) {
            store.record(s.reset().name("gpu.utilization").value(10 + i).tag("gpu", "0").tag("host", "a")
                .timestampMs(T0 + i * 1000L));
            store.record(s.reset().name("gpu.utilization").value(50).tag("host", "a").tag("gpu", "1")
                .timestampMs(T0 + i * 1000L + 500));
        }
    }

    private static WindowStats window(final EmbeddedStore store, final Map<String, String> tags) {
        return store.aggregates().metricWindow("gpu.utilization", tags, T0, T0 + 60_000, new WindowStats());
    }

    private static void assertNear(final double expected, final double actual, final String what) {
        assertTrue(Math.abs(actual - expected) <= expected * PRECISION, what + ": " + actual + " not within "
            + PRECISION + " of " + expected);
    }

    @Test
    void shouldGiveThePercentilesOfKnownValuesWithinTheStatedPrecision() throws Exception {
        clock.update(T0);
        try (EmbeddedStore store = EmbeddedStore.open(config(dir.resolve("data")))) {
            final MetricSample s = new MetricSample();
            for (int i = 1; i <= 1000; i++) {
                store.record(s.reset().name("model.load_ms").value(i * 1.5).timestampMs(T0 + i * 10L));
            }
            store.record(s.reset().name("model.load_ms").value(-7).timestampMs(T0 + 5));
            clock.update(T0 + 20_000);
            assertTrue(store.flush(10, TimeUnit.SECONDS));
            final WindowStats w = store.aggregates().metricWindow("model.load_ms", Map.of(), T0, T0 + 20_000,
                new WindowStats());
            assertEquals(1001, w.count());
            assertEquals(1, w.negativeValues(), "a value below zero is counted apart");
            assertEquals(-7, w.valueMin());
            assertEquals(1500, w.valueMax());
            assertNear(750, w.valuePercentile(50), "p50");
            assertNear(1350, w.valuePercentile(90), "p90");
            assertNear(1425, w.valuePercentile(95), "p95");
            assertNear(1485, w.valuePercentile(99), "p99");
            assertTrue(w.valuePercentile(100) <= 1500, "never above the exact maximum");
        }
    }

    @Test
    void shouldAnswerForTheSeriesWhoseTagsMatchAndMergeThemAllWithoutAFilter() throws Exception {
        clock.update(T0 + 61_000);
        try (EmbeddedStore store = EmbeddedStore.open(config(dir.resolve("data")))) {
            recordGpus(store);
            assertTrue(store.flush(10, TimeUnit.SECONDS));
            final WindowStats gpu0 = window(store, Map.of("gpu", "0"));
            assertEquals(60, gpu0.count());
            assertEquals(10, gpu0.valueMin());
            assertEquals(69, gpu0.valueMax());
            assertNear(39.5, gpu0.valueMean(), "mean");
            final WindowStats gpu1 = window(store, Map.of("gpu", "1", "host", "a"));
            assertEquals(60, gpu1.count());
            assertNear(50, gpu1.valuePercentile(95), "gpu 1 p95");
            assertEquals(120, window(store, Map.of()).count(), "no filter merges every series");
            assertEquals(120, window(store, Map.of("host", "a")).count());
            assertEquals(0, window(store, Map.of("gpu", "2")).count());
            assertEquals(Map.of("gpu", new TreeSet<>(List.of("0", "1")), "host", new TreeSet<>(Set.of("a"))),
                store.aggregates().metricTags("gpu.utilization"));
        }
    }

    @Test
    void shouldPlotASeriesPerStepOfTheMatchingSeries() throws Exception {
        clock.update(T0 + 61_000);
        try (EmbeddedStore store = EmbeddedStore.open(config(dir.resolve("data")))) {
            recordGpus(store);
            assertTrue(store.flush(10, TimeUnit.SECONDS));
            final Series s = store.aggregates().metricSeries("gpu.utilization", Map.of("gpu", "0"),
                SeriesMetric.parseCustom("max"), T0, T0 + 60_000, 10_000);
            assertEquals(6, s.values().length);
            for (int i = 0; i < 6; i++) {
                assertEquals(19 + 10 * i, s.values()[i], "max of gpu 0 in step " + i);
            }
            final Series counts = store.aggregates().metricSeries("gpu.utilization", Map.of(),
                SeriesMetric.parseCustom("count"), T0, T0 + 60_000, 30_000);
            assertEquals(60, counts.values()[0]);
            assertEquals(60, counts.values()[1]);
        }
    }

    @Test
    void shouldGiveTheSumPerSecondAsARate() throws Exception {
        clock.update(T0 + 120_000);
        try (EmbeddedStore store = EmbeddedStore.open(config(dir.resolve("data")))) {
            final MetricSample s = new MetricSample();
            for (int i = 0; i < 60; i++) {
                store.record(s.reset().name("docs.processed.bytes").value(2_000_000).timestampMs(T0 + i * 1000L));
            }
            assertTrue(store.flush(10, TimeUnit.SECONDS));
            final WindowStats w = store.aggregates().metricWindow("docs.processed.bytes", Map.of(), T0, T0 + 60_000,
                new WindowStats());
            assertEquals(2_000_000, w.valueRate(), 1e-6, "120 MB over 60 s");
        }
    }

    @Test
    void shouldPutTheTagSetsPastTheLimitsInTheOverflowAndSaySo() throws Exception {
        clock.update(T0 + 61_000);
        try (EmbeddedStore store = EmbeddedStore.open(config(dir.resolve("data")).metricSeriesPerName(2)
            .metricSeries(3))) {
            final MetricSample s = new MetricSample();
            for (int gpu = 0; gpu < 4; gpu++) {
                store.record(s.reset().name("gpu.utilization").value(gpu).tag("gpu", "" + gpu).timestampMs(T0));
            }
            store.record(s.reset().name("gpu.memory").value(1).tag("gpu", "0").timestampMs(T0));
            store.record(s.reset().name("gpu.memory").value(2).tag("gpu", "1").timestampMs(T0));
            assertTrue(store.flush(10, TimeUnit.SECONDS));
            final WindowStats all = window(store, Map.of());
            assertEquals(4, all.count(), "the overflow is in the unfiltered answer");
            assertEquals(2, all.unplacedSamples(), "past metricSeriesPerName");
            assertEquals(0, window(store, Map.of("gpu", "3")).count());
            assertEquals(2, window(store, Map.of("gpu", "3")).unplacedSamples());
            final WindowStats memory = store.aggregates().metricWindow("gpu.memory", Map.of(), T0, T0 + 1000,
                new WindowStats());
            assertEquals(2, memory.count());
            assertEquals(1, memory.unplacedSamples(), "past metricSeries in all");
            assertNear(1, memory.valuePercentile(100), "the overflow (2) is not in the percentiles");
        }
    }

    @Test
    void shouldKeepTheSeriesAcrossARestartWithAndWithoutTheSnapshot() throws Exception {
        clock.update(T0 + 61_000);
        final Path data = dir.resolve("data");
        try (EmbeddedStore store = EmbeddedStore.open(config(data))) {
            recordGpus(store);
            assertTrue(store.flush(10, TimeUnit.SECONDS));
        }
        final Path withoutSnapshot = dir.resolve("without-snapshot");
        dev.ringmeter.core.test.DataDirectories.copy(data, withoutSnapshot);
        Files.delete(withoutSnapshot.resolve(Snapshot.FILE));
        for (final Path d : List.of(data, withoutSnapshot)) {
            try (EmbeddedStore reopened = EmbeddedStore.open(config(d))) {
                assertEquals(d == data, reopened.recovery().snapshotLoaded());
                final WindowStats gpu0 = window(reopened, Map.of("gpu", "0"));
                assertEquals(60, gpu0.count(), d.toString());
                assertEquals(69, gpu0.valueMax());
                assertNear(66, gpu0.valuePercentile(95), "p95 of gpu 0 after a restart from " + d);
                assertEquals(60, window(reopened, Map.of("gpu", "1")).count());
                assertEquals(120, window(reopened, Map.of()).count());
            }
        }
    }
}
