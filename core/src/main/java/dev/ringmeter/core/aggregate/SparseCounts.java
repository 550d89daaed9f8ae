package dev.ringmeter.core.aggregate;

import org.HdrHistogram.AbstractHistogram;

/**
 * The counts of a closed bucket's histogram, immutable and compact: only the values recorded, each as the
 * (delta from the previous value, count) pair of its HdrHistogram sub-bucket, both unsigned varints, in one byte array
 * of exactly the size they need. Its heap follows the distinct values a bucket saw, not their range: 40 bytes plus 2 to
 * 20 bytes a distinct value (a varint of the gap from the previous value and one of the count, each 1 to 10 bytes; a
 * plain histogram of 2 digits holds 16 KB at a day's range), and never more than the plain histogram ({@link #of} returns null then).
 * <p>
 * {@link #addTo} records the pairs into a plain histogram of the same precision, so it costs the values present (a
 * plain histogram's {@code add} walks every index of its range, zeros included): what a query merging closed buckets
 * and a late event reopening one pay. The plain histogram then holds exactly the counts the encoded one held, so every
 * percentile, the mean and the extremes it gives are identical.
 * <p>
 * Threading: immutable once made; any thread may read it. {@link #of} reads its histogram, which nobody changes
 * meanwhile, and writes into its own thread's scratch buffer.
 */
final class SparseCounts {
    /** Heap of the object and of its array beside the array's bytes. */
    private static final long OWN_BYTES = 24 + 16;

    /** The longest varint of a long. */
    private static final int MAX_VARINT = 10;
    /**
     * Each closing thread's encoding buffer (the aggregate writer's, and a restore's): it grows to the largest sparse
     * form written, at most the plain histogram's footprint plus 20 bytes (32 KB at 2 digits with long counts).
     */
    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[1024]);

    private final byte[] pairs;
    private final long totalCount;

    private SparseCounts(final byte[] pairs, final long totalCount) {
        this.pairs = pairs;
        this.totalCount = totalCount;
    }

    /**
     * @param h a histogram holding values, which nobody changes meanwhile.
     * @return h's counts, sparse; null if that would not be smaller than h itself (a histogram whose values fill most of
     * its range), so a closed bucket never holds more than its plain form. One walk of h's sub-buckets from its
     * smallest value to its largest, written into this thread's {@link #SCRATCH}; allocates only the array returned.
     */
    static SparseCounts of(final AbstractHistogram h) {
        final long limit = h.getEstimatedFootprintInBytes() - OWN_BYTES;
        byte[] out = SCRATCH.get();
        int at = 0;
        long previous = 0;
        final long max = h.getMaxValue();
        for (long value = h.lowestEquivalentValue(h.getMinValue()); value <= max;
             value = h.nextNonEquivalentValue(value)) {
            final long count = h.getCountAtValue(value);
            if (count == 0) {
                continue;
            }
            if (at + 2 * MAX_VARINT > out.length) {
                if (at >= limit) {
                    return null;   // dense: the plain form is the smaller
                }
                out = java.util.Arrays.copyOf(out, Math.max(2 * out.length, at + 2 * MAX_VARINT));
                SCRATCH.set(out);
            }
            at = putVarint(out, at, value - previous);
            at = putVarint(out, at, count);
            previous = value;
        }
        if (at >= limit) {
            return null;
        }
        return new SparseCounts(java.util.Arrays.copyOf(out, at), h.getTotalCount());
    }

    /**
     * Records these counts into a plain histogram (of the precision they were taken at), walking only the values
     * present. Allocates nothing unless the histogram must grow to hold them.
     *
     * @param into the histogram to add to.
     */
    void addTo(final AbstractHistogram into) {
        long value = 0;
        int at = 0;
        final byte[] p = pairs;
        while (at < p.length) {
            long delta = 0;
            int shift = 0;
            byte b;
            do {
                b = p[at++];
                delta |= (long)(b & 0x7f) << shift;
                shift += 7;
            } while (b < 0);
            long count = 0;
            shift = 0;
            do {
                b = p[at++];
                count |= (long)(b & 0x7f) << shift;
                shift += 7;
            } while (b < 0);
            value += delta;
            into.recordValueWithCount(value, count);
        }
    }

    /** @return the number of values these counts hold. */
    long totalCount() {
        return totalCount;
    }

    /** @return the heap these counts hold, in bytes. */
    long footprintBytes() {
        return OWN_BYTES + (pairs.length + 7 & ~7);
    }

    private static int putVarint(final byte[] into, final int from, final long v) {
        int at = from;
        long rest = v;
        while ((rest & ~0x7fL) != 0) {
            into[at++] = (byte)(rest & 0x7f | 0x80);
            rest >>>= 7;
        }
        into[at++] = (byte)rest;
        return at;
    }
}
