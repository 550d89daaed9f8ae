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

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The aggregate of every event of one model (or of all models) in one time interval: counters and
 * HdrHistograms of latency, time to first token and queue wait, recorded in microseconds. Also the accumulator a
 * windowed query merges buckets into.
 * <p>
 * Histograms, the error map and the quality sums are allocated on first use and reused after {@link #reset()},
 * so a bucket stops allocating once it has seen its range of values.
 * <p>
 * Threading: not thread-safe. Owned by the aggregate writer; readers see it only under the aggregates' lock.
 */
public final class Bucket {
    private static final long NONE = Event.NONE;

    private final int histogramDigits;
    private final boolean longCounts;
    private final int qualityNames;

    long startMs = Long.MIN_VALUE;
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
    public double valueSum;
    public double valueMin = Double.POSITIVE_INFINITY;
    public double valueMax = Double.NEGATIVE_INFINITY;
    public AbstractHistogram latencyUs;
    public AbstractHistogram ttftUs;
    public AbstractHistogram queueWaitUs;
    public Long2LongCounterMap errorsByType;
    private final LongLongConsumer addErrors = (type, n) -> errors().getAndAdd(type, n);
    public double[] qualitySums;
    public long[] qualityCounts;

    /**
     * @param histogramDigits significant digits of the histograms.
     * @param longCounts      whether histogram counts need 64 bits (coarse buckets and query results).
     * @param qualityNames    the number of distinct quality score names the store allows.
     */
    public Bucket(final int histogramDigits, final boolean longCounts, final int qualityNames) {
        this.histogramDigits = histogramDigits;
        this.longCounts = longCounts;
        this.qualityNames = qualityNames;
    }

    /** Empties the bucket, keeping its allocated histograms and maps for reuse. */
    public void reset() {
        startMs = Long.MIN_VALUE;
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
        valueSum = 0;
        valueMin = Double.POSITIVE_INFINITY;
        valueMax = Double.NEGATIVE_INFINITY;
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
            java.util.Arrays.fill(qualityCounts, 0);
        }
    }

    /**
     * Adds one event.
     *
     * @param e       the event.
     * @param costUsd its cost, NaN if unknown.
     */
    public void add(final EventSlot e, final double costUsd) {
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
        if (e.errorType != 0) {
            errors().incrementAndGet(e.errorType);
        }
        if (e.retries > 0) {
            retries += e.retries;
            retried++;
        }
        final long latencyNs = e.latencyNs;
        latencyNsSum += latencyNs;
        latencyNsMax = Math.max(latencyNsMax, latencyNs);
        latency().recordValue(latencyNs / 1000);
        if (e.ttftNs != NONE) {
            ttftNsSum += e.ttftNs;
            ttftCount++;
            ttft().recordValue(e.ttftNs / 1000);
        }
        if (e.queueWaitNs != NONE) {
            queueWaitNsSum += e.queueWaitNs;
            queueWaitCount++;
            queueWait().recordValue(e.queueWaitNs / 1000);
        }
        if (e.promptTokens != NONE) {
            promptTokens += e.promptTokens;
        }
        if (e.completionTokens != NONE) {
            completionTokens += e.completionTokens;
            final long decodeNs = e.ttftNs != NONE && e.ttftNs < latencyNs ? latencyNs - e.ttftNs : latencyNs;
            if (decodeNs > 0) {
                generationTokens += e.completionTokens;
                generationNs += decodeNs;
            }
        }
        if (e.cache == CACHE_HIT) {
            cacheHits++;
        } else if (e.cache == CACHE_MISS) {
            cacheMisses++;
        }
        if (e.memoryBytes != NONE) {
            memoryBytesSum += e.memoryBytes;
            memoryBytesMax = Math.max(memoryBytesMax, e.memoryBytes);
            memoryCount++;
        }
        if (e.cpuNs != NONE) {
            cpuNsSum += e.cpuNs;
            cpuCount++;
        }
        if (costUsd == costUsd) {
            this.costUsd += costUsd;
            costCount++;
        }
        for (int i = 0; i < e.qualityCount; i++) {
            final int name = e.qualityNames[i];
            if (name < qualityNames + 1) {
                qualitySums()[name] += e.qualityValues[i];
                qualityCounts[name]++;
            }
        }
    }

    /**
     * Adds one custom metric sample.
     *
     * @param value of the sample.
     */
    void addValue(final double value) {
        count++;
        valueSum += value;
        valueMin = Math.min(valueMin, value);
        valueMax = Math.max(valueMax, value);
    }

    /**
     * Adds everything of another bucket to this one.
     *
     * @param o the bucket to add.
     */
    void merge(final Bucket o) {
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
        promptTokens += o.promptTokens;
        completionTokens += o.completionTokens;
        generationTokens += o.generationTokens;
        generationNs += o.generationNs;
        cacheHits += o.cacheHits;
        cacheMisses += o.cacheMisses;
        memoryBytesSum += o.memoryBytesSum;
        memoryBytesMax = Math.max(memoryBytesMax, o.memoryBytesMax);
        memoryCount += o.memoryCount;
        cpuNsSum += o.cpuNsSum;
        cpuCount += o.cpuCount;
        costUsd += o.costUsd;
        costCount += o.costCount;
        latencyNsSum += o.latencyNsSum;
        latencyNsMax = Math.max(latencyNsMax, o.latencyNsMax);
        ttftNsSum += o.ttftNsSum;
        ttftCount += o.ttftCount;
        queueWaitNsSum += o.queueWaitNsSum;
        queueWaitCount += o.queueWaitCount;
        valueSum += o.valueSum;
        valueMin = Math.min(valueMin, o.valueMin);
        valueMax = Math.max(valueMax, o.valueMax);
        if (o.latencyUs != null && o.latencyUs.getTotalCount() > 0) {
            latency().add(o.latencyUs);
        }
        if (o.ttftUs != null && o.ttftUs.getTotalCount() > 0) {
            ttft().add(o.ttftUs);
        }
        if (o.queueWaitUs != null && o.queueWaitUs.getTotalCount() > 0) {
            queueWait().add(o.queueWaitUs);
        }
        if (o.errorsByType != null && !o.errorsByType.isEmpty()) {
            o.errorsByType.forEach(addErrors);
        }
        if (o.qualitySums != null) {
            final double[] sums = qualitySums();
            for (int i = 0; i < sums.length; i++) {
                sums[i] += o.qualitySums[i];
                qualityCounts[i] += o.qualityCounts[i];
            }
        }
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
        final AbstractHistogram h = longCounts ? new Histogram(histogramDigits) : new IntCountsHistogram(histogramDigits);
        h.setAutoResize(true);
        return h;
    }

    AbstractHistogram latency() {
        if (latencyUs == null) {
            latencyUs = newHistogram();
        }
        return latencyUs;
    }

    AbstractHistogram ttft() {
        if (ttftUs == null) {
            ttftUs = newHistogram();
        }
        return ttftUs;
    }

    AbstractHistogram queueWait() {
        if (queueWaitUs == null) {
            queueWaitUs = newHistogram();
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
            qualityCounts = new long[qualityNames + 1];
        }
        return qualitySums;
    }

    /**
     * @return an estimate of the heap this bucket holds, in bytes.
     */
    long footprintBytes() {
        long bytes = 240;
        if (latencyUs != null) {
            bytes += latencyUs.getEstimatedFootprintInBytes();
        }
        if (ttftUs != null) {
            bytes += ttftUs.getEstimatedFootprintInBytes();
        }
        if (queueWaitUs != null) {
            bytes += queueWaitUs.getEstimatedFootprintInBytes();
        }
        if (errorsByType != null) {
            bytes += 64 + errorsByType.capacity() * 16L;
        }
        if (qualitySums != null) {
            bytes += 32 + qualitySums.length * 16L;
        }
        return bytes;
    }

    /**
     * Writes the bucket to a snapshot.
     *
     * @param out to write to.
     * @throws IOException if the write fails.
     */
    void write(final DataOutput out) throws IOException {
        out.writeLong(startMs);
        final long[] longs = {count, ok, errors, timeouts, cancelled, retries, retried, promptTokens,
            completionTokens, generationTokens, generationNs, cacheHits, cacheMisses, memoryBytesSum, memoryBytesMax,
            memoryCount, cpuNsSum, cpuCount, costCount, latencyNsSum, latencyNsMax, ttftNsSum, ttftCount,
            queueWaitNsSum, queueWaitCount};
        for (final long v : longs) {
            out.writeLong(v);
        }
        out.writeDouble(costUsd);
        out.writeDouble(valueSum);
        out.writeDouble(valueMin);
        out.writeDouble(valueMax);
        writeHistogram(out, latencyUs);
        writeHistogram(out, ttftUs);
        writeHistogram(out, queueWaitUs);
        final int errorTypes = errorsByType == null ? 0 : errorsByType.size();
        out.writeInt(errorTypes);
        if (errorTypes > 0) {
            final IOException[] failed = new IOException[1];
            errorsByType.forEach((type, n) -> {
                try {
                    out.writeLong(type);
                    out.writeLong(n);
                } catch (final IOException e) {
                    failed[0] = e;
                }
            });
            if (failed[0] != null) {
                throw failed[0];
            }
        }
        out.writeInt(qualitySums == null ? 0 : qualitySums.length);
        if (qualitySums != null) {
            for (int i = 0; i < qualitySums.length; i++) {
                out.writeDouble(qualitySums[i]);
                out.writeLong(qualityCounts[i]);
            }
        }
    }

    /**
     * Reads a bucket written by {@link #write(DataOutput)} into this (reset) one.
     *
     * @param in to read from.
     * @throws IOException if the read fails or the data is bad.
     */
    void read(final DataInput in) throws IOException {
        reset();
        startMs = in.readLong();
        count = in.readLong();
        ok = in.readLong();
        errors = in.readLong();
        timeouts = in.readLong();
        cancelled = in.readLong();
        retries = in.readLong();
        retried = in.readLong();
        promptTokens = in.readLong();
        completionTokens = in.readLong();
        generationTokens = in.readLong();
        generationNs = in.readLong();
        cacheHits = in.readLong();
        cacheMisses = in.readLong();
        memoryBytesSum = in.readLong();
        memoryBytesMax = in.readLong();
        memoryCount = in.readLong();
        cpuNsSum = in.readLong();
        cpuCount = in.readLong();
        costCount = in.readLong();
        latencyNsSum = in.readLong();
        latencyNsMax = in.readLong();
        ttftNsSum = in.readLong();
        ttftCount = in.readLong();
        queueWaitNsSum = in.readLong();
        queueWaitCount = in.readLong();
        costUsd = in.readDouble();
        valueSum = in.readDouble();
        valueMin = in.readDouble();
        valueMax = in.readDouble();
        latencyUs = readHistogram(in);
        ttftUs = readHistogram(in);
        queueWaitUs = readHistogram(in);
        final int errorTypes = in.readInt();
        if (errorTypes < 0 || errorTypes > 1_000_000) {
            throw new IOException("bad error type count " + errorTypes);
        }
        for (int i = 0; i < errorTypes; i++) {
            errors().getAndAdd(in.readLong(), in.readLong());
        }
        final int qualities = in.readInt();
        if (qualities != 0 && qualities != qualityNames + 1) {
            throw new IOException("quality names changed from " + (qualities - 1) + " to " + qualityNames);
        }
        if (qualities > 0) {
            qualitySums();
            for (int i = 0; i < qualities; i++) {
                qualitySums[i] = in.readDouble();
                qualityCounts[i] = in.readLong();
            }
        }
    }

    private static void writeHistogram(final DataOutput out, final AbstractHistogram h) throws IOException {
        if (h == null) {
            out.writeInt(-1);
            return;
        }
        final ByteBuffer buffer = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        final int length = h.encodeIntoByteBuffer(buffer);
        out.writeInt(length);
        out.write(buffer.array(), 0, length);
    }

    private AbstractHistogram readHistogram(final DataInput in) throws IOException {
        final int length = in.readInt();
        if (length < 0) {
            return null;
        }
        if (length > 64 << 20) {
            throw new IOException("bad histogram length " + length);
        }
        final byte[] bytes = new byte[length];
        in.readFully(bytes);
        try {
            final AbstractHistogram h = longCounts
                ? Histogram.decodeFromByteBuffer(ByteBuffer.wrap(bytes), 0)
                : IntCountsHistogram.decodeFromByteBuffer(ByteBuffer.wrap(bytes), 0);
            h.setAutoResize(true);
            return h;
        } catch (final RuntimeException e) {
            throw new IOException("bad histogram", e);
        }
    }
}
