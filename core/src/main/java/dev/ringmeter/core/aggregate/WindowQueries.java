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
import java.util.concurrent.locks.ReentrantLock;

/**
 * The read side of the aggregates: windowed analytics of a model, of all models, of another subject (a pipeline,
 * pipeline step, tool or agent) or of a custom metric, time series, recent events and the names that have data. A query over all models merges the all-models tiers and
 * adds the seconds each model still holds open.
 * <p>
 * Threading: any thread. A window query takes the aggregates' lock only to choose and pin the buckets of its
 * window ({@link PinnedBuckets}), so it sees a consistent state of all models at a point between two of the
 * writer's batches, and merges them after releasing it: the writer never waits for a merge. A window query into a
 * reused {@link WindowStats} allocates nothing once warmed up (each query thread reuses its own pinned buckets).
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
        return merge(name, dictionary.find(Dimension.METRIC_NAME, name), METRIC, fromMs, toMs, into);
    }

    /** The tiers of all models (id -1), of one model, of one custom metric or of another subject; under the lock. */
    private TimeTiers find(final int of, final int id) {
        return id < 0 ? tiers.all : of == MODEL ? tiers.findModel(id) : of == METRIC ? tiers.findMetric(id)
            : tiers.subjects.find(Subject.Kind.VALUES[of], id);
    }

    /** Merges the tiers of all models (id -1), of one model, of one custom metric or of another subject. */
    private WindowStats merge(final String name, final int id, final int of, final long fromMs,
                              final long toMs, final WindowStats into) {
        final long now = clock.time();
        final PinnedBuckets buckets = pinned.get();
        final long[] span = buckets.span;
        into.begin(dictionary, name, fromMs, toMs, now);
        try {
            lock.lock();
            try {
                final TimeTiers t = find(of, id);
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

    Series series(final Subject subject, final SeriesMetric metric, final long fromMs, final long toMs,
                  final long stepMs) {
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
        final WindowStats stats = newWindowStats();
        for (int i = 0; i < points; i++) {
            starts[i] = start + i * stepMs;
            if (subject == null) {
                window((String)null, starts[i], starts[i] + stepMs, stats);
            } else {
                window(subject, starts[i], starts[i] + stepMs, stats);
            }
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

    List<String> models() {
        return names(Dimension.MODEL, true);
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
        final TimeTiers[] byId = ofModels ? tiers.models : tiers.metrics;
        for (int id = 1; id < byId.length; id++) {
            if (byId[id] != null) {
                names.add(dictionary.name(dimension, id));
            }
        }
        return names;
    }
}
