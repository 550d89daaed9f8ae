package dev.ringmeter.core.aggregate;

import dev.ringmeter.core.journal.FormatVersion;
import dev.ringmeter.Event;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.dictionary.Dictionary;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.core.ingest.EventSlot;
import dev.ringmeter.core.query.WindowStats;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class PriceTableTest {
    private static final long T0 = 1_760_000_400_000L;

    private final CachedEpochClock clock = new CachedEpochClock();
    private final StoreConfig config = new StoreConfig().clock(clock).conclude();
    private final Dictionary dictionary = new Dictionary(config.cardinalityLimits(), config.maxStringLength());
    private final int a = dictionary.id(Dimension.MODEL, "a");
    private final int b = dictionary.id(Dimension.MODEL, "b");

    @Test
    void shouldStampAnEventWithoutACostFromThePriceAtItsPlaceInTheRing() {
        final PriceTable prices = new PriceTable();
        final EventSlot before = event(a, Double.NaN);
        prices.stamp(before);
        assertTrue(Double.isNaN(before.costUsd), "no price yet");
        prices.stamp(price(a, 1.0, 2.0));
        final EventSlot after = event(a, Double.NaN);
        prices.stamp(after);
        assertEquals((1000 * 1.0 + 500 * 2.0) / 1e6, after.costUsd, 1e-15);
        final EventSlot ownCost = event(a, 0.5);
        prices.stamp(ownCost);
        assertEquals(0.5, ownCost.costUsd, "the caller's cost wins");
        assertArrayEquals(new double[] {1.0, 2.0}, prices.price(a));
        assertNull(prices.price(b));
    }

    @Test
    void shouldPublishAPriceSetByTheWriterToAReaderOnAnotherThread() throws Exception {
        final PriceTable prices = new PriceTable();
        final double[][] seen = new double[1][];
        final Thread reader = new Thread(() -> {
            while ((seen[0] = prices.price(b)) == null) {
                Thread.onSpinWait();
            }
        });
        reader.start();
        prices.stamp(price(b, 4.0, 5.0));
        reader.join(10_000);
        assertArrayEquals(new double[] {4.0, 5.0}, seen[0]);
    }

    /**
     * The snapshot is written by the aggregate thread while the journal thread, the table's writer, is ahead: its
     * table may hold a price journaled after the snapshot's index. Replaying the tail must give the state of a
     * full replay: the price record is set again, and a tail event journaled before it keeps its journaled cost.
     */
    @Test
    void shouldGiveFromASnapshotWithPricesAheadOfItsJournalTheStateOfAFullReplay() throws IOException {
        clock.update(T0);
        // the journal, as its writer stamped it
        final PriceTable writer = new PriceTable();
        final List<EventSlot> journal = new ArrayList<>();
        journal.add(price(a, 1.0, 2.0));
        journal.add(event(a, Double.NaN));
        journal.add(event(b, Double.NaN));     // b has no price yet: journaled without a cost
        journal.add(price(b, 3.0, 4.0));
        journal.add(event(b, Double.NaN));
        for (final EventSlot record : journal) {
            writer.stamp(record);
        }
        final int snapshotAfter = 2;   // the aggregates include records 0 and 1; the table already record 3
        final Aggregates live = new Aggregates(config, dictionary);
        for (int i = 0; i < journal.size(); i++) {
            if (i == 3) {
                live.prices().set(b, 3.0, 4.0);
            }
            if (i < snapshotAfter) {
                live.recover(journal.get(i));
            }
        }
        final ByteArrayOutputStream snapshot = new ByteArrayOutputStream();
        final AggregatesImage image = live.newImage();
        live.capture(image);
        image.write(new DataOutputStream(snapshot));
        image.release();

        final Aggregates fromSnapshot = new Aggregates(config, dictionary);
        fromSnapshot.read(new DataInputStream(new ByteArrayInputStream(snapshot.toByteArray())), FormatVersion.SNAPSHOT);
        assertArrayEquals(new double[] {3.0, 4.0}, fromSnapshot.price("b"), "the snapshot's table is ahead");
        for (int i = snapshotAfter; i < journal.size(); i++) {
            fromSnapshot.recover(journal.get(i));
        }
        final Aggregates fullReplay = new Aggregates(config, dictionary);
        for (final EventSlot record : journal) {
            fullReplay.recover(record);
        }

        for (final String model : new String[] {"a", "b"}) {
            assertArrayEquals(fullReplay.price(model), fromSnapshot.price(model), model);
            assertEquals(fullReplay.totals().get(model).costUsd(), fromSnapshot.totals().get(model).costUsd(), model);
            assertEquals(cost(fullReplay, model), cost(fromSnapshot, model), model);
        }
        assertEquals((1000 * 3.0 + 500 * 4.0) / 1e6, fromSnapshot.totals().get("b").costUsd(), 1e-15,
            "only the event after b's price record is priced");
        assertEquals(1, fromSnapshot.window("b", T0, T0 + 1000, new WindowStats()).pricedCount());
    }

    private static double cost(final Aggregates aggregates, final String model) {
        return aggregates.window(model, T0, T0 + 1000, aggregates.newWindowStats()).costUsd();
    }

    private static EventSlot event(final int model, final double costUsd) {
        final EventSlot e = new EventSlot();
        e.kind = EventSlot.KIND_EVENT;
        e.timestampMs = T0;
        e.model = model;
        e.latencyNs = 1_000_000;
        e.ttftNs = Event.NONE;
        e.queueWaitNs = Event.NONE;
        e.promptTokens = 1000;
        e.completionTokens = 500;
        e.memoryBytes = Event.NONE;
        e.cpuNs = Event.NONE;
        e.costUsd = costUsd;
        return e;
    }

    private static EventSlot price(final int model, final double input, final double output) {
        final EventSlot p = new EventSlot();
        p.kind = EventSlot.KIND_PRICE;
        p.timestampMs = T0;
        p.model = model;
        p.priceInputUsdPerMillion = input;
        p.priceOutputUsdPerMillion = output;
        return p;
    }
}
