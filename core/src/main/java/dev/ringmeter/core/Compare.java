package dev.ringmeter.core;

import dev.ringmeter.Status;
import dev.ringmeter.core.aggregate.Aggregates;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.core.journal.JournalScan;
import dev.ringmeter.core.journal.ScanStoppedException;
import dev.ringmeter.core.query.Comparison;
import dev.ringmeter.core.query.Comparison.Source;
import dev.ringmeter.core.query.EventFilter;
import dev.ringmeter.core.query.GroupKey;
import dev.ringmeter.core.query.GroupValues;
import dev.ringmeter.core.query.MemoryComparison;
import dev.ringmeter.core.query.Metric;
import dev.ringmeter.core.query.WindowStats;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * A comparison of groups of events: grouped by up to two keys (a field, the status or a tag), filtered, over a time
 * range, sorted by a metric and cut to the top N. The one entry of the embedded API and of the server's
 * {@code /api/v1/compare}, for the in-memory and the durable store alike:
 * <pre>
 *  store.compare().by(GroupKey.of(MODEL), GroupKey.of(CONFIG)).between(from, to).where(STEP, "answer")
 *      .sortBy(Metric.P95).limit(10).run()
 * </pre>
 * Where it is answered ({@link #source}): from the in-memory combinations (see {@code Aggregates.compare}) when
 * they cover the request (every key and filter is kept in memory, i.e. neither is run or task, and the range starts
 * within their buckets, the last day), otherwise by a journal scan; a store without a journal answers from memory
 * only, over what its buckets cover. The answer names its source and the span it covered.
 * <p>
 * Threading: a builder for one query on one thread; {@link #run()} runs on the calling thread.
 */
public final class Compare {
    /** Groups an answer holds unless {@link #limit(int)} says otherwise. */
    public static final int DEFAULT_LIMIT = 100;

    private final EmbeddedStore store;
    private GroupKey[] keys = {};
    private long fromMs;
    private long toMs = Long.MAX_VALUE;
    private EventFilter filter = new EventFilter();
    private Metric sortBy = Metric.COUNT;
    private boolean descending = true;
    private int limit = DEFAULT_LIMIT;
    private int scanGroups = JournalScan.DEFAULT_LIMIT;
    private Source source = Source.AUTO;
    private long timeLimitMs = JournalScan.DEFAULT_TIME_LIMIT_MS;
    private BooleanSupplier cancelled = () -> false;
    private GroupValues baseline;

    Compare(final EmbeddedStore store) {
        this.store = store;
    }

    /**
     * @param keys up to two keys to group by; none for all events as one group.
     * @return this.
     */
    public Compare by(final GroupKey... keys) {
        if (keys.length > JournalScan.MAX_KEYS) {
            throw new IllegalArgumentException("a comparison groups by at most " + JournalScan.MAX_KEYS
                + " keys, not " + keys.length);
        }
        this.keys = keys.clone();
        return this;
    }

    /**
     * @param dimensions up to two event fields to group by.
     * @return this.
     */
    public Compare by(final Dimension... dimensions) {
        final GroupKey[] k = new GroupKey[dimensions.length];
        for (int i = 0; i < k.length; i++) {
            k[i] = GroupKey.of(dimensions[i]);
        }
        return by(k);
    }

    /**
     * @param fromMs start, inclusive, epoch ms.
     * @param toMs   end, exclusive.
     * @return this.
     */
    public Compare between(final long fromMs, final long toMs) {
        if (toMs <= fromMs) {
            throw new IllegalArgumentException("the range must end after it starts");
        }
        this.fromMs = fromMs;
        this.toMs = toMs;
        return this;
    }

    /**
     * @param dimension an event field.
     * @param value     the value events must have.
     * @return this.
     */
    public Compare where(final Dimension dimension, final String value) {
        filter.where(dimension, value);
        return this;
    }

    /**
     * @param status the status events must have.
     * @return this.
     */
    public Compare whereStatus(final Status status) {
        filter.whereStatus(status);
        return this;
    }

    /**
     * @param key   of a tag events must carry.
     * @param value of that tag.
     * @return this.
     */
    public Compare whereTag(final String key, final String value) {
        filter.whereTag(key, value);
        return this;
    }

    /**
     * @param filter the events to keep, replacing the filters set so far.
     * @return this.
     */
    public Compare where(final EventFilter filter) {
        this.filter = filter;
        return this;
    }

    /**
     * @param metric to sort the groups by; {@link Metric#COUNT} unless said.
     * @return this.
     */
    public Compare sortBy(final Metric metric) {
        this.sortBy = metric;
        return this;
    }

    /**
     * @param descending true (the default) for the largest first; groups without a value (NaN) come last either way.
     * @return this.
     */
    public Compare descending(final boolean descending) {
        this.descending = descending;
        return this;
    }

    /**
     * @param n the most groups to return (the top N by the sort), 1 to {@link JournalScan#MAX_LIMIT}.
     * @return this.
     */
    public Compare limit(final int n) {
        if (n < 1 || n > JournalScan.MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be 1 to " + JournalScan.MAX_LIMIT + ", not " + n);
        }
        this.limit = n;
        return this;
    }

    /**
     * @param n the most groups a scan keeps (the most frequent; see {@link JournalScan#limit(int)}).
     * @return this.
     */
    public Compare scanGroups(final int n) {
        this.scanGroups = n;
        return this;
    }

    /**
     * @param source where to answer from; {@link Source#AUTO} unless said.
     * @return this.
     */
    public Compare source(final Source source) {
        this.source = source;
        return this;
    }

    /**
     * @param ms how long a scan may run.
     * @return this.
     */
    public Compare timeLimitMs(final long ms) {
        this.timeLimitMs = ms;
        return this;
    }

    /**
     * @param condition once true, a scan ends with a {@link ScanStoppedException}.
     * @return this.
     */
    public Compare cancelWhen(final BooleanSupplier condition) {
        this.cancelled = condition;
        return this;
    }

    /**
     * @param values the values of the group to find among all groups, whether or not it makes the top N; the
     *               answer's {@link Comparison#baseline()}.
     * @return this.
     */
    public Compare baseline(final GroupValues values) {
        this.baseline = values;
        return this;
    }

    /**
     * @return the source {@link #run()} will use: memory or scan.
     * @throws IllegalArgumentException if the source asked for cannot answer (memory: a key or filter it does not keep;
     *                                  scan: a store without a journal), naming why.
     */
    public Source resolvedSource() {
        final Aggregates aggregates = store.aggregates();
        final String missing = Aggregates.notInMemory(keys, filter);
        final boolean journal = store.journal() != null;
        switch (source) {
            case SCAN:
                if (!journal) {
                    throw new IllegalArgumentException("source scan needs a durable store: this store has no journal");
                }
                return Source.SCAN;
            case MEMORY:
                if (missing != null) {
                    throw new IllegalArgumentException("'" + missing + "' is not kept in memory (run and task are "
                        + "unbounded): use source scan on a durable store");
                }
                return Source.MEMORY;
            default:
                if (!journal) {
                    if (missing != null) {
                        throw new IllegalArgumentException("'" + missing + "' is not kept in memory (run and task are "
                            + "unbounded) and this store has no journal to scan");
                    }
                    return Source.MEMORY;
                }
                return missing == null && aggregates.inMemoryRange(fromMs) ? Source.MEMORY : Source.SCAN;
        }
    }

    /**
     * Runs the comparison.
     *
     * @return the groups, sorted and cut to the limit, with the source and the span covered.
     * @throws IllegalArgumentException if the source asked for cannot answer.
     * @throws ScanStoppedException     if a scan passed its time limit or was cancelled.
     */
    public Comparison run() {
        final Source used = resolvedSource();
        final List<Comparison.Group> groups = new ArrayList<>();
        final WindowStats other;
        final long coveredFrom;
        final long coveredTo;
        final boolean incomplete;
        long records = 0;
        boolean twoPasses = false;
        if (used == Source.MEMORY) {
            final MemoryComparison m = store.aggregates().compare(keys, filter, fromMs, toMs);
            for (final Map.Entry<GroupValues, WindowStats> g : m.groups().entrySet()) {
                groups.add(new Comparison.Group(g.getKey(), g.getValue()));
            }
            other = m.other();
            coveredFrom = m.coveredFromMs();
            coveredTo = m.coveredToMs();
            incomplete = m.incomplete() || !m.rangeKept();
        } else {
            final JournalScan scan = new JournalScan(store).between(fromMs, toMs).where(filter).groupBy(keys)
                .limit(scanGroups).timeLimitMs(timeLimitMs).cancelWhen(cancelled);
            for (final Map.Entry<GroupValues, WindowStats> g : scan.runGroups().entrySet()) {
                groups.add(new Comparison.Group(g.getKey(), g.getValue()));
            }
            other = scan.other();
            coveredFrom = fromMs;
            coveredTo = toMs;
            incomplete = false;
            records = scan.recordsRead();
            twoPasses = scan.twoPasses();
        }
        groups.sort(order());
        Comparison.Group base = null;
        for (final Comparison.Group g : groups) {
            if (g.values().equals(baseline)) {
                base = g;
            }
        }
        final int count = groups.size();
        final List<Comparison.Group> top = count > limit ? new ArrayList<>(groups.subList(0, limit)) : groups;
        return new Comparison(List.of(keys), used, fromMs, toMs, coveredFrom, coveredTo, top, count, other,
            incomplete, records, twoPasses, base);
    }

    /** The sort: by the metric (NaN last), then the larger group, then the values, so equal metrics keep an order. */
    private Comparator<Comparison.Group> order() {
        final Metric metric = sortBy;
        final int sign = descending ? -1 : 1;
        return (a, b) -> {
            final double x = metric.of(a.stats());
            final double y = metric.of(b.stats());
            final boolean xNaN = Double.isNaN(x);
            final boolean yNaN = Double.isNaN(y);
            if (xNaN != yNaN) {
                return xNaN ? 1 : -1;
            }
            final int byMetric = xNaN ? 0 : sign * Double.compare(x, y);
            if (byMetric != 0) {
                return byMetric;
            }
            final int byCount = Long.compare(b.stats().count(), a.stats().count());
            if (byCount != 0) {
                return byCount;
            }
            final int first = a.values().first().compareTo(b.values().first());
            return first != 0 || a.values().second() == null ? first
                : a.values().second().compareTo(b.values().second());
        };
    }
}
