package dev.ringmeter.core.aggregate;

import dev.ringmeter.Event;
import dev.ringmeter.core.dictionary.Dictionary;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.core.query.Series;
import dev.ringmeter.core.query.SeriesMetric;
import dev.ringmeter.core.query.Subject;
import dev.ringmeter.core.query.WindowStats;
import org.agrona.concurrent.EpochClock;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The read side of the aggregates: windowed analytics of a model, of all models, of another subject (a pipeline,
 * pipeline step, tool or agent) or of a custom metric, time series, recent events and the names that have data. A query over all models merges the all-models tiers and
 * adds the seconds each model still holds open.
 * <p>
 * Threading: any thread. A window query takes the aggregates' lock only to choose and pin the buckets of its
 * window ({@link PinnedBuckets}), so it sees a consistent state of all models at a point between two of the
 * writer's batches, and merges them after releasing it: the writer never waits for a merge. A window query into a
 * reused {@link WindowStats} allocates nothing once warmed up (each query thread reuses its own pinned buckets), but
 * for the iterators of a custom metric's tag filters.
 * Recent events are copied under the lock (at most the model's recent-events capacity); the names of the models
 * and metrics are read without it.
 */
final class WindowQueries {
    /** What {@link #merge} merges: a model's tiers (or all models'), a metric's, or a subject kind's (its ordinal). */
    private static final int MODEL = -1;
    private static final int METRIC = -2;
    private final ReentrantLock lock;
    private final TierRegistry tiers;
    private final Dictionary dictionary;
    private final EpochClock clock;
    private final ThreadLocal<PinnedBuckets> pinned = ThreadLocal.withInitial(PinnedBuckets::new);

    /**
     * @param lock       the aggregates' lock.
     * @param tiers      to read.
     * @param dictionary to turn names into ids and back.
     * @param clock      for the rates of a window that reaches now.
     */
    WindowQueries(final ReentrantLock lock, final TierRegistry tiers, final Dictionary dictionary,
                  final EpochClock clock) {
        this.lock = lock;
        this.tiers = tiers;
        this.dictionary = dictionary;
        this.clock = clock;
    }

    WindowStats newWindowStats() {
        return new WindowStats(tiers.histogramDigits(), tiers.qualityNames());
    }

    WindowStats window(final String model, final long fromMs, final long toMs, final WindowStats into) {
        final int id = model == null ? 0 : dictionary.find(Dimension.MODEL, model);
        return merge(model, model == null ? -1 : id, MODEL, fromMs, toMs, into);
    }

    WindowStats window(final Subject subject, final long fromMs, final long toMs, final WindowStats into) {
        if (subject.kind() == Subject.Kind.MODEL) {
            return window(subject.name(), fromMs, toMs, into);
        }
        return merge(subject.label(), tiers.subjects.id(subject), subject.kind().ordinal(), fromMs, toMs, into);
    }

    WindowStats metricWindow(final String name, final long fromMs, final long toMs, final WindowStats into) {
        return metricWindow(name, Map.of(), fromMs, toMs, into);
    }

    /** A custom metric's window over the series whose tags match every filter (all of them for none). */
    WindowStats metricWindow(final String name, final Map<String, String> tags, final long fromMs, final long toMs,
                             final WindowStats into) {
        return merge(name, dictionary.find(Dimension.METRIC_NAME, name), METRIC, tags, fromMs, toMs, into);
    }

    /** The tiers of all models (id -1), of one model or of another subject; under the lock. */
    private TimeTiers find(final int of, final int id) {
        return id < 0 ? tiers.all : of == MODEL ? tiers.findModel(id)
            : tiers.subjects.find(Subject.Kind.VALUES[of], id);
    }

    private WindowStats merge(final String name, final int id, final int of, final long fromMs,
                              final long toMs, final WindowStats into) {
        return merge(name, id, of, Map.of(), fromMs, toMs, into);
    }

    /**
     * Merges the tiers of all models (id -1), of one model, of another subject, or of the series of one custom
     * metric whose tags match every filter (all its series, and its overflow, for none).
     */
    private WindowStats merge(final String name, final int id, final int of, final Map<String, String> tags,
                              final long fromMs, final long toMs, final WindowStats into) {
        final long now = clock.time();
        final PinnedBuckets buckets = pinned.get();
        final long[] span = buckets.span;
        into.begin(dictionary, name, fromMs, toMs, now);
        try {
            lock.lock();
            try {
                if (of == METRIC) {
                    mergeMetric(tiers.findMetric(id), tags, fromMs, toMs, buckets, span, into);
                }
                final TimeTiers t = of == METRIC ? null : find(of, id);
                if (t != null) {
                    int n = t.merge(fromMs, toMs, buckets, span);
                    if (t == tiers.all) {
                        // the all-models tiers hold each model's closed seconds; add the seconds still open
                        for (final TimeTiers model : tiers.models) {
                            if (model != null) {
                                n += model.mergeOpenHead(span[0], span[1], buckets);
                            }
                        }
                    }
                    into.covered(span[0], span[1], n);
                }
            } finally {
                lock.unlock();
            }
            buckets.mergeInto(into.sum);
        } finally {
            buckets.release();
        }
        return into;
    }

    /** Pins the matching series' buckets of a metric; under the lock. */
    private static void mergeMetric(final MetricSeries m, final Map<String, String> tags, final long fromMs,
                                    final long toMs, final PinnedBuckets buckets, final long[] span,
                                    final WindowStats into) {
        if (m == null) {
            return;
        }
        long from = Long.MAX_VALUE;
        long to = Long.MIN_VALUE;
        int n = 0;
        for (int s = 0; s <= m.count; s++) {
            final TimeTiers t = s < m.count ? (m.matches(s, tags) ? m.tiers[s] : null)
                : tags.isEmpty() ? m.overflow : null;
            if (t != null) {
                n += t.merge(fromMs, toMs, buckets, span);
                from = Math.min(from, span[0]);
                to = Math.max(to, span[1]);
            }
        }
        if (n > 0) {
            into.covered(from, to, n);
        }
        into.unplaced(m.overflowSamples);
    }

    /**
     * A time series of a custom metric's matching series: the window [fromMs, toMs) cut into steps.
     *
     * @param name   of the metric.
     * @param tags   tag key to value, every one of which a series must have; empty for all.
     * @param metric what to plot per step ({@link SeriesMetric#parseCustom}).
     */
    Series metricSeries(final String name, final Map<String, String> tags, final SeriesMetric metric,
                        final long fromMs, final long toMs, final long stepMs) {
        final WindowStats stats = newWindowStats();
        return steps(metric, fromMs, toMs, stepMs, (from, to) -> metricWindow(name, tags, from, to, stats), stats);
    }

    Series series(final Subject subject, final SeriesMetric metric, final long fromMs, final long toMs,
                  final long stepMs) {
        final WindowStats stats = newWindowStats();
        return steps(metric, fromMs, toMs, stepMs, (from, to) -> {
            if (subject == null) {
                window((String)null, from, to, stats);
            } else {
                window(subject, from, to, stats);
            }
        }, stats);
    }

    /** Computes one step's stats into the stats the series reads. */
    private interface StepQuery {
        void query(long fromMs, long toMs);
    }

    /** The one cut of a window into steps: checks the step, queries each and reads the metric of its stats. */
    private Series steps(final SeriesMetric metric, final long fromMs, final long toMs, final long stepMs,
                         final StepQuery query, final WindowStats stats) {
        final long finestMs = tiers.finestWidthMs();
        if (stepMs <= 0 || stepMs % finestMs != 0) {
            throw new IllegalArgumentException("step must be a positive multiple of " + finestMs + " ms");
        }
        final long start = fromMs - Math.floorMod(fromMs, stepMs);
        final long points = (toMs - start + stepMs - 1) / stepMs;
        if (toMs <= fromMs || points > 10_000) {
            throw new IllegalArgumentException("window must be non-empty and hold at most 10000 steps, not " + points);
        }
        final long[] starts = new long[(int)points];
        final double[] values = new double[(int)points];
        for (int i = 0; i < points; i++) {
            starts[i] = start + i * stepMs;
            query.query(starts[i], starts[i] + stepMs);
            values[i] = metric.of(stats);
        }
        return new Series(metric.key(), stepMs, starts, values);
    }

    List<Event> recent(final String model, final int limit) {
        final int id = dictionary.find(Dimension.MODEL, model);
        final List<Event> out = new ArrayList<>();
        lock.lock();
        try {
            final RecentEvents r = tiers.findRecent(id);
            if (r != null) {
                final int n = Math.min(limit, r.size());
                for (int i = 0; i < n; i++) {
                    final Event e = new Event();
                    r.read(i, model, e);
                    out.add(e);
                }
            }
        } finally {
            lock.unlock();
        }
        return out;
    }

    long takeNew(final String model, final int limit, final List<Event> into) {
        final int id = dictionary.find(Dimension.MODEL, model);
        lock.lock();
        try {
            final RecentEvents r = tiers.findRecent(id);
            if (r == null) {
                return 0;
            }
            final long fresh = r.takeNew();
            final int n = (int)Math.min(Math.min(fresh, limit), r.size());
            for (int i = 0; i < n; i++) {
                final Event e = new Event();
                r.read(i, model, e);
                into.add(e);
            }
            return fresh;
        } finally {
            lock.unlock();
        }
    }

    List<String> models() {
        return names(Dimension.MODEL, true);
    }

    /**
     * @param name of a custom metric.
     * @return its series' tag keys, each with its values, sorted (at most the series limit's worth of tags); empty
     * if it has none.
     */
    Map<String, java.util.SortedSet<String>> metricTags(final String name) {
        final Map<String, java.util.SortedSet<String>> out = new TreeMap<>();
        lock.lock();
        try {
            final MetricSeries m = tiers.findMetric(dictionary.find(Dimension.METRIC_NAME, name));
            for (int s = 0; m != null && s < m.count; s++) {
                for (int t = 0; t < m.tagKeys[s].length; t++) {
                    out.computeIfAbsent(m.tagKeys[s][t], k -> new TreeSet<>()).add(m.tagValues[s][t]);
                }
            }
        } finally {
            lock.unlock();
        }
        return out;
    }

    List<String> metricNames() {
        return names(Dimension.METRIC_NAME, false);
    }

    /**
     * Reads the writer's arrays without the lock: references only, never what they refer to. It sees every model or
     * metric whose first event the writer applied before the caller last synchronised with it (a flush that
     * returned true, a query), and perhaps later ones.
     */
    private List<String> names(final Dimension dimension, final boolean ofModels) {
        final List<String> names = new ArrayList<>();
        final Object[] byId = ofModels ? tiers.models : tiers.metrics;
        for (int id = 1; id < byId.length; id++) {
            if (byId[id] != null) {
                names.add(dictionary.name(dimension, id));
            }
        }
        return names;
    }
}
