package dev.ringmeter.core.privacy;

import dev.ringmeter.Event;
import dev.ringmeter.Status;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.journal.JournalScan;
import dev.ringmeter.core.query.WindowStats;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sampling through a real durable store: the aggregates count every event, the journal keeps 1 in N ordinary events
 * with their weight and every error and slow one, a scan's weighted count gives back the total, and the weight
 * each kept event was journaled with holds across restarts under another rate.
 */
@Timeout(120)
class SamplingTest {
    static final long T0 = 1_760_000_400_000L;

    @TempDir
    Path dir;

    static StoreConfig config(final Path data, final CachedEpochClock clock, final String sampling) {
        return new StoreConfig().dataDirectory(data).clock(clock).shutdownHook(false)
            .fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK).journalBlockBytes(1 << 20)
            .sampling(Sampling.parse(sampling));
    }

    /**
     * Records, from event {@code from} on, {@code ok} fast ok events of the model, then {@code errors} errors and
     * {@code slow} ok events of 900 ms; 10 ms apart.
     *
     * @return the index after the last event.
     */
    static int record(final EmbeddedStore store, final CachedEpochClock clock, final String model, final int from,
                      final int ok, final int errors, final int slow) {
        final Event e = new Event();
        int i = from;
        for (int k = 0; k < ok + errors + slow; k++, i++) {
            clock.update(T0 + i * 10L);
            e.reset().model(model).timestampMs(T0 + i * 10L).latencyNs(k >= ok + errors ? 900_000_000L : 2_000_000L)
                .status(k >= ok && k < ok + errors ? Status.ERROR : Status.OK);
            if (k >= ok && k < ok + errors) {
                e.errorType("rate_limit");
            }
            assertTrue(store.record(e));
        }
        return i;
    }

    private static WindowStats window(final EmbeddedStore store) {
        return store.aggregates().window(null, 0, T0 + 100_000_000L, new WindowStats());
    }

    private static Map<String, WindowStats> scanByModel(final EmbeddedStore store) {
        return new JournalScan(store).between(0, T0 + 100_000_000L).groupBy(JournalScan.GroupBy.MODEL).run();
    }

    @Test
    void shouldCountEveryEventInTheAggregatesAndJournalOneInNPlusErrorsAndSlowOnes() throws Exception {
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(T0);
        try (EmbeddedStore store = EmbeddedStore.open(config(dir.resolve("data"), clock,
            "10,model:exact=1,slowMs=500"))) {
            int i = record(store, clock, "sampled", 0, 10_000, 100, 50);
            record(store, clock, "exact", i, 1_000, 0, 0);
            assertTrue(store.flush(30, TimeUnit.SECONDS));

            assertEquals(11_150, window(store).count(), "the aggregates count every event");
            final Map<String, WindowStats> scan = scanByModel(store);
            assertEquals(1_000 + 100 + 50, scan.get("sampled").count(), "1 in 10 ok events, every error and slow one");
            assertEquals(10_150, scan.get("sampled").estimatedCount(), "each kept ok event stands for 10");
            assertEquals(100, scan.get("sampled").errorCount(), "every error journaled");
            assertEquals(1_000, scan.get("exact").count(), "a model at 1 in 1 keeps every event");
            assertEquals(1_000, scan.get("exact").estimatedCount());
            assertEquals(11_150 - (1_000 + 100 + 50) - 1_000, store.stats().sampledOut(),
                "the ok events of the sampled model not journaled");
        }
    }

    @Test
    void shouldKeepEachEventsWeightAcrossRestartsUnderAnotherRate() throws Exception {
        final Path data = dir.resolve("data");
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(T0);
        int i;
        try (EmbeddedStore store = EmbeddedStore.open(config(data, clock, "10"))) {
            i = record(store, clock, "m", 0, 1_000, 0, 0);
        }
        try (EmbeddedStore store = EmbeddedStore.open(config(data, clock, "4"))) {
            record(store, clock, "m", i, 1_000, 0, 0);
        }
        try (EmbeddedStore store = EmbeddedStore.open(config(data, clock, ""))) {
            assertEquals(2_000, window(store).count(), "the snapshots of each clean close hold every event");
            final WindowStats m = scanByModel(store).get("m");
            assertEquals(100 + 250, m.count(), "1 in 10, then 1 in 4");
            assertEquals(2_000, m.estimatedCount(), "each kept event weighted by the rate it was kept under");
            final long[] weighted = {0};
            new JournalScan(store).between(0, T0 + 100_000_000L).forEach((event, weight) -> weighted[0] += weight);
            assertEquals(2_000, weighted[0], "a visitor sees each event's weight");
        }
    }

    @Test
    void shouldRepriceTheEventsSampledOutWithTheKeptOnes() throws Exception {
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(T0);
        try (EmbeddedStore store = EmbeddedStore.open(config(dir.resolve("data"), clock, "10").builtInPrices(false))) {
            final Event e = new Event();
            for (int i = 0; i < 1_000; i++) {
                clock.update(T0 + i * 10L);
                assertTrue(store.record(e.reset().model("m").timestampMs(T0 + i * 10L).latencyNs(2_000_000L)
                    .promptTokens(1_000).completionTokens(500)));
            }
            assertTrue(store.flush(30, TimeUnit.SECONDS));
            assertEquals(1_000, window(store).costUnknown(), "no price yet");
            store.putPriceEntry(new dev.ringmeter.core.cost.PriceEntry(0, 0, false,
                dev.ringmeter.core.cost.MatchKind.EXACT, "m", 0, new dev.ringmeter.core.cost.PriceTier(0, 2, 8,
                Double.NaN, Double.NaN, Double.NaN), new dev.ringmeter.core.cost.PriceTier[0]), 10_000);
            final dev.ringmeter.core.cost.CostRecompute.Report r = store.recomputeCosts(T0, T0 + 100_000, 10_000);
            assertEquals(100, r.changed(), "the journal holds 1 in 10");
            final double each = (1_000 * 2.0 + 500 * 8.0) / 1e6;
            assertEquals(1_000 * each, r.deltaUsd(), 1e-9, "each kept event's change counts for the 10 it stands for");
            assertEquals(1_000 * each, window(store).costUsd(), 1e-9, "every event of the window priced");
            assertEquals(0, window(store).costUnknown());
        }
    }

    @Test
    void shouldRefuseABadSamplingEntryNamingIt() {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> Sampling.parse("10,model:gpt=0"));
        assertTrue(e.getMessage().contains("model gpt"), e.getMessage());
        final IllegalArgumentException f = assertThrows(IllegalArgumentException.class,
            () -> Sampling.parse("every=3"));
        assertTrue(f.getMessage().contains("'every=3'"), f.getMessage());
        assertEquals("10,model:a=3,operation:execute_tool=5,slowMs=200",
            Sampling.parse("10, model:a=3, operation:execute_tool=5, slowMs=200").toString());
    }
}
