package dev.ringmeter.core;

import dev.ringmeter.core.aggregate.Aggregates;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.core.run.RunTable;

import java.util.Locale;

/**
 * The store's cardinality limits as the heap it runs in allows: the one place that turns the configuration and
 * the JVM's max heap ({@link Runtime#maxMemory()}, i.e. {@code -Xmx}) into limits, and says what each value of a
 * dimension costs.
 * <p>
 * The budget is {@link StoreConfig#heapShare(double)} of the max heap (half by default: the other half is for
 * what the store does not own, such as the server's ingest buffers and Jetty, and for the collector's headroom).
 * At its limits the store holds at most: a fixed part (the ring, the all-models tiers, an empty store's own
 * objects, the runs at their limit: {@link RunTable#widestBytes}, the anomaly log at its limit:
 * {@code AnomalyLog#BYTES_PER_ANOMALY} each), each model's anomaly detectors ({@code AnomalyWatch#BYTES_PER_MODEL},
 * 12.4 KB, when the watch is on) and its aggregates at their widest ({@link Aggregates#widestModelBytes}: every bucket of every
 * tier in use with histograms resized to the longest duration the event rules allow, its recent events and
 * totals, and its name), each pipeline's, pipeline step's, tool's and agent's aggregates at their widest
 * ({@link Aggregates#widestSubjectBytes}: a model's without the recent events), and for each value of every other
 * dimension a dictionary entry of the longest string in two-byte characters, plus, for a custom metric name, its
 * tiers. A limit that is configured is honoured; one that is not is derived:
 * <ul>
 * <li>the dimensions without aggregates of their own keep their defaults ({@link Dimension#defaultLimit()}) while
 * these take at most {@value #DIMENSIONS_SHARE} of the budget, and are scaled down together, each to at least 1,
 * when they would take more;</li>
 * <li>the quality-name limit is not derived: it sizes every bucket's quality sums and is part of the snapshot's
 * fingerprint, so it must not move with {@code -Xmx};</li>
 * <li>what is left, less what the configured limits of models, pipelines, steps, tools and agents take, is shared by
 * the derived ones: the model limit is the number of models that fit in half of it ({@value #MODEL_SHARE}), and the
 * pipeline, step (pipeline steps), tool and agent limits the number that fit in an eighth each (the shares of the
 * configured ones go to the derived ones in proportion); each at most its default (1,000) and at least 1. So a heap
 * that held N models before subjects had aggregates of their own now holds about N / 2 models, and N / 6 of each
 * other kind (a subject holds less than a model: no recent events). Below about 512 MB of {@code -Xmx} one value of
 * each kind at its widest passes the budget, and the store warns ({@link #exceeded()}).</li>
 * </ul>
 * The in-memory comparisons' combinations ({@code comparisonCombinations}), unless configured, take what is left beside
 * the other dimensions and one model, at most {@value #COMBINATIONS_SHARE} of the budget and at least
 * {@value #MIN_COMBINATIONS}, each at its widest ({@link Aggregates#widestCombinationBytes}); they are counted in the
 * fixed part, before the model limit is derived.
 * <p>
 * The custom metric series ({@code metricSeries}: a name with one tag set, its value histograms in every bucket),
 * unless configured, take what is left after them, at most {@value #METRIC_SERIES_SHARE} of the budget and at least
 * {@value #MIN_METRIC_SERIES}, each at its widest ({@link Aggregates#widestMetricSeriesBytes}); counted in the fixed
 * part too.
 * <p>
 * If the limits need more than the budget (configured too high, or a heap too small for one model), the
 * store logs a warning when it opens ({@link #exceeded()}).
 * <p>
 * Threading: immutable; any thread.
 */
public final class HeapBudget {
    /** The share of the max heap the store's state may take at its limits, unless configured. */
    public static final double DEFAULT_HEAP_SHARE = 0.5;
    /** The most of the budget the derived limits of the dimensions other than the subjects may take together. */
    static final double DIMENSIONS_SHARE = 0.25;
    /**
     * The dimensions whose values have aggregates of their own (subjects other than the model): each value costs
     * {@link Aggregates#widestSubjectBytes} (a pipeline step: each pipeline and step pair, which the step limit counts).
     */
    static final Dimension[] SUBJECTS = {Dimension.PIPELINE, Dimension.STEP, Dimension.TOOL, Dimension.AGENT};
    /**
     * The share of what is left, once the fixed part and the other dimensions are counted, that the models' derived
     * limit may take; each of {@link #SUBJECTS} may take an equal part of the rest (an eighth each).
     */
    static final double MODEL_SHARE = 0.5;
    /** A ring slot: an {@code EventSlot} and its four small arrays. */
    static final long RING_SLOT_BYTES = 330;
    /**
     * What an open durable store holds beside its ring and tiers: the journal's Chronicle objects, the handlers,
     * the dictionary's tables; measured after GC with no model (bench {@code FootprintReport}), rounded up.
     */
    static final long EMPTY_STORE_BYTES = 4L << 20;
    /**
     * A dictionary value beside its characters: the String and its array's headers, the hash map's node, its
     * table slot and the boxed id, the slot in the names array (which at most doubles); measured after GC at 103
     * to 109 bytes (100,000 values of 16 and of 256 characters).
     */
    static final long DICTIONARY_ENTRY_BYTES = 128;
    /** A String beside its characters: its object and its array's header. */
    static final long STRING_BYTES = 40;
    /**
     * What the budget adds to the estimates of the aggregates and the dictionary, which match heap measured after
     * GC within 2 % on a 64-bit JVM with compressed references: room for another JVM's object layout.
     */
    static final double MARGIN = 1.05;
    /**
     * The share of the budget the in-memory comparisons' combinations take when their limit is derived: each at its
     * widest ({@code Combinations.widestBytes}).
     */
    static final double COMBINATIONS_SHARE = 0.125;
    /** The most combinations the in-memory comparisons may keep. */
    public static final int MAX_COMBINATIONS = 100_000;
    /** The fewest combinations a derived limit gives. */
    static final int MIN_COMBINATIONS = 16;
    /** The share of the budget the runs kept in memory take when their number is derived: each at its widest. */
    static final double RUNS_SHARE = 1.0 / 16;
    /** The fewest runs a derived limit keeps. */
    static final int MIN_RUNS = 8;
    /** The share of the budget the custom metric series take when their limit is derived. */
    static final double METRIC_SERIES_SHARE = 1.0 / 16;
    /** The most custom metric series. */
    public static final int MAX_METRIC_SERIES = 100_000;
    /**
     * The fewest custom metric series a derived limit gives: none on a heap with no room left (every sample then
     * goes to its name's overflow, counters only).
     */
    static final int MIN_METRIC_SERIES = 0;
    private static final double MB = 1 << 20;

    private final long maxHeapBytes;
    private final double heapShare;
    private final long budgetBytes;
    private final long fixedBytes;
    private final long[] bytesEach = new long[Dimension.VALUES.length];
    private final int[] limits = new int[Dimension.VALUES.length];
    private final boolean[] derived = new boolean[Dimension.VALUES.length];
    private final boolean[] configured = new boolean[Dimension.VALUES.length];
    private final long estimatedBytes;
    private final int combinations;
    private final long combinationBytes;
    private final int runs;
    private final long runBytes;
    private final int metricSeries;
    private final long metricSeriesBytes;

    private HeapBudget(final StoreConfig config, final long maxHeapBytes) {
        final int[] configured = config.configuredLimits();
        this.maxHeapBytes = maxHeapBytes;
        this.heapShare = config.heapShare();
        this.budgetBytes = (long)(heapShare * maxHeapBytes);
        final int quality = Dimension.QUALITY_NAME.ordinal();
        final int qualityNames = configured[quality] > 0 ? configured[quality] : Dimension.QUALITY_NAME.defaultLimit();
        final long entryBytes = DICTIONARY_ENTRY_BYTES + 2L * config.maxStringLength();
        final long fixedBase = EMPTY_STORE_BYTES + config.ringSize() * RING_SLOT_BYTES
            + withMargin(Aggregates.widestAllModelsBytes(config, qualityNames))
            + withMargin(Aggregates.widestCombinationsFixedBytes(config, qualityNames))
            + withMargin(RunTable.widestBytes(0, config.maxTasksPerRun(), config.histogramDigits(),
                config.maxStringLength()))
            + withMargin((long)config.maxAnomalies() * dev.ringmeter.core.watch.AnomalyLog.BYTES_PER_ANOMALY)
            + withMargin(dev.ringmeter.core.privacy.Anonymizer.cacheBytes(config.anonymization(),
                config.maxStringLength()));
        this.runBytes = withMargin(RunTable.widestBytes(1, config.maxTasksPerRun(), config.histogramDigits(),
            config.maxStringLength()) - RunTable.widestBytes(0, config.maxTasksPerRun(), config.histogramDigits(),
            config.maxStringLength()));

        this.combinationBytes = withMargin(Aggregates.widestCombinationBytes(config, qualityNames));
        for (final Dimension d : Dimension.VALUES) {
            // a released dimension's ids run to twice its limit, and an id given back keeps its string (in the
            // dictionary and the journal handler) until the id is given again: a second string per live value
            bytesEach[d.ordinal()] = withMargin(d.released() ? entryBytes + STRING_BYTES + 2L * config.maxStringLength()
                : entryBytes);
            this.configured[d.ordinal()] = configured[d.ordinal()] > 0;
        }
        bytesEach[Dimension.MODEL.ordinal()] =
            withMargin(entryBytes + Aggregates.widestModelBytes(config, qualityNames)
                + (config.anomalyDetection() ? dev.ringmeter.core.watch.AnomalyWatch.BYTES_PER_MODEL : 0)
                + dev.ringmeter.core.privacy.Sampler.BYTES_PER_ID);
        bytesEach[Dimension.OPERATION.ordinal()] += dev.ringmeter.core.privacy.Sampler.BYTES_PER_ID;
        bytesEach[Dimension.METRIC_NAME.ordinal()] = withMargin(entryBytes + Aggregates.widestMetricBytes(config));
        for (final Dimension d : SUBJECTS) {
            bytesEach[d.ordinal()] = withMargin(entryBytes + Aggregates.widestSubjectBytes(config, qualityNames));
        }

        long fixedDimensions = 0;
        long defaultDimensions = 0;
        for (final Dimension d : Dimension.VALUES) {
            final int i = d.ordinal();
            if (hasAggregates(d)) {
                continue;
            }
            if (configured[i] > 0) {
                fixedDimensions += configured[i] * bytesEach[i];
            } else if (d == Dimension.QUALITY_NAME) {
                fixedDimensions += qualityNames * bytesEach[i];
            } else {
                defaultDimensions += d.defaultLimit() * bytesEach[i];
            }
        }
        final double room = Math.max(0, DIMENSIONS_SHARE * budgetBytes - fixedDimensions);
        final double scale = defaultDimensions <= room ? 1 : room / defaultDimensions;
        long dimensions = 0;
        for (final Dimension d : Dimension.VALUES) {
            final int i = d.ordinal();
            if (hasAggregates(d)) {
                continue;
            }
            derived[i] = configured[i] == 0 && d != Dimension.QUALITY_NAME;
            limits[i] = configured[i] > 0 ? configured[i]
                : derived[i] ? (int)Math.max(1, Math.floor(d.defaultLimit() * scale)) : qualityNames;
            dimensions += limits[i] * bytesEach[i];
        }
        // the runs, then the in-memory comparisons: as configured, or from what is left beside one value of each kind
        // with aggregates of its own (or their configured limits), each at most its share of the budget; counted in
        // the fixed part
        long oneEach = 0;
        for (final Dimension d : Dimension.VALUES) {
            if (hasAggregates(d)) {
                oneEach += Math.max(1, configured[d.ordinal()]) * bytesEach[d.ordinal()];
            }
        }
        final long fewestCombinationsBytes = (config.configuredCombinations() > 0 ? config.configuredCombinations()
            : MIN_COMBINATIONS) * combinationBytes;
        final long leftForRuns = budgetBytes - fixedBase - dimensions - oneEach - fewestCombinationsBytes;
        this.runs = config.configuredMaxRuns() > 0 ? config.configuredMaxRuns()
            : (int)Math.max(MIN_RUNS, Math.min(StoreConfig.MAX_DERIVED_RUNS,
                Math.min(RUNS_SHARE * budgetBytes, leftForRuns) / runBytes));
        final long leftForCombinations = leftForRuns - runs * runBytes + fewestCombinationsBytes;
        this.combinations = config.configuredCombinations() > 0 ? config.configuredCombinations()
            : (int)Math.max(MIN_COMBINATIONS, Math.min(MAX_COMBINATIONS,
                Math.min(COMBINATIONS_SHARE * budgetBytes, leftForCombinations) / combinationBytes));
        this.metricSeriesBytes = withMargin(Aggregates.widestMetricSeriesBytes(config));
        final long leftForSeries = leftForCombinations - combinations * combinationBytes;
        this.metricSeries = config.configuredMetricSeries() > 0 ? config.configuredMetricSeries()
            : (int)Math.max(MIN_METRIC_SERIES, Math.min(MAX_METRIC_SERIES,
                Math.min(METRIC_SERIES_SHARE * budgetBytes, leftForSeries) / metricSeriesBytes));
        this.fixedBytes = fixedBase + runs * runBytes + combinations * combinationBytes
            + metricSeries * metricSeriesBytes;
        // the configured subject limits first; the derived ones share the rest, each in proportion to its share
        double left = budgetBytes - fixedBytes - dimensions;
        double shares = 0;
        for (final Dimension d : Dimension.VALUES) {
            if (hasAggregates(d)) {
                derived[d.ordinal()] = configured[d.ordinal()] == 0;
                left -= derived[d.ordinal()] ? 0 : (double)configured[d.ordinal()] * bytesEach[d.ordinal()];
                shares += derived[d.ordinal()] ? share(d) : 0;
            }
        }
        long subjects = 0;
        for (final Dimension d : Dimension.VALUES) {
            final int i = d.ordinal();
            if (!hasAggregates(d)) {
                continue;
            }
            limits[i] = derived[i]
                ? (int)Math.max(1, Math.min(d.defaultLimit(), Math.floor(Math.max(0, left) * share(d) / shares
                    / bytesEach[i])))
                : configured[i];
            subjects += limits[i] * bytesEach[i];
        }
        this.estimatedBytes = fixedBytes + dimensions + subjects;
    }

    /** @return the share of what is left that a dimension with aggregates of its own takes when derived. */
    private static double share(final Dimension d) {
        return d == Dimension.MODEL ? MODEL_SHARE : (1 - MODEL_SHARE) / SUBJECTS.length;
    }

    /** @return whether each value of the dimension has aggregates of its own: a model, or one of {@link #SUBJECTS}. */
    static boolean hasAggregates(final Dimension d) {
        if (d == Dimension.MODEL) {
            return true;
        }
        for (final Dimension s : SUBJECTS) {
            if (s == d) {
                return true;
            }
        }
        return false;
    }

    private static long withMargin(final long bytes) {
        return (long)Math.ceil(bytes * MARGIN);
    }

    /**
     * @param config       the store's configuration; its configured limits are honoured.
     * @param maxHeapBytes the JVM's max heap, {@link Runtime#maxMemory()}.
     * @return the limits that fit.
     */
    public static HeapBudget of(final StoreConfig config, final long maxHeapBytes) {
        return new HeapBudget(config, maxHeapBytes);
    }

    /** @return the most combinations the in-memory comparisons keep, configured or derived. */
    public int combinations() {
        return combinations;
    }

    /** @return the most custom metric series kept, configured or derived. */
    public int metricSeries() {
        return metricSeries;
    }

    /** @return the most heap one custom metric series holds, bytes. */
    public long metricSeriesBytes() {
        return metricSeriesBytes;
    }

    /** @return the most runs kept in memory, configured or derived. */
    public int runs() {
        return runs;
    }

    /** @return the most heap one run kept in memory holds, bytes. */
    public long runBytes() {
        return runBytes;
    }

    /** @return the most heap one combination of the in-memory comparisons holds, bytes. */
    public long combinationBytes() {
        return combinationBytes;
    }

    /** @return the JVM's max heap the budget was taken from, bytes. */
    public long maxHeapBytes() {
        return maxHeapBytes;
    }

    /** @return the share of it the store keeps to. */
    public double heapShare() {
        return heapShare;
    }

    /** @return the store's share of the max heap, bytes. */
    public long budgetBytes() {
        return budgetBytes;
    }

    /** @return what the store holds whatever its models and values: the ring, the all-models tiers, its objects. */
    public long fixedBytes() {
        return fixedBytes;
    }

    /** @return the most heap the store holds at its limits, bytes. */
    public long estimatedBytes() {
        return estimatedBytes;
    }

    /** @return whether the limits need more than the budget: the store may run out of heap before they answer. */
    public boolean exceeded() {
        return estimatedBytes > budgetBytes;
    }

    /** @return the limit of each dimension, indexed by ordinal. */
    public int[] limits() {
        return limits.clone();
    }

    /**
     * @param dimension a dimension.
     * @return its limit.
     */
    public int limit(final Dimension dimension) {
        return limits[dimension.ordinal()];
    }

    /**
     * @param dimension a dimension.
     * @return whether its limit was derived from the heap (not configured).
     */
    public boolean derived(final Dimension dimension) {
        return derived[dimension.ordinal()];
    }

    /**
     * @param dimension a dimension.
     * @return the most heap one of its values holds, bytes: for a model, its aggregates at their widest.
     */
    public long bytesEach(final Dimension dimension) {
        return bytesEach[dimension.ordinal()];
    }

    /**
     * @param models a number of models, the other limits as they are.
     * @return the max heap ({@code -Xmx}) under which that many models fit the budget, bytes.
     */
    public long maxHeapBytesFor(final int models) {
        return maxHeapBytesFor(Dimension.MODEL, models);
    }

    /**
     * @param dimension a dimension.
     * @param values    a number of its values, the other limits as they are.
     * @return the max heap ({@code -Xmx}) under which that many values fit the budget, bytes.
     */
    public long maxHeapBytesFor(final Dimension dimension, final int values) {
        final int i = dimension.ordinal();
        final long others = estimatedBytes - limits[i] * bytesEach[i];
        return (long)Math.ceil((others + values * bytesEach[i]) / heapShare);
    }

    /**
     * @return for each dimension, indexed by ordinal, what a refusal at its limit says about raising it.
     */
    public String[] howToRaise() {
        final String[] how = new String[Dimension.VALUES.length];
        for (final Dimension d : Dimension.VALUES) {
            how[d.ordinal()] = howToRaise(d);
        }
        return how;
    }

    /**
     * @param dimension a dimension.
     * @return what a refusal at its limit says about raising it: the option, and the heap it needs.
     */
    public String howToRaise(final Dimension dimension) {
        final int i = dimension.ordinal();
        final String source = derived[i]
            ? String.format(Locale.ROOT, "derived from the heap (the store keeps within %s of -Xmx %s)",
                heapShare, mb(maxHeapBytes))
            : configured[i] ? "configured" : "its default";
        if (hasAggregates(dimension)) {
            final int twice = Math.max(2, 2 * limits[i]);
            final String what = dimension == Dimension.STEP ? "pipeline step"
                : dimension.name().toLowerCase(Locale.ROOT);
            return String.format(Locale.ROOT, "the limit is %s, and each %s holds up to %s of heap: set it with "
                    + "--limit %s=N (server) or StoreConfig.cardinalityLimit(Dimension.%s, n) (embedded), and "
                    + "give the JVM about %s more -Xmx per %s (%d %ss need -Xmx%dm)",
                source, what, mb(bytesEach[i]), dimension.optionName(), dimension.name(),
                mb((long)Math.ceil(bytesEach[i] / heapShare)), what, twice, what,
                (long)Math.ceil(maxHeapBytesFor(dimension, twice) / MB));
        }
        return String.format(Locale.ROOT, "the limit is %s, and each value holds up to %s of heap: set it with "
                + "StoreConfig.cardinalityLimit(Dimension.%s, n) or the server's --limit %s=N%s",
            source, mb(bytesEach[i]), dimension.name(), dimension.optionName(),
            derived[i] ? ", or give the JVM more -Xmx" : "");
    }

    private static String mb(final long bytes) {
        return bytes >= 1 << 20 ? String.format(Locale.ROOT, "%.1f MB", bytes / MB)
            : String.format(Locale.ROOT, "%.1f KB", bytes / 1024.0);
    }

    /**
     * @return the budget and the limits in force, for the log: which were derived, what a model holds, and, when
     * the limits need more than the budget, a warning that says so.
     */
    @Override
    public String toString() {
        final StringBuilder b = new StringBuilder(512);
        b.append(String.format(Locale.ROOT, "heap budget %s (%s of max heap %s), %s at the limits, %s a model;",
            mb(budgetBytes), heapShare, mb(maxHeapBytes), mb(estimatedBytes),
            mb(bytesEach[Dimension.MODEL.ordinal()])));
        b.append(String.format(Locale.ROOT, " comparisons %d combinations of up to %s; %d runs of up to %s;",
            combinations, mb(combinationBytes), runs, mb(runBytes)));
        b.append(String.format(Locale.ROOT, " %d custom metric series of up to %s;", metricSeries,
            mb(metricSeriesBytes)));
        for (final Dimension d : Dimension.VALUES) {
            b.append(' ').append(d.name().toLowerCase(Locale.ROOT)).append('=').append(limits[d.ordinal()])
                .append(configured[d.ordinal()] ? " (configured)" : "");
        }
        if (exceeded()) {
            b.append("; the limits need more than the budget: the store may run out of heap before a limit "
                + "answers; lower them or raise -Xmx");
        }
        return b.toString();
    }
}
