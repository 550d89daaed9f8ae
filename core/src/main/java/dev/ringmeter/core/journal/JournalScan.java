package dev.ringmeter.core.journal;

import dev.ringmeter.Status;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.dictionary.Dictionary;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.core.ingest.EventSlot;
import dev.ringmeter.core.query.EventFilter;
import dev.ringmeter.core.query.GroupKey;
import dev.ringmeter.core.query.GroupValues;
import dev.ringmeter.core.query.WindowStats;
import net.openhft.chronicle.queue.ExcerptTailer;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * An ad hoc query over the journal: the events of a time range that match a filter, grouped by one or two keys
 * ({@link GroupKey}: a dimension, the status or a tag), each group with the same analytics as a windowed query. This is what group-by, compare and export use for the
 * dimensions the live aggregates do not keep (pipeline, step, run, task, configuration, tags).
 * <p>
 * The scan reads the journal sequentially from the cycle that holds the range's start (less the accepted clock
 * skew) to its end, since a late event may be journaled after the range; its cost grows with the records read,
 * at millions per second. It reuses one slot and one accumulator per group. It names ids with a decoder of its
 * own, fed by the dictionary records it reads (every cycle starts with those of the ids it uses), never with the
 * store's dictionary, whose released ids may mean other values now; filters and groups are by name.
 * <p>
 * Bounds: a scan keeps at most {@link #limit(int)} groups, the most frequent ones, and puts the rest in
 * {@link #other()}, so its memory does not grow with the number of distinct values (one run or task per event is
 * common). With few groups it reads the journal once; when more groups turn up than it keeps, a first pass counts
 * them in bounded memory ({@link FrequentKeys}: the groups whose counts stand out by more than the events read /
 * (10 x limit) are found for sure) and a second pass gathers the analytics of the chosen ones, exactly. Grouped by
 * two keys, a pair of values is one group, under the same limit. A scan
 * ends with a {@link ScanStoppedException} once it has run for its time limit ({@link #timeLimitMs(long)}, 30 s by
 * default) or when the condition given to {@link #cancelWhen(BooleanSupplier)} turns true (its client went away),
 * checked every {@value #CHECK_EVERY} events; as it keeps the journal's cycle files from being deleted while it
 * reads, retention waits at most that long.
 * <p>
 * Threading: a scan runs on the calling thread with its own tailer, alongside the journal's writer. The builder
 * is not thread-safe; build one per query.
 */
public final class JournalScan {
    /** What to group by. */
    public enum GroupBy {
        MODEL(Dimension.MODEL), OPERATION(Dimension.OPERATION), PIPELINE(Dimension.PIPELINE), STEP(Dimension.STEP),
        RUN(Dimension.RUN), TASK(Dimension.TASK), CONFIG(Dimension.CONFIG), ERROR_TYPE(Dimension.ERROR_TYPE),
        PROVIDER(Dimension.PROVIDER), TOOL(Dimension.TOOL), AGENT(Dimension.AGENT), STATUS(null), TAG(Dimension.TAG_VALUE), NONE(null);

        private final Dimension dimension;

        GroupBy(final Dimension dimension) {
            this.dimension = dimension;
        }
    }

    /** Groups kept unless {@link #limit(int)} says otherwise. */
    public static final int DEFAULT_LIMIT = 1_000;
    /** The most groups a scan may keep. */
    public static final int MAX_LIMIT = 100_000;
    /** How long a scan may run unless {@link #timeLimitMs(long)} says otherwise. */
    public static final long DEFAULT_TIME_LIMIT_MS = 30_000;
    /** A time limit that never ends a scan: for a streamed export, which its client ends instead. */
    public static final long NO_TIME_LIMIT = Long.MAX_VALUE;
    /** Events between two looks at the clock and the cancel condition. */
    static final int CHECK_EVERY = 1_024;
    /** Counters of the first pass, per group kept. */
    private static final int COUNTERS_PER_GROUP = 10;
    private static final GroupKey[] NO_KEYS = {};
    /** The most keys a scan groups by. */
    public static final int MAX_KEYS = 2;

    private final EmbeddedStore store;
    private long fromMs;
    private long toMs = Long.MAX_VALUE;
    private EventFilter filter = new EventFilter();
    private GroupKey[] keys = NO_KEYS;
    private int limit = DEFAULT_LIMIT;
    private long timeLimitMs = DEFAULT_TIME_LIMIT_MS;
    private BooleanSupplier cancelled = () -> false;
    private long recordsRead;
    private long recordsUndecodable;
    private WindowStats other;
    private boolean twoPasses;
    private long deadlineNs;
    private long document = -1;
    private int sinceCheck;

    /**
     * @param store a store with a data directory.
     * @throws IllegalStateException if the store has no journal.
     */
    public JournalScan(final EmbeddedStore store) {
        if (store.journal() == null) {
            throw new IllegalStateException("the store has no data directory, so no journal to scan");
        }
        this.store = store;
    }

    /**
     * @param fromMs start, inclusive, epoch ms.
     * @param toMs   end, exclusive.
     * @return this.
     */
    public JournalScan between(final long fromMs, final long toMs) {
        this.fromMs = fromMs;
        this.toMs = toMs;
        return this;
    }

    /**
     * Keeps only the events whose dimension has this value (model, operation, pipeline, step, run, task, config,
     * errorType).
     *
     * @param dimension to filter on.
     * @param value     to keep; of a hashed field, the raw value or its hash.
     * @return this.
     */
    public JournalScan where(final Dimension dimension, final String value) {
        final String stored = store.config().anonymizer().lookupKey(dimension, value);   // a raw value: its hash
        filter.where(dimension, stored == null ? value : stored);
        return this;
    }

    /**
     * @param filter the events to keep, replacing any filter set before; read, not copied, when the scan runs.
     * @return this.
     */
    public JournalScan where(final EventFilter filter) {
        this.filter = filter;
        return this;
    }

    /**
     * @param key   of a tag the events must carry.
     * @param value of that tag.
     * @return this.
     */
    public JournalScan whereTag(final String key, final String value) {
        filter.whereTag(key, value);
        return this;
    }

    /**
     * @param status the events must have.
     * @return this.
     */
    public JournalScan whereStatus(final Status status) {
        filter.whereStatus(status);
        return this;
    }

    /**
     * @param groupBy the dimension to group by ({@link GroupBy#TAG} needs {@link #groupByTag(String)}).
     * @return this.
     */
    public JournalScan groupBy(final GroupBy groupBy) {
        this.keys = groupBy == GroupBy.NONE ? NO_KEYS
            : groupBy == GroupBy.STATUS ? new GroupKey[] {GroupKey.status()}
            : groupBy == GroupBy.TAG ? keys : new GroupKey[] {GroupKey.of(groupBy.dimension)};
        return this;
    }

    /**
     * @param keys none, one or two keys to group by; grouped by two, each pair of values is one group (read with
     *             {@link #runGroups()}).
     * @return this.
     */
    public JournalScan groupBy(final GroupKey... keys) {
        if (keys.length > MAX_KEYS) {
            throw new IllegalArgumentException("a scan groups by at most " + MAX_KEYS + " keys, not " + keys.length);
        }
        this.keys = keys.clone();
        return this;
    }

    /**
     * @param key of the tag whose values form the groups; events without the tag form the group "".
     * @return this.
     */
    public JournalScan groupByTag(final String key) {
        this.keys = new GroupKey[] {GroupKey.tag(key)};
        return this;
    }

    /**
     * @param groups the most groups to keep (1 to {@value #MAX_LIMIT}): the most frequent ones; the others are
     *               merged into {@link #other()}.
     * @return this.
     */
    public JournalScan limit(final int groups) {
        if (groups < 1 || groups > MAX_LIMIT) {
            throw new IllegalArgumentException("a scan keeps 1 to " + MAX_LIMIT + " groups, not " + groups);
        }
        this.limit = groups;
        return this;
    }

    /**
     * @param ms how long the scan may run, at least 1 ms.
     * @return this.
     */
    public JournalScan timeLimitMs(final long ms) {
        if (ms < 1) {
            throw new IllegalArgumentException("a scan's time limit must be at least 1 ms, not " + ms);
        }
        this.timeLimitMs = ms;
        return this;
    }

    /**
     * @param condition looked at every {@value #CHECK_EVERY} events, on the scanning thread; once true, the scan
     *                  ends with a {@link ScanStoppedException} (e.g. the client that asked for it has gone).
     * @return this.
     */
    public JournalScan cancelWhen(final BooleanSupplier condition) {
        this.cancelled = condition;
        return this;
    }

    /**
     * @return the analytics of the events of the groups the last {@link #run()} did not keep, or null if it kept
     * every group.
     */
    public WindowStats other() {
        return other;
    }

    /**
     * @return whether the last {@link #run()} met more groups than it keeps, and so read the journal twice.
     */
    public boolean twoPasses() {
        return twoPasses;
    }

    /**
     * @return the journal records read by the last {@link #run()} (by both passes when it took two).
     */
    public long recordsRead() {
        return recordsRead;
    }

    /**
     * @return the records the last {@link #run()} left out because it could not name one of their ids (a damaged
     * journal, or a cycle written before dictionary entries were journaled per cycle whose first use is gone).
     */
    public long recordsUndecodable() {
        return recordsUndecodable;
    }

    /**
     * Runs the scan.
     *
     * @return the analytics per group, by the group's value ("" for events without one; the single key "all"
     * without a group-by), at most {@link #limit(int)} groups, the largest first; the events of the others are in
     * {@link #other()}.
     * @throws ScanStoppedException if the scan passed its time limit or was cancelled.
     */
    public Map<String, WindowStats> run() {
        if (keys.length > 1) {
            throw new IllegalStateException("grouped by " + keys.length + " keys: read the groups with runGroups()");
        }
        final Map<String, WindowStats> out = new LinkedHashMap<>();
        for (final Map.Entry<Object, WindowStats> g : grouped()) {
            out.put((String)g.getKey(), g.getValue());
        }
        return out;
    }

    /**
     * Runs the scan, grouped by any number of keys up to {@value #MAX_KEYS}.
     *
     * @return the analytics per group, by the group's values ({@link GroupValues#second()} null when grouped by
     * fewer than two keys; the first "all" without a group-by), at most {@link #limit(int)} groups, the largest
     * first; the events of the others are in {@link #other()}.
     * @throws ScanStoppedException if the scan passed its time limit or was cancelled.
     */
    public Map<GroupValues, WindowStats> runGroups() {
        final Map<GroupValues, WindowStats> out = new LinkedHashMap<>();
        for (final Map.Entry<Object, WindowStats> g : grouped()) {
            final Object key = g.getKey();
            out.put(key instanceof GroupValues ? (GroupValues)key : new GroupValues((String)key, null), g.getValue());
        }
        return out;
    }

    /** @return the groups, the largest first: keyed by a String when grouped by fewer than two keys, else by pair. */
    private List<Map.Entry<Object, WindowStats>> grouped() {
        recordsRead = 0;
        recordsUndecodable = 0;
        other = null;
        twoPasses = false;
        deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeLimitMs);
        final Map<Object, WindowStats> groups = new LinkedHashMap<>();
        store.journal().whileCyclesKept(() -> group(groups));
        final List<Map.Entry<Object, WindowStats>> largest = new ArrayList<>(groups.entrySet());
        largest.sort((a, b) -> Long.compare(b.getValue().count(), a.getValue().count()));
        return largest;
    }

    /**
     * Reads every matching event once, in journal order, with its names, under the same filters, time limit and
     * cancel condition as {@link #run()}; keeps nothing.
     *
     * @param visitor told of each event; the event is reused, copy what it keeps.
     * @return the events visited.
     * @throws ScanStoppedException if the scan passed its time limit or was cancelled.
     */
    public long forEach(final EventVisitor visitor) {
        return forEach((WeightedEventVisitor)(event, weight) -> visitor.visit(event));
    }

    /**
     * As {@link #forEach(EventVisitor)}, with each event's sampling weight: the events it stands for (1, or the N of
     * the sampling rule it was kept under; docs/privacy.md).
     *
     * @param visitor told of each event and its weight; the event is reused, copy what it keeps.
     * @return the events visited.
     * @throws ScanStoppedException if the scan passed its time limit or was cancelled.
     */
    public long forEach(final WeightedEventVisitor visitor) {
        recordsRead = 0;
        recordsUndecodable = 0;
        deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeLimitMs);
        final long[] visited = new long[1];
        final dev.ringmeter.Event event = new dev.ringmeter.Event();
        store.journal().whileCyclesKept(() -> scan((names, e) -> {
            visitor.visit(names.toEvent(e, event), e.weight);
            visited[0]++;
        }));
        return visited[0];
    }

    /**
     * Told of each event a {@link #forEach} finds.
     */
    @FunctionalInterface
    public interface EventVisitor {
        /**
         * @param event the event, with its names as they were when it was recorded; reused for the next one.
         */
        void visit(dev.ringmeter.Event event);
    }

    /**
     * Told of each event a {@link #forEach(WeightedEventVisitor)} finds, with its sampling weight.
     */
    @FunctionalInterface
    public interface WeightedEventVisitor {
        /**
         * @param event  the event, with its names as they were when it was recorded; reused for the next one.
         * @param weight the events it stands for: 1, or N for an event kept 1 in N.
         */
        void visit(dev.ringmeter.Event event, int weight);
    }

    /**
     * Streams every matching event, in journal order, from a cursor to a visitor, keeping nothing: the read an
     * export makes, under the same filters and cancel condition as {@link #run()} (a time limit of
     * {@link #NO_TIME_LIMIT} suits it). Unlike {@link #forEach} it gives way to retention: it keeps the journal's
     * cycle files while it reads, but once a retention sweep has found them in use, at the next document it either
     * lets retention delete the cycles it has read past and reads on from where it was, or, if retention is due to
     * delete the cycle it is reading, ends with a {@link RetentionOvertookException} carrying the cursor to resume
     * from. So an export holds retention up for at most one sweep interval and one document.
     *
     * @param cursor  the journal index of the first document to deliver (what a previous stream returned or
     *                {@link RetentionOvertookException#cursor()}), or -1 to start at the range's start.
     * @param visitor told of each event and its sampling weight; the event is reused, copy what it keeps.
     * @return the cursor to read on from later: the index after the last document read (the cursor given if none).
     * @throws RetentionOvertookException if retention is due to delete, or deleted, records not yet delivered.
     * @throws ScanStoppedException       if the scan passed its time limit or was cancelled.
     */
    public long stream(final long cursor, final WeightedEventVisitor visitor) {
        recordsRead = 0;
        recordsUndecodable = 0;
        deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeLimitMs);
        final Journal journal = store.journal();
        final dev.ringmeter.Event event = new dev.ringmeter.Event();
        long from = cursor;
        while (true) {
            final long start = from;
            final long waits = journal.retentionWaits();
            final long[] next = {start};
            try {
                journal.whileCyclesKept(() -> next[0] = streamFrom(start, waits,
                    (names, e) -> visitor.visit(names.toEvent(e, event), e.weight)));
                return next[0];
            } catch (final GiveWay g) {
                journal.deleteWhatWaited();   // the cycles read past, now no scan of this one holds them
                from = g.cursor;
            }
        }
    }

    /**
     * @return during a {@link #stream}, the journal index of the document of the event being visited: a cursor
     * that resumes with that event's document (the events before it are all in earlier documents).
     */
    public long document() {
        return document;
    }

    /** Leaves a stream's read so that retention may delete the cycles it has read past. */
    private static final class GiveWay extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final long cursor;

        GiveWay(final long cursor) {
            super(null, null, false, false);
            this.cursor = cursor;
        }
    }

    /** One read of a stream, from a cursor, while no retention sweep waits for it. */
    private long streamFrom(final long start, final long waits, final Matched matched) {
        final StoreConfig config = store.config();
        final Journal journal = store.journal();
        final net.openhft.chronicle.queue.RollCycle roll = journal.rollCycle();
        final EventSlot slot = new EventSlot();
        final ScanNames names = new ScanNames(config.cardinalityLimits());
        try (ExcerptTailer tailer = journal.queue().createTailer()) {
            if (start >= 0 && !moveToCycleOf(journal, tailer, start)) {
                return start;
            }
            if (start < 0 && !journal.moveToTime(tailer, Math.max(0, fromMs - config.maxFutureSkewMs()))) {
                return start;
            }
            final long[] document = {Long.MIN_VALUE};
            final long[] read = journal.read(tailer, slot, names, e -> {
                if (e.journalIndex < start) {
                    return;   // delivered before the cursor: read for the names its cycle binds
                }
                if (e.journalIndex != document[0]) {
                    document[0] = e.journalIndex;
                    this.document = e.journalIndex;
                    if (journal.retentionWaits() != waits) {
                        giveWay(journal, roll, e.journalIndex);
                    }
                }
                if (++sinceCheck == CHECK_EVERY) {
                    sinceCheck = 0;
                    check();
                }
                if (e.kind == EventSlot.KIND_EVENT && e.timestampMs >= fromMs && e.timestampMs < toMs
                    && names.matches(e)) {
                    matched.on(names, e);
                }
            }, false);
            recordsRead += read[0];
            recordsUndecodable += read[2];
            return Math.max(start, read[1] + 1);
        }
    }

    /** Places a tailer at the start of a cursor's cycle (its names are bound there); false if nothing is after. */
    private static boolean moveToCycleOf(final Journal journal, final ExcerptTailer tailer, final long cursor) {
        final net.openhft.chronicle.queue.RollCycle roll = journal.rollCycle();
        final int cycle = roll.toCycle(cursor);
        if (cycle < journal.firstCycle()) {
            throw new RetentionOvertookException("retention deleted the journal cycle of cursor " + cursor
                + " (records older than the journal's retention): what was not delivered before it is lost", cursor,
                true);
        }
        final int last = journal.queue().lastCycle();
        for (int c = cycle; c <= last; c++) {
            if (tailer.moveToIndex(roll.toIndex(c, 0))) {
                return true;
            }
        }
        return false;
    }

    /** Ends the read at a document: with an error if retention is due to delete its cycle, else to give way. */
    private static void giveWay(final Journal journal, final net.openhft.chronicle.queue.RollCycle roll,
                                final long index) {
        if (journal.waitingThroughCycle() >= roll.toCycle(index)) {
            throw new RetentionOvertookException("retention is due to delete the journal cycle being exported "
                + "(records older than the journal's retention); resume from cursor " + index + " at once, or "
                + "export a later range", index, false);
        }
        throw new GiveWay(index);
    }

    /**
     * Groups the matching events: in one pass while the groups fit the limit, else in two (count, then gather the
     * most frequent).
     */
    private void group(final Map<Object, WindowStats> groups) {
        final long now = store.config().clock().time();
        final FrequentKeys<Object> counts = new FrequentKeys<>(Math.max(1_000, COUNTERS_PER_GROUP * limit));
        final boolean[] overflow = new boolean[1];
        scan((names, e) -> {
            final Object group = names.groupOf(e);
            counts.add(group);
            final WindowStats stats = groups.get(group);
            if (stats != null) {
                add(stats, e);
            } else if (groups.size() < limit) {
                add(newStats(groups, group, now), e);
            } else {
                overflow[0] = true;
            }
        });
        if (!overflow[0]) {
            return;
        }
        twoPasses = true;
        final Set<Object> kept = new HashSet<>(counts.top(limit));
        groups.clear();
        for (final Object group : kept) {
            newStats(groups, group, now);
        }
        final WindowStats rest = store.aggregates().newWindowStats();
        rest.begin(store.dictionary(), null, fromMs, toMs, now);
        scan((names, e) -> {
            final WindowStats stats = groups.get(names.groupOf(e));
            add(stats != null ? stats : rest, e);
        });
        groups.values().removeIf(stats -> stats.count() == 0);
        other = rest.count() == 0 ? null : rest;
    }

    /** Sums an event into a group: its measures once, its count by its sampling weight. */
    private static void add(final WindowStats stats, final EventSlot e) {
        stats.sum.add(e);
        stats.weigh(e.weight);
    }

    private WindowStats newStats(final Map<Object, WindowStats> groups, final Object group, final long now) {
        final WindowStats stats = store.aggregates().newWindowStats();
        stats.begin(store.dictionary(), null, fromMs, toMs, now);
        groups.put(group, stats);
        return stats;
    }

    /** Told of each matching event of a pass, with the scan's decoder. */
    private interface Matched {
        void on(ScanNames names, EventSlot event);
    }

    /** One pass over the journal from the cycle that holds the range's start. */
    private void scan(final Matched matched) {
        final StoreConfig config = store.config();
        final Journal journal = store.journal();
        final EventSlot slot = new EventSlot();
        final ScanNames names = new ScanNames(config.cardinalityLimits());
        try (ExcerptTailer tailer = journal.queue().createTailer()) {
            if (!journal.moveToTime(tailer, Math.max(0, fromMs - config.maxFutureSkewMs()))) {
                return;
            }
            final long[] read = journal.read(tailer, slot, names, e -> {
                if (++sinceCheck == CHECK_EVERY) {
                    sinceCheck = 0;
                    check();
                }
                if (e.kind == EventSlot.KIND_EVENT && e.timestampMs >= fromMs && e.timestampMs < toMs
                    && names.matches(e)) {
                    matched.on(names, e);
                }
            }, false);
            recordsRead += read[0];
            recordsUndecodable += read[2];
        }
    }

    private void check() {
        if (timeLimitMs != NO_TIME_LIMIT && System.nanoTime() - deadlineNs > 0) {
            throw new ScanStoppedException("the scan passed its time limit of " + timeLimitMs + " ms after reading "
                + recordsRead + " records; narrow its time range or filters", true);
        }
        if (cancelled.getAsBoolean()) {
            throw new ScanStoppedException("the scan was cancelled", false);
        }
    }

    /**
     * The scan's own decoder: the names the dictionary records it has read give each id, so an old record is named
     * as it was when written, whatever the id means in the store now. Filters and the tag key of a group-by are
     * matched by name, through a flag per id set as the records bind it. Records of version 1 (written before
     * dictionary entries were journaled per cycle) whose pinned ids (model, error type, quality name) the scan has
     * not met fall back to the store's dictionary, where those ids never change.
     */
    private final class ScanNames implements RecordNames {
        /** By dimension: the largest id. */
        private final int[] limits;
        private final String[][] names = new String[Dimension.VALUES.length][];
        /** By dimension, for a filtered one: whether each id means the filter's value. */
        private final boolean[][] matching = new boolean[Dimension.VALUES.length][];
        /** By key of the group-by, for a tag key: whether each tag key id is that key. */
        private final boolean[][] groupKey = {new boolean[16], new boolean[16]};
        private boolean[] filterKey = new boolean[16];
        /** By dimension ordinal, a copy of the filter's values. */
        private final String[] filterValues = new String[Dimension.VALUES.length];
        private final String filterTagKey = filter.tagKey();
        private final String filterTagValue = filter.tagValue();
        private final int filterStatus = filter.status();
        private final GroupKey[] groupKeys = keys;

        ScanNames(final int[] limits) {
            this.limits = limits.clone();
            for (final Dimension d : Dimension.VALUES) {
                this.limits[d.ordinal()] = Dictionary.idLimit(d, limits[d.ordinal()]);
            }
            for (int d = 0; d < names.length; d++) {
                names[d] = new String[16];
                matching[d] = new boolean[16];
                filterValues[d] = filter.value(Dimension.VALUES[d]);
            }
        }

        @Override
        public boolean bind(final Dimension dimension, final int id, final String name) {
            final int d = dimension.ordinal();
            if (id <= 0 || id > limits[d]) {
                return false;
            }
            if (id >= names[d].length) {
                final int length = (int)Math.min(limits[d] + 1L, Math.max(id + 1L, names[d].length * 2L));
                names[d] = java.util.Arrays.copyOf(names[d], length);
                matching[d] = java.util.Arrays.copyOf(matching[d], length);
            }
            names[d][id] = name;
            final String tagFilter = dimension == Dimension.TAG_VALUE ? filterTagValue : filterValues[d];
            matching[d][id] = name.equals(tagFilter);
            if (dimension == Dimension.TAG_KEY) {
                if (id >= filterKey.length) {
                    filterKey = java.util.Arrays.copyOf(filterKey, names[d].length);
                }
                filterKey[id] = name.equals(filterTagKey);
                for (int k = 0; k < groupKeys.length; k++) {
                    if (id >= groupKey[k].length) {
                        groupKey[k] = java.util.Arrays.copyOf(groupKey[k], names[d].length);
                    }
                    groupKey[k][id] = name.equals(groupKeys[k].tagKey());
                }
            }
            return true;
        }

        @Override
        public boolean knows(final Dimension dimension, final int id, final int version) {
            final int d = dimension.ordinal();
            if (id > 0 && id < names[d].length && names[d][id] != null) {
                return true;
            }
            if (version == JournalDescriptor.VERSION_1 && !dimension.released() && !dimension.formerlyReleased()
                && store.dictionary().knows(dimension, id)) {
                bind(dimension, id, store.dictionary().name(dimension, id));
                return true;
            }
            return false;
        }

        private boolean is(final Dimension dimension, final int id) {
            final boolean[] m = matching[dimension.ordinal()];
            return id > 0 && id < m.length && m[id];
        }

        boolean matches(final EventSlot e) {
            for (final Dimension d : Dimension.EVENT_FIELDS) {
                if (filterValues[d.ordinal()] != null && !is(d, JournalDescriptor.idOf(e, d))) {
                    return false;
                }
            }
            return (filterStatus < 0 || filterStatus == e.status) && (filterTagKey == null || hasTag(e));
        }

        private boolean hasTag(final EventSlot e) {
            for (int i = 0; i < e.tagCount; i++) {
                final int key = e.tagKeys[i];
                if (key < filterKey.length && filterKey[key] && is(Dimension.TAG_VALUE, e.tagValues[i])) {
                    return true;
                }
            }
            return false;
        }

        /** @return the event's group: "all" without keys, its value for one key, its pair of values for two. */
        Object groupOf(final EventSlot e) {
            switch (groupKeys.length) {
                case 0:
                    return "all";
                case 1:
                    return valueOf(0, e);
                default:
                    return new GroupValues(valueOf(0, e), valueOf(1, e));
            }
        }

        private String valueOf(final int k, final EventSlot e) {
            final GroupKey key = groupKeys[k];
            if (key.isStatus()) {
                return GroupKey.statusName(e.status);
            }
            if (key.dimension() != null) {
                return name(key.dimension(), JournalDescriptor.idOf(e, key.dimension()));
            }
            final boolean[] isKey = groupKey[k];
            for (int i = 0; i < e.tagCount; i++) {
                final int tag = e.tagKeys[i];
                if (tag < isKey.length && isKey[tag]) {
                    return name(Dimension.TAG_VALUE, e.tagValues[i]);
                }
            }
            return "";
        }

        /** Fills an event with a record's values and names. */
        dev.ringmeter.Event toEvent(final EventSlot e, final dev.ringmeter.Event into) {
            into.reset().timestampMs(e.timestampMs).model(name(Dimension.MODEL, e.model))
                .operation(nameOrNull(Dimension.OPERATION, e.operation))
                .pipeline(nameOrNull(Dimension.PIPELINE, e.pipeline)).step(nameOrNull(Dimension.STEP, e.step))
                .run(nameOrNull(Dimension.RUN, e.run)).task(nameOrNull(Dimension.TASK, e.task))
                .config(nameOrNull(Dimension.CONFIG, e.config)).errorType(nameOrNull(Dimension.ERROR_TYPE, e.errorType))
                .provider(nameOrNull(Dimension.PROVIDER, e.provider)).tool(nameOrNull(Dimension.TOOL, e.tool))
                .agent(nameOrNull(Dimension.AGENT, e.agent))
                .status(Status.of(e.status)).cache(dev.ringmeter.CacheResult.of(e.cache)).retries(e.retries);
            // the measures an event did not carry are Event.NONE in the journal, as in the event
            if (e.latencyNs != dev.ringmeter.Event.NONE) {
                into.latencyNs(e.latencyNs);
            }
            if (e.ttftNs != dev.ringmeter.Event.NONE) {
                into.ttftNs(e.ttftNs);
            }
            if (e.queueWaitNs != dev.ringmeter.Event.NONE) {
                into.queueWaitNs(e.queueWaitNs);
            }
            if (e.promptTokens != dev.ringmeter.Event.NONE) {
                into.promptTokens(e.promptTokens);
            }
            if (e.completionTokens != dev.ringmeter.Event.NONE) {
                into.completionTokens(e.completionTokens);
            }
            if (e.cachedTokens != dev.ringmeter.Event.NONE) {
                into.cachedTokens(e.cachedTokens);
            }
            if (e.cacheWriteTokens != dev.ringmeter.Event.NONE) {
                into.cacheWriteTokens(e.cacheWriteTokens);
            }
            if (e.reasoningTokens != dev.ringmeter.Event.NONE) {
                into.reasoningTokens(e.reasoningTokens);
            }
            if (e.memoryBytes != dev.ringmeter.Event.NONE) {
                into.memoryBytes(e.memoryBytes);
            }
            if (e.cpuNs != dev.ringmeter.Event.NONE) {
                into.cpuNs(e.cpuNs);
            }
            if (!Double.isNaN(e.costUsd)) {
                into.costUsd(e.costUsd);   // the effective cost: the caller's, else priced when recorded
            }
            for (int i = 0; i < e.tagCount; i++) {
                into.tag(name(Dimension.TAG_KEY, e.tagKeys[i]), name(Dimension.TAG_VALUE, e.tagValues[i]));
            }
            for (int i = 0; i < e.qualityCount; i++) {
                into.quality(name(Dimension.QUALITY_NAME, e.qualityNames[i]), e.qualityValues[i]);
            }
            return into;
        }

        private String nameOrNull(final Dimension dimension, final int id) {
            return id == 0 ? null : name(dimension, id);
        }

        private String name(final Dimension dimension, final int id) {
            final String[] n = names[dimension.ordinal()];
            return id > 0 && id < n.length && n[id] != null ? n[id] : "";
        }
    }
}
