package dev.ringmeter.core.query;

import dev.ringmeter.core.aggregate.Aggregates;
import dev.ringmeter.core.aggregate.Measures;
import dev.ringmeter.core.dictionary.Dictionary;
import dev.ringmeter.core.dictionary.Dimension;
import org.HdrHistogram.AbstractHistogram;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The analytics of one model (or of all models) over one window: counts, rates, latency, time-to-first-token and
 * queue-wait percentiles, tokens, errors, cache, cost and quality. A reusable result: a caller that keeps one
 * instance and passes it to every query makes querying allocation-free once its histograms have grown.
 * <p>
 * Percentiles come from HdrHistograms kept in microseconds and are exact within the store's configured
 * significant digits (1 % by default). Means, maxima, sums and counts are exact.
 * <p>
 * Threading: not thread-safe; one instance belongs to one thread at a time. It is a copy: later writes to the
 * store do not change it.
 */
public final class WindowStats {
    /** What the merged buckets add up to; filled by the query, read through the accessors below. */
    public final Measures sum;
    /** What the events summed stand for beyond one each: a scan's sampled events add their weight less one. */
    private long extraWeight;
    private Dictionary dictionary;
    private String model;
    private long fromMs;
    private long toMs;
    private long coveredFromMs;
    private long coveredToMs;
    private long nowMs;
    private int bucketsMerged;
    private long unplacedSamples;

    /**
     * Creates an empty result for a store with the default configuration (2 significant digits).
     */
    public WindowStats() {
        this(2, Dimension.QUALITY_NAME.defaultLimit());
    }

    /**
     * Creates an empty result matching a store's configuration (see {@link Aggregates#newWindowStats()}).
     *
     * @param histogramDigits significant digits of the store's histograms.
     * @param qualityNames    the store's cardinality limit of quality score names.
     */
    public WindowStats(final int histogramDigits, final int qualityNames) {
        this.sum = new Measures(histogramDigits, true, qualityNames);
    }

    public void begin(final Dictionary dictionary, final String model, final long fromMs, final long toMs,
               final long nowMs) {
        sum.reset();
        extraWeight = 0;
        this.dictionary = dictionary;
        this.model = model;
        this.fromMs = fromMs;
        this.toMs = toMs;
        this.nowMs = nowMs;
        this.coveredFromMs = fromMs;
        this.coveredToMs = toMs;
        this.bucketsMerged = 0;
        this.unplacedSamples = 0;
    }

    /**
     * Says how many samples of a custom metric query's name went to its overflow (their tag sets came past a series
     * limit), since the store's aggregates began: a filtered answer lacks those that match, an unfiltered one has
     * them in its counters but not in its percentiles.
     *
     * @param samples in the overflow series.
     */
    public void unplaced(final long samples) {
        this.unplacedSamples = samples;
    }

    /** @return the samples of a custom metric's name in its overflow (see {@link #unplaced}), else 0. */
    public long unplacedSamples() {
        return unplacedSamples;
    }

    public void covered(final long fromMs, final long toMs, final int buckets) {
        this.coveredFromMs = fromMs;
        this.coveredToMs = toMs;
        this.bucketsMerged = buckets;
    }

    /** @return the model the stats are of, or null for all models together. */
    public String model() {
        return model;
    }

    /** @return start of the window asked for, epoch ms. */
    public long fromMs() {
        return fromMs;
    }

    /** @return end of the window asked for, epoch ms, exclusive. */
    public long toMs() {
        return toMs;
    }

    /** @return start of the span the buckets actually covered (window edges widen to bucket edges). */
    public long coveredFromMs() {
        return coveredFromMs;
    }

    /** @return end of the span the buckets actually covered, exclusive. */
    public long coveredToMs() {
        return coveredToMs;
    }

    /** @return how many buckets the query merged. */
    public int bucketsMerged() {
        return bucketsMerged;
    }

    /** @return the seconds that rates are computed over: the covered span, not reaching past now. */
    public double seconds() {
        final long end = Math.min(coveredToMs, Math.max(nowMs, coveredFromMs + 1));
        return Math.max(1, end - coveredFromMs) / 1000.0;
    }

    public long count() {
        return sum.count;
    }

    /**
     * Counts an event that {@link #sum} holds as standing for {@code weight} events (a scan over sampled events:
     * docs/privacy.md).
     *
     * @param weight the event's {@code EventSlot.weight}, at least 1.
     */
    public void weigh(final int weight) {
        extraWeight += weight - 1;
    }

    /**
     * @return the events these stats stand for: {@link #count()} from the aggregates, which count every event; from a
     * journal scan over sampled events, each kept event counted by its weight, an unbiased estimate of the events
     * recorded (errors and slow events, always kept, count exactly). The other figures of a scan (percentiles,
     * means, sums) are of the kept events only.
     */
    public long estimatedCount() {
        return sum.count + extraWeight;
    }

    public long okCount() {
        return sum.ok;
    }

    public long errorCount() {
        return sum.errors;
    }

    public long timeoutCount() {
        return sum.timeouts;
    }

    public long cancelledCount() {
        return sum.cancelled;
    }

    /** @return events per second over {@link #seconds()}. */
    public double requestsPerSecond() {
        return sum.count / seconds();
    }

    /**
     * @param percentile 0 to 100, e.g. 95 or 99.9.
     * @return the latency at that percentile in milliseconds, NaN if there were no events.
     */
    public double latencyMs(final double percentile) {
        // a histogram bucket reports its highest equivalent value; never above the exact maximum
        return Math.min(percentileMs(sum.latencyUs, percentile), latencyMaxMs());
    }

    /** @return mean latency in milliseconds, exact. */
    public double latencyMeanMs() {
        return sum.count == 0 ? Double.NaN : sum.latencyNsSum / 1e6 / sum.count;
    }

    /** @return maximum latency in milliseconds, exact. */
    public double latencyMaxMs() {
        return sum.count == 0 ? Double.NaN : sum.latencyNsMax / 1e6;
    }

    /**
     * @param percentile 0 to 100.
     * @return time to first token at that percentile in milliseconds, NaN if none was recorded.
     */
    public double ttftMs(final double percentile) {
        return percentileMs(sum.ttftUs, percentile);
    }

    /** @return mean time to first token in milliseconds. */
    public double ttftMeanMs() {
        return sum.ttftCount == 0 ? Double.NaN : sum.ttftNsSum / 1e6 / sum.ttftCount;
    }

    /**
     * @param percentile 0 to 100.
     * @return queue wait at that percentile in milliseconds, NaN if none was recorded.
     */
    public double queueWaitMs(final double percentile) {
        return percentileMs(sum.queueWaitUs, percentile);
    }

    /** @return mean queue wait in milliseconds. */
    public double queueWaitMeanMs() {
        return sum.queueWaitCount == 0 ? Double.NaN : sum.queueWaitNsSum / 1e6 / sum.queueWaitCount;
    }

    public long promptTokens() {
        return sum.promptTokens;
    }

    public long completionTokens() {
        return sum.completionTokens;
    }

    /** @return prompt tokens read from the cache (counted inside {@link #promptTokens()}). */
    public long cachedTokens() {
        return sum.cachedTokens;
    }

    /** @return prompt tokens written to the cache (counted inside {@link #promptTokens()}). */
    public long cacheWriteTokens() {
        return sum.cacheWriteTokens;
    }

    /** @return completion tokens spent on reasoning (counted inside {@link #completionTokens()}). */
    public long reasoningTokens() {
        return sum.reasoningTokens;
    }

    public long totalTokens() {
        return sum.promptTokens + sum.completionTokens;
    }

    /** @return all tokens (in and out) per second of the window: the load the models carried. */
    public double tokensPerSecond() {
        return totalTokens() / seconds();
    }

    /** @return output tokens per second of generation within a call (after the first token where known). */
    public double outputTokensPerSecond() {
        return sum.generationNs == 0 ? Double.NaN : sum.generationTokens * 1e9 / sum.generationNs;
    }

    /** @return errors / events. */
    public double errorRate() {
        return ratio(sum.errors, sum.count);
    }

    /** @return timeouts / events. */
    public double timeoutRate() {
        return ratio(sum.timeouts, sum.count);
    }

    /** @return events that needed at least one retry / events. */
    public double retryRate() {
        return ratio(sum.retried, sum.count);
    }

    /** @return retries in all. */
    public long retries() {
        return sum.retries;
    }

    /** @return hits / (hits + misses), NaN where no event said. */
    public double cacheHitRate() {
        return ratio(sum.cacheHits, sum.cacheHits + sum.cacheMisses);
    }

    public long cacheHits() {
        return sum.cacheHits;
    }

    public long cacheMisses() {
        return sum.cacheMisses;
    }

    /** @return the cost of the events that carried one or could be priced, in USD. */
    public double costUsd() {
        return sum.costUsd;
    }

    /** @return mean cost of the priced events, NaN if none was priced. */
    public double costPerRequestUsd() {
        return sum.costCount == 0 ? Double.NaN : sum.costUsd / sum.costCount;
    }

    /** @return events that carried or were given a cost. */
    public long pricedCount() {
        return sum.costCount;
    }

    /**
     * @return events of the window with no cost: none carried, and no price entry priced them (an event without a
     * model, such as a tool call or a pipeline step, has no price: it counts here unless it carried its cost).
     */
    public long costUnknown() {
        return sum.count - sum.costCount;
    }

    /**
     * @return the cost per successful event: the window's cost over its successes; NaN (null on the wire) if any
     * event's cost is unknown, since the sum would then be partial, or if nothing succeeded.
     */
    public double costPerSuccessUsd() {
        return costUnknown() > 0 || sum.ok == 0 ? Double.NaN : sum.costUsd / sum.ok;
    }

    /**
     * @return the cost per 1,000 tokens (prompt and completion); NaN if any event's cost is unknown or there were
     * no tokens.
     */
    public double costPer1kTokensUsd() {
        final long tokens = totalTokens();
        return costUnknown() > 0 || tokens <= 0 ? Double.NaN : sum.costUsd * 1000.0 / tokens;
    }

    /** @return mean memory in bytes of the events that reported it. */
    public double memoryBytesMean() {
        return sum.memoryCount == 0 ? Double.NaN : (double)sum.memoryBytesSum / sum.memoryCount;
    }

    /** @return maximum memory in bytes reported. */
    public long memoryBytesMax() {
        return sum.memoryBytesMax;
    }

    /**
     * @return adds to this window's long sums (durations, tokens, memory, CPU) that saturated at
     * {@link Long#MAX_VALUE}; when not 0, those sums and the means and rates drawn from them are lower bounds.
     */
    public long saturatedSums() {
        return sum.saturatedSums;
    }

    /** @return mean CPU time in milliseconds of the events that reported it. */
    public double cpuMeanMs() {
        return sum.cpuCount == 0 ? Double.NaN : sum.cpuNsSum / 1e6 / sum.cpuCount;
    }

    /**
     * @param name of a quality score.
     * @return its mean over the events that carried it, NaN if none.
     */
    public double qualityMean(final String name) {
        final int id = dictionary == null ? 0 : dictionary.find(Dimension.QUALITY_NAME, name);
        if (id == 0 || sum.qualitySums == null || id >= sum.qualitySums.length || sum.qualityCounts[id] == 0) {
            return Double.NaN;
        }
        return sum.qualitySums[id] / sum.qualityCounts[id];
    }

    /**
     * A quality score over a window: how many events carried it, its mean and its standard deviation (the sample
     * one, NaN under two events).
     *
     * @param count             events that carried the score.
     * @param mean              of the score.
     * @param standardDeviation of the score.
     */
    public record QualityScore(long count, double mean, double standardDeviation) {
    }

    /** @return each quality score seen in the window, by name (allocates). */
    public Map<String, QualityScore> qualityScores() {
        final Map<String, QualityScore> scores = new LinkedHashMap<>();
        if (sum.qualitySums != null) {
            for (int id = 1; id < sum.qualitySums.length; id++) {
                final long n = sum.qualityCounts[id];
                if (n > 0) {
                    final double mean = sum.qualitySums[id] / n;
                    final double variance = n < 2 ? Double.NaN
                        : Math.max(0, (sum.qualitySquares[id] - n * mean * mean) / (n - 1));
                    scores.put(dictionary.name(Dimension.QUALITY_NAME, id),
                        new QualityScore(n, mean, Math.sqrt(variance)));
                }
            }
        }
        return scores;
    }

    /** @return the mean of each quality score seen in the window, by name (allocates). */
    public Map<String, Double> qualityMeans() {
        final Map<String, Double> means = new LinkedHashMap<>();
        if (sum.qualitySums != null) {
            for (int id = 1; id < sum.qualitySums.length; id++) {
                if (sum.qualityCounts[id] > 0) {
                    means.put(dictionary.name(Dimension.QUALITY_NAME, id), sum.qualitySums[id] / sum.qualityCounts[id]);
                }
            }
        }
        return means;
    }

    /** @return the count of each error type seen in the window, by name (allocates). */
    public Map<String, Long> errorsByType() {
        final Map<String, Long> errors = new LinkedHashMap<>();
        if (sum.errorsByType != null) {
            sum.errorsByType.forEach((id, n) -> errors.put(dictionary.name(Dimension.ERROR_TYPE, (int)id), n));
        }
        return errors;
    }

    /** @return the custom metric samples' sum (metric stats only). */
    public double valueSum() {
        return sum.valueSum;
    }

    /** @return the custom metric samples' mean, NaN if none. */
    public double valueMean() {
        return sum.count == 0 ? Double.NaN : sum.valueSum / sum.count;
    }

    /** @return the smallest custom metric sample, NaN if none. */
    public double valueMin() {
        return sum.count == 0 ? Double.NaN : sum.valueMin;
    }

    /** @return the largest custom metric sample, NaN if none. */
    public double valueMax() {
        return sum.count == 0 ? Double.NaN : sum.valueMax;
    }

    /**
     * The value of custom metric samples at a percentile, from a histogram of the values &gt;= 0 in thousandths
     * (rounded) with one significant digit (16 sub-buckets an octave), read as its bucket's middle value: within
     * 1/32 (3.2 %) of the exact one, or 0.001, whichever is larger, and never above the exact maximum; values above
     * about 9.0e12 count as 9.0e12. Values below zero are not in it ({@link #negativeValues()}), nor the samples of
     * a name's overflow ({@link #unplacedSamples()}).
     *
     * @param percentile 0 to 100.
     * @return the value, NaN if no sample &gt;= 0.
     */
    public double valuePercentile(final double percentile) {
        final AbstractHistogram h = sum.valueMilli;
        if (h == null || h.getTotalCount() == 0) {
            return Double.NaN;
        }
        final long middle = h.medianEquivalentValue(h.getValueAtPercentile(percentile));
        return Math.min(middle / dev.ringmeter.core.aggregate.Measures.VALUE_SCALE, valueMax());
    }

    /** @return the custom metric samples below zero, outside {@link #valuePercentile}. */
    public long negativeValues() {
        return sum.negativeValues;
    }

    /** @return the custom metric samples' sum per second over {@link #seconds()}, e.g. bytes per second. */
    public double valueRate() {
        return sum.valueSum / seconds();
    }

    /**
     * @return the latency histogram in microseconds (read-only use; null if no event); for exact cross-host
     * merging of percentiles.
     */
    public AbstractHistogram latencyHistogramUs() {
        return sum.latencyUs;
    }

    private static double percentileMs(final AbstractHistogram h, final double percentile) {
        if (h == null || h.getTotalCount() == 0) {
            return Double.NaN;
        }
        return h.getValueAtPercentile(percentile) / 1000.0;
    }

    private static double ratio(final long part, final long whole) {
        return whole == 0 ? Double.NaN : (double)part / whole;
    }
}
