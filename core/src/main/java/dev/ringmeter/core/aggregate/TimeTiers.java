package dev.ringmeter.core.aggregate;

import dev.ringmeter.core.ingest.EventSlot;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * The time buckets of one model (or of all models, or of one custom metric): a ring of buckets per tier, finest
 * first (by default 1 s x 60, 10 s x 60, 1 min x 90, 1 h x 24).
 * <p>
 * An event in time order is added to the finest tier only. When a tier's newest bucket moves on, the buckets
 * before it are rolled up (merged) into the next tier, so a coarse bucket is <em>complete</em> once all its
 * children have ended. A late event, whose interval some tiers have already rolled up, is added to each of those
 * tiers too, so every tier stays exact. A windowed query covers the window backwards with the coarsest complete
 * buckets that fit, which bounds its cost by the number of tiers and buckets, never by the number of events.
 * <p>
 * Threading: owned by the aggregate writer; its structure (which buckets cover which interval) is read by queries
 * under the aggregates' lock. The buckets themselves are copy-on-write ({@link CopyOnWrite}): a query pins the
 * buckets of its window under the lock and merges them after it, a snapshot reads the buckets it captured
 * ({@link #captureInto}) while they are frozen, and the writer changes a copy of a bucket a reader holds.
 */
final class TimeTiers {
    static final long NO_TIME = Bucket.NO_TIME;

    private final long[] widthMs;
    private final int[] size;
    private final Bucket[][] ring;
    /** Start of the newest bucket of each tier, or {@link #NO_TIME}. */
    private final long[] headStartMs;
    /** Per tier but the last: start of the oldest bucket not yet rolled into the next tier. */
    private final long[] nextToRollMs;
    private final int tiers;
    /** The newest bucket of the finest tier and its span, for the common in-order case. */
    private Bucket headBucket;
    private long headStart = NO_TIME;
    private long headEnd = NO_TIME;
    /** The all-models tiers this model's closed seconds are handed to, or null. */
    private final TimeTiers parent;
    /** The buckets an add goes to, as {@link #directBuckets} finds them; reused (one writer thread). */
    private final Bucket[] direct;
    /** Decides whether a bucket may be changed in place; null in a snapshot's image, which is never changed. */
    private final CopyOnWrite cow;

    /**
     * @param widthMs         bucket width of each tier, finest first.
     * @param size            buckets per tier.
     * @param parent          the tiers that sum these and their siblings (all models), or null: each finest
     *                        bucket is handed to it once it closes, and late events for closed seconds at once.
     * @param cow             the store's copy-on-write state, which makes the buckets; null for a snapshot's image
     *                        of tiers, which is never changed.
     */
    TimeTiers(final long[] widthMs, final int[] size, final TimeTiers parent, final CopyOnWrite cow) {
        this.parent = parent;
        this.cow = cow;
        this.widthMs = widthMs;
        this.size = size;
        this.tiers = widthMs.length;
        this.ring = new Bucket[tiers][];
        this.direct = new Bucket[tiers];
        for (int k = 0; k < tiers; k++) {
            ring[k] = new Bucket[size[k]];
        }
        this.headStartMs = new long[tiers];
        this.nextToRollMs = new long[tiers];
        java.util.Arrays.fill(headStartMs, NO_TIME);
        java.util.Arrays.fill(nextToRollMs, NO_TIME);
    }

    /**
     * Adds an event at its time.
     *
     * @param e      the event, its cost stamped.
     * @param timeMs its timestamp.
     * @return false if the event is older than every tier keeps (it is then in no bucket).
     */
    boolean add(final EventSlot e, final long timeMs) {
        final Bucket head = headBucket;
        if (timeMs >= headStart && timeMs < headEnd && head != null && cow.mayChange(head)) {
            head.measures.add(e);   // the common case: an event in the newest finest bucket
            return true;
        }
        if (parent != null && headStart != NO_TIME && timeMs < headStart) {
            parent.add(e, timeMs);   // a late event in a second already handed to the parent
        }
        final int n = directBuckets(timeMs);
        for (int i = 0; i < n; i++) {
            direct[i].measures.add(e);
        }
        return n > 0;
    }

    /**
     * Adds a custom metric sample at its time.
     *
     * @param value  of the sample.
     * @param timeMs its timestamp.
     * @return false if the sample is older than every tier keeps.
     */
    boolean addValue(final double value, final long timeMs) {
        final int n = directBuckets(timeMs);
        for (int i = 0; i < n; i++) {
            direct[i].measures.addValue(value);
        }
        return n > 0;
    }

    /**
     * Adds a closed finest bucket of a child (one model's second) to these tiers, as {@link #add} adds an event:
     * into the finest tier if it still keeps that time, and into every tier that has rolled that time up already.
     *
     * @param child a bucket of the finest tier of a child's tiers, with the same width.
     */
    void addClosed(final Bucket child) {
        final int n = directBuckets(child.startMs);
        for (int i = 0; i < n; i++) {
            direct[i].measures.merge(child.measures);
        }
    }

    /**
     * Pins this child's newest finest bucket for a result if it lies in [fromMs, toMs): what a parent's query
     * adds for the second a child has not handed over yet.
     */
    int mergeOpenHead(final long fromMs, final long toMs, final PinnedBuckets into) {
        final Bucket head = headBucket;
        if (head != null && !head.isEmpty() && headStart >= fromMs && headStart < toMs) {
            into.add(head);
            return 1;
        }
        return 0;
    }

    private static final Bucket NOT_HERE = new Bucket(1, false, 0);

    /**
     * Finds the buckets that take an item at timeMs directly, finest tier first: each tier's bucket for that time,
     * up to the first tier that gets the time through roll-up instead, less the tiers that no longer keep it.
     * Finding them first and adding after is the same as adding tier by tier: finding a coarser tier's bucket
     * rolls up only buckets older than the finer ones found.
     *
     * @return how many, at the start of {@link #direct}.
     */
    private int directBuckets(final long timeMs) {
        int n = 0;
        for (int k = 0; k < tiers; k++) {
            final Bucket b = bucketForAdd(k, timeMs);
            if (b == NOT_HERE) {
                break;
            }
            if (b != null) {
                direct[n++] = b;
            }
        }
        return n;
    }

    /**
     * @return the bucket of tier k an event at timeMs goes to directly; null if tier k no longer keeps that time;
     * {@link #NOT_HERE} if the time reaches tier k (and all coarser ones) through roll-up instead.
     */
    private Bucket bucketForAdd(final int k, final long timeMs) {
        if (k > 0 && (nextToRollMs[k - 1] == NO_TIME || timeMs >= nextToRollMs[k - 1])) {
            return NOT_HERE;
        }
        final long start = timeMs - timeMs % widthMs[k];
        if (headStartMs[k] == NO_TIME || start > headStartMs[k]) {
            advance(k, start);
            final Bucket b = bucket(k, start, true);
            if (k == 0) {
                headBucket = b;
                headStart = start;
                headEnd = start + widthMs[0];
            }
            return b;
        } else if (!retained(k, start)) {
            return null;
        }
        return bucket(k, start, true);
    }

    /**
     * Makes start the newest bucket of tier k, first rolling every older bucket not yet rolled into tier k + 1.
     */
    private void advance(final int k, final long start) {
        final long old = headStartMs[k];
        if (k + 1 < tiers) {
            if (old != NO_TIME) {
                final long w = widthMs[k];
                long s = Math.max(nextToRollMs[k], old - (size[k] - 1) * w);
                for (; s <= old && s < start; s += w) {
                    final Bucket b = bucket(k, s, false);
                    if (b != null && !b.isEmpty()) {
                        if (k == 0 && parent != null) {
                            parent.addClosed(b);
                        }
                        absorb(k + 1, b);
                    }
                }
            }
            nextToRollMs[k] = start;
        }
        headStartMs[k] = start;
    }

    /** Merges a closed bucket of tier k - 1 into its parent in tier k. */
    private void absorb(final int k, final Bucket child) {
        final long start = child.startMs - child.startMs % widthMs[k];
        if (headStartMs[k] == NO_TIME || start > headStartMs[k]) {
            advance(k, start);
        } else if (!retained(k, start)) {
            if (k + 1 < tiers) {
                absorb(k + 1, child);
            }
            return;
        }
        bucket(k, start, true).measures.merge(child.measures);
    }

    private boolean retained(final int k, final long start) {
        return headStartMs[k] == NO_TIME || start > headStartMs[k] - size[k] * widthMs[k];
    }

    private boolean complete(final int k, final long start) {
        return k == 0 || start + widthMs[k] <= nextToRollMs[k - 1] || start > headStartMs[0];
    }

    /**
     * @param create false to read: the bucket as it is, or null if none holds that interval; true to change it:
     *               the bucket, taken or emptied for that interval if need be, or its replacement if a reader holds it.
     */
    private Bucket bucket(final int k, final long start, final boolean create) {
        final Bucket[] r = ring[k];
        final int index = (int)((start / widthMs[k]) % r.length);
        Bucket b = r[index];
        if (b != null && b.startMs == start) {
            return create ? changeable(r, index, b, true) : b;
        }
        if (!create) {
            return null;
        }
        if (b == null) {
            b = cow.newBucket(widthMs[k] > 600_000);
            r[index] = b;
        } else {
            b = changeable(r, index, b, false);
        }
        b.reuse(start);
        return b;
    }

    /**
     * @return b, or if a reader holds it, its replacement in the ring: a copy (keepContents) or an empty spare.
     */
    private Bucket changeable(final Bucket[] r, final int index, final Bucket b, final boolean keepContents) {
        if (cow.mayChange(b)) {
            return b;
        }
        final Bucket c = cow.replace(b, keepContents);
        r[index] = c;
        if (b == headBucket) {
            headBucket = c;
        }
        return c;
    }

    /**
     * Pins every bucket that covers [fromMs, toMs) for a query to merge. Where the tiers cannot cut the window
     * exactly, the covered span is widened to the enclosing bucket edges.
     *
     * @param fromMs start of the window, inclusive.
     * @param toMs   end of the window, exclusive.
     * @param into   the query's pinned buckets.
     * @param span   receives the span actually covered: [span[0], span[1]).
     * @return the number of buckets looked at.
     */
    int merge(final long fromMs, final long toMs, final PinnedBuckets into, final long[] span) {
        span[0] = fromMs;
        span[1] = toMs;
        if (headStartMs[0] == NO_TIME || toMs <= fromMs) {
            return 0;
        }
        // End the cover in the finest tier that keeps the window's end and from which a walk backwards reaches
        // the window's start without a gap (near a tier's oldest bucket it may not: then a coarser tier ends it).
        for (int end = 0; end < tiers; end++) {
            final long last = floor(toMs - 1, widthMs[end]);
            if (usable(end, last) && walk(fromMs, end, last, null, span) >= 0) {
                return walk(fromMs, end, last, into, span);
            }
        }
        return 0;
    }

    /**
     * Covers [fromMs, last + width of tier end) backwards with the coarsest complete buckets that fit.
     *
     * @return the number of buckets covered, or -1 if the walk met a gap before fromMs (nothing merged then if
     * into is null).
     */
    private int walk(final long fromMs, final int end, final long last, final PinnedBuckets into,
                     final long[] span) {
        long t = last;
        int looked = 1;
        merge(into, end, t);
        while (t > fromMs) {
            int chosen = -1;
            // The coarsest bucket that ends at t, starts in the window, and leaves the rest coverable ...
            for (int k = tiers - 1; k >= 0; k--) {
                final long b = t - widthMs[k];
                if (t % widthMs[k] == 0 && (b >= fromMs || k == 0) && usable(k, b) && reachable(k, b, fromMs)) {
                    chosen = k;
                    break;
                }
            }
            // ... else the finest one that ends at t and reaches over the window's start.
            for (int k = 1; chosen < 0 && k < tiers; k++) {
                final long b = t - widthMs[k];
                if (t % widthMs[k] == 0 && b < fromMs && usable(k, b)) {
                    chosen = k;
                }
            }
            if (chosen < 0) {
                if (keptAnywhere(t - 1)) {
                    return -1;
                }
                break;
            }
            t -= widthMs[chosen];
            merge(into, chosen, t);
            looked++;
        }
        span[0] = t;
        span[1] = last + widthMs[end];
        return looked;
    }

    private boolean usable(final int k, final long start) {
        return retained(k, start) && complete(k, start);
    }

    /**
     * @return whether, after taking bucket start of tier k, the rest of the window down to fromMs can still be
     * covered: tier k keeps fromMs, or it keeps the point where the walk can step up to the next tier.
     */
    private boolean reachable(final int k, final long start, final long fromMs) {
        return k == tiers - 1 || retained(k, floor(fromMs, widthMs[k])) || retained(k, floor(start, widthMs[k + 1]));
    }

    private void merge(final PinnedBuckets into, final int k, final long start) {
        if (into != null) {
            final Bucket b = bucket(k, start, false);
            if (b != null) {
                into.add(b);
            }
        }
    }

    private boolean keptAnywhere(final long timeMs) {
        for (int k = 0; k < tiers; k++) {
            if (retained(k, floor(timeMs, widthMs[k]))) {
                return true;
            }
        }
        return false;
    }

    /**
     * @return an estimate of the heap held by the buckets, in bytes.
     */
    long footprintBytes() {
        long bytes = 64 + 16 + direct.length * 4L;
        for (final Bucket[] r : ring) {
            bytes += 16 + r.length * 4L;
            for (final Bucket b : r) {
                if (b != null) {
                    bytes += b.footprintBytes();
                }
            }
        }
        return bytes;
    }

    private static long floor(final long timeMs, final long widthMs) {
        return timeMs - Math.floorMod(timeMs, widthMs);
    }

    /**
     * Makes an image of these tiers for a snapshot: where each tier stands and the buckets of its ring, shared, not
     * copied (the writer froze them, see {@link CopyOnWrite#freeze()}). Writer only; allocates nothing.
     *
     * @param image tiers of the same configuration, owned by the snapshot.
     */
    void captureInto(final TimeTiers image) {
        for (int k = 0; k < tiers; k++) {
            System.arraycopy(ring[k], 0, image.ring[k], 0, ring[k].length);
        }
        System.arraycopy(headStartMs, 0, image.headStartMs, 0, tiers);
        System.arraycopy(nextToRollMs, 0, image.nextToRollMs, 0, tiers);
    }

    /**
     * Writes every tier to a snapshot.
     *
     * @param out to write to.
     * @throws IOException if the write fails.
     */
    void write(final DataOutput out) throws IOException {
        for (int k = 0; k < tiers; k++) {
            out.writeLong(headStartMs[k]);
            out.writeLong(nextToRollMs[k]);
            int present = 0;
            for (final Bucket b : ring[k]) {
                present += b != null && b.startMs != NO_TIME ? 1 : 0;
            }
            out.writeInt(present);
            for (int i = 0; i < ring[k].length; i++) {
                final Bucket b = ring[k][i];
                if (b != null && b.startMs != NO_TIME) {
                    out.writeInt(i);
                    BucketCodec.write(b, out);
                }
            }
        }
    }

    /**
     * Reads tiers written by {@link #write(DataOutput)} with the same configuration into this (new) instance.
     *
     * @param in to read from.
     * @throws IOException if the read fails or the data is bad.
     */
    void read(final DataInput in) throws IOException {
        for (int k = 0; k < tiers; k++) {
            headStartMs[k] = in.readLong();
            nextToRollMs[k] = in.readLong();
            final int present = in.readInt();
            if (present < 0 || present > ring[k].length) {
                throw new IOException("bad bucket count " + present);
            }
            for (int n = 0; n < present; n++) {
                final int i = in.readInt();
                if (i < 0 || i >= ring[k].length) {
                    throw new IOException("bad bucket index " + i);
                }
                final Bucket b = cow.newBucket(widthMs[k] > 600_000);
                BucketCodec.read(in, b);
                ring[k][i] = b;
            }
        }
        if (headStartMs[0] != NO_TIME) {
            headStart = headStartMs[0];
            headEnd = headStart + widthMs[0];
            headBucket = bucket(0, headStart, true);
        }
    }
}
