package dev.ringmeter.core.aggregate;

import dev.ringmeter.Event;
import dev.ringmeter.core.dictionary.Dictionary;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.core.ingest.EventSlot;
import dev.ringmeter.core.query.EventFilter;
import dev.ringmeter.core.query.GroupKey;
import dev.ringmeter.core.query.GroupValues;
import dev.ringmeter.core.query.WindowStats;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The in-memory aggregates of comparisons: per <em>combination</em> of an event's values (every dimension of
 * {@link #FIELDS}, its status and its tag pairs), coarse time buckets of the event's measures, so that a group-by of
 * up to two keys over the last day merges the combinations that pass a filter, by their values for the keys, with
 * no journal. The unbounded run and task are left out (a combination per task would be a combination per event).
 * <p>
 * <b>Tiers.</b> A ring of {@value #FINE_BUCKETS} buckets of 5 minutes (the last hour back from the current 5
 * minutes, and one for an event ahead of the clock) and one of {@value #COARSE_BUCKETS} of an hour (the last day,
 * likewise): a comparison asks "which is better over the last hours", where a 5-minute edge is fine, and the hourly
 * tier keeps a day in 26 buckets instead of 1,440 minutes. An event goes into its 5-minute bucket only; when the
 * writer reuses a 5-minute bucket for a later interval, it first adds it to its hour (roll-up), and an event older
 * than the 5-minute ring goes straight to its hour, so every event is in exactly one bucket. A query uses the
 * 5-minute tier when the range's start lies within its last hour, else the hourly one (its buckets and the 5-minute
 * ones not yet rolled up), widening the range to the tier's bucket edges, and says what it covered.
 * <p>
 * <b>Buckets.</b> Each bucket is a {@link Bucket} whose {@link Measures} keep every count, status count and sum of a
 * windowed query (tokens, cost, retries, cache, memory, CPU, time-to-first-token and queue-wait sums, quality sums
 * and counts) and one latency histogram of {@value #HISTOGRAM_DIGITS} significant digit (percentiles within 10 %,
 * HdrHistogram's sub-buckets of 1/16), allocated on first use: no time-to-first-token or queue-wait percentiles, and
 * the counts by error type come from the combinations' keys.
 * <p>
 * <b>Bounds.</b> At most {@code limit} combinations ({@link dev.ringmeter.core.StoreConfig#comparisonCombinations}, by
 * default derived from the heap); the events of any further combination are counted in one overflow combination, and
 * an answer that merges it says it is incomplete. A combination whose newest event is older than the hourly tier is
 * reclaimed when room is needed (at most one sweep a minute of store time).
 * <p>
 * <b>Released ids.</b> A combination keeps, beside its ids, the names they had when it was made (the dictionary's own
 * strings). Before an event is added to a combination, the names of its released ids are compared with the
 * dictionary's (a reference comparison; equals only when they differ): an id given to another value since makes the
 * old combination <em>retired</em> (out of the lookup, kept under its names for queries until it ages out) and the
 * event goes to a new one, so two names that shared an id at different times are never merged. The ring cannot carry
 * an id given to another value before the aggregate thread has passed every slot of its old value (the dictionary's
 * quarantine), so the dictionary names a slot's ids as the slot meant them when it is applied.
 * <p>
 * Threading: one writer, the aggregate writer (holding the aggregates' lock), which allocates nothing in steady
 * state (a new combination, or a bucket's first use, allocates once). Queries on any thread choose and pin their
 * buckets under the aggregates' lock and merge them after it ({@link CopyOnWrite}, as window queries do); a snapshot
 * captures an image of the keys and buckets ({@link #captureInto}), the buckets frozen until it is written.
 */
final class Combinations {
    /** The event fields a combination is keyed by: every field of an event but the unbounded run and task. */
    static final Dimension[] FIELDS = fields();
    static final int HISTOGRAM_DIGITS = 1;
    static final int FINE_BUCKETS = 14;
    static final int COARSE_BUCKETS = 26;
    static final long[] WIDTHS_MS = {5 * 60_000L, 3_600_000L};
    static final int[] BUCKETS = {FINE_BUCKETS, COARSE_BUCKETS};
    /** The intervals a tier answers for back from the current one: an hour, a day (a ring holds two more). */
    static final int[] KEPT = {12, 24};
    /** Key ints: the fields' ids, the status, then up to {@link Event#MAX_TAGS} tag pairs (key id, value id). */
    static final int KEY_INTS = FIELDS.length + 1 + 2 * Event.MAX_TAGS;
    /** The names of a key: the fields', then the tags' (key, value). */
    static final int NAMES = FIELDS.length + 2 * Event.MAX_TAGS;
    private static final int STATUS = FIELDS.length;
    private static final long RECLAIM_EVERY_MS = 60_000;
    /** A combination's own heap beside its buckets: object, key, names and ring arrays, its table slot. */
    static final long OWN_BYTES = 16 + 8 + 4 * 4 + (16 + 4L * KEY_INTS) + (16 + 4L * NAMES)
        + (16 + 4L * FINE_BUCKETS) + (16 + 4L * COARSE_BUCKETS) + 16 + 8;

    private final Dictionary dictionary;
    private final int qualityNames;
    private final int limit;
    final CopyOnWrite cow;
    /** Every combination made, active or retired, [0, count); the overflow apart. */
    Combination[] all = new Combination[16];
    int count;
    final Combination overflow;
    /** Open addressing: index + 1 of the active combination of each key, 0 for an empty slot. */
    private int[] table;
    private final int[] probe = new int[KEY_INTS];
    private final int[] tagOrder = new int[Event.MAX_TAGS];
    private final Combination[] free;
    private int freeCount;
    private long lastReclaimMs = Long.MIN_VALUE;
    /**
     * The time from which the combinations hold every event: {@link Long#MIN_VALUE}, or, after a restart from a
     * snapshot written before comparisons were kept, the time of that snapshot (plus the future skew), whose earlier
     * events they never saw. Set before the ring starts; kept in the snapshot.
     */
    long completeFromMs = Long.MIN_VALUE;
    /** Combinations made since the store opened; retired and reclaimed ones. */
    long made;
    long retired;
    long reclaimed;

    /**
     * @param dictionary   the store's, whose names the combinations keep.
     * @param qualityNames the number of quality score names the store allows.
     * @param limit        the most combinations, at least 1.
     * @param image        true for a snapshot's image, which holds copies and never adds.
     */
    Combinations(final Dictionary dictionary, final int qualityNames, final int limit, final boolean image) {
        this.dictionary = dictionary;
        this.qualityNames = qualityNames;
        this.limit = limit;
        this.cow = image ? null : new CopyOnWrite(HISTOGRAM_DIGITS, qualityNames, true);
        this.overflow = new Combination();
        this.table = new int[tableSize(Math.min(limit, 1024))];
        this.free = new Combination[Math.min(limit, 1 << 16)];
    }

    private static Dimension[] fields() {
        final List<Dimension> fields = new ArrayList<>();
        for (final Dimension d : Dimension.EVENT_FIELDS) {
            if (d != Dimension.RUN && d != Dimension.TASK) {
                fields.add(d);
            }
        }
        return fields.toArray(new Dimension[0]);
    }

    private static int tableSize(final int entries) {
        return Integer.highestOneBit(Math.max(16, entries * 2 - 1)) << 1;
    }

    /** @return the most combinations kept (the overflow apart). */
    int limit() {
        return limit;
    }

    /**
     * Adds an event to its combination. Writer only.
     *
     * @param e      an event, its cost stamped.
     * @param timeMs its time.
     */
    void add(final EventSlot e, final long timeMs) {
        Combination c = find(e);
        if (c == null) {
            c = make(probe, timeMs);
        }
        c.add(e, timeMs, cow);
    }

    /**
     * Changes the cost counted for an event already added (a recompute's {@link EventSlot#KIND_COST_CHANGE}): in the
     * bucket of its combination that holds its time now, the 5-minute one or, once that rolled up, the hour. A change
     * for a combination no longer kept, or a time older than its rings, changes nothing. Writer only.
     *
     * @param e      the change: the event's ids, status and tags, the cost difference and the priced count's.
     * @param timeMs the event's time.
     */
    void changeCost(final EventSlot e, final long timeMs) {
        final Combination c = find(e);
        if (c != null) {
            c.changeCost(e.costUsd, e.costCountDelta, timeMs, cow);
        }
    }

    /**
     * @return the live combination of the event's values (its key left in {@link #probe}), or null if there is none;
     * one whose ids now mean other names is retired on the way.
     */
    private Combination find(final EventSlot e) {
        final int[] key = probe;
        for (int f = 0; f < FIELDS.length; f++) {
            key[f] = e.id(FIELDS[f]);
        }
        key[STATUS] = e.status;
        sortTags(e, key);
        final int hash = hash(key);
        final int mask = table.length - 1;
        for (int slot = hash & mask; ; slot = (slot + 1) & mask) {
            final int at = table[slot];
            if (at == 0) {
                return null;
            }
            final Combination k = all[at - 1];
            if (Arrays.equals(k.key, key)) {
                if (sameNames(k)) {
                    return k;
                }
                retire(k);
                return null;
            }
        }
    }

    /** Puts the event's tag pairs into the key in the order of their key ids, so tag order does not matter. */
    private void sortTags(final EventSlot e, final int[] key) {
        final int n = e.tagCount;
        for (int i = 0; i < n; i++) {
            int j = i;
            while (j > 0 && e.tagKeys[tagOrder[j - 1]] > e.tagKeys[i]) {
                tagOrder[j] = tagOrder[j - 1];
                j--;
            }
            tagOrder[j] = i;
        }
        int k = STATUS + 1;
        for (int i = 0; i < Event.MAX_TAGS; i++) {
            key[k++] = i < n ? e.tagKeys[tagOrder[i]] : 0;
            key[k++] = i < n ? e.tagValues[tagOrder[i]] : 0;
        }
    }

    private static int hash(final int[] key) {
        int h = 1;
        for (final int v : key) {
            h = 31 * h + v;
        }
        return h ^ (h >>> 16);
    }

    /** @return whether every released id of the combination's key still means the name it was made with. */
    private boolean sameNames(final Combination c) {
        for (int f = 0; f < FIELDS.length; f++) {
            if (FIELDS[f].released() && !sameName(c, f, FIELDS[f], c.key[f])) {
                return false;
            }
        }
        for (int t = 0; t < Event.MAX_TAGS; t++) {
            final int keyAt = STATUS + 1 + 2 * t;
            if (c.key[keyAt] == 0) {
                break;
            }
            if (!sameName(c, FIELDS.length + 2 * t, Dimension.TAG_KEY, c.key[keyAt])
                || !sameName(c, FIELDS.length + 2 * t + 1, Dimension.TAG_VALUE, c.key[keyAt + 1])) {
                return false;
            }
        }
        return true;
    }

    private boolean sameName(final Combination c, final int at, final Dimension dimension, final int id) {
        if (id == 0) {
            return true;
        }
        final String now = dictionary.name(dimension, id);
        final String kept = c.names[at];
        if (now == kept) {
            return true;
        }
        if (now != null && now.equals(kept)) {
            c.names[at] = now;   // the same value under the same id (after a restart): share the dictionary's string
            return true;
        }
        return false;
    }

    /** Takes a combination whose released id now means another value out of the lookup; it keeps its names. */
    private void retire(final Combination c) {
        c.retired = true;
        retired++;
        rebuildTable();
    }

    private Combination make(final int[] key, final long timeMs) {
        if (count == limit && freeCount == 0) {
            reclaim(timeMs);
        }
        final Combination c;
        if (freeCount > 0) {
            c = free[--freeCount];
            free[freeCount] = null;
        } else if (count < limit) {
            c = new Combination();
        } else {
            return overflow;
        }
        c.retired = false;
        c.isFree = false;
        c.newestMs = Long.MIN_VALUE;
        System.arraycopy(key, 0, c.key, 0, KEY_INTS);
        nameKey(c);
        if (c.index < 0) {
            if (count == all.length) {
                all = Arrays.copyOf(all, Math.min(limit, count * 2));
            }
            c.index = count;
            all[count++] = c;
        }
        made++;
        if (2 * count > table.length) {
            table = new int[tableSize(Math.min(limit, count * 2))];
            rebuildTable();
        } else {
            put(c);
        }
        return c;
    }

    private void nameKey(final Combination c) {
        for (int f = 0; f < FIELDS.length; f++) {
            c.names[f] = dictionary.name(FIELDS[f], c.key[f]);
        }
        for (int t = 0; t < Event.MAX_TAGS; t++) {
            final int keyAt = STATUS + 1 + 2 * t;
            c.names[FIELDS.length + 2 * t] = dictionary.name(Dimension.TAG_KEY, c.key[keyAt]);
            c.names[FIELDS.length + 2 * t + 1] = dictionary.name(Dimension.TAG_VALUE, c.key[keyAt + 1]);
        }
    }

    private void put(final Combination c) {
        final int mask = table.length - 1;
        int slot = hash(c.key) & mask;
        while (table[slot] != 0) {
            slot = (slot + 1) & mask;
        }
        table[slot] = c.index + 1;
    }

    private void rebuildTable() {
        Arrays.fill(table, 0);
        for (int i = 0; i < count; i++) {
            final Combination c = all[i];
            if (!c.retired && !c.isFree) {
                put(c);
            }
        }
    }

    /**
     * Frees the combinations with nothing left in the hourly tier (their newest event older than it), at most once a
     * minute of store time.
     */
    private void reclaim(final long timeMs) {
        if (timeMs - lastReclaimMs < RECLAIM_EVERY_MS && timeMs >= lastReclaimMs) {
            return;
        }
        lastReclaimMs = timeMs;
        final long oldestKeptMs = oldestStartMs(WIDTHS_MS.length - 1, timeMs);
        boolean any = false;
        for (int i = 0; i < count && freeCount < free.length; i++) {
            final Combination c = all[i];
            if (!c.isFree && c.newestMs < oldestKeptMs) {
                c.isFree = true;
                c.retired = true;
                free[freeCount++] = c;
                reclaimed++;
                any = true;
            }
        }
        if (any) {
            rebuildTable();
        }
    }

    /**
     * @param keys   the keys to group by.
     * @param filter the events to keep.
     * @return null if the combinations hold every key and filter, else the first one they do not, as a key would
     * name it (run and task are not kept).
     */
    static String notKept(final GroupKey[] keys, final EventFilter filter) {
        for (final GroupKey k : keys) {
            if (k.dimension() != null && field(k.dimension()) < 0) {
                return k.toString();
            }
        }
        for (final Dimension d : Dimension.EVENT_FIELDS) {
            if (filter.value(d) != null && field(d) < 0) {
                return d.field();
            }
        }
        return null;
    }

    private static int field(final Dimension d) {
        for (int f = 0; f < FIELDS.length; f++) {
            if (FIELDS[f] == d) {
                return f;
            }
        }
        return -1;
    }

    /**
     * @param fromMs start of a range.
     * @param nowMs  the store's clock.
     * @return the tier whose buckets hold the range's start (0 the 5-minute one, 1 the hourly one), or -1 if it is
     * older than both.
     */
    static int tierFor(final long fromMs, final long nowMs) {
        for (int t = 0; t < WIDTHS_MS.length; t++) {
            if (fromMs >= oldestStartMs(t, nowMs)) {
                return t;
            }
        }
        return -1;
    }

    /** @return the start of the oldest bucket a tier keeps at this time. */
    static long oldestStartMs(final int tier, final long nowMs) {
        final long w = WIDTHS_MS[tier];
        return nowMs - Math.floorMod(nowMs, w) - KEPT[tier] * w;
    }

    /**
     * Merges the combinations that pass a filter, by their values for the keys, over the buckets of one tier that
     * cover [fromMs, toMs) widened to its edges. Any thread: pins the buckets under the lock, merges after it.
     *
     * @param lock   the aggregates' lock.
     * @param keys   none, one or two keys, all kept by the combinations ({@link #notKept}).
     * @param filter the events to keep.
     * @param fromMs start, inclusive; clipped to the oldest bucket kept.
     * @param toMs   end, exclusive.
     * @param nowMs  the store's clock.
     * @param result receives the groups, the overflow's events in range and the span covered.
     */
    void query(final ReentrantLock lock, final GroupKey[] keys, final EventFilter filter, final long fromMs,
               final long toMs, final long nowMs, final Result result) {
        int tier = tierFor(fromMs, nowMs);
        if (tier < 0) {
            tier = WIDTHS_MS.length - 1;
        }
        final long w = WIDTHS_MS[tier];
        final long from = Math.max(fromMs - Math.floorMod(fromMs, w), oldestStartMs(tier, nowMs));
        final long to = toMs - Math.floorMod(toMs, w) + (Math.floorMod(toMs, w) == 0 ? 0 : w);
        result.coveredFromMs = from;
        result.coveredToMs = Math.max(from, to);
        final List<Bucket> pinned = new ArrayList<>();
        final List<GroupValues> groupOf = new ArrayList<>();
        final List<Integer> errorTypeOf = new ArrayList<>();
        final Matcher matcher = new Matcher(keys, filter);
        lock.lock();
        try {
            for (int i = 0; i <= count; i++) {
                final Combination c = i < count ? all[i] : overflow;
                if (c.isFree || c.newestMs < from) {
                    continue;
                }
                final GroupValues group = c == overflow ? null : matcher.groupOf(c);
                if (c != overflow && group == null) {
                    continue;
                }
                // the hourly tier: its buckets and the 5-minute ones not rolled up yet
                for (int t = tier; t >= 0; t--) {
                    for (final Bucket b : c.rings[t]) {
                        if (b != null && b.startMs >= from && b.startMs < to && !b.isEmpty()) {
                            b.pin();
                            pinned.add(b);
                            groupOf.add(group);
                            errorTypeOf.add(c == overflow ? 0 : c.key[field(Dimension.ERROR_TYPE)]);
                        }
                    }
                }
            }
        } finally {
            lock.unlock();
        }
        try {
            for (int i = 0; i < pinned.size(); i++) {
                final Bucket b = pinned.get(i);
                final GroupValues group = groupOf.get(i);
                final WindowStats stats = group == null ? result.other(from, to, nowMs)
                    : result.group(group, from, to, nowMs);
                stats.sum.merge(b.measures);
                stats.covered(from, to, stats.bucketsMerged() + 1);
                final int errorType = errorTypeOf.get(i);
                if (errorType != 0) {
                    stats.sum.errors().getAndAdd(errorType, b.measures.count);
                }
                if (group == null) {
                    result.incomplete = true;
                }
            }
        } finally {
            for (final Bucket b : pinned) {
                b.unpin();
            }
        }
    }

    /** What a query fills: the groups, the overflow's events in range and the span covered. Query thread only. */
    static final class Result {
        final Map<GroupValues, WindowStats> groups = new HashMap<>();
        final java.util.function.Supplier<WindowStats> newStats;
        private final Dictionary dictionary;
        WindowStats other;
        long coveredFromMs;
        long coveredToMs;
        boolean incomplete;

        Result(final Dictionary dictionary, final java.util.function.Supplier<WindowStats> newStats) {
            this.dictionary = dictionary;
            this.newStats = newStats;
        }

        WindowStats group(final GroupValues values, final long from, final long to, final long nowMs) {
            return groups.computeIfAbsent(values, v -> begin(from, to, nowMs));
        }

        WindowStats other(final long from, final long to, final long nowMs) {
            if (other == null) {
                other = begin(from, to, nowMs);
            }
            return other;
        }

        private WindowStats begin(final long from, final long to, final long nowMs) {
            final WindowStats s = newStats.get();
            s.begin(dictionary, null, from, to, nowMs);
            s.covered(from, to, 0);
            return s;
        }
    }

    /** Which combinations pass a filter and what group each is in; by name. Query thread only. */
    private static final class Matcher {
        private final GroupKey[] keys;
        private final int[] keyField;
        private final String[] values = new String[FIELDS.length];
        private final int status;
        private final String tagKey;
        private final String tagValue;

        Matcher(final GroupKey[] keys, final EventFilter filter) {
            this.keys = keys;
            this.keyField = new int[keys.length];
            for (int k = 0; k < keys.length; k++) {
                keyField[k] = keys[k].dimension() == null ? -1 : field(keys[k].dimension());
            }
            for (int f = 0; f < FIELDS.length; f++) {
                values[f] = filter.value(FIELDS[f]);
            }
            this.status = filter.status();
            this.tagKey = filter.tagKey();
            this.tagValue = filter.tagValue();
        }

        /** @return the combination's group, or null if it does not pass the filter. */
        GroupValues groupOf(final Combination c) {
            for (int f = 0; f < FIELDS.length; f++) {
                if (values[f] != null && !values[f].equals(c.names[f])) {
                    return null;
                }
            }
            if (status >= 0 && c.key[STATUS] != status) {
                return null;
            }
            if (tagKey != null && !tagValue.equals(c.tag(tagKey))) {
                return null;
            }
            switch (keys.length) {
                case 0:
                    return new GroupValues("all", null);
                case 1:
                    return new GroupValues(valueOf(0, c), null);
                default:
                    return new GroupValues(valueOf(0, c), valueOf(1, c));
            }
        }

        private String valueOf(final int k, final Combination c) {
            if (keys[k].isStatus()) {
                return GroupKey.statusName(c.key[STATUS]);
            }
            if (keyField[k] >= 0) {
                final String name = c.names[keyField[k]];
                return name == null ? "" : name;
            }
            final String value = c.tag(keys[k].tagKey());
            return value == null ? "" : value;
        }
    }

    /**
     * One combination: its key (ids and status), the names of its ids, and its two rings of buckets. Written by the
     * writer; read under the aggregates' lock, or from a snapshot's image.
     */
    static final class Combination {
        final int[] key = new int[KEY_INTS];
        final String[] names = new String[NAMES];
        final Bucket[][] rings = {new Bucket[FINE_BUCKETS], new Bucket[COARSE_BUCKETS]};
        /** The time of its newest event, for reclaiming; {@link Long#MIN_VALUE} if none. */
        long newestMs = Long.MIN_VALUE;
        boolean retired;
        boolean isFree;
        int index = -1;

        /**
         * Adds an event to its 5-minute bucket, rolling up the interval that bucket held before into its hour; an
         * event older than the 5-minute ring goes to its hour, and one older than the hourly ring is in no bucket.
         */
        void add(final EventSlot e, final long timeMs, final CopyOnWrite cow) {
            newestMs = Math.max(newestMs, timeMs);
            Bucket b = bucket(0, timeMs, cow);
            if (b == null) {
                b = bucket(1, timeMs, cow);
                if (b == null) {
                    return;
                }
            }
            b.measures.add(e);
        }

        /** Changes the cost in the bucket that holds the time now, if one does (copied first if a reader holds it). */
        void changeCost(final double deltaUsd, final int costCountDelta, final long timeMs, final CopyOnWrite cow) {
            for (int tier = 0; tier < rings.length; tier++) {
                final long w = WIDTHS_MS[tier];
                final Bucket[] ring = rings[tier];
                final int i = (int)Math.floorMod(Math.floorDiv(timeMs, w), (long)ring.length);
                Bucket b = ring[i];
                if (b != null && b.startMs == timeMs - Math.floorMod(timeMs, w)) {
                    if (!cow.mayChange(b)) {
                        b = cow.replace(b, true);
                        ring[i] = b;
                    }
                    b.measures.changeCost(deltaUsd, costCountDelta);
                    return;
                }
            }
        }

        /**
         * @return the bucket of a tier for a time, ready for the writer to change (emptied for a new interval, the
         * 5-minute one it held rolled up first), or null if the time is older than the tier's ring keeps.
         */
        private Bucket bucket(final int tier, final long timeMs, final CopyOnWrite cow) {
            final long w = WIDTHS_MS[tier];
            final long start = timeMs - Math.floorMod(timeMs, w);
            final Bucket[] ring = rings[tier];
            final int i = (int)Math.floorMod(Math.floorDiv(timeMs, w), (long)ring.length);
            Bucket b = ring[i];
            if (b == null) {
                b = cow.newBucket(Measures.longCounts(w));
                b.reuse(start);
                ring[i] = b;
            } else if (b.startMs != start) {
                if (b.startMs > start) {
                    return null;
                }
                if (tier == 0 && !b.isEmpty()) {
                    final Bucket hour = bucket(1, b.startMs, cow);
                    if (hour != null) {
                        hour.measures.merge(b.measures);
                    }
                }
                if (!cow.mayChange(b)) {
                    b = cow.replace(b, false);
                    ring[i] = b;
                }
                b.reuse(start);
            } else if (!cow.mayChange(b)) {
                b = cow.replace(b, true);
                ring[i] = b;
            }
            return b;
        }

        /** Copies the key, names and flags, and shares the buckets (frozen for a snapshot). */
        void copyInto(final Combination image) {
            System.arraycopy(key, 0, image.key, 0, KEY_INTS);
            System.arraycopy(names, 0, image.names, 0, NAMES);
            for (int t = 0; t < rings.length; t++) {
                System.arraycopy(rings[t], 0, image.rings[t], 0, rings[t].length);
            }
            image.newestMs = newestMs;
            image.retired = retired;
            image.isFree = isFree;
        }

        /** @return the value of the tag of this key name, or null if the combination has none. */
        String tag(final String tagKey) {
            for (int t = 0; t < Event.MAX_TAGS; t++) {
                if (tagKey.equals(names[FIELDS.length + 2 * t])) {
                    return names[FIELDS.length + 2 * t + 1];
                }
            }
            return null;
        }
    }

    /**
     * Takes in a combination read from a snapshot, before the ring starts: a copy of it, active if the dictionary (read
     * before it) still names its ids as it does, else retired. Beyond the limit it is dropped.
     *
     * @param read the combination as read; its buckets are taken over.
     */
    void restore(final Combination read) {
        if (count == limit) {
            return;
        }
        final Combination c = new Combination();
        read.copyInto(c);
        c.index = count;
        if (count == all.length) {
            all = Arrays.copyOf(all, Math.min(limit, count * 2));
        }
        all[count++] = c;
        if (!c.retired) {
            nameless:
            {
                for (int f = 0; f < FIELDS.length; f++) {
                    if (!sameName(c, f, FIELDS[f], c.key[f])) {
                        c.retired = true;
                        break nameless;
                    }
                }
                c.retired = !sameNames(c);
            }
        }
        if (2 * count > table.length) {
            table = new int[tableSize(Math.min(limit, count * 2))];
            rebuildTable();
        } else if (!c.retired) {
            put(c);
        }
    }

    /**
     * Makes a snapshot's image of every combination: its key, names and flags copied, its buckets shared and frozen
     * until the image is released ({@link CopyOnWrite#thaw()}). Writer only; allocates only for combinations new
     * to the image.
     *
     * @param image combinations made as an image with the same limit.
     */
    void captureInto(final Combinations image) {
        cow.freeze();
        if (image.all.length < count) {
            image.all = Arrays.copyOf(image.all, count);
        }
        for (int i = 0; i < count; i++) {
            if (image.all[i] == null) {
                image.all[i] = new Combination();
            }
            all[i].copyInto(image.all[i]);
        }
        for (int i = count; i < image.count; i++) {
            image.all[i] = null;
        }
        image.count = count;
        image.completeFromMs = completeFromMs;
        overflow.copyInto(image.overflow);
    }

    /**
     * @return the combinations in use (the overflow apart): active, and retired ones still holding buckets.
     */
    int size() {
        return count - freeCount;
    }

    /**
     * @param qualityNames the number of quality score names allowed.
     * @return the most heap one combination holds: every bucket of both rings in use at its widest, and its key.
     */
    static long widestBytes(final int qualityNames) {
        long bytes = OWN_BYTES;
        for (int t = 0; t < WIDTHS_MS.length; t++) {
            bytes += BUCKETS[t] * (Bucket.OWN_BYTES + Measures.widestBytes(HISTOGRAM_DIGITS,
                Measures.longCounts(WIDTHS_MS[t]), qualityNames, true, true));
        }
        return bytes;
    }

    /**
     * @param qualityNames the number of quality score names allowed.
     * @return the most heap the combinations hold beside their own: the overflow combination and the spare buckets
     * of their copy-on-write, at their widest.
     */
    static long widestFixedBytes(final int qualityNames) {
        return widestBytes(qualityNames) + CopyOnWrite.MAX_SPARES * (2 * Bucket.OWN_BYTES
            + Measures.widestBytes(HISTOGRAM_DIGITS, false, qualityNames, true, true)
            + Measures.widestBytes(HISTOGRAM_DIGITS, true, qualityNames, true, true));
    }

    /** @return an estimate of the heap the combinations' buckets hold now. Under the aggregates' lock. */
    long footprintBytes() {
        long bytes = 0;
        for (int i = 0; i <= count; i++) {
            final Combination c = i < count ? all[i] : overflow;
            bytes += OWN_BYTES;
            for (final Bucket[] ring : c.rings) {
                for (final Bucket b : ring) {
                    if (b != null) {
                        bytes += b.footprintBytes();
                    }
                }
            }
        }
        return bytes;
    }
}
