package dev.ringmeter.core.aggregate;

import org.HdrHistogram.AbstractHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.IntCountsHistogram;

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
 *  | costUsd valueSum valueMin valueMax: double each
 *  | latencyUs ttftUs queueWaitUs: (length:4, -1 for none | HdrHistogram encoding) each
 *  | errorTypes:4 (type:8 count:8)* | qualitySlots:4 (sum:double count:8)*
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
            m.ttftNsSum, m.ttftCount, m.queueWaitNsSum, m.queueWaitCount};
        for (final long v : longs) {
            out.writeLong(v);
        }
        out.writeDouble(m.costUsd);
        out.writeDouble(m.valueSum);
        out.writeDouble(m.valueMin);
        out.writeDouble(m.valueMax);
        writeHistogram(out, m.latencyUs);
        writeHistogram(out, m.ttftUs);
        writeHistogram(out, m.queueWaitUs);
        final int errorTypes = m.errorsByType == null ? 0 : m.errorsByType.size();
        out.writeInt(errorTypes);
        if (errorTypes > 0) {
            final IOException[] failed = new IOException[1];
            m.errorsByType.forEach((type, n) -> {
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
        out.writeInt(m.qualitySums == null ? 0 : m.qualitySums.length);
        if (m.qualitySums != null) {
            for (int i = 0; i < m.qualitySums.length; i++) {
                out.writeDouble(m.qualitySums[i]);
                out.writeLong(m.qualityCounts[i]);
            }
        }
    }

    /**
     * Reads a bucket written by {@link #write} into a bucket of the same configuration.
     *
     * @param in to read from.
     * @param b  the bucket to fill; emptied first.
     * @throws IOException if the read fails or the data is bad.
     */
    static void read(final DataInput in, final Bucket b) throws IOException {
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
        m.costUsd = in.readDouble();
        m.valueSum = in.readDouble();
        m.valueMin = in.readDouble();
        m.valueMax = in.readDouble();
        m.latencyUs = readHistogram(in, m.longCounts());
        m.ttftUs = readHistogram(in, m.longCounts());
        m.queueWaitUs = readHistogram(in, m.longCounts());
        final int errorTypes = in.readInt();
        if (errorTypes < 0 || errorTypes > 1_000_000) {
            throw new IOException("bad error type count " + errorTypes);
        }
        for (int i = 0; i < errorTypes; i++) {
            m.errors().getAndAdd(in.readLong(), in.readLong());
        }
        final int qualities = in.readInt();
        if (qualities != 0 && qualities != m.qualityNames() + 1) {
            throw new IOException("quality names changed from " + (qualities - 1) + " to " + m.qualityNames());
        }
        if (qualities > 0) {
            m.qualitySums();
            for (int i = 0; i < qualities; i++) {
                m.qualitySums[i] = in.readDouble();
                m.qualityCounts[i] = in.readLong();
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
