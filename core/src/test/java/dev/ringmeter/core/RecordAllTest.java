package dev.ringmeter.core;

import dev.ringmeter.CardinalityLimitException;
import dev.ringmeter.Event;
import dev.ringmeter.InvalidEventException;
import dev.ringmeter.core.aggregate.Aggregates;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.core.query.WindowStats;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link EmbeddedStore#recordAll}: events recorded with ring slots claimed in groups are aggregated and journaled as
 * one by one; a bad event records none; a full ring refuses the group that finds no room and counts
 * one drop, as record() one by one would; a fill that fails in the
 * middle of a group leaves the rest of the group's slots void, so nothing stale from an earlier lap is applied.
 */
@Timeout(60)
class RecordAllTest {
    private static final long T0 = 1_760_000_400_000L;
    private final CachedEpochClock clock = new CachedEpochClock();

    @TempDir
    Path dir;

    private StoreConfig config() {
        clock.update(T0);
        return new StoreConfig().clock(clock).shutdownHook(false).ringSize(64);
    }

    private static Event[] events(final int n, final String... models) {
        final Event[] events = new Event[n];
        for (int i = 0; i < n; i++) {
            events[i] = new Event().model(models[i % models.length]).latencyMs(1 + i % 50).promptTokens(i)
                .timestampMs(T0);
        }
        return events;
    }

    private static WindowStats window(final EmbeddedStore store, final String model) {
        return store.aggregates().window(model, T0, T0 + 1000, new WindowStats());
    }

    @Test
    void shouldAggregateAndJournalEveryEventOfBatchesLargerThanTheRing() throws Exception {
        final Path data = dir.resolve("data");
        final Event[] batch = events(5_000, "a", "b", "c");
        long tokens = 0;
        for (final Event e : batch) {
            tokens += e.promptTokens();
        }
        try (EmbeddedStore store = EmbeddedStore.open(config().dataDirectory(data)
            .fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK))) {
            assertEquals(5_000, store.recordAll(batch, 5_000));
            assertEquals(1_000, store.recordAll(batch, 1_000), "only the first n");
            assertTrue(store.flush(10, TimeUnit.SECONDS));
            assertEquals(6_000, window(store, null).count());
            assertEquals(2_000, window(store, "b").count());
            assertEquals(0, store.dropped());
        }
        try (EmbeddedStore reopened = EmbeddedStore.open(config().dataDirectory(data)
            .fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK).snapshotIntervalMs(3_600_000))) {
            assertEquals(6_000, window(reopened, null).count(), "every event is in the journal");
            long expected = tokens;
            for (int i = 0; i < 1_000; i++) {
                expected += batch[i].promptTokens();
            }
            assertEquals(expected, window(reopened, null).promptTokens());
        }
    }

    @Test
    void shouldRecordNothingOfABatchWithABadEvent() throws Exception {
        try (EmbeddedStore store = EmbeddedStore.open(config())) {
            final Event[] batch = events(100, "a");
            batch[70].timestampMs(T0 + TimeUnit.DAYS.toMillis(365));   // too far in the future
            final InvalidEventException e = assertThrows(InvalidEventException.class, () -> store.recordAll(batch,
                100));
            assertEquals("timestamp", e.field());
            assertTrue(store.flush(5, TimeUnit.SECONDS));
            assertEquals(0, window(store, null).count());
        }
    }

    @Test
    void shouldRefuseAndCountTheGroupThatFindsTheRingFull() throws Exception {
        try (EmbeddedStore store = EmbeddedStore.open(config())) {   // DROP: a full ring refuses at once
            final Aggregates aggregates = store.aggregates();
            aggregates.lock();   // stalls the consumer at its next event, so the ring fills up
            final int recorded;
            try {
                recorded = store.recordAll(events(100, "a"), 100);
            } finally {
                aggregates.unlock();
            }
            assertEquals(64, recorded, "a ring of 64 takes four groups of 16 while the consumer is stuck");
            assertEquals(1, store.dropped(), "the first event that found no room is counted, the rest not tried");
            assertTrue(store.flush(5, TimeUnit.SECONDS));
            assertEquals(64, window(store, "a").count());
        }
    }

    @Test
    void shouldVoidTheRestOfAGroupWhenAFillFails() throws Exception {
        try (EmbeddedStore store = EmbeddedStore.open(config().cardinalityLimit(Dimension.MODEL, 2)
            .fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK))) {
            // a lap of the whole ring, so every slot holds an event of model a from it
            assertEquals(64, store.recordAll(events(64, "a"), 64));
            assertTrue(store.flush(5, TimeUnit.SECONDS));
            // the third event brings a third model, past the limit: its fill fails after two slots of the group
            final Event[] batch = events(10, "a", "b", "c", "a");
            assertThrows(CardinalityLimitException.class, () -> store.recordAll(batch, 10));
            assertTrue(store.flush(5, TimeUnit.SECONDS));
            assertEquals(65, window(store, "a").count(), "the first event of the batch, no stale slot of the lap");
            assertEquals(1, window(store, "b").count());
            assertEquals(66, window(store, null).count());
            assertEquals(3, store.recordAll(events(3, "b"), 3), "the ring goes on");
            assertTrue(store.flush(5, TimeUnit.SECONDS));
            assertEquals(4, window(store, "b").count());
        }
    }
}
