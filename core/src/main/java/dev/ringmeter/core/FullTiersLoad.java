package dev.ringmeter.core;

import dev.ringmeter.CacheResult;
import dev.ringmeter.Event;
import dev.ringmeter.MetricSample;
import dev.ringmeter.Status;
import org.agrona.concurrent.CachedEpochClock;

/**
 * Internal, for the footprint benchmark and the heap-limit test only: drives a store, on the store's own clock, to
 * the most heap its aggregates can hold for a set of models and metric names. Every bucket of every tier (and of
 * the all-models tiers) ends up holding three histograms that have seen the longest duration the event rules allow
 * ({@link Event#MAX_DURATION_NS}: auto-resized histograms are at their widest), an error type and a quality score;
 * every metric name's tiers hold a sample in every bucket. The clock moves backwards from the end by the width of
 * the finest tier whose span still reaches that far, so each bucket is hit once, and the coarse tiers fill through
 * their roll-ups: a few hundred steps cover the default 24 hours.
 * <p>
 * Threading: one thread, the only one that moves the clock; the store must use the BLOCK policy, or a full ring
 * would drop events and leave buckets empty.
 */
public final class FullTiersLoad {
    private final EmbeddedStore store;
    private final CachedEpochClock clock;
    private final Event event = new Event();
    private final MetricSample sample = new MetricSample();

    /**
     * @param store with the BLOCK policy, whose {@link StoreConfig#clock(org.agrona.concurrent.EpochClock)} is
     *              {@code clock}.
     * @param clock the store's clock; moved by {@link #fill}.
     */
    public FullTiersLoad(final EmbeddedStore store, final CachedEpochClock clock) {
        this.store = store;
        this.clock = clock;
    }

    /**
     * Records, from the clock's current time over the aggregates' retention and one coarsest bucket more, an event
     * with the widest values for each model and a sample for each metric name, once in every bucket of every tier;
     * leaves the clock at the end and flushes.
     *
     * @param models      names of the models.
     * @param metricNames names of the custom metrics.
     * @param errorType   the error type of every event.
     * @param qualityName the name of every event's quality score.
     * @return events and samples recorded.
     * @throws InterruptedException if interrupted while flushing.
     * @throws IllegalStateException if the store does not take them all within a minute.
     */
    public long fill(final String[] models, final String[] metricNames, final String errorType,
                     final String qualityName) throws InterruptedException {
        final StoreConfig config = store.config();
        final long[] widthsMs = config.tierWidthsMs();
        final int[] buckets = config.tierBuckets();
        final int coarsest = widthsMs.length - 1;
        final long end = clock.time() + config.retentionMs() + widthsMs[coarsest];
        long recorded = 0;
        for (long t = clock.time(); t <= end; t += stepMs(widthsMs, buckets, end - t)) {
            clock.update(t);
            for (final String model : models) {
                recorded += store.record(widest(event.reset().model(model).timestampMs(t), errorType, qualityName)) ? 1 : 0;
            }
            for (final String name : metricNames) {
                recorded += store.record(sample.reset().name(name).timestampMs(t).value(t)) ? 1 : 0;
            }
        }
        if (!store.flush(60, java.util.concurrent.TimeUnit.SECONDS)) {
            throw new IllegalStateException("the store did not take the load within a minute");
        }
        return recorded;
    }

    /**
     * @param event       to fill.
     * @param errorType   its error type.
     * @param qualityName the name of its quality score.
     * @return the event with the longest durations the rules allow and every per-bucket measure in use.
     */
    public static Event widest(final Event event, final String errorType, final String qualityName) {
        return event.latencyNs(Event.MAX_DURATION_NS).ttftNs(Event.MAX_DURATION_NS)
            .queueWaitNs(Event.MAX_DURATION_NS).promptTokens(Event.MAX_TOKENS).completionTokens(Event.MAX_TOKENS)
            .status(Status.ERROR).errorType(errorType).quality(qualityName, 1).cache(CacheResult.HIT)
            .memoryBytes(Event.MAX_MEMORY_BYTES).cpuNs(Event.MAX_CPU_NS).retries(1);
    }

    /**
     * The width of the finest tier whose span reaches {@code agoMs} back from the end, but no further than where
     * the next finer tier's span begins, so that no bucket of it is stepped over.
     */
    private static long stepMs(final long[] widthsMs, final int[] buckets, final long agoMs) {
        long finerSpanMs = 0;
        for (int i = 0; i < widthsMs.length; i++) {
            final long spanMs = widthsMs[i] * (buckets[i] - 1);
            if (agoMs <= spanMs || i == widthsMs.length - 1) {
                return agoMs > finerSpanMs ? Math.min(widthsMs[i], agoMs - finerSpanMs) : widthsMs[i];
            }
            finerSpanMs = spanMs;
        }
        throw new AssertionError("no tier");
    }
}
