package dev.ringmeter.core.aggregate;

import dev.ringmeter.CacheResult;
import dev.ringmeter.Event;
import dev.ringmeter.Status;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.journal.Snapshot;
import dev.ringmeter.core.test.DataDirectories;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The store's cumulative totals through a real durable store: every applied event counts once, whatever its
 * timestamp, and a recovery from a snapshot plus the journal after it gives the totals of a full replay.
 */
@Timeout(120)
class CumulativeTotalsTest {
    private static final long T0 = 1_760_000_400_000L;
    private static final long DAY_MS = 86_400_000L;
    private static final String[] MODELS = {"gpt-4o", "claude-sonnet", "llama-3-70b"};
    private static final int EVENTS = 30_000;
    private static final int PRICE_CHANGE_AT = 20_000;

    @TempDir
    Path dir;

    private final CachedEpochClock clock = new CachedEpochClock();

    private StoreConfig config(final Path data) {
        return new StoreConfig().dataDirectory(data).clock(clock).shutdownHook(false)
            .fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK).journalBlockBytes(1 << 20).snapshotIntervalMs(60_000);
    }

    /** What the test expects, counted beside the store. */
    private static final class Expected {
        final long[][] requests = new long[MODELS.length][Status.values().length];
        final long[] inputTokens = new long[MODELS.length];
        final long[] rateLimits = new long[MODELS.length];
        final double[] costUsd = new double[MODELS.length];
        long events;
    }

    /**
     * Records events i in [from, to), 10 ms of clock apart; every 97th is two days old, older than the retention.
     * Model 0 is priced at 2/8 USD per million tokens until event {@value #PRICE_CHANGE_AT}, then at 3/9; model 1
     * carries its own cost; model 2 has no price.
     */
    private static void record(final EmbeddedStore store, final CachedEpochClock clock, final int from, final int to,
                               final Expected expected) {
        final Event e = new Event();
        for (int i = from; i < to; i++) {
            if (i == 0) {
                store.setPrice(MODELS[0], 2, 8);
            } else if (i == PRICE_CHANGE_AT) {
                store.setPrice(MODELS[0], 3, 9);
            }
            final int m = i % 3;
            final long nowMs = T0 + i * 10L;
            clock.update(nowMs);
            final boolean old = i % 97 == 0;
            final Status status = i % 17 == 0 ? Status.ERROR : i % 29 == 0 ? Status.TIMEOUT : Status.OK;
            final long prompt = i % 1000;
            final long completion = i % 300;
            e.reset().model(MODELS[m]).timestampMs(old ? nowMs - 2 * DAY_MS : nowMs)
                .latencyNs(1_000_000L + (i * 7919L) % 900_000_000L).ttftMs(i % 50).promptTokens(prompt)
                .completionTokens(completion).status(status).retries(i % 5 == 0 ? 1 : 0)
                .cache(i % 3 == 0 ? CacheResult.HIT : CacheResult.MISS);
            if (status == Status.ERROR) {
                e.errorType("rate_limit");
                expected.rateLimits[m]++;
            }
            if (m == 1) {
                e.costUsd(0.001 * (i % 7));
                expected.costUsd[m] += 0.001 * (i % 7);
            } else if (m == 0) {
                expected.costUsd[m] += i < PRICE_CHANGE_AT
                    ? (prompt * 2.0 + completion * 8.0) / 1e6 : (prompt * 3.0 + completion * 9.0) / 1e6;
            }
            expected.requests[m][status.ordinal()]++;
            expected.inputTokens[m] += prompt;
            expected.events++;
            assertTrue(store.record(e));
        }
    }

    @Test
    void shouldGiveFromSnapshotPlusTailExactlyTheTotalsOfAFullReplay() throws Exception {
        clock.update(T0);
        final Path data = dir.resolve("data");
        final Expected expected = new Expected();
        final EmbeddedStore store = EmbeddedStore.open(config(data));
        try {
            record(store, clock, 0, EVENTS, expected);   // 300 s of clock: periodic snapshots along the way
            assertTrue(store.flush(10, TimeUnit.SECONDS));
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (store.snapshotJournalIndex() < 0 && System.nanoTime() < deadline) {
                Thread.onSpinWait();   // written on the snapshot thread
            }
            assertTrue(store.snapshotJournalIndex() >= 0, "a periodic snapshot was written");
            assertTotals(expected, store.aggregates());
            final long[] counters = store.aggregates().counters();
            assertTrue(counters[2] > 0, "some events were older than the retention, and counted all the same");
            // a crash image: a snapshot and a journal tail after it, and the same without the snapshot
            final Path withSnapshot = DataDirectories.copy(data, dir.resolve("with-snapshot"));
            final Path withoutSnapshot = DataDirectories.copy(data, dir.resolve("without-snapshot"));
            Files.delete(withoutSnapshot.resolve(Snapshot.FILE));
            try (EmbeddedStore fromSnapshot = EmbeddedStore.open(config(withSnapshot));
                 EmbeddedStore fromJournal = EmbeddedStore.open(config(withoutSnapshot))) {
                assertTrue(fromSnapshot.recovery().snapshotLoaded());
                assertTrue(fromSnapshot.recovery().replayedRecords() > 0, "the tail after the snapshot is replayed");
                assertFalse(fromJournal.recovery().snapshotLoaded());
                assertTotals(expected, fromSnapshot.aggregates());
                assertTotals(expected, fromJournal.aggregates());
                assertEquals(describe(store.aggregates().totals()), describe(fromSnapshot.aggregates().totals()));
                assertEquals(describe(fromJournal.aggregates().totals()), describe(fromSnapshot.aggregates().totals()));
                assertArrayEquals(counters, fromSnapshot.aggregates().counters());
                assertArrayEquals(counters, fromJournal.aggregates().counters());
                assertEquals(3.0, fromSnapshot.aggregates().price(MODELS[0])[0], "the last price of the journal");
            }
        } finally {
            store.close();
        }
    }

    @Test
    void shouldGoOnCountingAfterACleanRestart() throws Exception {
        clock.update(T0);
        final Path data = dir.resolve("data");
        final Expected expected = new Expected();
        try (EmbeddedStore store = EmbeddedStore.open(config(data))) {
            record(store, clock, 0, 5_000, expected);
        }
        try (EmbeddedStore reopened = EmbeddedStore.open(config(data))) {
            assertTrue(reopened.recovery().snapshotLoaded());
            assertEquals(0, reopened.recovery().replayedRecords());
            assertTotals(expected, reopened.aggregates());
            record(reopened, clock, 5_000, 8_000, expected);
            assertTrue(reopened.flush(10, TimeUnit.SECONDS));
            assertTotals(expected, reopened.aggregates());
        }
    }

    @Test
    void shouldRefuseASnapshotOfTheFormerLayoutAndReplayTheJournal() throws Exception {
        clock.update(T0);
        final Path data = dir.resolve("data");
        final Expected expected = new Expected();
        try (EmbeddedStore store = EmbeddedStore.open(config(data))) {
            record(store, clock, 0, 3_000, expected);
        }
        // the same bytes under version 1, with a valid checksum: refused for its version alone
        final byte[] bytes = Files.readAllBytes(data.resolve(Snapshot.FILE));
        ByteBuffer.wrap(bytes).putInt(8, 1);
        final CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length - 8);
        ByteBuffer.wrap(bytes).putLong(bytes.length - 8, crc.getValue());
        Files.write(data.resolve(Snapshot.FILE), bytes);
        try (EmbeddedStore reopened = EmbeddedStore.open(config(data))) {
            assertFalse(reopened.recovery().snapshotLoaded());
            assertTrue(reopened.recovery().replayedRecords() >= 3_000);
            assertTotals(expected, reopened.aggregates());
        }
    }

    private static void assertTotals(final Expected expected, final Aggregates aggregates) {
        final SortedMap<String, CallTotals> totals = aggregates.totals();
        assertEquals(MODELS.length, totals.size());
        long events = 0;
        for (int m = 0; m < MODELS.length; m++) {
            final CallTotals t = totals.get(MODELS[m]);
            for (final Status s : Status.values()) {
                assertEquals(expected.requests[m][s.ordinal()], t.requests(s), MODELS[m] + " " + s);
            }
            assertEquals(t.requests(), t.durationSeconds().count());
            assertEquals(expected.inputTokens[m], (long)t.inputTokens().sum(), MODELS[m]);
            assertEquals(expected.rateLimits[m], t.errorsByType().getOrDefault("rate_limit", 0L), MODELS[m]);
            assertEquals(expected.costUsd[m], t.costUsd(), 1e-9 * Math.max(1, expected.costUsd[m]), MODELS[m]);
            events += t.requests();
        }
        assertEquals(0, totals.get(MODELS[2]).costUsd(), "a model without a price costs nothing");
        assertEquals(expected.events, events, "every event counts, also those older than the retention");
        assertEquals(events, aggregates.counters()[0]);
    }

    /** @return every number of the totals, in order, for an exact comparison. */
    private static String describe(final SortedMap<String, CallTotals> totals) {
        final StringBuilder b = new StringBuilder();
        for (final Map.Entry<String, CallTotals> e : totals.entrySet()) {
            final CallTotals t = e.getValue();
            b.append(e.getKey()).append(": requests");
            for (final Status s : Status.values()) {
                b.append(' ').append(t.requests(s));
            }
            describe(b.append(" duration"), t.durationSeconds());
            describe(b.append(" ttft"), t.timeToFirstTokenSeconds());
            describe(b.append(" input"), t.inputTokens());
            describe(b.append(" output"), t.outputTokens());
            b.append(" errors ").append(t.errorsByType()).append(" cost ").append(t.costUsd()).append(" retries ")
                .append(t.retries()).append(" cache ").append(t.cacheHits()).append('/').append(t.cacheMisses())
                .append('\n');
        }
        return b.toString();
    }

    private static void describe(final StringBuilder b, final FixedBucketHistogram h) {
        for (int i = 0; i < h.boundCount(); i++) {
            b.append(' ').append(h.cumulativeCount(i));
        }
        b.append(" sum ").append(h.sum()).append(" count ").append(h.count());
    }
}
