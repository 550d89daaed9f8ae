package dev.ringmeter.core;

import dev.ringmeter.Event;
import dev.ringmeter.Status;
import dev.ringmeter.core.cost.CostRecompute;
import dev.ringmeter.core.cost.MatchKind;
import dev.ringmeter.core.cost.PriceEntry;
import dev.ringmeter.core.cost.PriceTier;
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
 * A recompute of costs over a real durable store: the window's cost changes exactly as the test computes it, the
 * counts say what it did, a second run changes nothing, and a restart (from the snapshot, and from the journal
 * alone) gives the same windows.
 */
@Timeout(120)
class CostRecomputeTest {
    private static final long T0 = 1_760_000_400_000L;
    private static final long TIMEOUT_MS = 10_000;
    private static final double NA = Double.NaN;
    /** Each priced event: 1,000 prompt tokens (200 cached) and 500 completion tokens (100 reasoning). */
    private static final int EVENTS = 100;

    @TempDir
    Path data;

    private final CachedEpochClock clock = new CachedEpochClock();

    private StoreConfig config() {
        clock.update(T0 + EVENTS * 1000L + 5_000);
        return new StoreConfig().dataDirectory(data).clock(clock).builtInPrices(false).shutdownHook(false);
    }

    /**
     * Events of "m" each second from T0: every tenth carries its own cost of 0.5 USD; of "u", which no entry
     * prices, one every other second.
     */
    private static void record(final EmbeddedStore store) throws InterruptedException {
        final Event e = new Event();
        for (int i = 0; i < EVENTS; i++) {
            e.reset().model("m").timestampMs(T0 + i * 1000L).latencyMs(100).status(Status.OK)
                .promptTokens(1000).cachedTokens(200).completionTokens(500).reasoningTokens(100);
            if (i % 10 == 0) {
                e.costUsd(0.5);
            }
            assertTrue(store.record(e));
            if (i % 2 == 0) {
                e.reset().model("u").timestampMs(T0 + i * 1000L).latencyMs(100).status(Status.OK).promptTokens(10);
                assertTrue(store.record(e));
            }
        }
        assertTrue(store.flush(TIMEOUT_MS, TimeUnit.MILLISECONDS));
    }

    /** The cost of one "m" event at input 2, output 8, cache read 1, reasoning 20 USD per million. */
    private static final double FIRST = (800 * 2.0 + 200 * 1.0 + 400 * 8.0 + 100 * 20.0) / 1e6;
    /** The same at twice every price. */
    private static final double SECOND = 2 * FIRST;

    private static PriceEntry entry(final long fromMs, final double factor) {
        return new PriceEntry(0, 0, false, MatchKind.EXACT, "m", fromMs,
            new PriceTier(0, 2 * factor, 8 * factor, factor, NA, 20 * factor), new PriceTier[0]);
    }

    /** @return the model's cost as the in-memory comparisons hold it, grouped by model over the events' range. */
    private static double comparedCost(final EmbeddedStore store, final String model) {
        for (final dev.ringmeter.core.query.Comparison.Group g : store.compare()
            .by(dev.ringmeter.core.dictionary.Dimension.MODEL).between(T0, T0 + EVENTS * 1000L)
            .source(dev.ringmeter.core.query.Comparison.Source.MEMORY).run().groups()) {
            if (model.equals(g.values().first())) {
                return g.stats().costUsd();
            }
        }
        return Double.NaN;
    }

    private static WindowStats window(final EmbeddedStore store, final String model) {
        return store.aggregates().window(model, T0, T0 + EVENTS * 1000L, store.aggregates().newWindowStats());
    }

    @Test
    void shouldRepriceTheRangeExactlyAndIdempotentlyAndKeepItAcrossRestarts() throws Exception {
        final double explicit = 10 * 0.5;
        try (EmbeddedStore store = EmbeddedStore.open(config())) {
            record(store);
            assertEquals(explicit, window(store, "m").costUsd(), 1e-12, "only the caller's costs");
            assertEquals(90, window(store, "m").costUnknown());
            assertTrue(Double.isNaN(window(store, "m").costPerSuccessUsd()), "a partial sum is not divided");

            store.putPriceEntry(entry(0, 1), TIMEOUT_MS);
            final CostRecompute.Report first = store.recomputeCosts(T0, T0 + EVENTS * 1000L, TIMEOUT_MS);
            assertEquals(90 + 50, first.repriced(), "every event of the range without a cost of its own");
            assertEquals(90, first.changed(), "the 90 events of m became priced; u's stay unknown");
            assertEquals(10, first.explicit());
            assertEquals(50, first.unpriced());
            assertEquals(90 * FIRST, first.deltaUsd(), 1e-12);
            final WindowStats m = window(store, "m");
            assertEquals(explicit + 90 * FIRST, m.costUsd(), 1e-12);
            assertEquals(0, m.costUnknown());
            assertEquals(explicit + 90 * FIRST, comparedCost(store, "m"), 1e-12, "the in-memory comparisons too");
            assertEquals((explicit + 90 * FIRST) / EVENTS, m.costPerSuccessUsd(), 1e-12);
            assertEquals(50, window(store, "u").costUnknown(), "never counted as $0");

            final CostRecompute.Report again = store.recomputeCosts(T0, T0 + EVENTS * 1000L, TIMEOUT_MS);
            assertEquals(0, again.changed(), "a second run with no price change changes nothing");
            assertEquals(explicit + 90 * FIRST, window(store, "m").costUsd(), 1e-12);

            // from T0 + 50 s on, twice the price: the events before keep the older one
            store.putPriceEntry(entry(T0 + 50_000, 2), TIMEOUT_MS);
            final CostRecompute.Report third = store.recomputeCosts(T0, T0 + EVENTS * 1000L, TIMEOUT_MS);
            assertEquals(45, third.changed(), "the 45 events of m at or after T0 + 50 s without their own cost");
            assertEquals(45 * (SECOND - FIRST), third.deltaUsd(), 1e-12);
            assertEquals(explicit + 45 * FIRST + 45 * SECOND, comparedCost(store, "m"), 1e-12);
        }
        final double expected = explicit + 45 * FIRST + 45 * SECOND;
        try (EmbeddedStore fromSnapshot = EmbeddedStore.open(config())) {
            assertTrue(fromSnapshot.recovery().snapshotLoaded());
            assertEquals(expected, window(fromSnapshot, "m").costUsd(), 1e-12, "from the snapshot");
            assertEquals(0, fromSnapshot.recomputeCosts(T0, T0 + EVENTS * 1000L, TIMEOUT_MS).changed());
        }
        Files.delete(data.resolve(Snapshot.FILE));
        try (EmbeddedStore fromJournal = EmbeddedStore.open(config())) {
            assertEquals(expected, window(fromJournal, "m").costUsd(), 1e-12, "from the journal alone");
            assertEquals(0, window(fromJournal, "m").costUnknown());
            assertEquals(4, fromJournal.prices().recomputes().size());
        }
    }

    @Test
    void shouldPriceAnEventRecordedAfterAnEntryWithThePriceInForceAtItsTime() throws Exception {
        try (EmbeddedStore store = EmbeddedStore.open(config())) {
            store.putPriceEntry(entry(0, 1), TIMEOUT_MS);
            store.putPriceEntry(entry(T0 + 50_000, 2), TIMEOUT_MS);
            record(store);
            assertEquals(5 + 45 * FIRST + 45 * SECOND, window(store, "m").costUsd(), 1e-12,
                "an event before the newer entry's effective-from gets the older price");
        }
    }

    @Test
    void shouldRefuseARecomputeOnAStoreWithoutAJournal() {
        try (EmbeddedStore store = EmbeddedStore.open(new StoreConfig().builtInPrices(false))) {
            final IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> store.recomputeCosts(T0, T0 + 1000, TIMEOUT_MS));
            assertTrue(e.getMessage().contains("journal"), e.getMessage());
        }
    }
}
