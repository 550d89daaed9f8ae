package dev.ringmeter.core.aggregate;

import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.dictionary.Dictionary;
import dev.ringmeter.core.dictionary.Dimension;
import org.agrona.concurrent.EpochClock;

import java.util.Arrays;

/**
 * The time tiers the store keeps, by id: one {@link TimeTiers} and one {@link RecentEvents} per model, the
 * all-models tiers that each model's tiers hand their closed seconds to, and one {@link TimeTiers} per custom
 * metric name. Creates a model's or a metric's tiers on first use, all with the store's configuration.
 * <p>
 * Threading: not thread-safe; written by the aggregate writer, read under the aggregates' lock.
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
    /** All models together. */
    final TimeTiers all;
    /** By model id; null where a model has no event. */
    TimeTiers[] models = new TimeTiers[16];
    /** By model id, beside {@link #models}. */
    RecentEvents[] recent = new RecentEvents[16];
    /** By metric name id; null where a name has no sample. */
    TimeTiers[] metrics = new TimeTiers[16];

    /**
     * @param config     the store's configuration (tiers, histogram digits, limits).
     * @param dictionary the store's, through which recent events keep the names of released dimensions.
     */
    TierRegistry(final StoreConfig config, final Dictionary dictionary) {
        this.dictionary = dictionary;
        this.tierWidthsMs = config.tierWidthsMs();
        this.tierBuckets = config.tierBuckets();
        this.histogramDigits = config.histogramDigits();
        this.qualityNames = config.cardinalityLimits()[Dimension.QUALITY_NAME.ordinal()];
        this.recentPerModel = config.recentEventsPerModel();
        this.clock = config.clock();
        this.maxFutureSkewMs = config.maxFutureSkewMs();
        this.all = newTiers(null);
    }

    private TimeTiers newTiers(final TimeTiers parent) {
        return new TimeTiers(tierWidthsMs, tierBuckets, histogramDigits, qualityNames, parent, clock,
            maxFutureSkewMs);
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
     * @return its tiers, created on first use.
     */
    TimeTiers metric(final int id) {
        if (id >= metrics.length) {
            metrics = Arrays.copyOf(metrics, Math.max(id + 1, metrics.length * 2));
        }
        TimeTiers t = metrics[id];
        if (t == null) {
            t = newTiers(null);
            metrics[id] = t;
        }
        return t;
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
     * @return its tiers, or null if it has none.
     */
    TimeTiers findMetric(final int id) {
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

    /** @return an estimate of the heap held by every tier and recent-events ring, in bytes. */
    long footprintBytes() {
        long bytes = all.footprintBytes();
        for (int id = 0; id < models.length; id++) {
            if (models[id] != null) {
                bytes += models[id].footprintBytes() + recent[id].footprintBytes();
            }
        }
        for (final TimeTiers t : metrics) {
            if (t != null) {
                bytes += t.footprintBytes();
            }
        }
        return bytes;
    }
}
