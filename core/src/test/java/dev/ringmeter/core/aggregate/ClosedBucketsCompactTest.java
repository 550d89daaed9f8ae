package dev.ringmeter.core.aggregate;

import dev.ringmeter.Event;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.dictionary.Dictionary;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.core.ingest.EventSlot;
import dev.ringmeter.core.journal.FormatVersion;
import dev.ringmeter.core.query.WindowStats;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A closed bucket's histograms are packed, so a model's tiers hold about what their values need rather than what
 * their range needs, and every answer stays what plain histograms give: windows over every tier, a late event into a
 * closed bucket, and the same tiers restored from a snapshot.
 */
@Timeout(60)
class ClosedBucketsCompactTest {
    /** On a whole day. */
    private static final long T0 = 1_760_054_400_000L;
    private static final long HOUR = 3_600_000;

    private final CachedEpochClock clock = new CachedEpochClock();
    private final StoreConfig config = new StoreConfig().clock(clock).conclude();
    private final Dictionary dictionary = new Dictionary(config.cardinalityLimits(), config.maxStringLength());
    private final int model = dictionary.id(Dimension.MODEL, "m");
    private final int score = dictionary.id(Dimension.QUALITY_NAME, "f1");
    private double scoreSum;
    private long scores;
    private final EventSlot slot = new EventSlot();

    @Test
    void shouldHoldEveryTierInAFractionOfItsPlainHeapAndAnswerAsPlainHistogramsWould() throws IOException {
        final Aggregates live = new Aggregates(config, dictionary);
        final Histogram expected = new Histogram(config.histogramDigits());
        final long from = T0 + 2 * HOUR;
        final long to = T0 + 25 * HOUR;
        final SplittableRandom random = new SplittableRandom(18);
        // One event every 10 s for 25 hours, latency spread from 1 ms to 30 s: every bucket of every tier in use.
        for (long t = T0; t < to; t += 10_000) {
            clock.update(t);
            final long latencyNs = random.nextLong(1_000_000, 30_000_000_000L);
            live.apply(event(latencyNs), t);
            if (t >= from) {
                expected.recordValue(latencyNs / 1000);
                scoreSum += quality(latencyNs);
                scores++;
            }
        }
        final long late = 7_777_000_000L;   // into an hour, and its minutes, closed long ago
        live.apply(event(late), from + HOUR + 1234);
        expected.recordValue(late / 1000);
        scoreSum += quality(late);
        scores++;

        final long plainBytes = 234L * (Bucket.OWN_BYTES + Measures.widestBytes(config.histogramDigits(), false, 0,
            false) + 256 + new org.HdrHistogram.IntCountsHistogram(30_000_000, config.histogramDigits())
            .getEstimatedFootprintInBytes());
        final long bytes = live.footprintBytes();
        assertTrue(bytes < plainBytes / 3, "a model and all models at " + bytes
            + " bytes, against " + plainBytes + " for one model's buckets with plain histograms up to 30 s");

        assertSameAnswer(expected, live.window("m", from, to, live.newWindowStats()), "live");
        assertSameAnswer(expected, live.window(null, from, to, live.newWindowStats()), "all models");

        final AggregatesImage image = live.newImage();
        live.capture(image);
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        image.write(new DataOutputStream(out));
        image.release();
        final Aggregates loaded = new Aggregates(config, dictionary);
        loaded.read(new DataInputStream(new ByteArrayInputStream(out.toByteArray())), FormatVersion.SNAPSHOT);
        assertSameAnswer(expected, loaded.window("m", from, to, loaded.newWindowStats()), "restored");
        assertTrue(loaded.footprintBytes() <= bytes * 11 / 10, "restored at " + loaded.footprintBytes()
            + " bytes, about as compact as the live tiers' " + bytes);
    }

    @Test
    void shouldCloseACopyOfABucketAQueryPinnedAndReopenItForALateEvent() {
        final CopyOnWrite cow = new CopyOnWrite(config.histogramDigits(), 0);
        final TimeTiers tiers = new TimeTiers(config.tierWidthsMs(), config.tierBuckets(), null, clock,
            config.maxFutureSkewMs(), cow);
        clock.update(T0);
        tiers.add(event(1_000_000), T0);
        tiers.add(event(2_000_000), T0 + 10);
        final PinnedBuckets pinned = new PinnedBuckets();
        tiers.merge(T0, T0 + 1_000, pinned, pinned.span);   // the head bucket, still open

        clock.update(T0 + 1_000);
        tiers.add(event(3_000_000), T0 + 1_000);   // the head moves on: the pinned bucket closes, in a copy
        tiers.add(event(4_000_000), T0 + 20);      // late, into the closed copy: reopened
        final Measures merged = new Measures(config.histogramDigits(), true, 0);
        pinned.mergeInto(merged);
        pinned.release();
        assertEquals(2, merged.count, "the query sees the bucket as it pinned it");
        assertEquals(2, merged.latencyUs.getTotalCount());

        final PinnedBuckets after = new PinnedBuckets();
        tiers.merge(T0, T0 + 1_000, after, after.span);
        final Measures closed = new Measures(config.histogramDigits(), true, 0);
        after.mergeInto(closed);
        after.release();
        assertEquals(3, closed.count, "the writer's copy holds every event of its second");
        assertEquals(3, closed.latencyUs.getTotalCount());
        assertEquals(4_000, closed.latencyUs.getValueAtPercentile(100), 40);

        clock.update(T0 + 2_000);
        tiers.add(event(5_000_000), T0 + 2_000);   // the reopened bucket stays plain until its slot is reused
        final PinnedBuckets last = new PinnedBuckets();
        tiers.merge(T0, T0 + 3_000, last, last.span);
        final Measures all = new Measures(config.histogramDigits(), true, 0);
        last.mergeInto(all);
        last.release();
        assertEquals(5, all.latencyUs.getTotalCount());
        assertEquals(15_000_000, all.latencyNsSum);
    }

    private void assertSameAnswer(final Histogram expected, final WindowStats w, final String which) {
        assertEquals(expected.getTotalCount(), w.count(), which + ": count");
        assertEquals(scoreSum / scores, w.qualityMean("f1"), 1e-9, which + ": quality mean");
        for (final double p : new double[] {50, 90, 99, 99.9}) {
            assertEquals(Math.min(expected.getValueAtPercentile(p) / 1000.0, w.latencyMaxMs()), w.latencyMs(p), 1e-9,
                which + ": p" + p);
        }
    }

    private static double quality(final long latencyNs) {
        return (latencyNs % 1000) / 1000.0;
    }

    private EventSlot event(final long latencyNs) {
        final EventSlot e = slot;
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
        e.qualityCount = 1;
        e.qualityNames[0] = score;
        e.qualityValues[0] = quality(latencyNs);
        return e;
    }
}
