package dev.ringmeter.core.aggregate;

import dev.ringmeter.CacheResult;
import dev.ringmeter.Event;
import dev.ringmeter.Status;
import dev.ringmeter.core.ingest.EventSlot;
import org.HdrHistogram.AbstractHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.IntCountsHistogram;
import org.agrona.collections.Long2LongCounterMap;
import org.agrona.collections.LongLongConsumer;

/**
 * The measures of a set of events (or custom metric samples): counters, sums, maxima and HdrHistograms of latency,
 * time to first token and queue wait, recorded in microseconds. What a {@link Bucket} holds for its interval, and
 * what a query merges buckets into ({@link dev.ringmeter.core.query.WindowStats}).
 * <p>
 * Histograms, the error map and the quality sums are allocated on first use and reused after {@link #reset()},
 * so an instance stops allocating once it has seen its range of values. The fields are public for the query
 * package to read; only the aggregate writer (for buckets) or the owner of a query result writes them.
 * <p>
 * A closed bucket's histograms are {@link SparseCounts} ({@link #closeInto}): only the values recorded, whenever that
 * is smaller than the plain histogram, and the plain one, emptied, goes to the bucket that opens next in the same ring,
 * so only the open bucket of each tier records into a plain histogram. A merge adds the sparse counts value by value;
 * an event or a roll-up into a closed bucket (a late event: the rare path) first reopens its sparse counts into a plain
 * histogram, which it keeps until the bucket closes again or is reused.
 * <p>
 * Threading: not thread-safe. A bucket's measures are owned by the aggregate writer and read only under the
 * aggregates' lock; a query result's belong to the thread that holds it.
 */
public final class Measures {
    private static final long NONE = Event.NONE;
    /** What a custom metric value is multiplied by before it is recorded in {@link #valueMilli}. */
    public static final double VALUE_SCALE = 1000;
    /**
     * Significant digits of {@link #valueMilli}: one, so that a bucket's value histogram stays small over its wide
     * range (4.0 KB at its widest with int counts, against about 25 KB with two digits): 16 sub-buckets an octave, so a
     * percentile read as its bucket's middle value is within 1/32 (3.2 %) of the exact one.
     */
    public static final int VALUE_DIGITS = 1;
    /** The largest scaled value recorded (2^53 thousandths, about 9.0e12); a larger value is recorded as this. */
    public static final long MAX_SCALED_VALUE = 1L << 53;
    /**
     * What HdrHistogram's own estimate of a histogram leaves out (the iterators it allocates with each one):
     * heap measured after GC with every bucket's histograms at their widest (bench {@code FootprintReport}) came to
     * about 235 bytes a histogram above it.
     */
    private static final long HISTOGRAM_EXTRA_BYTES = 256;

    private final int histogramDigits;
    private final boolean longCounts;
    private final int qualityNames;
    /**
     * Whether only the latency histogram is kept (an in-memory comparison's buckets, see {@link Combinations}): the
     * time to first token and queue wait keep their sums and counts but no histograms, and the error types are not
     * counted by type (the combination's key says the type).
     */
    private final boolean latencyOnly;

    public long count;
    public long ok;
    public long errors;
    public long timeouts;
    public long cancelled;
    public long retries;
    public long retried;
    public long promptTokens;
    public long completionTokens;
    public long generationTokens;
    /** Sums of the prompt tokens read from and written to the cache, and the completion tokens spent reasoning. */
    public long cachedTokens;
    public long cacheWriteTokens;
    public long reasoningTokens;
    public long generationNs;
    public long cacheHits;
    public long cacheMisses;
    public long memoryBytesSum;
    public long memoryBytesMax;
    public long memoryCount;
    public long cpuNsSum;
    public long cpuCount;
    public double costUsd;
    public long costCount;
    public long latencyNsSum;
    public long latencyNsMax;
    public long ttftNsSum;
    public long ttftCount;
    public long queueWaitNsSum;
    public long queueWaitCount;
    /**
     * Adds to a sum of durations, tokens or bytes that would have passed {@link Long#MAX_VALUE}: the sum then stays
     * at {@code Long.MAX_VALUE}, a lower bound, instead of wrapping negative. Kept since the bucket was reused (not
     * in the snapshot; a restored sum at {@code Long.MAX_VALUE} still reads as saturated).
     */
    public long saturatedSums;
    public double valueSum;
    public double valueMin = Double.POSITIVE_INFINITY;
    public double valueMax = Double.NEGATIVE_INFINITY;
    /**
     * Custom metric samples: the values &gt;= 0 in thousandths ({@link #VALUE_SCALE}), rounded, capped at
     * {@link #MAX_SCALED_VALUE}, for their percentiles; null until the first.
     */
    public AbstractHistogram valueMilli;
    /** Custom metric samples below zero: counted, summed and in min/max, but outside the percentiles. */
    public long negativeValues;
    public AbstractHistogram latencyUs;
    public AbstractHistogram ttftUs;
    public AbstractHistogram queueWaitUs;
    public Long2LongCounterMap errorsByType;
    /** A closed bucket's histograms, sparse, in place of the plain ones above (then null); null otherwise. */
    SparseCounts valueSparse;
    SparseCounts latencySparse;
    SparseCounts ttftSparse;
    SparseCounts queueWaitSparse;
    private final LongLongConsumer addErrors = (type, n) -> errors().getAndAdd(type, n);
    public double[] qualitySums;
    /** By quality name id, beside {@link #qualitySums}: the sums of the squares, for a score's spread. */
    public double[] qualitySquares;
    public long[] qualityCounts;

    /**
     * @param histogramDigits significant digits of the histograms.
     * @param longCounts      whether histogram counts need 64 bits (coarse buckets and query results).
     * @param qualityNames    the number of distinct quality score names the store allows.
     */
    public Measures(final int histogramDigits, final boolean longCounts, final int qualityNames) {
        this(histogramDigits, longCounts, qualityNames, false);
    }

    /**
     * @param histogramDigits significant digits of the histograms.
     * @param longCounts      whether histogram counts need 64 bits.
     * @param qualityNames    the number of distinct quality score names the store allows.
     * @param latencyOnly     whether only the latency histogram is kept, and no counts by error type.
     */
    Measures(final int histogramDigits, final boolean longCounts, final int qualityNames, final boolean latencyOnly) {
        this.histogramDigits = histogramDigits;
        this.longCounts = longCounts;
        this.qualityNames = qualityNames;
        this.latencyOnly = latencyOnly;
    }

    /** Empties the measures, keeping their allocated histograms and maps for reuse. */
    public void reset() {
        count = 0;
        ok = 0;
        errors = 0;
        timeouts = 0;
        cancelled = 0;
        retries = 0;
        retried = 0;
        promptTokens = 0;
        completionTokens = 0;
        generationTokens = 0;
        generationNs = 0;
        cachedTokens = 0;
        cacheWriteTokens = 0;
        reasoningTokens = 0;
        cacheHits = 0;
        cacheMisses = 0;
        memoryBytesSum = 0;
        memoryBytesMax = 0;
        memoryCount = 0;
        cpuNsSum = 0;
        cpuCount = 0;
        costUsd = 0;
        costCount = 0;
        latencyNsSum = 0;
        latencyNsMax = 0;
        ttftNsSum = 0;
        ttftCount = 0;
        queueWaitNsSum = 0;
        queueWaitCount = 0;
        saturatedSums = 0;
        valueSum = 0;
        valueMin = Double.POSITIVE_INFINITY;
        valueMax = Double.NEGATIVE_INFINITY;
        negativeValues = 0;
        valueSparse = null;
        latencySparse = null;
        ttftSparse = null;
        queueWaitSparse = null;
        if (valueMilli != null) {
            valueMilli.reset();
        }
        if (latencyUs != null) {
            latencyUs.reset();
        }
        if (ttftUs != null) {
            ttftUs.reset();
        }
        if (queueWaitUs != null) {
            queueWaitUs.reset();
        }
        if (errorsByType != null) {
            errorsByType.clear();
        }
        if (qualitySums != null) {
            java.util.Arrays.fill(qualitySums, 0);
            java.util.Arrays.fill(qualitySquares, 0);
            java.util.Arrays.fill(qualityCounts, 0);
        }
    }

    /**
     * Adds one event.
     *
     * @param e the event, its cost already stamped ({@link PriceTable#stampCost}): NaN if unknown.
     */
    public void add(final EventSlot e) {
        count++;
        switch (e.status) {
            case 0:
                ok++;
                break;
            case 1:
                errors++;
                break;
            case 2:
                timeouts++;
                break;
            default:
                cancelled++;
        }
        if (e.errorType != 0 && !latencyOnly) {
            errors().incrementAndGet(e.errorType);
        }
        if (e.retries > 0) {
            retries += e.retries;
            retried++;
        }
        final long latencyNs = e.latencyNs;
        latencyNsSum = saturatingAdd(latencyNsSum, latencyNs);
        latencyNsMax = Math.max(latencyNsMax, latencyNs);
        latency().recordValue(latencyNs / 1000);
        if (e.ttftNs != NONE) {
            ttftNsSum = saturatingAdd(ttftNsSum, e.ttftNs);
            ttftCount++;
            if (!latencyOnly) {
                ttft().recordValue(e.ttftNs / 1000);
            }
        }
        if (e.queueWaitNs != NONE) {
            queueWaitNsSum = saturatingAdd(queueWaitNsSum, e.queueWaitNs);
            queueWaitCount++;
            if (!latencyOnly) {
                queueWait().recordValue(e.queueWaitNs / 1000);
            }
        }
        if (e.promptTokens != NONE) {
            promptTokens = saturatingAdd(promptTokens, e.promptTokens);
        }
        if (e.completionTokens != NONE) {
            completionTokens = saturatingAdd(completionTokens, e.completionTokens);
            final long decodeNs = e.ttftNs != NONE && e.ttftNs < latencyNs ? latencyNs - e.ttftNs : latencyNs;
            if (decodeNs > 0) {
                generationTokens = saturatingAdd(generationTokens, e.completionTokens);
                generationNs = saturatingAdd(generationNs, decodeNs);
            }
        }
        if (e.cachedTokens != NONE) {
            cachedTokens = saturatingAdd(cachedTokens, e.cachedTokens);
        }
        if (e.cacheWriteTokens != NONE) {
            cacheWriteTokens = saturatingAdd(cacheWriteTokens, e.cacheWriteTokens);
        }
        if (e.reasoningTokens != NONE) {
            reasoningTokens = saturatingAdd(reasoningTokens, e.reasoningTokens);
        }
        if (e.cache == CACHE_HIT) {
            cacheHits++;
        } else if (e.cache == CACHE_MISS) {
            cacheMisses++;
        }
        if (e.memoryBytes != NONE) {
            memoryBytesSum = saturatingAdd(memoryBytesSum, e.memoryBytes);
            memoryBytesMax = Math.max(memoryBytesMax, e.memoryBytes);
            memoryCount++;
        }
        if (e.cpuNs != NONE) {
            cpuNsSum = saturatingAdd(cpuNsSum, e.cpuNs);
            cpuCount++;
        }
        final double cost = e.costUsd;
        if (cost == cost) {
            costUsd += cost;
            costCount++;
        }
        for (int i = 0; i < e.qualityCount; i++) {
            final int name = e.qualityNames[i];
            if (name < qualityNames + 1) {
                final double v = e.qualityValues[i];
                qualitySums()[name] += v;
                qualitySquares[name] += v * v;
                qualityCounts[name]++;
            }
        }
    }

    /**
     * Adds one custom metric sample, weighted: it counts as {@code weight} samples of its value (count, sum and
     * percentiles alike). An int-counted value histogram ({@link #longCounts}) takes at most {@code 2^31 - 1}
     * observations in all; past that its percentiles leave the rest out (the count and sum keep them).
     *
     * @param value       of the sample.
     * @param weight      the observations of the value it stands for, &gt;= 1.
     * @param percentiles whether to record it in the value histogram too (not in a metric's overflow series).
     */
    void addValue(final double value, final long weight, final boolean percentiles) {
        count += weight;
        valueSum += value * weight;
        valueMin = Math.min(valueMin, value);
        valueMax = Math.max(valueMax, value);
        if (!percentiles) {
            return;
        }
        if (value >= 0) {
            final AbstractHistogram h = values();
            final long room = longCounts ? weight : Math.min(weight, Integer.MAX_VALUE - h.getTotalCount());
            if (room > 0) {
                h.recordValueWithCount(scaledValue(value), room);
            }
        } else {
            negativeValues += weight;
        }
    }

    /** @return a value &gt;= 0 in thousandths, rounded, at most {@link #MAX_SCALED_VALUE}. */
    static long scaledValue(final double value) {
        return Math.min(MAX_SCALED_VALUE, Math.round(value * VALUE_SCALE));
    }

    /**
     * Changes the cost counted, as a recompute of an event's cost does.
     *
     * @param deltaUsd       added to the cost.
     * @param costCountDelta added to the count of priced events.
     */
    void changeCost(final double deltaUsd, final int costCountDelta) {
        costUsd += deltaUsd;
        costCount += costCountDelta;
    }

    /**
     * Closes these measures, a bucket's whose interval is over: each plain histogram becomes {@link SparseCounts} if
     * that is smaller, and the plain one, emptied, is handed to {@code next} (the bucket that opens in the same ring) if
     * it has none, or dropped. What closing allocates: per histogram holding values, its sparse counts
     * ({@link SparseCounts#footprintBytes()}). Writer only; no reader may hold either bucket.
     *
     * @param next measures just emptied for the next interval, or null to keep no histogram for reuse.
     */
    void closeInto(final Measures next) {
        final boolean give = next != null && next != this;
        if (latencyUs != null && latencySparse == null) {
            latencySparse = latencyUs.getTotalCount() == 0 ? null : SparseCounts.of(latencyUs);
            if (latencySparse != null || latencyUs.getTotalCount() == 0) {
                latencyUs.reset();
                if (give && next.latencyUs == null) {
                    next.latencyUs = latencyUs;
                }
                latencyUs = null;
            }
        }
        if (ttftUs != null && ttftSparse == null) {
            ttftSparse = ttftUs.getTotalCount() == 0 ? null : SparseCounts.of(ttftUs);
            if (ttftSparse != null || ttftUs.getTotalCount() == 0) {
                ttftUs.reset();
                if (give && next.ttftUs == null) {
                    next.ttftUs = ttftUs;
                }
                ttftUs = null;
            }
        }
        if (queueWaitUs != null && queueWaitSparse == null) {
            queueWaitSparse = queueWaitUs.getTotalCount() == 0 ? null : SparseCounts.of(queueWaitUs);
            if (queueWaitSparse != null || queueWaitUs.getTotalCount() == 0) {
                queueWaitUs.reset();
                if (give && next.queueWaitUs == null) {
                    next.queueWaitUs = queueWaitUs;
                }
                queueWaitUs = null;
            }
        }
        if (qualitySums != null) {
            closeQualities(give ? next : null);
        }
        if (valueMilli != null && valueSparse == null) {
            valueSparse = valueMilli.getTotalCount() == 0 ? null : SparseCounts.of(valueMilli);
            if (valueSparse != null || valueMilli.getTotalCount() == 0) {
                valueMilli.reset();
                if (give && next.valueMilli == null) {
                    next.valueMilli = valueMilli;
                }
                valueMilli = null;
            }
        }
    }

    /**
     * Trims the quality arrays to the names seen (ids up to the highest counted), and hands the full ones, emptied, to
     * next if its own are trimmed or none; {@link #qualitySums()} makes them full again if the bucket is reopened.
     * Allocates the three trimmed arrays, 16 bytes plus 8 a name each.
     */
    private void closeQualities(final Measures next) {
        int n = qualityCounts.length;
        while (n > 0 && qualityCounts[n - 1] == 0) {
            n--;
        }
        if (n == qualityCounts.length) {
            return;
        }
        final double[] sums = qualitySums;
        final double[] squares = qualitySquares;
        final long[] counts = qualityCounts;
        qualitySums = n == 0 ? null : java.util.Arrays.copyOf(sums, n);
        qualitySquares = n == 0 ? null : java.util.Arrays.copyOf(squares, n);
        qualityCounts = n == 0 ? null : java.util.Arrays.copyOf(counts, n);
        if (next != null && (next.qualitySums == null || next.qualitySums.length < counts.length)) {
            java.util.Arrays.fill(sums, 0);
            java.util.Arrays.fill(squares, 0);
            java.util.Arrays.fill(counts, 0);
            next.qualitySums = sums;
            next.qualitySquares = squares;
            next.qualityCounts = counts;
        }
    }

    /** @return whether a histogram is held sparse: these are a closed bucket's measures ({@link #closeInto}). */
    boolean closed() {
        return latencySparse != null || ttftSparse != null || queueWaitSparse != null || valueSparse != null;
    }

    /**
     * Makes these (emptied) measures a copy of other's: as {@link #merge}, but sharing other's sparse counts, which
     * are immutable, instead of reopening them.
     *
     * @param o the measures to copy, which nobody changes meanwhile.
     */
    void copyFrom(final Measures o) {
        reset();
        merge(o, true);
    }

    /**
     * Adds all of other measures to these.
     *
     * @param o the measures to add.
     */
    void merge(final Measures o) {
        merge(o, false);
    }

    private void merge(final Measures o, final boolean share) {
        if (o.count == 0) {
            return;
        }
        count += o.count;
        ok += o.ok;
        errors += o.errors;
        timeouts += o.timeouts;
        cancelled += o.cancelled;
        retries += o.retries;
        retried += o.retried;
        promptTokens = saturatingAdd(promptTokens, o.promptTokens);
        completionTokens = saturatingAdd(completionTokens, o.completionTokens);
        generationTokens = saturatingAdd(generationTokens, o.generationTokens);
        generationNs = saturatingAdd(generationNs, o.generationNs);
        cachedTokens = saturatingAdd(cachedTokens, o.cachedTokens);
        cacheWriteTokens = saturatingAdd(cacheWriteTokens, o.cacheWriteTokens);
        reasoningTokens = saturatingAdd(reasoningTokens, o.reasoningTokens);
        cacheHits += o.cacheHits;
        cacheMisses += o.cacheMisses;
        memoryBytesSum = saturatingAdd(memoryBytesSum, o.memoryBytesSum);
        memoryBytesMax = Math.max(memoryBytesMax, o.memoryBytesMax);
        memoryCount += o.memoryCount;
        cpuNsSum = saturatingAdd(cpuNsSum, o.cpuNsSum);
        cpuCount += o.cpuCount;
        costUsd += o.costUsd;
        costCount += o.costCount;
        latencyNsSum = saturatingAdd(latencyNsSum, o.latencyNsSum);
        latencyNsMax = Math.max(latencyNsMax, o.latencyNsMax);
        ttftNsSum = saturatingAdd(ttftNsSum, o.ttftNsSum);
        ttftCount += o.ttftCount;
        queueWaitNsSum = saturatingAdd(queueWaitNsSum, o.queueWaitNsSum);
        queueWaitCount += o.queueWaitCount;
        saturatedSums += o.saturatedSums;
        valueSum += o.valueSum;
        valueMin = Math.min(valueMin, o.valueMin);
        valueMax = Math.max(valueMax, o.valueMax);
        negativeValues += o.negativeValues;
        if (o.valueMilli != null && o.valueMilli.getTotalCount() > 0) {
            values().add(o.valueMilli);
        }
        if (o.latencyUs != null && o.latencyUs.getTotalCount() > 0) {
            latency().add(o.latencyUs);
        }
        if (o.ttftUs != null && o.ttftUs.getTotalCount() > 0) {
            ttft().add(o.ttftUs);
        }
        if (o.queueWaitUs != null && o.queueWaitUs.getTotalCount() > 0) {
            queueWait().add(o.queueWaitUs);
        }
        if (o.valueSparse != null) {
            if (share && valueSparse == null && (valueMilli == null || valueMilli.getTotalCount() == 0)) {
                valueSparse = o.valueSparse;
            } else {
                o.valueSparse.addTo(values());
            }
        }
        if (o.latencySparse != null) {
            if (share && latencySparse == null && (latencyUs == null || latencyUs.getTotalCount() == 0)) {
                latencySparse = o.latencySparse;
            } else {
                o.latencySparse.addTo(latency());
            }
        }
        if (o.ttftSparse != null) {
            if (share && ttftSparse == null && (ttftUs == null || ttftUs.getTotalCount() == 0)) {
                ttftSparse = o.ttftSparse;
            } else {
                o.ttftSparse.addTo(ttft());
            }
        }
        if (o.queueWaitSparse != null) {
            if (share && queueWaitSparse == null && (queueWaitUs == null || queueWaitUs.getTotalCount() == 0)) {
                queueWaitSparse = o.queueWaitSparse;
            } else {
                o.queueWaitSparse.addTo(queueWait());
            }
        }
        if (o.errorsByType != null && !o.errorsByType.isEmpty()) {
            o.errorsByType.forEach(addErrors);
        }
        if (o.qualitySums != null) {
            final double[] sums = qualitySums();
            for (int i = 0; i < o.qualitySums.length; i++) {
                sums[i] += o.qualitySums[i];
                qualitySquares[i] += o.qualitySquares[i];
                qualityCounts[i] += o.qualityCounts[i];
            }
        }
    }

    /**
     * The one add of a long sum: a sum of durations (up to a day each), tokens (up to 2^31 each) or bytes (up to
     * 2^50 each) passes 2^63 after about 107,000 day-long calls, 107 of the most CPU time (1,000 days), 4.3
     * billion events of the most tokens, or 8,192 of the most memory, in one bucket or one query's window: it
     * saturates at {@link Long#MAX_VALUE} and is counted in {@link #saturatedSums}. Both operands are &gt;= 0, so a negative result is an overflow.
     */
    private long saturatingAdd(final long sum, final long value) {
        final long r = sum + value;
        if (r < 0) {
            saturatedSums++;
            return Long.MAX_VALUE;
        }
        return r;
    }

    private static final byte CACHE_HIT = (byte)CacheResult.HIT.ordinal();
    private static final byte CACHE_MISS = (byte)CacheResult.MISS.ordinal();

    static {
        // The switch in add() relies on these ordinals.
        if (Status.OK.ordinal() != 0 || Status.ERROR.ordinal() != 1 || Status.TIMEOUT.ordinal() != 2) {
            throw new AssertionError("Status ordinals changed");
        }
    }

    private AbstractHistogram newHistogram() {
        final AbstractHistogram h = longCounts ? new Histogram(histogramDigits)
            : new IntCountsHistogram(histogramDigits);
        h.setAutoResize(true);
        return h;
    }

    AbstractHistogram values() {
        if (valueMilli == null) {
            valueMilli = longCounts ? new Histogram(VALUE_DIGITS) : new IntCountsHistogram(VALUE_DIGITS);
            valueMilli.setAutoResize(true);
        }
        if (valueSparse != null) {
            final SparseCounts s = valueSparse;
            valueSparse = null;
            s.addTo(valueMilli);
        }
        return valueMilli;
    }

    AbstractHistogram latency() {
        if (latencyUs == null) {
            latencyUs = newHistogram();
        }
        if (latencySparse != null) {
            final SparseCounts s = latencySparse;
            latencySparse = null;
            s.addTo(latencyUs);   // reopened: an event or roll-up into a closed bucket
        }
        return latencyUs;
    }

    AbstractHistogram ttft() {
        if (ttftUs == null) {
            ttftUs = newHistogram();
        }
        if (ttftSparse != null) {
            final SparseCounts s = ttftSparse;
            ttftSparse = null;
            s.addTo(ttftUs);   // reopened: an event or roll-up into a closed bucket
        }
        return ttftUs;
    }

    AbstractHistogram queueWait() {
        if (queueWaitUs == null) {
            queueWaitUs = newHistogram();
        }
        if (queueWaitSparse != null) {
            final SparseCounts s = queueWaitSparse;
            queueWaitSparse = null;
            s.addTo(queueWaitUs);   // reopened: an event or roll-up into a closed bucket
        }
        return queueWaitUs;
    }

    Long2LongCounterMap errors() {
        if (errorsByType == null) {
            errorsByType = new Long2LongCounterMap(0);
        }
        return errorsByType;
    }

    double[] qualitySums() {
        if (qualitySums == null) {
            qualitySums = new double[qualityNames + 1];
            qualitySquares = new double[qualityNames + 1];
            qualityCounts = new long[qualityNames + 1];
        } else if (qualitySums.length < qualityNames + 1) {   // a closed bucket's, trimmed: reopened
            qualitySums = java.util.Arrays.copyOf(qualitySums, qualityNames + 1);
            qualitySquares = java.util.Arrays.copyOf(qualitySquares, qualityNames + 1);
            qualityCounts = java.util.Arrays.copyOf(qualityCounts, qualityNames + 1);
        }
        return qualitySums;
    }

    /** @return whether histogram counts are 64 bits wide. */
    boolean longCounts() {
        return longCounts;
    }

    /** @return the number of distinct quality score names these measures make room for. */
    int qualityNames() {
        return qualityNames;
    }

    /**
     * The rule of histogram counts: a bucket wider than 10 minutes counts in longs (an int count could overflow:
     * 2^31 events in an hour is 600,000 a second), a narrower one in ints, which halves its histograms.
     *
     * @param bucketWidthMs width of the bucket.
     * @return whether its histograms need 64-bit counts.
     */
    static boolean longCounts(final long bucketWidthMs) {
        return bucketWidthMs > 600_000;
    }

    /**
     * @param histogramDigits significant digits of the histograms.
     * @param longCounts      whether histogram counts are 64 bits wide.
     * @param qualityNames    the number of quality score names allowed.
     * @param events          whether the measures hold events (three histograms, error types, quality scores), or
     *                        only custom metric samples (counters; their value histogram is
     *                        {@link #widestValueBytes}).
     * @return {@link #footprintBytes()} of measures at their widest: each histogram auto-resized to the longest
     * duration the event rules allow ({@link Event#MAX_DURATION_NS}), a few error types, the quality sums.
     */
    static long widestBytes(final int histogramDigits, final boolean longCounts, final int qualityNames,
                            final boolean events) {
        return widestBytes(histogramDigits, longCounts, qualityNames, events, false);
    }

    /**
     * @param latencyOnly whether the measures keep only the latency histogram and no counts by error type.
     * @return as {@link #widestBytes(int, boolean, int, boolean)}, for measures that keep only what this says.
     */
    static long widestBytes(final int histogramDigits, final boolean longCounts, final int qualityNames,
                            final boolean events, final boolean latencyOnly) {
        final Measures m = new Measures(histogramDigits, longCounts, qualityNames, latencyOnly);
        if (events) {
            final long longestUs = Event.MAX_DURATION_NS / 1000;
            m.latency().recordValue(longestUs);
            if (!latencyOnly) {
                m.ttft().recordValue(longestUs);
                m.queueWait().recordValue(longestUs);
                m.errors().incrementAndGet(1);
            }
            m.qualitySums();
        }
        return m.footprintBytes();
    }

    /**
     * @param longCounts whether histogram counts are 64 bits wide.
     * @return what a custom metric series' bucket adds for its value histogram at its widest (auto-resized to
     * {@link #MAX_SCALED_VALUE}): 4.0 KB with int counts, 7.3 KB with long ones.
     */
    static long widestValueBytes(final boolean longCounts) {
        final Measures m = new Measures(VALUE_DIGITS, longCounts, 0);
        m.values().recordValue(MAX_SCALED_VALUE);
        return HISTOGRAM_EXTRA_BYTES + m.valueMilli.getEstimatedFootprintInBytes();
    }

    private static long sparseBytes(final SparseCounts s) {
        return s == null ? 0 : s.footprintBytes();
    }

    /**
     * @param h      a plain histogram of these measures, or null.
     * @param sparse its sparse counts in a closed bucket, or null.
     * @return what the pair holds as one plain histogram, for a snapshot: h itself unless the counts are sparse, then a
     * new histogram of them (snapshot time only).
     */
    AbstractHistogram plain(final AbstractHistogram h, final SparseCounts sparse, final int digits) {
        if (sparse == null) {
            return h;
        }
        final AbstractHistogram p = longCounts ? new Histogram(digits) : new IntCountsHistogram(digits);
        p.setAutoResize(true);
        if (h != null) {
            p.add(h);
        }
        sparse.addTo(p);
        return p;
    }

    /** @return significant digits of the event histograms. */
    int histogramDigits() {
        return histogramDigits;
    }

    /** @return whether only the latency histogram is kept. */
    boolean latencyOnly() {
        return latencyOnly;
    }

    /**
     * @return an estimate of the heap these measures hold, in bytes.
     */
    long footprintBytes() {
        long bytes = 280;
        if (valueMilli != null) {
            bytes += HISTOGRAM_EXTRA_BYTES + valueMilli.getEstimatedFootprintInBytes();
        }
        if (latencyUs != null) {
            bytes += HISTOGRAM_EXTRA_BYTES + latencyUs.getEstimatedFootprintInBytes();
        }
        if (ttftUs != null) {
            bytes += HISTOGRAM_EXTRA_BYTES + ttftUs.getEstimatedFootprintInBytes();
        }
        if (queueWaitUs != null) {
            bytes += HISTOGRAM_EXTRA_BYTES + queueWaitUs.getEstimatedFootprintInBytes();
        }
        bytes += sparseBytes(valueSparse) + sparseBytes(latencySparse) + sparseBytes(ttftSparse)
            + sparseBytes(queueWaitSparse);
        if (errorsByType != null) {
            bytes += 64 + errorsByType.capacity() * 16L;
        }
        if (qualitySums != null) {
            bytes += 48 + qualitySums.length * 24L;
        }
        return bytes;
    }
}
