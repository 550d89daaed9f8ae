package dev.ringmeter.core.aggregate;

import dev.ringmeter.core.journal.FormatVersion;
import org.HdrHistogram.AbstractHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.IntCountsHistogram;
import org.agrona.collections.Long2LongCounterMap;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The snapshot layout of one {@link Bucket}:
 * <pre>
 *  startMs:8 | count ok errors timeouts cancelled retries retried promptTokens completionTokens generationTokens
 *  generationNs cacheHits cacheMisses memoryBytesSum memoryBytesMax memoryCount cpuNsSum cpuCount costCount
 *  latencyNsSum latencyNsMax ttftNsSum ttftCount queueWaitNsSum queueWaitCount: 8 each
 *  | cachedTokens cacheWriteTokens reasoningTokens: 8 each (snapshot version 4 on)
 *  | costUsd valueSum valueMin valueMax: double each
 *  | latencyUs ttftUs queueWaitUs: (length:4, -1 for none | HdrHistogram encoding) each
 *  | errorTypes:4 (type:8 count:8)* | qualitySlots:4 (sum:double [squares:double from version 4] count:8)*
 *  | negativeValues:8 valueMilli: (length:4, -1 for none | HdrHistogram encoding) (snapshot version 6 on)
 * </pre>
 * <p>
 * Threading: stateless; the caller guarantees that no writer changes the bucket meanwhile.
 */
final class BucketCodec {
    private BucketCodec() {
    }

    /**
     * Writes a bucket to a snapshot.
     *
     * @param b   the bucket.
     * @param out to write to.
     * @throws IOException if the write fails.
     */
    static void write(final Bucket b, final DataOutput out) throws IOException {
        final Measures m = b.measures;
        out.writeLong(b.startMs);
        final long[] longs = {m.count, m.ok, m.errors, m.timeouts, m.cancelled, m.retries, m.retried, m.promptTokens,
            m.completionTokens, m.generationTokens, m.generationNs, m.cacheHits, m.cacheMisses, m.memoryBytesSum,
            m.memoryBytesMax, m.memoryCount, m.cpuNsSum, m.cpuCount, m.costCount, m.latencyNsSum, m.latencyNsMax,
            m.ttftNsSum, m.ttftCount, m.queueWaitNsSum, m.queueWaitCount, m.cachedTokens, m.cacheWriteTokens,
            m.reasoningTokens};
        for (final long v : longs) {
            out.writeLong(v);
        }
        out.writeDouble(m.costUsd);
        out.writeDouble(m.valueSum);
        out.writeDouble(m.valueMin);
        out.writeDouble(m.valueMax);
        writeHistogram(out, m.plain(m.latencyUs, m.latencySparse, m.histogramDigits()));
        writeHistogram(out, m.plain(m.ttftUs, m.ttftSparse, m.histogramDigits()));
        writeHistogram(out, m.plain(m.queueWaitUs, m.queueWaitSparse, m.histogramDigits()));
        writeErrorCounts(out, m.errorsByType);
        out.writeInt(m.qualitySums == null ? 0 : m.qualityNames() + 1);
        if (m.qualitySums != null) {
            for (int i = 0; i <= m.qualityNames(); i++) {   // a closed bucket's arrays are trimmed: zeros past them
                final boolean kept = i < m.qualitySums.length;
                out.writeDouble(kept ? m.qualitySums[i] : 0);
                out.writeDouble(kept ? m.qualitySquares[i] : 0);
                out.writeLong(kept ? m.qualityCounts[i] : 0);
            }
        }
        out.writeLong(m.negativeValues);
        writeHistogram(out, m.plain(m.valueMilli, m.valueSparse, Measures.VALUE_DIGITS));
    }

    /**
     * Reads a bucket written by {@link #write} into a bucket of the same configuration.
     *
     * @param in       to read from.
     * @param b        the bucket to fill; emptied first.
     * @param snapshot the version of the snapshot read (before 4: no token parts, no quality squares).
     * @throws IOException if the read fails or the data is bad.
     */
    static void read(final DataInput in, final Bucket b, final int snapshot) throws IOException {
        final Measures m = b.measures;
        b.reuse(in.readLong());
        m.count = in.readLong();
        m.ok = in.readLong();
        m.errors = in.readLong();
        m.timeouts = in.readLong();
        m.cancelled = in.readLong();
        m.retries = in.readLong();
        m.retried = in.readLong();
        m.promptTokens = in.readLong();
        m.completionTokens = in.readLong();
        m.generationTokens = in.readLong();
        m.generationNs = in.readLong();
        m.cacheHits = in.readLong();
        m.cacheMisses = in.readLong();
        m.memoryBytesSum = in.readLong();
        m.memoryBytesMax = in.readLong();
        m.memoryCount = in.readLong();
        m.cpuNsSum = in.readLong();
        m.cpuCount = in.readLong();
        m.costCount = in.readLong();
        m.latencyNsSum = in.readLong();
        m.latencyNsMax = in.readLong();
        m.ttftNsSum = in.readLong();
        m.ttftCount = in.readLong();
        m.queueWaitNsSum = in.readLong();
        m.queueWaitCount = in.readLong();
        if (snapshot >= 4) {
            m.cachedTokens = in.readLong();
            m.cacheWriteTokens = in.readLong();
            m.reasoningTokens = in.readLong();
        }
        m.costUsd = in.readDouble();
        m.valueSum = in.readDouble();
        m.valueMin = in.readDouble();
        m.valueMax = in.readDouble();
        m.latencyUs = readHistogram(in, m.longCounts());
        m.ttftUs = readHistogram(in, m.longCounts());
        m.queueWaitUs = readHistogram(in, m.longCounts());
        final int errorTypes = readErrorTypes(in, 1_000_000);
        if (errorTypes > 0) {
            readErrorCounts(in, errorTypes, m.errors());
        }
        final int qualities = in.readInt();
        if (qualities != 0 && qualities != m.qualityNames() + 1) {
            throw new IOException("quality names changed from " + (qualities - 1) + " to " + m.qualityNames());
        }
        if (qualities > 0) {
            m.qualitySums();
            for (int i = 0; i < qualities; i++) {
                m.qualitySums[i] = in.readDouble();
                m.qualitySquares[i] = snapshot >= 4 ? in.readDouble() : 0;
                m.qualityCounts[i] = in.readLong();
            }
        }
        if (snapshot >= FormatVersion.SNAPSHOT_WATCH) {
            m.negativeValues = in.readLong();
            m.valueMilli = readHistogram(in, m.longCounts());
        }
    }

    /**
     * Writes counts by error type id, as buckets and model totals keep them: {@code errorTypes:4 (type:8 count:8)*}.
     *
     * @param out    to write to.
     * @param counts the counts, or null for none.
     * @throws IOException if the write fails.
     */
    static void writeErrorCounts(final DataOutput out, final Long2LongCounterMap counts) throws IOException {
        final int errorTypes = counts == null ? 0 : counts.size();
        out.writeInt(errorTypes);
        if (errorTypes > 0) {
            final IOException[] failed = new IOException[1];
            counts.forEach((type, n) -> {
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
    }

    /**
     * @param in  to read from, at what {@link #writeErrorCounts} wrote.
     * @param max the most error types a sound snapshot holds.
     * @return how many (type, count) pairs follow.
     * @throws IOException if the read fails or the number is bad.
     */
    static int readErrorTypes(final DataInput in, final int max) throws IOException {
        final int errorTypes = in.readInt();
        if (errorTypes < 0 || errorTypes > max) {
            throw new IOException("bad error type count " + errorTypes);
        }
        return errorTypes;
    }

    /**
     * @param in         to read from, after {@link #readErrorTypes}.
     * @param errorTypes how many pairs follow.
     * @param into       the counts to add them to.
     * @throws IOException if the read fails.
     */
    static void readErrorCounts(final DataInput in, final int errorTypes, final Long2LongCounterMap into)
        throws IOException {
        for (int i = 0; i < errorTypes; i++) {
            into.getAndAdd(in.readLong(), in.readLong());
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

    private static AbstractHistogram readHistogram(final DataInput in, final boolean longCounts) throws IOException {
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
