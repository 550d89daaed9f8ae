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

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An ad hoc query over the journal: the events of a time range that match a filter, grouped by one dimension,
 * each group with the same analytics as a windowed query. This is what group-by, compare and export use for the
 * dimensions the live aggregates do not keep (pipeline, step, run, task, configuration, tags).
 * <p>
 * The scan reads the journal sequentially from the cycle that holds the range's start (less the accepted clock
 * skew) to its end, since a late event may be journaled after the range; its cost grows with the records read,
 * at millions per second. It reuses one slot and one accumulator per group. It names ids with a decoder of its
 * own, fed by the dictionary records it reads (every cycle starts with those of the ids it uses), never with the
 * store's dictionary, whose released ids may mean other values now; filters and groups are by name.
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

    private static final String[] STATUS_NAMES = new String[Status.values().length];

    static {
        for (final Status s : Status.values()) {
            STATUS_NAMES[s.ordinal()] = s.name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final EmbeddedStore store;
    private long fromMs;
    private long toMs = Long.MAX_VALUE;
    /** By dimension ordinal: the value events must have, or null. */
    private final String[] filterValues = new String[Dimension.VALUES.length];
    private String filterTagKey;
    private String filterTagValue;
    private int filterStatus = -1;
    private GroupBy groupBy = GroupBy.NONE;
    private String groupTagKey;
    private long recordsRead;
    private long recordsUndecodable;

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
        filterValues[dimension.ordinal()] = value;
        return this;
    }

    /**
     * @param key   of a tag the events must carry.
     * @param value of that tag.
     * @return this.
     */
    public JournalScan whereTag(final String key, final String value) {
        filterTagKey = key;
        filterTagValue = value;
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
        this.groupTagKey = key;
        return this;
    }

    /**
     * @return the journal records read by the last {@link #run()}.
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
     * without a group-by), in the order the groups were first seen.
     */
    public Map<String, WindowStats> run() {
        final Map<String, WindowStats> groups = new LinkedHashMap<>();
        recordsRead = 0;
        recordsUndecodable = 0;
        store.journal().whileCyclesKept(() -> scan(groups));
        return groups;
    }

    private void scan(final Map<String, WindowStats> groups) {
        final StoreConfig config = store.config();
        final Journal journal = store.journal();
        final RollCycle rollCycle = journal.rollCycle();
        final EventSlot slot = new EventSlot();
        final ScanNames names = new ScanNames(config.cardinalityLimits());
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
            final long[] read = journal.read(tailer, slot, names, e -> {
                if (e.kind == EventSlot.KIND_EVENT && e.timestampMs >= fromMs && e.timestampMs < toMs
                    && names.matches(e)) {
                    add(groups, names.groupOf(e), e, now);
                }
            }, false);
            recordsRead = read[0];
            recordsUndecodable = read[2];
        }
    }

    private void add(final Map<String, WindowStats> groups, final String group, final EventSlot slot,
                     final long now) {
        WindowStats stats = groups.get(group);
        if (stats == null) {
            stats = store.aggregates().newWindowStats();
            stats.begin(store.dictionary(), null, fromMs, toMs, now);
            groups.put(group, stats);
        }
        stats.sum.add(slot);
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
        private boolean[] groupKey = new boolean[16];
        private boolean[] filterKey = new boolean[16];

        ScanNames(final int[] limits) {
            this.limits = limits.clone();
            for (final Dimension d : Dimension.VALUES) {
                this.limits[d.ordinal()] = Dictionary.idLimit(d, limits[d.ordinal()]);
            }
            for (int d = 0; d < names.length; d++) {
                names[d] = new String[16];
                matching[d] = new boolean[16];
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
                if (id >= groupKey.length) {
                    groupKey = java.util.Arrays.copyOf(groupKey, names[d].length);
                    filterKey = java.util.Arrays.copyOf(filterKey, names[d].length);
                }
                groupKey[id] = name.equals(groupTagKey);
                filterKey[id] = name.equals(filterTagKey);
            }
            return true;
        }

        @Override
        public boolean knows(final Dimension dimension, final int id, final int version) {
            final int d = dimension.ordinal();
            if (id > 0 && id < names[d].length && names[d][id] != null) {
                return true;
            }
            if (version == JournalDescriptor.VERSION_1 && !dimension.released()
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
            final String[] f = filterValues;
            return (f[0] == null || is(Dimension.MODEL, e.model))
                && (f[1] == null || is(Dimension.OPERATION, e.operation))
                && (f[2] == null || is(Dimension.PIPELINE, e.pipeline))
                && (f[3] == null || is(Dimension.STEP, e.step))
                && (f[4] == null || is(Dimension.RUN, e.run))
                && (f[5] == null || is(Dimension.TASK, e.task))
                && (f[6] == null || is(Dimension.CONFIG, e.config))
                && (f[7] == null || is(Dimension.ERROR_TYPE, e.errorType))
                && (filterStatus < 0 || filterStatus == e.status)
                && (filterTagKey == null || hasTag(e));
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

        String groupOf(final EventSlot e) {
            switch (groupBy) {
                case NONE:
                    return "all";
                case STATUS:
                    return STATUS_NAMES[Status.of(e.status).ordinal()];
                case TAG:
                    for (int i = 0; i < e.tagCount; i++) {
                        final int key = e.tagKeys[i];
                        if (key < groupKey.length && groupKey[key]) {
                            return name(Dimension.TAG_VALUE, e.tagValues[i]);
                        }
                    }
                    return "";
                default:
                    return name(groupBy.dimension, JournalDescriptor.idOf(e, groupBy.dimension));
            }
        }

        private String name(final Dimension dimension, final int id) {
            final String[] n = names[dimension.ordinal()];
            return id > 0 && id < n.length && n[id] != null ? n[id] : "";
        }
    }
}
