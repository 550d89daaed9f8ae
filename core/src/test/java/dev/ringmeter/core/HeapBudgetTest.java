package dev.ringmeter.core;

import dev.ringmeter.CardinalityLimitException;
import dev.ringmeter.Event;
import dev.ringmeter.core.dictionary.Dimension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The limits a heap allows: derived from the configuration and the max heap, honoured when configured, and named
 * with the way to raise them when the store refuses a value. What the derived limits really hold on the heap is
 * measured by {@link HeapLimitsTest}.
 */
@Timeout(30)
class HeapBudgetTest {
    private static final long MB = 1 << 20;

    @Test
    void shouldFitAsManyModelsAsTheHeapShareHoldsAtMostTheDefault() {
        final HeapBudget small = HeapBudget.of(new StoreConfig(), 512 * MB);
        final long model = small.bytesEach(Dimension.MODEL);
        final int models = small.limit(Dimension.MODEL);
        assertTrue(models >= 1 && models < 20, "a 512 MB heap holds a few models, not 1,000: " + small);
        assertTrue(small.derived(Dimension.MODEL));
        assertEquals(256 * MB, small.budgetBytes());
        assertTrue(small.estimatedBytes() <= small.budgetBytes(), small.toString());
        assertFalse(small.exceeded());
        final long left = small.budgetBytes() - (small.estimatedBytes() - (long)models * model
            - subjectBytes(small));
        assertTrue((models + 1) * model > left * HeapBudget.MODEL_SHARE, "one model more passes its half: " + small);
        for (final Dimension d : HeapBudget.SUBJECTS) {
            assertTrue((small.limit(d) + 1) * small.bytesEach(d) > left * (1 - HeapBudget.MODEL_SHARE) / 4,
                d + ": one more passes its eighth: " + small);
        }
        assertTrue(HeapBudget.of(new StoreConfig(), 256 * MB).exceeded(),
            "a 256 MB heap cannot hold one model, pipeline, pipeline step, tool and agent at their widest in half");

        final HeapBudget large = HeapBudget.of(new StoreConfig(), 1L << 40);
        assertEquals(Dimension.MODEL.defaultLimit(), large.limit(Dimension.MODEL), "capped at the default");
        for (final Dimension d : Dimension.VALUES) {
            assertEquals(d.defaultLimit(), large.limit(d), d + " keeps its default on a large heap");
        }
    }

    private static long subjectBytes(final HeapBudget budget) {
        long bytes = 0;
        for (final Dimension d : HeapBudget.SUBJECTS) {
            bytes += budget.limit(d) * budget.bytesEach(d);
        }
        return bytes;
    }

    @Test
    void shouldCountEveryTierAtItsWidestPerModel() {
        final long twoDigits = HeapBudget.of(new StoreConfig(), 1L << 30).bytesEach(Dimension.MODEL);
        // 234 buckets of three histograms each that reach a day in microseconds, about 12 MB with 2 digits, and the
        // strings of 1,000 recent events, each a distinct value of 256 chars at worst, 3.3 MB, 62 one-second buckets
        // held ahead of the clock (the 60 s future-skew bound), 3.2 MB, and the snapshot image's copy of the recent
        // events and their strings, 3.4 MB
        assertTrue(twoDigits > 21 * MB && twoDigits < 26 * MB, "bytes a model: " + twoDigits);
        assertTrue(HeapBudget.of(new StoreConfig().histogramDigits(3), 1L << 30).bytesEach(Dimension.MODEL)
            > 5 * twoDigits, "3 digits need about 7 times the buckets of a histogram");
        assertTrue(HeapBudget.of(new StoreConfig().retentionHours(48), 1L << 30).bytesEach(Dimension.MODEL)
            > twoDigits + 24 * 3 * 30_000, "24 more hourly buckets of three long-count histograms");
        assertTrue(HeapBudget.of(new StoreConfig().recentEventsPerModel(100_000), 1L << 30)
            .bytesEach(Dimension.MODEL) > twoDigits + 99_000 * 128, "128 bytes a recent event");
    }

    @Test
    void shouldScaleTheOtherDimensionsDownOnASmallHeapWithinAQuarterOfTheBudget() {
        final StoreConfig config = new StoreConfig();
        final HeapBudget small = HeapBudget.of(config, 256 * MB);
        long dimensions = 0;
        for (final Dimension d : Dimension.VALUES) {
            if (!HeapBudget.hasAggregates(d)) {
                dimensions += small.limit(d) * small.bytesEach(d);
                if (d != Dimension.QUALITY_NAME) {
                    assertTrue(small.limit(d) >= 1 && small.limit(d) < d.defaultLimit(), d + ": " + small);
                }
            }
        }
        assertTrue(dimensions <= small.budgetBytes() / 4, small.toString());
        assertEquals(Dimension.QUALITY_NAME.defaultLimit(), small.limit(Dimension.QUALITY_NAME),
            "quality names size every bucket and the snapshot's fingerprint: not derived");
        assertTrue(small.bytesEach(Dimension.RUN) >= 2 * 256, "a value of 256 two-byte characters");
        assertTrue(HeapBudget.of(new StoreConfig().maxStringLength(4096), 256 * MB).limit(Dimension.RUN)
            < small.limit(Dimension.RUN) / 8, "longer strings, fewer values");
    }

    @Test
    void shouldHonourConfiguredLimitsAndSayWhenTheyPassTheBudget() {
        final HeapBudget budget = HeapBudget.of(new StoreConfig().cardinalityLimit(Dimension.MODEL, 1000)
            .cardinalityLimit(Dimension.RUN, 7), 256 * MB);
        assertEquals(1000, budget.limit(Dimension.MODEL));
        assertEquals(7, budget.limit(Dimension.RUN));
        assertFalse(budget.derived(Dimension.MODEL));
        assertFalse(budget.derived(Dimension.RUN));
        assertTrue(budget.exceeded());
        assertTrue(budget.toString().contains("the limits need more than the budget"), budget.toString());
        assertTrue(budget.toString().contains("model=1000 (configured)"), budget.toString());

        final HeapBudget fits = HeapBudget.of(new StoreConfig().cardinalityLimit(Dimension.MODEL, 1), 512 * MB);
        assertFalse(fits.exceeded());
        assertTrue(fits.limit(Dimension.RUN) < Dimension.RUN.defaultLimit(), "the others are still derived");
    }

    @Test
    void shouldTakeTheShareOfTheHeapConfigured() {
        final HeapBudget half = HeapBudget.of(new StoreConfig(), 1L << 30);
        final HeapBudget quarter = HeapBudget.of(new StoreConfig().heapShare(0.25), 1L << 30);
        assertEquals(256 * MB, quarter.budgetBytes());
        assertTrue(quarter.limit(Dimension.MODEL) < half.limit(Dimension.MODEL));
        assertTrue(quarter.estimatedBytes() <= quarter.budgetBytes());
        assertTrue(half.maxHeapBytesFor(half.limit(Dimension.MODEL)) <= 1L << 30);
        final int more = 2 * half.limit(Dimension.MODEL);
        assertFalse(HeapBudget.of(new StoreConfig().cardinalityLimit(Dimension.MODEL, more),
            half.maxHeapBytesFor(more)).exceeded(), "the heap a refusal advises for more models holds them");
        assertThrows(IllegalArgumentException.class, () -> new StoreConfig().heapShare(0.99).conclude());
        assertThrows(IllegalArgumentException.class, () -> new StoreConfig().heapShare(0).conclude());
        assertThrows(IllegalArgumentException.class,
            () -> new StoreConfig().cardinalityLimit(Dimension.RUN, -1).conclude());
    }

    @Test
    void shouldRunWithTheLimitsOfTheJvmsOwnHeap() {
        final StoreConfig config = new StoreConfig().conclude();
        final HeapBudget budget = HeapBudget.of(config, Runtime.getRuntime().maxMemory());
        assertArrayEquals(budget.limits(), config.cardinalityLimits());
        assertEquals(budget.toString(), config.heapBudget().toString());
    }

    @Test
    void shouldNameTheModelLimitAndHowToRaiseItWhenRefusingAModel() {
        try (EmbeddedStore store = EmbeddedStore.open(new StoreConfig().cardinalityLimit(Dimension.MODEL, 2))) {
            final Event e = new Event();
            assertTrue(store.record(e.reset().model("a").latencyNs(1_000)));
            assertTrue(store.record(e.reset().model("b").latencyNs(1_000)));
            final CardinalityLimitException refused = assertThrows(CardinalityLimitException.class,
                () -> store.record(e.reset().model("c").latencyNs(1_000)));
            assertEquals(2, refused.limit());
            final String message = refused.getMessage();
            assertTrue(message.startsWith("model has reached its cardinality limit of 2 distinct values"), message);
            assertTrue(message.contains("--limit model=N") && message.contains("cardinalityLimit(Dimension.MODEL, n)"),
                "names the options: " + message);
            assertTrue(message.matches(".*4 models need -Xmx\\d+m.*"), "and the heap they need: " + message);
        }
    }

    @Test
    void shouldCountTheAnomalyWatchInEachModelAndItsLogInTheFixedPart() {
        final long heap = 4L << 30;
        final HeapBudget on = HeapBudget.of(new StoreConfig(), heap);
        final HeapBudget off = HeapBudget.of(new StoreConfig().anomalyDetection(false), heap);
        final long perModel = on.bytesEach(Dimension.MODEL) - off.bytesEach(Dimension.MODEL);
        assertTrue(perModel >= dev.ringmeter.core.watch.AnomalyWatch.BYTES_PER_MODEL, "per model: " + perModel);
        assertEquals(12_416, dev.ringmeter.core.watch.AnomalyWatch.BYTES_PER_MODEL, "six detectors of 2,036 bytes");
        final HeapBudget small = HeapBudget.of(new StoreConfig().maxAnomalies(1), heap);
        final HeapBudget large = HeapBudget.of(new StoreConfig().maxAnomalies(1_000_000), heap);
        assertTrue(large.limit(Dimension.MODEL) < small.limit(Dimension.MODEL),
            "a million anomalies leave room for fewer models: " + large.limit(Dimension.MODEL) + " vs "
                + small.limit(Dimension.MODEL));
    }
}
