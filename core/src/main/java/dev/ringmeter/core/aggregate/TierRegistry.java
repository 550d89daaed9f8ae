package dev.ringmeter.core.aggregate;

import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.dictionary.Dictionary;
import dev.ringmeter.core.dictionary.Dimension;
import org.agrona.concurrent.EpochClock;

import java.util.Arrays;
import java.util.concurrent.locks.Lock;

/**
 * The time tiers the store keeps, by id: one {@link TimeTiers} and one {@link RecentEvents} per model, the
 * all-models tiers that each model's tiers hand their closed seconds to, one {@link TimeTiers} per custom
 * metric name, and the other subjects' ({@link SubjectTiers}). Creates a model's or a metric's tiers on first use, all with the store's configuration.
 * <p>
 * Threading: not thread-safe; written by the aggregate writer, read under the aggregates' lock. The writer makes
 * a snapshot's image of it with {@link #captureInto}.
 */
final class TierRegistry {
    private final long[] tierWidthsMs;
    private final int[] tierBuckets;
    private final int histogramDigits;
    private final int qualityNames;
    private final int recentPerModel;
    private final Dictionary dictionary;
    private final EpochClock clock;
    private final long maxFutureSkewMs;
    /** The writer's copy-on-write state; null in a snapshot's image. */
    final CopyOnWrite cow;
    /** All models together. */
    final TimeTiers all;
    /** By model id; null where a model has no event. */
    TimeTiers[] models = new TimeTiers[16];
    /** By model id, beside {@link #models}. */
    RecentEvents[] recent = new RecentEvents[16];
    /** By metric name id; null where a name has no sample. */
    MetricSeries[] metrics = new MetricSeries[16];
    /** The most series of one metric name. */
    private final int seriesPerName;
    /** The most custom metric series in all. */
    private final int seriesLimit;
    /** Custom metric series made (overflow tiers apart). */
    int seriesCount;
    /** Makes a custom metric series' tiers, counted; null past {@link #seriesLimit}. */
    private final java.util.function.Supplier<TimeTiers> seriesTiers = this::newSeries;
    /** Makes tiers: a name's overflow, a series read from a snapshot (counted by its reader), an image's. */
    final java.util.function.Supplier<TimeTiers> plainTiers = this::newPlainTiers;
    /** The pipelines', pipeline steps', tools' and agents' tiers and totals. */
    final SubjectTiers subjects;

    /**
     * @param config     the store's configuration (tiers, histogram digits, limits).
     * @param dictionary the store's, through which recent events keep the names of released dimensions.
     * @param image      true for a snapshot's image, whose tiers share the writer's buckets and are never changed.
     */
    TierRegistry(final StoreConfig config, final Dictionary dictionary, final boolean image) {
        this.dictionary = dictionary;
        this.tierWidthsMs = config.tierWidthsMs();
        this.tierBuckets = config.tierBuckets();
        this.histogramDigits = config.histogramDigits();
        this.qualityNames = config.cardinalityLimits()[Dimension.QUALITY_NAME.ordinal()];
        this.recentPerModel = config.recentEventsPerModel();
        this.seriesPerName = config.metricSeriesPerName();
        this.seriesLimit = config.metricSeries();
        this.clock = config.clock();
        this.maxFutureSkewMs = config.maxFutureSkewMs();
        this.cow = image ? null : new CopyOnWrite(histogramDigits, qualityNames);
        this.all = newTiers(null);
        this.subjects = new SubjectTiers(config, dictionary, cow);
    }

    private TimeTiers newSeries() {
        if (seriesCount >= seriesLimit) {
            return null;
        }
        seriesCount++;
        return newTiers(null);
    }

    private TimeTiers newPlainTiers() {
        return newTiers(null);
    }

    private TimeTiers newTiers(final TimeTiers parent) {
        return new TimeTiers(tierWidthsMs, tierBuckets, parent, clock, maxFutureSkewMs, cow);
    }

    /** @return the width of the finest tier's buckets. */
    long finestWidthMs() {
        return tierWidthsMs[0];
    }

    /** @return significant digits of the histograms. */
    int histogramDigits() {
        return histogramDigits;
    }

    /** @return the number of quality score names the store allows. */
    int qualityNames() {
        return qualityNames;
    }

    /**
     * @param id of a model, &gt; 0.
     * @return its tiers, created (with its recent events) on first use.
     */
    TimeTiers model(final int id) {
        if (id >= models.length) {
            final int n = Math.max(id + 1, models.length * 2);
            models = Arrays.copyOf(models, n);
            recent = Arrays.copyOf(recent, n);
        }
        TimeTiers t = models[id];
        if (t == null) {
            t = newTiers(all);
            models[id] = t;
            recent[id] = new RecentEvents(recentPerModel, dictionary);
        }
        return t;
    }

    /**
     * @param id of a metric name, &gt; 0.
     * @return its series, created on first use.
     */
    MetricSeries metric(final int id) {
        if (id >= metrics.length) {
            metrics = Arrays.copyOf(metrics, Math.max(id + 1, metrics.length * 2));
        }
        MetricSeries t = metrics[id];
        if (t == null) {
            t = new MetricSeries(seriesPerName);
            metrics[id] = t;
        }
        return t;
    }

    /**
     * Adds a custom metric sample to its name's series of its tags (see {@link MetricSeries}).
     *
     * @param e      the sample.
     * @param timeMs its time.
     * @return what {@link TimeTiers#addValue} did.
     */
    int addMetricSample(final dev.ringmeter.core.ingest.EventSlot e, final long timeMs) {
        final MetricSeries m = metric(e.metricName);
        final TimeTiers t = m.find(e, dictionary, seriesTiers, plainTiers);
        return t.addValue(e.metricValue, e.metricCount, timeMs, t != m.overflow);
    }

    /**
     * @param id of a model.
     * @return its tiers, or null if it has none.
     */
    TimeTiers findModel(final int id) {
        return id > 0 && id < models.length ? models[id] : null;
    }

    /**
     * @param id of a model.
     * @return its recent events, or null if it has none.
     */
    RecentEvents findRecent(final int id) {
        return id > 0 && id < recent.length ? recent[id] : null;
    }

    /**
     * @param id of a metric name.
     * @return its series, or null if it has none.
     */
    MetricSeries findMetric(final int id) {
        return id > 0 && id < metrics.length ? metrics[id] : null;
    }

    /**
     * @param config       the store's configuration.
     * @param qualityNames the number of quality score names allowed.
     * @return the most heap one model's tiers and recent events hold (every bucket in use at its widest), with its
     * slots in the registry's arrays (which at most double).
     */
    static long widestModelBytes(final StoreConfig config, final int qualityNames) {
        return widestTiersBytes(config, qualityNames, true) + RecentEvents.bytes(config.recentEventsPerModel())
            + RecentEvents.widestStringsBytes(config.recentEventsPerModel(), config.maxStringLength()) + 2 * 2 * 4;
    }

    /**
     * @param config       the store's configuration.
     * @param qualityNames the number of quality score names allowed.
     * @param events       whether the tiers hold events (a model's, all models'), or custom metric samples.
     * @return the most heap one set of tiers holds, every bucket in use at its widest.
     */
    static long widestTiersBytes(final StoreConfig config, final int qualityNames, final boolean events) {
        return TimeTiers.widestBytes(config.tierWidthsMs(), config.tierBuckets(), config.histogramDigits(),
            qualityNames, events, config.maxFutureSkewMs());
    }

    /**
     * @param config the store's configuration.
     * @return the most heap one custom metric series holds beside its name's: its tiers, every bucket in use with
     * its value histogram at its widest, its tags' arrays and its slot.
     */
    static long widestSeriesBytes(final StoreConfig config) {
        return TimeTiers.widestBytes(config.tierWidthsMs(), config.tierBuckets(), config.histogramDigits(), 0, false,
            config.maxFutureSkewMs(), true) + MetricSeries.SERIES_OWN_BYTES;
    }

    /**
     * Makes a snapshot's image of every model's and metric's tiers (sharing their frozen buckets, held ones included)
     * and recent events (copied, their names too). Writer only, after {@link CopyOnWrite#freeze()}; allocates only
     * for what is new to the image.
     *
     * @param image a registry made with the same configuration as an image, owned by the snapshot.
     */
    void captureInto(final TierRegistry image) {
        all.captureInto(image.all);
        subjects.captureInto(image.subjects);
        for (int id = 1; id < Math.max(models.length, image.models.length); id++) {
            if (id < models.length && models[id] != null) {
                models[id].captureInto(image.model(id));
                recent[id].copyInto(image.recent[id]);
            } else if (id < image.models.length) {
                image.models[id] = null;
                image.recent[id] = null;
            }
        }
        for (int id = 1; id < Math.max(metrics.length, image.metrics.length); id++) {
            if (id < metrics.length && metrics[id] != null) {
                metrics[id].captureInto(image.metric(id), image.plainTiers);
            } else if (id < image.metrics.length) {
                image.metrics[id] = null;
            }
        }
    }

    /**
     * @param lock the aggregates' lock, taken for one model's or metric's tiers at a time.
     * @return an estimate of the heap held by every tier and recent-events ring, in bytes.
     */
    long footprintBytes(final Lock lock) {
        long bytes;
        lock.lock();
        try {
            bytes = all.footprintBytes();
        } finally {
            lock.unlock();
        }
        bytes += subjects.footprintBytes(lock);
        for (int id = 0; ; id++) {
            lock.lock();
            try {
                if (id >= models.length && id >= metrics.length) {
                    return bytes;
                }
                if (id < models.length && models[id] != null) {
                    bytes += models[id].footprintBytes() + recent[id].footprintBytes();
                }
                if (id < metrics.length && metrics[id] != null) {
                    bytes += metrics[id].footprintBytes();
                }
            } finally {
                lock.unlock();
            }
        }
    }
}
