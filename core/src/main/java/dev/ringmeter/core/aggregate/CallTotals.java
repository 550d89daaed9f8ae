package dev.ringmeter.core.aggregate;

import dev.ringmeter.Status;
import dev.ringmeter.core.query.Subject;

import java.util.Collections;
import java.util.SortedMap;

/**
 * The totals of one model's calls, or of one pipeline's, step's, tool's or agent's events, since the store was
 * created, as copied for a reader by {@link Aggregates#totals()} and {@link Aggregates#totals(Subject.Kind)}: what a Prometheus exposition needs, whose counters and fixed-bound histograms must
 * never go down. Every event the store applied counts, whatever its timestamp.
 * <p>
 * Threading: immutable once returned; any thread.
 */
public final class CallTotals {
    private final long[] requestsByStatus;
    private final FixedBucketHistogram durationSeconds;
    private final FixedBucketHistogram timeToFirstTokenSeconds;
    private final FixedBucketHistogram inputTokens;
    private final FixedBucketHistogram outputTokens;
    private final SortedMap<String, Long> errorsByType;
    private final double costUsd;
    private final long retries;
    private final long cacheHits;
    private final long cacheMisses;
    private final SortedMap<String, QualityTotal> quality;
    private final FixedBucketHistogram timePerOutputTokenSeconds;
    private final String provider;
    private final String operation;

    /**
     * One quality score's sum and count since the store was created, so that a rate of each gives its mean.
     *
     * @param sum   of the values.
     * @param count of the events that carried it.
     */
    public record QualityTotal(double sum, long count) {
    }

    CallTotals(final long[] requestsByStatus, final FixedBucketHistogram durationSeconds,
               final FixedBucketHistogram timeToFirstTokenSeconds, final FixedBucketHistogram inputTokens,
               final FixedBucketHistogram outputTokens, final SortedMap<String, Long> errorsByType,
               final double costUsd, final long retries, final long cacheHits, final long cacheMisses,
               final SortedMap<String, QualityTotal> quality, final FixedBucketHistogram timePerOutputTokenSeconds,
               final String provider, final String operation) {
        this.requestsByStatus = requestsByStatus;
        this.durationSeconds = durationSeconds;
        this.timeToFirstTokenSeconds = timeToFirstTokenSeconds;
        this.inputTokens = inputTokens;
        this.outputTokens = outputTokens;
        this.errorsByType = Collections.unmodifiableSortedMap(errorsByType);
        this.costUsd = costUsd;
        this.retries = retries;
        this.cacheHits = cacheHits;
        this.cacheMisses = cacheMisses;
        this.quality = Collections.unmodifiableSortedMap(quality);
        this.timePerOutputTokenSeconds = timePerOutputTokenSeconds;
        this.provider = provider;
        this.operation = operation;
    }

    /**
     * @param status of a call.
     * @return the calls that ended with it.
     */
    public long requests(final Status status) {
        return requestsByStatus[status.ordinal()];
    }

    /** @return the calls of every status. */
    public long requests() {
        long n = 0;
        for (final long s : requestsByStatus) {
            n += s;
        }
        return n;
    }

    /** @return call durations in seconds (gen_ai.client.operation.duration). */
    public FixedBucketHistogram durationSeconds() {
        return durationSeconds;
    }

    /** @return times to first token in seconds, of the calls that reported one. */
    public FixedBucketHistogram timeToFirstTokenSeconds() {
        return timeToFirstTokenSeconds;
    }

    /** @return input tokens per call, of the calls that reported them. */
    public FixedBucketHistogram inputTokens() {
        return inputTokens;
    }

    /** @return output tokens per call, of the calls that reported them. */
    public FixedBucketHistogram outputTokens() {
        return outputTokens;
    }

    /** @return calls by error type name, in name order. */
    public SortedMap<String, Long> errorsByType() {
        return errorsByType;
    }

    /** @return the cost in USD of the calls that carried one or could be priced. */
    public double costUsd() {
        return costUsd;
    }

    /** @return retries reported by the calls. */
    public long retries() {
        return retries;
    }

    /** @return calls a cache served. */
    public long cacheHits() {
        return cacheHits;
    }

    /** @return calls that missed a cache. */
    public long cacheMisses() {
        return cacheMisses;
    }

    /** @return each quality score's sum and count, by score name in name order. */
    public SortedMap<String, QualityTotal> quality() {
        return quality;
    }

    /**
     * @return seconds per output token after the first, (latency - time to first token) / (output tokens - 1), of
     * the calls that reported a time to first token and at least 2 output tokens.
     */
    public FixedBucketHistogram timePerOutputTokenSeconds() {
        return timePerOutputTokenSeconds;
    }

    /** @return the provider named by the latest call that named one, or null. */
    public String provider() {
        return provider;
    }

    /** @return the operation named by the latest call that named one, or null. */
    public String operation() {
        return operation;
    }
}
