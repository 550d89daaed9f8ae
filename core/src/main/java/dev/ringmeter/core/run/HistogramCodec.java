package dev.ringmeter.core.run;

import org.HdrHistogram.AbstractHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.IntCountsHistogram;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.DataFormatException;

/**
 * A run's histograms in the snapshot: HdrHistogram's own compressed encoding, with its length in front.
 * <p>
 * Threading: stateless; any thread.
 */
final class HistogramCodec {
    /** The longest encoded histogram a snapshot may hold: far above any histogram of durations up to a day. */
    private static final int MAX_BYTES = 1 << 22;

    private HistogramCodec() {
    }

    static void write(final DataOutput out, final AbstractHistogram h) throws IOException {
        final ByteBuffer buffer = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        final int length = h.encodeIntoCompressedByteBuffer(buffer);
        out.writeInt(length);
        out.write(buffer.array(), 0, length);
    }

    static AbstractHistogram read(final DataInput in, final boolean intCounts) throws IOException {
        final int length = in.readInt();
        if (length <= 0 || length > MAX_BYTES) {
            throw new IOException("a run histogram of " + length + " bytes");
        }
        final byte[] bytes = new byte[length];
        in.readFully(bytes);
        try {
            final AbstractHistogram h = intCounts
                ? IntCountsHistogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(bytes), 0)
                : Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(bytes), 0);
            h.setAutoResize(true);
            return h;
        } catch (final DataFormatException | RuntimeException e) {
            throw new IOException("a run histogram that does not decode: " + e, e);
        }
    }
}
