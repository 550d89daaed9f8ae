package dev.ringmeter.core.journal;

import dev.ringmeter.Status;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.dictionary.Dictionary;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.core.ingest.EventSlot;
import dev.ringmeter.core.query.WindowStats;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.IntArrayList;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An ad hoc query over the journal: the events of a time range that match a filter, grouped by one dimension,
 * each group with the same analytics as a windowed query. This is what group-by, compare and export use for the
 * dimensions the live aggregates do not keep (pipeline, step, run, task, configuration, tags).
 * <p>
 * The scan reads the journal sequentially from the cycle that holds the range's start (less the accepted clock
 * skew) to its end, since a late event may be journaled after the range; its cost grows with the records read,
 * at millions per second. It reuses one slot and one accumulator per group.
 * <p>
 * Threading: a scan runs on the calling thread with its own tailer, alongside the journal's writer. The builder
 * is not thread-safe; build one per query.
 */
public final class JournalScan {
    /** What to group by. */
    public enum GroupBy {
        MODEL(Dimension.MODEL), OPERATION(Dimension.OPERATION), PIPELINE(Dimension.PIPELINE), STEP(Dimension.STEP),
        RUN(Dimension.RUN), TASK(Dimension.TASK), CONFIG(Dimension.CONFIG), ERROR_TYPE(Dimension.ERROR_TYPE),
        STATUS(null), TAG(Dimension.TAG_VALUE), NONE(null);

        private final Dimension dimension;

        GroupBy(final Dimension dimension) {
            this.dimension = dimension;
        }
    }

    private final EmbeddedStore store;
    private long fromMs;
    private long toMs = Long.MAX_VALUE;
    private final int[] filterIds = new int[Dimension.VALUES.length];
    private int filterTagKey;
    private int filterTagValue;
    private int filterStatus = -1;
    private boolean impossible;
    private GroupBy groupBy = GroupBy.NONE;
    private int groupTagKey;
    private long recordsRead;

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
     * @param value     to keep.
     * @return this.
     */
    public JournalScan where(final Dimension dimension, final String value) {
        final int id = store.dictionary().find(dimension, value);
        impossible |= id == 0;
        filterIds[dimension.ordinal()] = id;
        return this;
    }

    /**
     * @param key   of a tag the events must carry.
     * @param value of that tag.
     * @return this.
     */
    public JournalScan whereTag(final String key, final String value) {
        filterTagKey = store.dictionary().find(Dimension.TAG_KEY, key);
        filterTagValue = store.dictionary().find(Dimension.TAG_VALUE, value);
        impossible |= filterTagKey == 0 || filterTagValue == 0;
        return this;
    }

    /**
     * @param status the events must have.
     * @return this.
     */
    public JournalScan whereStatus(final Status status) {
        filterStatus = status.ordinal();
        return this;
    }

    /**
     * @param groupBy the dimension to group by ({@link GroupBy#TAG} needs {@link #groupByTag(String)}).
     * @return this.
     */
    public JournalScan groupBy(final GroupBy groupBy) {
        this.groupBy = groupBy;
        return this;
    }

    /**
     * @param key of the tag whose values form the groups; events without the tag form the group "".
     * @return this.
     */
    public JournalScan groupByTag(final String key) {
        this.groupBy = GroupBy.TAG;
        this.groupTagKey = store.dictionary().find(Dimension.TAG_KEY, key);
        return this;
    }

    /**
     * @return the journal records read by the last {@link #run()}.
     */
    public long recordsRead() {
        return recordsRead;
    }

    /**
     * Runs the scan.
     *
     * @return the analytics per group, by the group's value ("" for events without one; the single key "all"
     * without a group-by), in the order the groups were first seen.
     */
    public Map<String, WindowStats> run() {
        final Int2ObjectHashMap<WindowStats> byId = new Int2ObjectHashMap<>();
        final IntArrayList order = new IntArrayList();
        recordsRead = 0;
        if (!impossible) {
            store.journal().whileCyclesKept(() -> scan(byId, order));
        }
        final Map<String, WindowStats> out = new LinkedHashMap<>();
        for (int i = 0; i < order.size(); i++) {
            out.put(groupName(order.getInt(i)), byId.get(order.getInt(i)));
        }
        return out;
    }

    private void scan(final Int2ObjectHashMap<WindowStats> groups, final IntArrayList order) {
        final StoreConfig config = store.config();
        final Journal journal = store.journal();
        final RollCycle rollCycle = net.openhft.chronicle.queue.RollCycles.valueOf(config.journalRollCycle());
        final EventSlot slot = new EventSlot();
        final Dictionary dictionary = store.dictionary();
        final long now = config.clock().time();
        try (ExcerptTailer tailer = journal.queue().createTailer()) {
            final long startMs = Math.max(0, fromMs - config.maxFutureSkewMs());
            final int startCycle = (int)(startMs / rollCycle.lengthInMillis());
            if (startCycle > journal.queue().firstCycle()) {
                final int last = journal.queue().lastCycle();
                boolean placed = false;
                for (int c = startCycle; c <= last && !placed; c++) {
                    placed = tailer.moveToIndex(rollCycle.toIndex(c, 0));
                }
                if (!placed) {
                    return;
                }
            } else {
                tailer.toStart();
            }
            recordsRead = Journal.read(tailer, slot, dictionary, e -> {
                if (e.kind == EventSlot.KIND_EVENT && e.timestampMs >= fromMs && e.timestampMs < toMs && matches(e)) {
                    add(groups, order, groupOf(e), e, now);
                }
            })[0];
        }
    }

    private void add(final Int2ObjectHashMap<WindowStats> groups, final IntArrayList order, final int group,
                     final EventSlot slot, final long now) {
        WindowStats stats = groups.get(group);
        if (stats == null) {
            stats = store.aggregates().newWindowStats();
            stats.begin(store.dictionary(), null, fromMs, toMs, now);
            groups.put(group, stats);
            order.addInt(group);
        }
        stats.sum.add(slot);
    }

    private boolean matches(final EventSlot e) {
        final int[] f = filterIds;
        return (f[0] == 0 || f[0] == e.model)
            && (f[1] == 0 || f[1] == e.operation)
            && (f[2] == 0 || f[2] == e.pipeline)
            && (f[3] == 0 || f[3] == e.step)
            && (f[4] == 0 || f[4] == e.run)
            && (f[5] == 0 || f[5] == e.task)
            && (f[6] == 0 || f[6] == e.config)
            && (f[7] == 0 || f[7] == e.errorType)
            && (filterStatus < 0 || filterStatus == e.status)
            && (filterTagKey == 0 || e.hasTag(filterTagKey, filterTagValue));
    }

    private int groupOf(final EventSlot e) {
        switch (groupBy) {
            case MODEL:
                return e.model;
            case OPERATION:
                return e.operation;
            case PIPELINE:
                return e.pipeline;
            case STEP:
                return e.step;
            case RUN:
                return e.run;
            case TASK:
                return e.task;
            case CONFIG:
                return e.config;
            case ERROR_TYPE:
                return e.errorType;
            case STATUS:
                return e.status;
            case TAG:
                for (int i = 0; i < e.tagCount; i++) {
                    if (e.tagKeys[i] == groupTagKey) {
                        return e.tagValues[i];
                    }
                }
                return 0;
            default:
                return 0;
        }
    }

    private String groupName(final int id) {
        if (groupBy == GroupBy.NONE) {
            return "all";
        }
        if (groupBy == GroupBy.STATUS) {
            return Status.of(id).name().toLowerCase(java.util.Locale.ROOT);
        }
        final String name = store.dictionary().name(groupBy.dimension, id);
        return name == null ? "" : name;
    }
}
