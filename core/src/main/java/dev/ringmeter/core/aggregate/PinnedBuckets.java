package dev.ringmeter.core.aggregate;

import java.util.Arrays;

/**
 * The buckets one window query merges: pinned under the aggregates' lock, at one point between two of the writer's
 * batches, then merged after the lock is released, so a query holds the lock only to choose its buckets, never
 * while it merges their histograms. The writer does not change a pinned bucket (see {@link CopyOnWrite}), so the
 * merge gives exactly the state at the moment they were pinned.
 * <p>
 * Threading: one per query thread (reused: allocation-free once it has grown to the most buckets a query needs).
 * {@link #add} under the aggregates' lock; {@link #mergeInto} and {@link #release} after it.
 */
final class PinnedBuckets {
    /** The span the pinned buckets cover, [span[0], span[1]), as {@link TimeTiers#merge} reports it. */
    final long[] span = new long[2];
    private Bucket[] buckets = new Bucket[128];
    private int count;

    /**
     * Pins a bucket for this query. Under the aggregates' lock.
     *
     * @param b a bucket of the writer's rings.
     */
    void add(final Bucket b) {
        if (count == buckets.length) {
            buckets = Arrays.copyOf(buckets, count * 2);
        }
        b.pin();
        buckets[count++] = b;
    }

    /**
     * Adds every pinned bucket's measures to a result.
     *
     * @param into the result.
     */
    void mergeInto(final Measures into) {
        for (int i = 0; i < count; i++) {
            into.merge(buckets[i].measures);
        }
    }

    /** Unpins every bucket, so the writer may change them again. */
    void release() {
        for (int i = 0; i < count; i++) {
            buckets[i].unpin();
            buckets[i] = null;
        }
        count = 0;
    }
}
