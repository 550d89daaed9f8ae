package dev.ringmeter.core.aggregate;

import dev.ringmeter.CacheResult;
import dev.ringmeter.Event;
import dev.ringmeter.Status;
import dev.ringmeter.core.dictionary.Dictionary;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.core.ingest.EventSlot;
import org.agrona.collections.Long2LongCounterMap;
import org.agrona.collections.LongLongConsumer;

import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The totals of one model's calls (or of one other subject's events, see {@code SubjectTiers}) since the store was
 * created: counts by status and error type, tokens, cost, retries, cache lookups, each quality score's sum and
 * count, histograms with the fixed bounds of the OpenTelemetry GenAI semantic conventions, and the provider id and
 * operation name of its latest call that named them (the labels {@code gen_ai_provider_name} and
 * {@code gen_ai_operation_name} of its Prometheus series). Every event applied counts, whatever its timestamp.
 * <p>
 * Threading: not thread-safe; written by the aggregate writer, copied under the aggregates' lock one model at a
 * time ({@link #copyInto}, then {@link #copy} outside the lock) for readers, and by the writer for a snapshot.
 * Adding an event allocates nothing once the model's error types have been seen.
 */
final class ModelTotals {
    /**
     * OpenTelemetry GenAI semantic conventions: advisory buckets of gen_ai.client.operation.duration, seconds:
     * 10 ms x 2^k for k = 0 to 13 ({@link #durationBucket} relies on it).
     */
    static final double[] DURATION_BOUNDS_S = {
        0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
    };
    /** OpenTelemetry GenAI: advisory buckets of gen_ai.server.time_to_first_token, seconds. */
    static final double[] TTFT_BOUNDS_S = {
        0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
    };
    /** OpenTelemetry GenAI: advisory buckets of gen_ai.client.token.usage, tokens: 4^k for k = 0 to 13. */
    static final double[] TOKEN_BOUNDS = {
        1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
    };
    /**
     * OpenTelemetry GenAI: advisory buckets of gen_ai.server.time_per_output_token, seconds; derived per call as
     * (latency - time to first token) / (output tokens - 1), for calls that reported both and at least 2 tokens.
     */
    static final double[] TPOT_BOUNDS_S = {
        0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5,
    };
    static final int STATUSES = Status.values().length;
    private static final byte CACHE_HIT = (byte)CacheResult.HIT.ordinal();
    private static final byte CACHE_MISS = (byte)CacheResult.MISS.ordinal();
    private static final double[] NO_SUMS = new double[0];
    private static final long[] NO_COUNTS = new long[0];

    final long[] requestsByStatus = new long[STATUSES];
    /** Recorded in nanoseconds, reported in seconds. */
    final FixedBucketHistogram durationSeconds = new FixedBucketHistogram(DURATION_BOUNDS_S, 1e-9);
    /** Recorded in nanoseconds, reported in seconds. */
    final FixedBucketHistogram ttftSeconds = new FixedBucketHistogram(TTFT_BOUNDS_S, 1e-9);
    /** Recorded in nanoseconds per token, reported in seconds. */
    final FixedBucketHistogram tpotSeconds = new FixedBucketHistogram(TPOT_BOUNDS_S, 1e-9);
    final FixedBucketHistogram inputTokens = new FixedBucketHistogram(TOKEN_BOUNDS, 1);
    final FixedBucketHistogram outputTokens = new FixedBucketHistogram(TOKEN_BOUNDS, 1);
    /** Calls by error type id. */
    final Long2LongCounterMap errorsByType = new Long2LongCounterMap(0);
    private final LongLongConsumer addErrors = (type, n) -> errorsByType.getAndAdd(type, n);
    /** Provider id of the latest call that named one; 0 until one did (a pinned dimension: the id stays its own). */
    int provider;
    /**
     * Operation of the model's latest call that named one, or null: the name, not the id, since the dictionary may
     * release an idle operation's id and give it to another value. Set by {@link CumulativeTotals} for the models;
     * at most one string of the longest allowed per model, counted in {@code Aggregates.widestModelBytes}.
     */
    String operationName;
    double costUsd;
    long retries;
    long cacheHits;
    long cacheMisses;
    /** By quality name id: the sum of its values and how many events carried it; grown to the ids seen. */
    double[] qualitySums = NO_SUMS;
    long[] qualityCounts = NO_COUNTS;

    /**
     * Counts one call.
     *
     * @param e the event, its cost stamped (NaN if unknown).
     */
    void add(final EventSlot e) {
        requestsByStatus[e.status]++;
        durationSeconds.record(durationBucket(e.latencyNs), e.latencyNs);
        if (e.ttftNs != Event.NONE) {
            ttftSeconds.record(ttftSeconds.bucketOf(e.ttftNs / 1e9), e.ttftNs);
            if (e.completionTokens != Event.NONE && e.completionTokens > 1 && e.latencyNs >= e.ttftNs) {
                final long perToken = (e.latencyNs - e.ttftNs) / (e.completionTokens - 1);
                tpotSeconds.record(tpotSeconds.bucketOf(perToken / 1e9), perToken);
            }
        }
        if (e.provider != 0) {
            provider = e.provider;
        }
        if (e.promptTokens != Event.NONE) {
            inputTokens.record(tokenBucket(e.promptTokens), e.promptTokens);
        }
        if (e.completionTokens != Event.NONE) {
            outputTokens.record(tokenBucket(e.completionTokens), e.completionTokens);
        }
        if (e.errorType != 0) {
            errorsByType.incrementAndGet(e.errorType);
        }
        final double cost = e.costUsd;
        if (cost == cost) {
            costUsd += cost;
        }
        retries += e.retries;
        if (e.cache == CACHE_HIT) {
            cacheHits++;
        } else if (e.cache == CACHE_MISS) {
            cacheMisses++;
        }
        for (int i = 0; i < e.qualityCount; i++) {
            addQuality(e.qualityNames[i], e.qualityValues[i], 1);
        }
    }

    /**
     * @param name  id of a quality score name (at most the quality-name limit).
     * @param sum   to add.
     * @param count to add.
     */
    void addQuality(final int name, final double sum, final long count) {
        if (name >= qualitySums.length) {
            qualitySums = java.util.Arrays.copyOf(qualitySums, name + 1);
            qualityCounts = java.util.Arrays.copyOf(qualityCounts, name + 1);
        }
        qualitySums[name] += sum;
        qualityCounts[name] += count;
    }

    /**
     * The bucket of a duration among {@link #DURATION_BOUNDS_S} in integer arithmetic: the first k with
     * latencyNs &lt;= 10 ms x 2^k, which is what comparing latencyNs / 1e9 with the bounds gives (the doubles
     * near each bound are far closer together than 1 ns), without a scan.
     *
     * @param latencyNs a duration, &gt;= 0.
     * @return its bucket; the last (above every bound) past 81.92 s.
     */
    static int durationBucket(final long latencyNs) {
        if (latencyNs <= 10_000_000L) {
            return 0;
        }
        final long q = (latencyNs - 1) / 10_000_000L;   // latencyNs <= 10 ms x 2^k  <=>  q < 2^k
        return Math.min(64 - Long.numberOfLeadingZeros(q), DURATION_BOUNDS_S.length);
    }

    /**
     * The bucket of a token count among {@link #TOKEN_BOUNDS}: the first k with tokens &lt;= 4^k.
     *
     * @param tokens a count, &gt;= 0.
     * @return its bucket; the last (above every bound) past 4^13.
     */
    static int tokenBucket(final long tokens) {
        if (tokens <= 1) {
            return 0;
        }
        final int log2Ceiling = 64 - Long.numberOfLeadingZeros(tokens - 1);
        return Math.min((log2Ceiling + 1) >>> 1, TOKEN_BOUNDS.length);
    }

    /**
     * Makes another instance hold what this one holds; allocates nothing once it has room for the error types.
     *
     * @param into the copy.
     */
    void copyInto(final ModelTotals into) {
        System.arraycopy(requestsByStatus, 0, into.requestsByStatus, 0, STATUSES);
        durationSeconds.copyInto(into.durationSeconds);
        ttftSeconds.copyInto(into.ttftSeconds);
        tpotSeconds.copyInto(into.tpotSeconds);
        into.provider = provider;
        into.operationName = operationName;
        inputTokens.copyInto(into.inputTokens);
        outputTokens.copyInto(into.outputTokens);
        into.errorsByType.clear();
        errorsByType.forEach(into.addErrors);
        into.costUsd = costUsd;
        into.retries = retries;
        into.cacheHits = cacheHits;
        into.cacheMisses = cacheMisses;
        if (into.qualitySums.length < qualitySums.length) {
            into.qualitySums = new double[qualitySums.length];
            into.qualityCounts = new long[qualitySums.length];
        }
        System.arraycopy(qualitySums, 0, into.qualitySums, 0, qualitySums.length);
        System.arraycopy(qualityCounts, 0, into.qualityCounts, 0, qualityCounts.length);
    }

    /**
     * @param dictionary to name the error types.
     * @return a copy for a reader (allocates).
     */
    CallTotals copy(final Dictionary dictionary) {
        final SortedMap<String, Long> errors = new TreeMap<>();
        errorsByType.forEach((type, n) -> errors.put(dictionary.name(Dimension.ERROR_TYPE, (int)type), n));
        final SortedMap<String, CallTotals.QualityTotal> quality = new TreeMap<>();
        for (int id = 1; id < qualityCounts.length; id++) {
            if (qualityCounts[id] > 0) {
                quality.put(dictionary.name(Dimension.QUALITY_NAME, id),
                    new CallTotals.QualityTotal(qualitySums[id], qualityCounts[id]));
            }
        }
        return new CallTotals(requestsByStatus.clone(), durationSeconds.copy(), ttftSeconds.copy(),
            inputTokens.copy(), outputTokens.copy(), errors, costUsd, retries, cacheHits, cacheMisses, quality,
            tpotSeconds.copy(), dictionary.name(Dimension.PROVIDER, provider),
            operationName);
    }

    /**
     * @param qualityNames the number of quality score names allowed.
     * @return the heap one model's totals hold with a few error types and every quality score, and its slot in the
     * totals' array.
     */
    static long widestBytes(final int qualityNames) {
        return new ModelTotals().footprintBytes() + 2 * (16 + 8L * (qualityNames + 1)) + 2 * 4;
    }

    /** @return an estimate of the heap held, in bytes. */
    long footprintBytes() {
        return 104 + 16 + STATUSES * 8L + 4 * (48 + 17 * 8L) + 48 + (TPOT_BOUNDS_S.length + 1) * 8L + 64
            + errorsByType.capacity() * 16L + 2 * (16 + 8L * qualitySums.length)
            + (operationName == null ? 0 : 40 + 2L * operationName.length());
    }
}
