package dev.ringmeter.core.aggregate;

import dev.ringmeter.Event;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.cost.BuiltInPrices;
import dev.ringmeter.core.cost.PriceBook;
import dev.ringmeter.core.dictionary.Dictionary;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.core.dictionary.IdleRelease;
import dev.ringmeter.core.ingest.EventSlot;
import dev.ringmeter.core.journal.FormatVersion;
import dev.ringmeter.core.query.EventFilter;
import dev.ringmeter.core.query.GroupKey;
import dev.ringmeter.core.query.MemoryComparison;
import dev.ringmeter.core.query.Metric;
import dev.ringmeter.core.query.Series;
import dev.ringmeter.core.query.SeriesMetric;
import dev.ringmeter.core.query.Subject;
import dev.ringmeter.core.query.WindowStats;
import dev.ringmeter.core.run.RunTable;
import dev.ringmeter.core.watch.alert.AlertTable;

import java.io.DataInput;
import java.io.IOException;
import java.util.List;
import java.util.SortedMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Everything the store keeps in memory, and the one place users query it: per model and over all models (the model
 * calls), time tiers of buckets and the last N events; per pipeline, pipeline step, tool and agent (each a
 * {@link Subject}), time tiers and totals; per custom metric name, time tiers of its samples; cumulative totals
 * since the store was created; and the store's one price table. It answers windowed analytics, time series,
 * recent events, prices and totals.
 * <p>
 * The jobs live in their own classes: the {@link TierRegistry} holds the tiers by id, the {@link AggregateWriter}
 * applies events, {@link CumulativeTotals} counts them for good, {@link WindowQueries} answers queries, the
 * {@link PriceBook} prices events and the {@link AggregatesCodec} lays the state out in a snapshot.
 * <p>
 * Threading: exactly one writer, the {@link AggregateHandler} on the store's consumer thread, which holds
 * {@link #lock} while it applies a batch of events (at most {@value #MAX_EVENTS_PER_LOCK} at a time). Readers come
 * from any thread and hold the same lock only for work bounded by one model, never for a whole query or scrape, so
 * the writer never waits long for a reader: a window query pins its buckets under the lock, at a point between two
 * batches, and merges them after it (the writer changes copies of pinned buckets, see {@link CopyOnWrite}); the
 * totals are copied one model at a time; {@link #models()} and {@link #metricNames()} take no lock. A snapshot is
 * {@link #capture captured} by the writer, between two documents, into an {@link AggregatesImage} that another
 * thread writes while the writer goes on. The price table has its own contract (see {@link PriceBook}) and needs
 * no lock.
 */
public final class Aggregates {
    static final int MAX_EVENTS_PER_LOCK = 1024;

    private final ReentrantLock lock = new ReentrantLock();
    private final StoreConfig config;
    private final Dictionary dictionary;
    private final int maxStringLength;
    private final PriceBook prices;
    private final TierRegistry tiers;
    private final CumulativeTotals totals = new CumulativeTotals();
    private final IdleRelease idleRelease;
    private final AggregateWriter writer;
    private final WindowQueries queries;
    private final Combinations combinations;
    private final RunTable runs;
    private final dev.ringmeter.core.watch.AnomalyLog anomalies;
    private final AlertTable alerts = new AlertTable();

    /**
     * @param config     the store's configuration.
     * @param dictionary the store's dictionary.
     */
    public Aggregates(final StoreConfig config, final Dictionary dictionary) {
        this.config = config;
        this.dictionary = dictionary;
        this.totals.dictionary = dictionary;
        this.maxStringLength = config.maxStringLength();
        this.prices = new PriceBook(dictionary, config.builtInPrices() ? BuiltInPrices.standard() : BuiltInPrices.none());
        this.tiers = new TierRegistry(config, dictionary, false);
        this.idleRelease = new IdleRelease(dictionary);
        this.combinations = new Combinations(dictionary, qualityNames(config), config.comparisonCombinations(), false);
        this.runs = new RunTable(dictionary, config.maxRuns(), config.maxTasksPerRun(), config.histogramDigits());
        this.anomalies = new dev.ringmeter.core.watch.AnomalyLog(config.maxAnomalies());
        this.writer = new AggregateWriter(tiers, totals, idleRelease, combinations, runs, anomalies, alerts);
        this.queries = new WindowQueries(lock, tiers, dictionary, config.clock());
    }

    public void lock() {
        lock.lock();
    }

    public void unlock() {
        lock.unlock();
    }

    /**
     * @return the lock the writer holds while it applies a batch: a reader holds it only for work bounded by one
     * model or one run.
     */
    public java.util.concurrent.locks.Lock writerLock() {
        return lock;
    }

    /**
     * @return what notes the use of released ids and sweeps idle ones; the writer thread's alone.
     */
    IdleRelease idleRelease() {
        return idleRelease;
    }

    /**
     * Applies one slot. Writer thread only, holding the lock.
     *
     * @param e      the slot, an event's cost already stamped by the price table's writer.
     * @param timeMs the event's time (the slot's own, or when it was consumed).
     */
    void apply(final EventSlot e, final long timeMs) {
        writer.apply(e, timeMs);
    }

    /**
     * Applies one journal record while the store recovers, on the opening thread before the ring starts: a price
     * record sets the price table; a run record changes the runs; an event or sample is applied with the cost it was journaled with (never
     * priced again, see {@link PriceBook}); a recompute is noted in the price book (its cost changes are
     * replayed by the store's recovery).
     *
     * @param record the record, with its time.
     */
    public void recover(final EventSlot record) {
        if (record.kind == EventSlot.KIND_PRICE || record.kind == EventSlot.KIND_PRICE_ENTRY) {
            prices.stamp(record);
        } else if (record.kind == EventSlot.KIND_RECOMPUTE) {
            prices.recomputed(new PriceBook.RecomputeMark(record.recompute.fromMs, record.recompute.toMs,
                record.recompute.revision(), record.journalIndex));
        } else {
            writer.apply(record, record.timestampMs);
        }
    }

    /**
     * @return the anomalies kept: written by the writer (ANOMALY records), read from any thread.
     */
    public dev.ringmeter.core.watch.AnomalyLog anomalies() {
        return anomalies;
    }

    /**
     * @return the runs in memory; written by the writer, read under {@link #lock()}.
     */
    public RunTable runs() {
        return runs;
    }

    /**
     * @return the alert state; written by the writer, read by anyone under its own monitor.
     */
    public AlertTable alerts() {
        return alerts;
    }

    /**
     * @return the store's one price table, for its writer (the ring's first consumer).
     */
    public PriceBook prices() {
        return prices;
    }

    /**
     * @return an empty result whose histograms match this store's, for reuse across queries.
     */
    public WindowStats newWindowStats() {
        return queries.newWindowStats();
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
        return queries.window(model, fromMs, toMs, into);
    }

    /**
     * Computes the analytics of one subject (a model, pipeline, pipeline step, tool or agent) over [fromMs, toMs),
     * from memory, e.g. {@code subjectWindow(Subject.step("rag", "retrieve"), from, to, stats)} (not an overload of
     * {@link #window(String, long, long, WindowStats)}, whose null means all models).
     *
     * @param subject the subject; its window is empty if the store has not seen it.
     * @param fromMs  start, inclusive, epoch ms.
     * @param toMs    end, exclusive, epoch ms.
     * @param into    the result to fill (reused: allocation-free once warmed up).
     * @return into.
     */
    public WindowStats subjectWindow(final Subject subject, final long fromMs, final long toMs, final WindowStats into) {
        return queries.window(subject, fromMs, toMs, into);
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
        return queries.metricWindow(name, fromMs, toMs, into);
    }

    /**
     * Computes the stats of a custom metric's series whose tags match every filter over [fromMs, toMs): count, sum,
     * mean, min, max, the percentiles of its samples' values ({@link WindowStats#valuePercentile}) and their rate.
     *
     * @param name   of the metric.
     * @param tags   tag key to the value a series must have; empty for every series of the name.
     * @param fromMs start, inclusive.
     * @param toMs   end, exclusive.
     * @param into   the result to fill.
     * @return into.
     */
    public WindowStats metricWindow(final String name, final java.util.Map<String, String> tags, final long fromMs,
                                    final long toMs, final WindowStats into) {
        return queries.metricWindow(name, tags, fromMs, toMs, into);
    }

    /**
     * A time series of a custom metric's series whose tags match every filter: [fromMs, toMs) cut into steps.
     *
     * @param name   of the metric.
     * @param tags   tag key to value; empty for all its series.
     * @param metric what to plot per step ({@link SeriesMetric#parseCustom}).
     * @param fromMs start; rounded down to a multiple of the step.
     * @param toMs   end, exclusive.
     * @param stepMs width of each step: a multiple of the finest tier's width; at most 10,000 steps.
     * @return the series.
     * @throws IllegalArgumentException naming the bad parameter.
     */
    public Series metricSeries(final String name, final java.util.Map<String, String> tags,
                               final SeriesMetric metric, final long fromMs, final long toMs, final long stepMs) {
        return queries.metricSeries(name, tags, metric, fromMs, toMs, stepMs);
    }

    /**
     * @param name of a custom metric.
     * @return the tag keys of its series, each with its values, sorted; bounded by its series limit.
     */
    public java.util.Map<String, java.util.SortedSet<String>> metricTags(final String name) {
        return queries.metricTags(name);
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
        return queries.series(model == null ? null : Subject.model(model), SeriesMetric.of(metric), fromMs, toMs,
            stepMs);
    }

    /**
     * A time series of one metric of a subject, or of all models: the window [fromMs, toMs) cut into steps, each a
     * window query from memory, e.g. the P95 of step "retrieve" of pipeline "rag" per minute over an hour, or the
     * mean of a quality score ({@code SeriesMetric.parse("quality:f1")}) per step.
     *
     * @param subject the subject, or null for all models.
     * @param metric  to compute per step.
     * @param fromMs  start; rounded down to a multiple of the step.
     * @param toMs    end, exclusive.
     * @param stepMs  width of each step: a multiple of the finest tier's width; at most 10,000 steps.
     * @return the series.
     * @throws IllegalArgumentException naming the bad parameter.
     */
    public Series series(final Subject subject, final SeriesMetric metric, final long fromMs, final long toMs,
                         final long stepMs) {
        return queries.series(subject, metric, fromMs, toMs, stepMs);
    }

    /**
     * A time series of one metric of the events of one configuration value ({@code config}), from the in-memory
     * comparisons' buckets: 5 minutes wide over the last hour, an hour wide over the last day. Each step is one
     * query of those buckets, so a step must be a whole number of them: a multiple of 5 minutes over the last hour,
     * of an hour further back.
     *
     * @param config the configuration value.
     * @param metric to compute per step.
     * @param fromMs start; rounded down to a multiple of the step.
     * @param toMs   end, exclusive.
     * @param stepMs width of each step.
     * @return the series; NaN where a step holds no event of the configuration.
     * @throws IllegalArgumentException naming the step or the start when the buckets cannot answer them.
     */
    public Series configSeries(final String config, final SeriesMetric metric, final long fromMs, final long toMs,
                               final long stepMs) {
        final long start = fromMs - Math.floorMod(fromMs, stepMs);
        final long nowMs = this.config.clock().time();
        final int tier = Combinations.tierFor(start, nowMs);
        if (tier < 0) {
            throw new IllegalArgumentException("a configuration's series reaches back one day; the start is older");
        }
        final long bucketMs = Combinations.WIDTHS_MS[tier];
        if (stepMs % bucketMs != 0) {
            throw new IllegalArgumentException("step must be a multiple of " + bucketMs / 60_000 + " min for a "
                + "configuration's series starting there (the in-memory comparisons keep 5-minute buckets over the "
                + "last hour, hourly ones over the last day)");
        }
        final int n = (int)((toMs - start + stepMs - 1) / stepMs);
        final long[] starts = new long[n];
        final double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            starts[i] = start + i * stepMs;
            final WindowStats w = configWindow(config, starts[i], starts[i] + stepMs);
            values[i] = w == null ? Double.NaN : metric.of(w);
        }
        return new Series(metric.key(), stepMs, starts, values);
    }

    /**
     * The window of one configuration value's events, from the in-memory comparisons' buckets that cover
     * [fromMs, toMs) widened to their edges ({@link #compare}).
     *
     * @param config the configuration value.
     * @param fromMs start, inclusive.
     * @param toMs   end, exclusive.
     * @return the window, or null when no event of the configuration is in it.
     */
    public WindowStats configWindow(final String config, final long fromMs, final long toMs) {
        final MemoryComparison c = compare(new GroupKey[0], new EventFilter().where(Dimension.CONFIG, config),
            fromMs, toMs);
        return c.groups().isEmpty() ? null : c.groups().values().iterator().next();
    }

    /**
     * No lock: reads the writer's arrays by reference, as {@link #models()}.
     *
     * @param kind a kind of subject.
     * @return the subjects of that kind that have events, in the order they were first seen.
     */
    public List<Subject> subjects(final Subject.Kind kind) {
        if (kind == Subject.Kind.MODEL) {
            final List<Subject> out = new java.util.ArrayList<>();
            for (final String m : models()) {
                out.add(Subject.model(m));
            }
            return out;
        }
        return tiers.subjects.subjects(kind);
    }

    /**
     * @param model name.
     * @param limit the most events to return.
     * @return the model's newest events, newest first (allocates).
     */
    public List<Event> recent(final String model, final int limit) {
        return queries.recent(model, limit);
    }

    /**
     * The events of a model the live feed has not taken yet: marks them taken and copies the newest of them. The
     * mark is one per model, so the store has one live feed (the server's); other readers use {@link #recent}.
     *
     * @param model name.
     * @param limit the most events to copy.
     * @param into  receives the new events, newest first (allocates one {@link Event} each).
     * @return how many events the model received since the last take, copied or not.
     */
    public long takeNew(final String model, final int limit, final List<Event> into) {
        return queries.takeNew(model, limit, into);
    }

    /**
     * @return the names of the models that have events, in the order they were first seen.
     */
    public List<String> models() {
        return queries.models();
    }

    /**
     * @return the names of the custom metrics that have samples.
     */
    public List<String> metricNames() {
        return queries.metricNames();
    }

    /**
     * Any thread, no lock.
     *
     * @param model name.
     * @return {input, output} USD per million tokens, or null if the model has no price.
     */
    public double[] price(final String model) {
        final dev.ringmeter.core.cost.PriceEntry e = prices.resolver().entry(model, config.clock().time());
        return e == null ? null : new double[] {e.base().inputUsdPerMillion(), e.base().outputUsdPerMillion()};
    }

    /**
     * @return {events applied, custom metric samples applied, events and samples older than the retention when
     * they arrived (journaled but in no bucket)}, since the store was created.
     */
    public long[] counters() {
        lock.lock();
        try {
            return new long[] {totals.events, totals.metricSamples, totals.expired};
        } finally {
            lock.unlock();
        }
    }

    /**
     * @return {events and samples applied behind their tiers' newest bucket (the late path), events and samples
     * applied ahead of the store clock's current bucket (held)}, since the store opened (its replay included).
     */
    public long[] pathCounts() {
        lock.lock();
        try {
            return new long[] {writer.late, writer.held};
        } finally {
            lock.unlock();
        }
    }

    /**
     * @return every model's totals since the store was created, by model name in name order: each model's a
     * consistent copy, the models copied one after another, each under the lock on its own (allocates; for a
     * metrics scrape, not a hot path).
     */
    public SortedMap<String, CallTotals> totals() {
        return totals.copy(dictionary, lock);
    }

    /**
     * @param kind a kind of subject other than the model (pipeline, step, tool, agent).
     * @return the totals of every subject of that kind since the store was created, in label order, copied as
     * {@link #totals()} copies the models'.
     */
    public SortedMap<Subject, CallTotals> totals(final Subject.Kind kind) {
        if (kind == Subject.Kind.MODEL) {
            throw new IllegalArgumentException("the models' totals are totals()");
        }
        return tiers.subjects.copyTotals(kind, lock);
    }

    /**
     * The most heap the aggregates hold for one model: its tiers with every bucket in use and at its widest (three
     * histograms resized to the longest duration the event rules allow), its recent events and its totals, and the
     * snapshot image's copies of the last two (with, at worst, strings of their own). What
     * the store's heap budget counts per model (see {@code HeapBudget}); the same arithmetic as
     * {@link #footprintBytes()}, checked against heap measured after GC by the bench's {@code FootprintReport}.
     *
     * @param config       the store's configuration (tiers, histogram digits, recent events per model).
     * @param qualityNames the number of quality score names allowed.
     * @return bytes.
     */
    public static long widestModelBytes(final StoreConfig config, final int qualityNames) {
        final int recent = config.recentEventsPerModel();
        final long image = RecentEvents.bytes(recent) + RecentEvents.widestStringsBytes(recent, config.maxStringLength())
            + ModelTotals.widestBytes(qualityNames);
        return TierRegistry.widestModelBytes(config, qualityNames) + ModelTotals.widestBytes(qualityNames) + image
            + 40 + 2L * config.maxStringLength();   // the totals' operation name, shared with the image's copy
    }

    /**
     * The most heap the aggregates hold for one pipeline, pipeline step, tool or agent: its tiers with every bucket
     * in use and at its widest, and its totals with the snapshot image's copy (no recent events: those are kept per
     * model only). What the store's heap budget counts per value of those dimensions.
     *
     * @param config       the store's configuration.
     * @param qualityNames the number of quality score names allowed.
     * @return bytes.
     */
    public static long widestSubjectBytes(final StoreConfig config, final int qualityNames) {
        return SubjectTiers.widestSubjectBytes(config, qualityNames);
    }

    /**
     * @param config       the store's configuration.
     * @param qualityNames the number of quality score names allowed.
     * @return the most heap the all-models tiers hold, every bucket in use and at its widest (there is one set), and
     * the spare buckets the copy-on-write keeps for the writer, all at their widest.
     */
    public static long widestAllModelsBytes(final StoreConfig config, final int qualityNames) {
        return TierRegistry.widestTiersBytes(config, qualityNames, true)
            + CopyOnWrite.widestSparesBytes(config.histogramDigits(), qualityNames);
    }

    /**
     * @param config the store's configuration.
     * @return the most heap one custom metric name holds beside its series ({@link #widestMetricSeriesBytes}): its
     * overflow series' tiers (counters, no value histograms), every bucket in use, and its arrays of series.
     */
    public static long widestMetricBytes(final StoreConfig config) {
        return TierRegistry.widestTiersBytes(config, 0, false) + MetricSeries.ownBytes(config.metricSeriesPerName())
            + 2 * 4;
    }

    /**
     * @param config the store's configuration.
     * @return the most heap one custom metric series (one tag set of a name) holds: its tiers, every bucket in use
     * with its value histogram at its widest, and its tags.
     */
    public static long widestMetricSeriesBytes(final StoreConfig config) {
        return TierRegistry.widestSeriesBytes(config);
    }

    /**
     * @param config       the store's configuration.
     * @param qualityNames the number of quality score names allowed.
     * @return the most heap one combination of the in-memory comparisons holds (see {@link Combinations}).
     */
    public static long widestCombinationBytes(final StoreConfig config, final int qualityNames) {
        return Combinations.widestBytes(qualityNames);
    }

    /**
     * @param config       the store's configuration.
     * @param qualityNames the number of quality score names allowed.
     * @return the most heap the in-memory comparisons hold beside their combinations: the overflow combination, the
     * spare buckets of their copy-on-write, and the snapshot image's arrays.
     */
    public static long widestCombinationsFixedBytes(final StoreConfig config, final int qualityNames) {
        return Combinations.widestFixedBytes(qualityNames);
    }

    private static int qualityNames(final StoreConfig config) {
        return config.cardinalityLimits()[Dimension.QUALITY_NAME.ordinal()];
    }

    /**
     * @return an estimate of the heap held by all aggregates, in bytes, summed one model at a time, and the in-memory
     * comparisons' combinations.
     */
    public long footprintBytes() {
        lock.lock();
        final long comparisons;
        try {
            comparisons = combinations.footprintBytes();
        } finally {
            lock.unlock();
        }
        return tiers.footprintBytes(lock) + totals.footprintBytes(lock) + comparisons;
    }

    /**
     * @return a reusable image of these aggregates for a snapshot writer, empty until {@link #capture}d.
     */
    public AggregatesImage newImage() {
        return new AggregatesImage(config, dictionary, prices, tiers.cow, combinations);
    }

    /**
     * Compares groups of events from the in-memory combinations (see {@link Combinations}): the combinations that
     * pass the filter, merged by their values for the keys, over the buckets of one tier that cover the range. Any
     * thread; takes the lock only to pin the buckets.
     *
     * @param keys   none, one or two keys; each kept in memory ({@link #notInMemory}).
     * @param filter the events to keep; each filter kept in memory.
     * @param fromMs start, inclusive, epoch ms (clipped to the oldest bucket kept).
     * @param toMs   end, exclusive.
     * @return the groups, the events of combinations past the limit, and the span covered.
     */
    public MemoryComparison compare(final GroupKey[] keys, final EventFilter filter, final long fromMs,
                                    final long toMs) {
        final String missing = notInMemory(keys, filter);
        if (missing != null) {
            throw new IllegalArgumentException("'" + missing + "' is not kept by the in-memory comparisons (run and "
                + "task are unbounded): ask a journal scan");
        }
        final Combinations.Result r = new Combinations.Result(dictionary,
            () -> new WindowStats(Combinations.HISTOGRAM_DIGITS, tiers.qualityNames()));
        final long now = config.clock().time();
        combinations.query(lock, keys, filter, fromMs, toMs, now, r);
        return new MemoryComparison(r.groups, r.other, r.coveredFromMs, r.coveredToMs, r.incomplete,
            Combinations.tierFor(fromMs, now) >= 0 && fromMs >= combinations.completeFromMs);
    }

    /**
     * @param keys   keys to group by.
     * @param filter filters.
     * @return null if the in-memory comparisons keep every key and filter, else the name of the first they do not.
     */
    public static String notInMemory(final GroupKey[] keys, final EventFilter filter) {
        return Combinations.notKept(keys, filter);
    }

    /**
     * @param fromMs start of a range.
     * @return whether the in-memory comparisons' buckets reach back to it at the store's time now, and they hold
     * every event from it on.
     */
    public boolean inMemoryRange(final long fromMs) {
        return Combinations.tierFor(fromMs, config.clock().time()) >= 0 && fromMs >= combinations.completeFromMs;
    }

    /**
     * Says that the in-memory comparisons hold the events from this time on only: the store was restored from a
     * snapshot written before they were kept (version 3), so they never saw the events it holds. Before the ring
     * starts.
     *
     * @param ms the snapshot's time, plus the future skew (an event journaled before it may be that far ahead).
     */
    public void comparisonsCompleteFrom(final long ms) {
        combinations.completeFromMs = ms;
    }

    /**
     * @return {combinations in use, their limit, combinations made, retired (an id given to another value), reclaimed
     * (aged out)} of the in-memory comparisons.
     */
    public long[] comparisonCounters() {
        lock.lock();
        try {
            return new long[] {combinations.size(), combinations.limit(), combinations.made, combinations.retired,
                combinations.reclaimed};
        } finally {
            lock.unlock();
        }
    }

    /**
     * Captures the state as it stands into an image for a snapshot, cheaply: the buckets are shared, frozen until
     * the image is released, and only the positions of the tiers, the recent events and the totals are copied. The
     * dictionary, which the snapshot writes later, keeps the name each id has now for it
     * ({@link Dictionary#captureForSnapshot()}) until the image is released, so it names every id the journal after
     * this point carries as that journal means it, even an id given to another value meanwhile. Called by the writer
     * between two batches (or with the writer stopped, holding the lock); allocates only for what is new since the
     * last capture.
     *
     * @param image made by {@link #newImage()}, released since its last capture.
     * @throws IllegalStateException if the image of an earlier capture is not released yet.
     */
    public void capture(final AggregatesImage image) {
        tiers.cow.freeze();
        dictionary.captureForSnapshot();
        tiers.captureInto(image.tiers);
        totals.captureInto(image.totals);
        combinations.captureInto(image.combinations);
        runs.captureInto(image.runs);
        image.anomalies = anomalies.capture();
        alerts.captureInto(image.alerts);
    }

    /**
     * @return buckets the writer copied, since the store started, because a reader held them.
     */
    public long copiedBuckets() {
        return tiers.cow.copies();
    }

    /**
     * Reads a state written by {@link AggregatesImage#write} into this new, empty instance, before the ring starts.
     *
     * @param in       to read from.
     * @param snapshot the snapshot's version ({@code FormatVersion.SNAPSHOT_OLDEST} to {@code SNAPSHOT}): each
     *                 reader reads the layout of its version.
     * @throws IOException if the read fails or the data is bad.
     */
    public void read(final DataInput in, final int snapshot) throws IOException {
        AggregatesCodec.read(in, prices, totals, tiers, snapshot, maxStringLength);
        if (snapshot >= AggregatesCodec.SNAPSHOT_WITH_RUNS) {
            runs.readSection(in);
        }
        if (snapshot >= dev.ringmeter.core.journal.FormatVersion.SNAPSHOT_WATCH) {
            anomalies.read(in);
        }
        if (snapshot >= FormatVersion.SNAPSHOT_WATCH) {
            alerts.read(dev.ringmeter.core.journal.SnapshotSection.read(in, "alert"));
        }
    }

    /**
     * Reads the in-memory comparisons a snapshot of version 4 or later holds after what {@link #read} read.
     *
     * @param in       to read from.
     * @param snapshot the snapshot's version.
     * @throws IOException if the read fails or the data is bad.
     */
    public void readComparisons(final DataInput in, final int snapshot) throws IOException {
        CombinationsCodec.read(in, combinations, maxStringLength, snapshot);
    }
}
