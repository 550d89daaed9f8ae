package dev.ringmeter.core.aggregate;

import dev.ringmeter.Event;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.dictionary.Dictionary;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.core.ingest.EventSlot;
import dev.ringmeter.core.query.Metric;
import dev.ringmeter.core.query.Series;
import dev.ringmeter.core.query.WindowStats;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Everything the store keeps in memory: per model and over all models, {@link TimeTiers} of buckets and the last
 * N events; per custom metric name, time tiers of its samples; and the store's one {@link PriceTable}. It answers
 * windowed analytics, time series, recent events and prices. An event is added to its model's tiers only; each model hands its finest buckets
 * to the all-models tiers as they close (and late events at once), and a query over all models adds the seconds
 * the models still hold open, so the all-models view costs the writer nothing per event.
 * <p>
 * Threading: exactly one writer, the {@link AggregateHandler} on the store's consumer thread, which holds
 * {@link #lock} while it applies a batch of events (at most {@value #MAX_EVENTS_PER_LOCK} at a time). Queries may
 * come from any thread: each takes the same lock, so it sees a consistent state of all models at a point between
 * two batches, and copies what it needs out before it returns. The price table has its own contract (see
 * {@link PriceTable}) and needs no lock.
 */
public final class Aggregates {
    static final int MAX_EVENTS_PER_LOCK = 1024;

    private final ReentrantLock lock = new ReentrantLock();
    private final Dictionary dictionary;
    private final long[] tierWidthsMs;
    private final int[] tierBuckets;
    private final int histogramDigits;
    private final int qualityNames;
    private final int recentPerModel;
    private final org.agrona.concurrent.EpochClock clock;
    private final TimeTiers all;
    private TimeTiers[] models = new TimeTiers[16];
    private RecentEvents[] recent = new RecentEvents[16];
    private TimeTiers[] metrics = new TimeTiers[16];
    private final PriceTable prices = new PriceTable();
    private final long[] span = new long[2];
    private long events;
    private long metricSamples;
    private long expired;

    public Aggregates(final StoreConfig config, final Dictionary dictionary) {
        this.dictionary = dictionary;
        this.tierWidthsMs = config.tierWidthsMs();
        this.tierBuckets = config.tierBuckets();
        this.histogramDigits = config.histogramDigits();
        this.qualityNames = config.cardinalityLimits()[Dimension.QUALITY_NAME.ordinal()];
        this.recentPerModel = config.recentEventsPerModel();
        this.clock = config.clock();
        this.all = newTiers(null);
    }

    private TimeTiers newTiers(final TimeTiers parent) {
        return new TimeTiers(tierWidthsMs, tierBuckets, histogramDigits, qualityNames, parent);
    }

    public void lock() {
        lock.lock();
    }

    public void unlock() {
        lock.unlock();
    }

    /**
     * Applies one slot. Writer thread only, holding the lock.
     *
     * @param e      the slot, an event's cost already stamped by the price table's writer; price records are
     *               for the table, not the aggregates, and are ignored here.
     * @param timeMs the event's time (the slot's own, or when it was consumed).
     */
    public void apply(final EventSlot e, final long timeMs) {
        switch (e.kind) {
            case EventSlot.KIND_EVENT: {
                final int m = e.model;
                if (m >= models.length) {
                    final int n = Math.max(m + 1, models.length * 2);
                    models = Arrays.copyOf(models, n);
                    recent = Arrays.copyOf(recent, n);
                }
                if (models[m] == null) {
                    models[m] = newTiers(all);
                    recent[m] = new RecentEvents(recentPerModel);
                }
                events++;
                if (!models[m].add(e, timeMs)) {
                    expired++;
                }
                recent[m].add(e, timeMs);
                break;
            }
            case EventSlot.KIND_METRIC: {
                final int name = e.metricName;
                if (name >= metrics.length) {
                    metrics = Arrays.copyOf(metrics, Math.max(name + 1, metrics.length * 2));
                }
                if (metrics[name] == null) {
                    metrics[name] = newTiers(null);
                }
                metricSamples++;
                if (!metrics[name].addValue(e.metricValue, timeMs)) {
                    expired++;
                }
                break;
            }
            default:
                break;
        }
    }

    /**
     * Applies one journal record while the store recovers, on the opening thread before the ring starts: a price
     * record sets the price table; an event or sample is applied with the cost it was journaled with (never
     * priced again, see {@link PriceTable}).
     *
     * @param record the record, with its time.
     */
    public void recover(final EventSlot record) {
        if (record.kind == EventSlot.KIND_PRICE) {
            prices.set(record.model, record.priceInputUsdPerMillion, record.priceOutputUsdPerMillion);
        } else {
            apply(record, record.timestampMs);
        }
    }

    /**
     * @return the store's one price table, for its writer (the ring's first consumer).
     */
    public PriceTable prices() {
        return prices;
    }

    /**
     * @return an empty result whose histograms match this store's, for reuse across queries.
     */
    public WindowStats newWindowStats() {
        return new WindowStats(histogramDigits, qualityNames);
    }

    /**
     * Computes the analytics of one model, or of all models, over [fromMs, toMs).
     *
     * @param model  name, or null for all models together.
     * @param fromMs start, inclusive, epoch ms.
     * @param toMs   end, exclusive, epoch ms.
     * @param into   the result to fill (reused: allocation-free once warmed up).
     * @return into.
     */
    public WindowStats window(final String model, final long fromMs, final long toMs, final WindowStats into) {
        final int id = model == null ? 0 : dictionary.find(Dimension.MODEL, model);
        return merge(model, model == null ? -1 : id, false, fromMs, toMs, into);
    }

    /**
     * Computes the stats of a custom metric over [fromMs, toMs): count, sum, mean, min, max of its samples.
     *
     * @param name   of the metric.
     * @param fromMs start, inclusive.
     * @param toMs   end, exclusive.
     * @param into   the result to fill.
     * @return into.
     */
    public WindowStats metricWindow(final String name, final long fromMs, final long toMs, final WindowStats into) {
        return merge(name, dictionary.find(Dimension.METRIC_NAME, name), true, fromMs, toMs, into);
    }

    /** Merges the tiers of all models (id -1), of one model, or of one custom metric into a result. */
    private WindowStats merge(final String name, final int id, final boolean metric, final long fromMs,
                              final long toMs, final WindowStats into) {
        final long now = clock.time();
        lock.lock();
        try {
            into.begin(dictionary, name, fromMs, toMs, now);
            final TimeTiers[] byId = metric ? metrics : models;
            final TimeTiers tiers = id < 0 ? all : id > 0 && id < byId.length ? byId[id] : null;
            if (tiers != null) {
                int n = tiers.merge(fromMs, toMs, into.sum, span);
                if (tiers == all) {
                    // the all-models tiers hold each model's closed seconds; add the seconds still open
                    for (final TimeTiers model : models) {
                        if (model != null) {
                            n += model.mergeOpenHead(span[0], span[1], into.sum);
                        }
                    }
                }
                into.covered(span[0], span[1], n);
            }
        } finally {
            lock.unlock();
        }
        return into;
    }

    /**
     * A time series of one metric: the window [fromMs, toMs) cut into steps.
     *
     * @param model  name, or null for all models.
     * @param metric to compute per step.
     * @param fromMs start; rounded down to a multiple of the step.
     * @param toMs   end, exclusive.
     * @param stepMs width of each step: a multiple of the finest tier's width; at most 10,000 steps.
     * @return the series.
     * @throws IllegalArgumentException naming the bad parameter.
     */
    public Series series(final String model, final Metric metric, final long fromMs, final long toMs,
                         final long stepMs) {
        if (stepMs <= 0 || stepMs % tierWidthsMs[0] != 0) {
            throw new IllegalArgumentException("step must be a positive multiple of " + tierWidthsMs[0] + " ms");
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
            window(model, starts[i], starts[i] + stepMs, stats);
            values[i] = metric.of(stats);
        }
        return new Series(metric, stepMs, starts, values);
    }

    /**
     * @param model name.
     * @param limit the most events to return.
     * @return the model's newest events, newest first (allocates).
     */
    public List<Event> recent(final String model, final int limit) {
        final int id = dictionary.find(Dimension.MODEL, model);
        final List<Event> out = new ArrayList<>();
        lock.lock();
        try {
            final RecentEvents r = id > 0 && id < recent.length ? recent[id] : null;
            if (r != null) {
                final int n = Math.min(limit, r.size());
                for (int i = 0; i < n; i++) {
                    final Event e = new Event();
                    r.read(i, model, dictionary, e);
                    out.add(e);
                }
            }
        } finally {
            lock.unlock();
        }
        return out;
    }

    /**
     * @return the names of the models that have events, in the order they were first seen.
     */
    public List<String> models() {
        return names(Dimension.MODEL, true);
    }

    /**
     * @return the names of the custom metrics that have samples.
     */
    public List<String> metricNames() {
        return names(Dimension.METRIC_NAME, false);
    }

    private List<String> names(final Dimension dimension, final boolean ofModels) {
        final List<String> names = new ArrayList<>();
        lock.lock();
        try {
            final TimeTiers[] tiers = ofModels ? models : metrics;
            for (int id = 1; id < tiers.length; id++) {
                if (tiers[id] != null) {
                    names.add(dictionary.name(dimension, id));
                }
            }
        } finally {
            lock.unlock();
        }
        return names;
    }

    /**
     * Any thread, no lock.
     *
     * @param model name.
     * @return {input, output} USD per million tokens, or null if the model has no price.
     */
    public double[] price(final String model) {
        return prices.price(dictionary.find(Dimension.MODEL, model));
    }

    /**
     * @return {events applied, custom metric samples applied, events and samples older than the retention when
     * they arrived (journaled but in no bucket)}.
     */
    public long[] counters() {
        lock.lock();
        try {
            return new long[] {events, metricSamples, expired};
        } finally {
            lock.unlock();
        }
    }

    /**
     * @return an estimate of the heap held by all aggregates, in bytes.
     */
    public long footprintBytes() {
        lock.lock();
        try {
            long bytes = all.footprintBytes();
            for (int id = 0; id < models.length; id++) {
                if (models[id] != null) {
                    bytes += models[id].footprintBytes() + recent[id].footprintBytes();
                }
            }
            for (final TimeTiers t : metrics) {
                if (t != null) {
                    bytes += t.footprintBytes();
                }
            }
            return bytes;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Writes the whole state to a snapshot. Writer thread, holding the lock, or no writer running.
     *
     * @param out to write to.
     * @throws IOException if the write fails.
     */
    public void write(final DataOutput out) throws IOException {
        out.writeLong(events);
        out.writeLong(metricSamples);
        out.writeLong(expired);
        prices.write(out);
        all.write(out);
        int n = 0;
        for (final TimeTiers t : models) {
            n += t != null ? 1 : 0;
        }
        out.writeInt(n);
        for (int id = 0; id < models.length; id++) {
            if (models[id] != null) {
                out.writeInt(id);
                models[id].write(out);
                recent[id].write(out);
            }
        }
        n = 0;
        for (final TimeTiers t : metrics) {
            n += t != null ? 1 : 0;
        }
        out.writeInt(n);
        for (int id = 0; id < metrics.length; id++) {
            if (metrics[id] != null) {
                out.writeInt(id);
                metrics[id].write(out);
            }
        }
    }

    /**
     * Reads a state written by {@link #write(DataOutput)} into this new, empty instance.
     *
     * @param in to read from.
     * @throws IOException if the read fails or the data is bad.
     */
    public void read(final DataInput in) throws IOException {
        events = in.readLong();
        metricSamples = in.readLong();
        expired = in.readLong();
        prices.read(in);
        all.read(in);
        final int modelCount = in.readInt();
        for (int i = 0; i < modelCount; i++) {
            final int id = in.readInt();
            if (id <= 0 || id > 10_000_000) {
                throw new IOException("bad model id " + id);
            }
            if (id >= models.length) {
                models = Arrays.copyOf(models, id + 1);
                recent = Arrays.copyOf(recent, id + 1);
            }
            models[id] = newTiers(all);
            models[id].read(in);
            recent[id] = new RecentEvents(recentPerModel);
            recent[id].read(in);
        }
        final int metricCount = in.readInt();
        for (int i = 0; i < metricCount; i++) {
            final int id = in.readInt();
            if (id <= 0 || id > 10_000_000) {
                throw new IOException("bad metric id " + id);
            }
            if (id >= metrics.length) {
                metrics = Arrays.copyOf(metrics, id + 1);
            }
            metrics[id] = newTiers(null);
            metrics[id].read(in);
        }
    }
}
