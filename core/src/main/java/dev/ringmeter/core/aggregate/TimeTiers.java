package dev.ringmeter.core.aggregate;

import dev.ringmeter.core.ingest.EventSlot;
import org.agrona.concurrent.EpochClock;

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
 * The finest tier's newest bucket never moves past the store clock's current bucket, whatever the events' times:
 * an item for a later bucket (a caller's clock ahead of the store's, within the future-skew bound) goes into a
 * bucket <em>held ahead</em>, outside the tiers, one per future bucket, allocated on first use. The head reaches it
 * when an item for its time or after arrives once the clock has got there; it then takes its place in the finest
 * tier and is rolled up like any other. So one event from the future does not turn every later event for now into
 * a late one, and the future-skew bound does not depend on the tiers' spans. Queries add the held buckets that
 * lie in their window.
 * <p>
 * Threading: owned by the aggregate writer; its structure (which buckets cover which interval, which are held
 * ahead) is read by queries under the aggregates' lock. The buckets themselves, those held ahead included, are
 * copy-on-write ({@link CopyOnWrite}): a query pins the buckets of its window under the lock and merges them after
 * it, a snapshot reads the buckets it captured ({@link #captureInto}) while they are frozen, and the writer changes
 * a copy of a bucket a reader holds, whether it adds to it, rolls into it, moves it between the ring and the held
 * ones, or reuses it for another interval.
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
    /** The store's clock: the finest tier's head never passes its current bucket. */
    private final EpochClock clock;
    /** How many finest buckets may be held ahead of the head: the future-skew bound's, plus two. */
    private final int aheadSlots;
    /**
     * Finest buckets ahead of the head, by (start / width) % {@link #aheadSlots}; null until one is needed. Each
     * holds an interval in (head, head + aheadSlots x width), or none ({@link #NO_TIME}).
     */
    private Bucket[] ahead;
    /** How many buckets of {@link #ahead} hold an interval. */
    private int aheadCount;
    /** Decides whether a bucket may be changed in place, and makes buckets; null in a snapshot's image. */
    private final CopyOnWrite cow;

    /**
     * @param widthMs         bucket width of each tier, finest first.
     * @param size            buckets per tier.
     * @param parent          the tiers that sum these and their siblings (all models), or null: each finest
     *                        bucket is handed to it once it closes, and late events for closed seconds at once.
     * @param clock           the store's clock, which the finest tier's head never passes.
     * @param maxFutureSkewMs how far ahead of the clock an item may lie (the store's future-skew bound).
     * @param cow             the store's copy-on-write state, which makes the buckets; null for a snapshot's image
     *                        of tiers, which is never changed.
     */
    TimeTiers(final long[] widthMs, final int[] size, final TimeTiers parent, final EpochClock clock,
              final long maxFutureSkewMs, final CopyOnWrite cow) {
        this.parent = parent;
        this.cow = cow;
        this.clock = clock;
        this.aheadSlots = aheadSlots(maxFutureSkewMs, widthMs[0]);
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

    /** What {@link #add} and {@link #addValue} did: older than every tier keeps, in no bucket. */
    static final int EXPIRED = 0;
    /** In the finest tier's newest bucket, or in a new newest one: the in-order case. */
    static final int IN_ORDER = 1;
    /** Behind the finest tier's newest bucket: the slower late path, into every tier that has rolled it up. */
    static final int LATE = 2;
    /** Ahead of the store clock's current bucket: held until the clock gets there. */
    static final int HELD = 3;

    /**
     * Adds an event at its time.
     *
     * @param e      the event, its cost stamped.
     * @param timeMs its timestamp.
     * @return {@link #IN_ORDER}, {@link #LATE}, {@link #HELD} or {@link #EXPIRED} (in no bucket).
     */
    int add(final EventSlot e, final long timeMs) {
        final Bucket head = headBucket;
        if (timeMs >= headStart && timeMs < headEnd && head != null && cow.mayChange(head)) {
            head.measures.add(e);   // the common case: an event in the newest finest bucket
            return IN_ORDER;
        }
        final boolean late = headStart != NO_TIME && timeMs < headStart;
        if (parent != null && late) {
            parent.add(e, timeMs);   // a late event in a second already handed to the parent
        }
        final int n = directBuckets(timeMs);
        for (int i = 0; i < n; i++) {
            direct[i].measures.add(e);
        }
        return outcome(n, late);
    }

    /**
     * Changes the cost counted for an event already added at its time (a recompute): in every bucket that holds the
     * time, as {@link #add} would add an event there, and in the parent's if it already has that second. A path of
     * its own beside {@link #add}: a time ahead of the head is not one an event was added at, so it changes nothing.
     *
     * @param deltaUsd       added to the buckets' cost.
     * @param costCountDelta added to their count of priced events.
     * @param timeMs         the event's time.
     */
    void changeCost(final double deltaUsd, final int costCountDelta, final long timeMs) {
        if (headStart == NO_TIME || timeMs >= headEnd) {
            changeHeld(deltaUsd, costCountDelta, timeMs);
            return;
        }
        if (parent != null && timeMs < headStart) {
            parent.changeCost(deltaUsd, costCountDelta, timeMs);
        }
        final int n = directBuckets(timeMs);
        for (int i = 0; i < n; i++) {
            direct[i].measures.changeCost(deltaUsd, costCountDelta);
        }
    }

    /** A cost change for a time ahead of the head: in the bucket held ahead for it, if there is one. */
    private void changeHeld(final double deltaUsd, final int costCountDelta, final long timeMs) {
        final long start = timeMs - timeMs % widthMs[0];
        for (int i = 0; aheadCount > 0 && i < ahead.length; i++) {
            Bucket b = ahead[i];
            if (b != null && b.startMs == start) {
                if (!cow.mayChange(b)) {
                    b = cow.replace(b, true);
                    ahead[i] = b;
                }
                b.measures.changeCost(deltaUsd, costCountDelta);
            }
        }
    }

    /**
     * Adds a custom metric sample at its time.
     *
     * @param value       of the sample.
     * @param count       the observations of the value it stands for, &gt;= 1.
     * @param timeMs      its timestamp.
     * @param percentiles whether its value goes into the buckets' value histograms too.
     * @return {@link #IN_ORDER}, {@link #LATE}, {@link #HELD} or {@link #EXPIRED} (in no bucket).
     */
    int addValue(final double value, final long count, final long timeMs, final boolean percentiles) {
        final boolean late = headStart != NO_TIME && timeMs < headStart;
        final int n = directBuckets(timeMs);
        for (int i = 0; i < n; i++) {
            direct[i].measures.addValue(value, count, percentiles);
        }
        return outcome(n, late);
    }

    private int outcome(final int buckets, final boolean late) {
        if (buckets == 0) {
            return EXPIRED;
        }
        return late ? LATE : direct[0].startMs > headStart ? HELD : IN_ORDER;
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
     * Pins this child's newest finest bucket, and those it holds ahead, for a result if they lie in [fromMs, toMs):
     * what a parent's query adds for the seconds a child has not handed over yet.
     */
    int mergeOpenHead(final long fromMs, final long toMs, final PinnedBuckets into) {
        final Bucket head = headBucket;
        int n = 0;
        if (head != null && !head.isEmpty() && headStart >= fromMs && headStart < toMs) {
            into.add(head);
            n = 1;
        }
        return n + mergeAhead(fromMs, toMs, into);
    }

    /** Pins the buckets held ahead of the head that lie in [fromMs, toMs) for a result. */
    private int mergeAhead(final long fromMs, final long toMs, final PinnedBuckets into) {
        int n = 0;
        for (int i = 0; aheadCount > 0 && i < ahead.length; i++) {
            final Bucket b = ahead[i];
            if (b != null && b.startMs != NO_TIME && b.startMs >= fromMs && b.startMs < toMs) {
                into.add(b);
                n++;
            }
        }
        return n;
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
        if (headStartMs[0] == NO_TIME || timeMs - timeMs % widthMs[0] > headStartMs[0]) {
            final Bucket held = holdAhead(timeMs - timeMs % widthMs[0]);
            if (held != null) {
                direct[0] = held;
                return 1;
            }
        }
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
            if (k == 0) {
                return moveHead(start);
            }
            advance(k, start);
            return bucket(k, start, true);
        } else if (!retained(k, start)) {
            return null;
        }
        return bucket(k, start, true);
    }

    /** Makes start the finest tier's newest bucket, and the fast path's. */
    private Bucket moveHead(final long start) {
        advance(0, start);
        final Bucket b = bucket(0, start, true);
        headBucket = b;
        headStart = start;
        headEnd = start + widthMs[0];
        return b;
    }

    /**
     * Makes start the newest bucket of tier k, first rolling every older bucket not yet rolled into tier k + 1; in
     * the finest tier, the buckets held ahead up to start then take their places, and those before start are rolled.
     */
    private void advance(final int k, final long start) {
        final long old = headStartMs[k];
        if (k + 1 < tiers) {
            if (old != NO_TIME) {
                final long w = widthMs[k];
                long s = Math.max(nextToRollMs[k], old - (size[k] - 1) * w);
                for (; s <= old && s < start; s += w) {
                    roll(k, bucket(k, s, false));
                }
            }
            nextToRollMs[k] = start;
        }
        headStartMs[k] = start;
        if (k == 0 && aheadCount > 0) {
            placeAhead(old, start);
        }
        if (old != NO_TIME) {
            close(k, old, start);
        }
    }

    /**
     * Makes tier k's bucket at old, whose interval is over now that start is the newest, sparse
     * ({@link Measures#closeInto}), and gives its plain histograms to the bucket at start. If a reader holds it, a copy
     * takes its place and is closed instead.
     */
    private void close(final int k, final long old, final long start) {
        final long slots = ring[k].length;
        if ((old / widthMs[k]) % slots == (start / widthMs[k]) % slots) {
            return;   // a ring of one: the bucket at start takes its place
        }
        final Bucket closed = bucket(k, old, false);
        if (closed != null && !closed.isEmpty() && !closed.measures.closed()) {
            final Bucket own = bucket(k, old, true);
            own.measures.closeInto(bucket(k, start, true).measures);
        }
    }

    /** Rolls a closed bucket of tier k into tier k + 1 (and a finest one into the parent). */
    private void roll(final int k, final Bucket b) {
        if (b != null && !b.isEmpty() && k + 1 < tiers) {
            if (k == 0 && parent != null) {
                parent.addClosed(b);
            }
            absorb(k + 1, b);
        }
    }

    /**
     * Moves the buckets held ahead in (old, start] into the finest tier, in time order, each in place of the ring's
     * bucket at its index (rolled already, and no longer kept now that the head is at start), and rolls those
     * before start as {@link #advance} rolls the ring's own. The ring's bucket becomes an empty held one, or, if a
     * reader holds it, is set aside for them and an empty one takes its place among the held.
     */
    private void placeAhead(final long old, final long start) {
        final long w = widthMs[0];
        final Bucket[] r = ring[0];
        final long last = Math.min(start, old + aheadSlots * w);
        for (long s = old + w; s <= last && aheadCount > 0; s += w) {
            final int i = (int)((s / w) % aheadSlots);
            final Bucket held = ahead[i];
            if (held == null || held.startMs != s) {
                continue;
            }
            final int j = (int)((s / w) % r.length);
            Bucket spare = r[j];
            if (spare != null) {
                if (!cow.mayChange(spare)) {
                    spare = cow.replace(spare, false);
                }
                spare.startMs = NO_TIME;
            }
            r[j] = held;
            ahead[i] = spare;
            aheadCount--;
            if (s < start) {
                roll(0, held);
            }
        }
    }

    /**
     * The bucket held ahead for a finest bucket that starts after the store clock's current one: the finest tier's
     * head first catches up with the clock (as an event at the clock's time would move it), so every held bucket
     * lies within {@link #aheadSlots} of the head.
     *
     * @param start of a finest bucket after the head.
     * @return its held bucket (created or reused on first use); null if start is not after the clock's bucket, if
     * the clock went back behind the head, or if start lies too far ahead to hold: the head then moves to it, as
     * every add did before.
     */
    private Bucket holdAhead(final long start) {
        final long w = widthMs[0];
        final long now = clock.time();
        final long nowStart = now - Math.floorMod(now, w);
        if (start <= nowStart || headStartMs[0] != NO_TIME && headStartMs[0] > nowStart) {
            return null;   // not ahead of the clock; or the clock went back behind the head, which moves as before
        }
        if (headStartMs[0] == NO_TIME || headStartMs[0] < nowStart) {
            moveHead(nowStart);
        }
        if (start - headStartMs[0] >= aheadSlots * w) {
            return null;
        }
        if (ahead == null) {
            ahead = new Bucket[aheadSlots];
        }
        final int i = (int)((start / w) % aheadSlots);
        Bucket b = ahead[i];
        if (b != null && b.startMs == start) {
            return changeable(ahead, i, b, true);
        }
        if (b != null && b.startMs != NO_TIME) {
            return null;   // never while every held bucket lies within aheadSlots of the head; move the head then
        }
        if (b == null) {
            b = cow.newBucket(Measures.longCounts(widthMs[0]));
            ahead[i] = b;
        } else {
            b = changeable(ahead, i, b, false);
        }
        b.reuse(start);
        aheadCount++;
        return b;
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
            b = cow.newBucket(Measures.longCounts(widthMs[k]));
            r[index] = b;
        } else {
            b = changeable(r, index, b, false);
        }
        b.reuse(start);
        return b;
    }

    /**
     * The one copy-on-write rule, for the buckets of the rings and those held ahead alike.
     *
     * @param slots        the ring, or the held buckets, that b is in.
     * @param index        b's place in slots.
     * @param keepContents true to go on adding to b's interval; false to reuse it for another.
     * @return b, or if a reader holds it, its replacement in slots: a copy (keepContents) or an empty spare.
     */
    private Bucket changeable(final Bucket[] slots, final int index, final Bucket b, final boolean keepContents) {
        if (cow.mayChange(b)) {
            return b;
        }
        final Bucket c = cow.replace(b, keepContents);
        slots[index] = c;
        if (b == headBucket) {
            headBucket = c;
        }
        return c;
    }

    /**
     * Pins every bucket that covers [fromMs, toMs), and the buckets held ahead within the span covered, for a query
     * to merge. Where the tiers cannot cut the window exactly, the covered span is widened to the enclosing bucket
     * edges.
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
                final int looked = walk(fromMs, end, last, into, span);
                return looked + mergeAhead(span[0], span[1], into);
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
        long bytes = ownBytes(widthMs.length);
        if (ahead != null) {
            bytes += ringBytes(ahead.length);
            for (final Bucket b : ahead) {
                bytes += b == null ? 0 : b.footprintBytes();
            }
        }
        for (final Bucket[] r : ring) {
            bytes += ringBytes(r.length);
            for (final Bucket b : r) {
                if (b != null) {
                    bytes += b.footprintBytes();
                }
            }
        }
        return bytes;
    }

    /**
     * @param widthMs         bucket width of each tier, finest first.
     * @param size            buckets per tier.
     * @param histogramDigits significant digits of the histograms.
     * @param qualityNames    the number of quality score names allowed.
     * @param events          whether the tiers hold events, or only custom metric samples.
     * @param maxFutureSkewMs how far ahead of the clock an item may be: the finest buckets that may be held.
     * @return {@link #footprintBytes()} of tiers whose every bucket, held ones included, is in use and at its
     * widest.
     */
    static long widestBytes(final long[] widthMs, final int[] size, final int histogramDigits,
                            final int qualityNames, final boolean events, final long maxFutureSkewMs) {
        return widestBytes(widthMs, size, histogramDigits, qualityNames, events, maxFutureSkewMs, false);
    }

    /**
     * @param values whether each bucket holds a custom metric series' value histogram too, at its widest.
     * @return as {@link #widestBytes(long[], int[], int, int, boolean, long)}, with the value histograms if asked.
     */
    static long widestBytes(final long[] widthMs, final int[] size, final int histogramDigits,
                            final int qualityNames, final boolean events, final long maxFutureSkewMs,
                            final boolean values) {
        long bytes = ownBytes(widthMs.length);
        for (int k = 0; k < widthMs.length; k++) {
            bytes += ringBytes(size[k])
                + size[k] * widestBucketBytes(widthMs[k], histogramDigits, qualityNames, events, values);
        }
        final int held = aheadSlots(maxFutureSkewMs, widthMs[0]);
        return bytes + ringBytes(held)
            + held * widestBucketBytes(widthMs[0], histogramDigits, qualityNames, events, values);
    }

    private static long widestBucketBytes(final long widthMs, final int histogramDigits, final int qualityNames,
                                          final boolean events, final boolean values) {
        return Bucket.OWN_BYTES + Measures.widestBytes(histogramDigits, Measures.longCounts(widthMs), qualityNames,
            events) + (values ? Measures.widestValueBytes(Measures.longCounts(widthMs)) : 0);
    }

    /** The finest buckets that may be held ahead of the head: the skew's worth, and two for the edges. */
    private static int aheadSlots(final long maxFutureSkewMs, final long finestWidthMs) {
        return (int)Math.min(1_000_000, maxFutureSkewMs / finestWidthMs + 2);
    }

    /** The instance and its per-tier arrays. */
    private static long ownBytes(final int tiers) {
        return 96 + 4 * (16 + tiers * 8L);
    }

    /** A tier's array of buckets. */
    private static long ringBytes(final int buckets) {
        return 16 + buckets * 4L;
    }

    private static long floor(final long timeMs, final long widthMs) {
        return timeMs - Math.floorMod(timeMs, widthMs);
    }

    /**
     * Makes an image of these tiers for a snapshot: where each tier stands, the buckets of its ring and those held
     * ahead, shared, not copied (the writer froze them, see {@link CopyOnWrite#freeze()}). Writer only; allocates
     * only the image's array of held buckets, the first time there are any.
     *
     * @param image tiers of the same configuration, owned by the snapshot.
     */
    void captureInto(final TimeTiers image) {
        for (int k = 0; k < tiers; k++) {
            System.arraycopy(ring[k], 0, image.ring[k], 0, ring[k].length);
        }
        System.arraycopy(headStartMs, 0, image.headStartMs, 0, tiers);
        System.arraycopy(nextToRollMs, 0, image.nextToRollMs, 0, tiers);
        if (ahead != null) {
            if (image.ahead == null) {
                image.ahead = new Bucket[aheadSlots];
            }
            System.arraycopy(ahead, 0, image.ahead, 0, aheadSlots);
        } else if (image.ahead != null) {
            java.util.Arrays.fill(image.ahead, null);
        }
        image.aheadCount = aheadCount;
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
        out.writeInt(aheadCount);
        for (int i = 0; aheadCount > 0 && i < ahead.length; i++) {
            if (ahead[i] != null && ahead[i].startMs != NO_TIME) {
                BucketCodec.write(ahead[i], out);
            }
        }
    }

    /**
     * Reads tiers written by {@link #write(DataOutput)} with the same configuration into this (new) instance.
     *
     * @param in       to read from.
     * @param snapshot the snapshot's version: from 3 on, the buckets held ahead follow the tiers.
     * @throws IOException if the read fails or the data is bad.
     */
    void read(final DataInput in, final int snapshot) throws IOException {
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
                final Bucket b = cow.newBucket(Measures.longCounts(widthMs[k]));
                BucketCodec.read(in, b, snapshot);
                if (b.startMs != headStartMs[k]) {
                    b.measures.closeInto(null);   // closed: as sparse as it was when captured
                }
                ring[k][i] = b;
            }
        }
        final int held = snapshot >= 3 ? in.readInt() : 0;
        if (held < 0 || held > aheadSlots) {
            throw new IOException("bad count of buckets held ahead " + held);
        }
        for (int n = 0; n < held; n++) {
            final Bucket b = cow.newBucket(Measures.longCounts(widthMs[0]));
            BucketCodec.read(in, b, snapshot);
            final long w = widthMs[0];
            if (ahead == null) {
                ahead = new Bucket[aheadSlots];
            }
            final int i = (int)Math.floorMod(b.startMs / w, (long)aheadSlots);
            if (headStartMs[0] == NO_TIME || b.startMs % w != 0 || b.startMs <= headStartMs[0]
                || b.startMs - headStartMs[0] >= aheadSlots * w || ahead[i] != null) {
                throw new IOException("a bucket held ahead at " + b.startMs + " does not fit ahead of the head at "
                    + headStartMs[0] + " within the future-skew bound");
            }
            ahead[i] = b;
            aheadCount++;
        }
        if (headStartMs[0] != NO_TIME) {
            headStart = headStartMs[0];
            headEnd = headStart + widthMs[0];
            headBucket = bucket(0, headStart, true);
        }
    }
}
