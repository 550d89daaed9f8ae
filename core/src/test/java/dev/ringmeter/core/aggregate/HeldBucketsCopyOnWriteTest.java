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

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The buckets held ahead of the store clock follow the same copy-on-write rule as the tiers' own: a snapshot's image
 * and a query's pinned buckets keep what they captured while the writer adds to a held bucket, moves it into the
 * finest tier, rolls it up, and hands the ring bucket it replaces to the held ones.
 */
@Timeout(30)
class HeldBucketsCopyOnWriteTest {
    /** On a whole minute, so that a second's index in the 60-bucket finest ring is its second of the minute. */
    private static final long T0 = 1_760_000_400_000L;

    private final CachedEpochClock clock = new CachedEpochClock();
    private final StoreConfig config = new StoreConfig().clock(clock).maxFutureSkewMs(60_000).conclude();
    private final Dictionary dictionary = new Dictionary(config.cardinalityLimits(), config.maxStringLength());
    private final int model = dictionary.id(Dimension.MODEL, "m");

    @Test
    void shouldWriteTheHeldBucketsOfASnapshotAsCapturedWhileTheWriterAddsToThemAndPlacesThem() throws IOException {
        final Aggregates live = new Aggregates(config, dictionary);
        clock.update(T0 - 55_000);
        live.apply(event(1_000_000), T0 - 55_000);   // the finest ring's bucket at the index T0 + 5 s will take
        clock.update(T0);
        live.apply(event(2_000_000), T0);
        live.apply(event(3_000_000), T0 + 5_000);    // ahead of the clock: held
        final AggregatesImage image = live.newImage();
        live.capture(image);
        final byte[] atCapture = write(image);

        live.apply(event(4_000_000), T0 + 5_000);    // into the frozen held bucket
        clock.update(T0 + 6_000);
        live.apply(event(5_000_000), T0 + 6_000);    // the head passes it: it takes the frozen ring bucket's place
        live.apply(event(6_000_000), T0 + 5_000);    // now a late event into the placed bucket
        assertArrayEquals(atCapture, write(image), "the image is written as it was captured");
        image.release();

        final Aggregates loaded = new Aggregates(config, dictionary);
        loaded.read(new DataInputStream(new ByteArrayInputStream(atCapture)), FormatVersion.SNAPSHOT);
        final WindowStats fromSnapshot = loaded.window(null, T0 - 60_000, T0 + 60_000, loaded.newWindowStats());
        assertEquals(3, fromSnapshot.count(), "the snapshot holds the three events before the capture");
        assertEquals(1, loaded.window("m", T0 + 5_000, T0 + 6_000, loaded.newWindowStats()).count(),
            "and the held one where it was held");
        final WindowStats now = live.window(null, T0 - 60_000, T0 + 60_000, live.newWindowStats());
        assertEquals(6, now.count(), "the writer lost nothing it changed in copies");
        assertEquals(3, live.window("m", T0 + 5_000, T0 + 6_000, live.newWindowStats()).count());
    }

    @Test
    void shouldMergeTheHeldBucketsAQueryPinnedAsTheyStoodWhileTheWriterAddsToThem() {
        final CopyOnWrite cow = new CopyOnWrite(config.histogramDigits(), 0);
        final TimeTiers tiers = new TimeTiers(config.tierWidthsMs(), config.tierBuckets(), null, clock,
            config.maxFutureSkewMs(), cow);
        clock.update(T0);
        assertEquals(TimeTiers.IN_ORDER, tiers.add(event(1_000_000), T0));
        assertEquals(TimeTiers.HELD, tiers.add(event(2_000_000), T0 + 5_000));
        final PinnedBuckets pinned = new PinnedBuckets();
        tiers.merge(T0, T0 + 60_000, pinned, pinned.span);

        tiers.add(event(3_000_000), T0 + 5_000);   // into the pinned held bucket
        clock.update(T0 + 6_000);
        tiers.add(event(4_000_000), T0 + 6_000);   // the head passes it: it moves into the ring and is rolled up
        tiers.add(event(5_000_000), T0 + 5_000);
        final Measures merged = new Measures(config.histogramDigits(), true, 0);
        pinned.mergeInto(merged);
        pinned.release();
        assertEquals(2, merged.count, "the query sees the state at the moment it pinned");
        assertEquals(2, merged.latencyUs.getTotalCount());
        assertEquals(3_000_000, merged.latencyNsSum);

        final PinnedBuckets after = new PinnedBuckets();
        tiers.merge(T0, T0 + 60_000, after, after.span);
        final Measures all = new Measures(config.histogramDigits(), true, 0);
        after.mergeInto(all);
        after.release();
        assertEquals(5, all.count, "the writer's copies hold every event");
        assertEquals(15_000_000, all.latencyNsSum);
    }

    private static byte[] write(final AggregatesImage image) throws IOException {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        image.write(new DataOutputStream(bytes));
        return bytes.toByteArray();
    }

    private EventSlot event(final long latencyNs) {
        final EventSlot e = new EventSlot();
        e.kind = EventSlot.KIND_EVENT;
        e.model = model;
        e.latencyNs = latencyNs;
        e.ttftNs = Event.NONE;
        e.queueWaitNs = Event.NONE;
        e.promptTokens = Event.NONE;
        e.completionTokens = Event.NONE;
        e.memoryBytes = Event.NONE;
        e.cpuNs = Event.NONE;
        e.costUsd = Double.NaN;
        return e;
    }
}
