package dev.ringmeter.core;

import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.core.journal.ChronicleProperties;
import dev.ringmeter.core.journal.JournalHandler;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.SystemEpochClock;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Every option of an {@link EmbeddedStore}, with its default, validated once by {@link #conclude()} when the store
 * opens. Fluent setters; docs/configuration.md lists the same options.
 * <p>
 * Threading: fill on one thread, then hand to {@link EmbeddedStore#open(StoreConfig)}; do not change it afterwards.
 */
public final class StoreConfig {
    static {
        // every store starts from a config, and conclude() reads Chronicle's roll cycles: quiet Chronicle first
        ChronicleProperties.applyDefaults();
    }

    /** What {@code record()} does when the ring has no free slot. */
    public enum FullRingPolicy {
        /** Return false at once and count the drop (the default: never stalls the caller). */
        DROP,
        /** Wait for a free slot, at most {@link #blockTimeoutMs()}; then return false and count the drop. */
        BLOCK
    }

    /** How the store's consumer thread waits for events. */
    public enum WaitStrategyKind {
        /** Spin briefly, then park for {@link #parkNanos()}; woken early by {@code flush()}, and by producers every
         * quarter of the ring and whenever they find it full. Near-zero idle CPU. */
        PARKING,
        /** Disruptor's blocking strategy (a lock and condition; producers signal). */
        BLOCKING,
        /** Disruptor's yielding strategy: lowest latency short of spinning, uses a core while idle. */
        YIELDING,
        /** Disruptor's busy-spin strategy: maximum throughput, burns a core. */
        BUSY_SPIN
    }

    /** Default tiers: 1 s x 60, 10 s x 60, 1 min x 90, 1 h x 24. */
    private static final long[] DEFAULT_TIER_WIDTHS_MS = {1_000, 10_000, 60_000, 3_600_000};
    private static final int[] DEFAULT_TIER_BUCKETS = {60, 60, 90, 24};
    /** The largest cardinality limit of any dimension: ids, and the arrays indexed by them, stay within it. */
    public static final int MAX_CARDINALITY_LIMIT = 10_000_000;

    private int ringSize = 8192;
    private FullRingPolicy fullRingPolicy = FullRingPolicy.DROP;
    private long blockTimeoutMs = 5_000;
    private WaitStrategyKind waitStrategy = WaitStrategyKind.PARKING;
    private long parkNanos = TimeUnit.MILLISECONDS.toNanos(50);
    private int recentEventsPerModel = 1000;
    /** The runs kept in memory; 0 derives it from the heap. */
    private int maxRuns;
    private int maxTasksPerRun = DEFAULT_MAX_TASKS_PER_RUN;
    private long[] tierWidthsMs = DEFAULT_TIER_WIDTHS_MS.clone();
    private int[] tierBuckets = DEFAULT_TIER_BUCKETS.clone();
    private int histogramDigits = 2;
    /** The limits set by {@link #cardinalityLimit}, 0 where the {@link HeapBudget} derives one. */
    private final int[] cardinalityLimits = new int[Dimension.VALUES.length];
    private double heapShare = HeapBudget.DEFAULT_HEAP_SHARE;
    /** The most combinations the in-memory comparisons keep; 0 derives it from the heap. */
    private int comparisonCombinations;
    private int metricSeriesPerName = 16;
    private int metricSeries;
    private HeapBudget heapBudget;
    private int maxStringLength = 256;
    private long dictionaryIdleMs = TimeUnit.MINUTES.toMillis(10);
    private long maxFutureSkewMs = 60_000;
    private EpochClock clock = SystemEpochClock.INSTANCE;
    private java.nio.file.Path dataDirectory;
    private String journalRollCycle = "FAST_HOURLY";
    private long journalRetentionMs = TimeUnit.DAYS.toMillis(7);
    private long journalBlockBytes = 4L << 20;
    private boolean journalSync;
    private long snapshotIntervalMs = TimeUnit.MINUTES.toMillis(5);
    private boolean shutdownHook = true;
    private boolean builtInPrices = true;
    private long systemSampleIntervalMs;
    private String gpuCommand = "nvidia-smi";
    private boolean anomalyDetection = true;
    private long anomalyIntervalMs = 10_000;
    private long anomalyLatenessMs = 60_000;
    private int maxAnomalies = 10_000;
    private long alertEvaluationIntervalMs = 5_000;
    private dev.ringmeter.core.privacy.Sampling sampling = dev.ringmeter.core.privacy.Sampling.NONE;
    private dev.ringmeter.core.privacy.Anonymization anonymization = dev.ringmeter.core.privacy.Anonymization.NONE;
    private byte[] hashKey;
    private dev.ringmeter.core.privacy.Anonymizer anonymizer;
    private java.util.function.Function<dev.ringmeter.core.watch.alert.DeliveryListener,
        dev.ringmeter.core.watch.alert.NoticeSink> noticeSink = listener ->
        new dev.ringmeter.core.watch.alert.NoticeDispatcher(dev.ringmeter.core.watch.alert.DeliverySettings.DEFAULTS,
            listener);

    /** Creates a configuration with every default. */
    public StoreConfig() {
    }

    /**
     * @param ringSize slots in the ingestion ring, a power of two; default 8192.
     * @return this.
     */
    public StoreConfig ringSize(final int ringSize) {
        this.ringSize = ringSize;
        return this;
    }

    /**
     * @param policy when the ring is full; default {@link FullRingPolicy#DROP}.
     * @return this.
     */
    public StoreConfig fullRingPolicy(final FullRingPolicy policy) {
        this.fullRingPolicy = policy;
        return this;
    }

    /**
     * @param ms how long a claim waits for a free ring slot under {@link FullRingPolicy#BLOCK}, and
     *           {@code setPrice()} under either policy, before it gives up: {@code record()} then returns false and
     *           counts the drop, {@code setPrice()} returns false; default 5 s. A consumer in health frees a slot in
     *           microseconds, so only a stalled one (a disk that stops, a lock held) makes a caller wait this long.
     * @return this.
     */
    public StoreConfig blockTimeoutMs(final long ms) {
        this.blockTimeoutMs = ms;
        return this;
    }

    /**
     * @param kind of wait strategy for the consumer; default {@link WaitStrategyKind#PARKING}.
     * @return this.
     */
    public StoreConfig waitStrategy(final WaitStrategyKind kind) {
        this.waitStrategy = kind;
        return this;
    }

    /**
     * @param parkNanos how long an idle consumer parks between checks with {@link WaitStrategyKind#PARKING};
     *                  default 50 ms. {@code flush()} wakes it at once, and so do producers every quarter of the
     *                  ring and on a full ring, so this bounds only how late an unflushed event becomes visible
     *                  to queries.
     * @return this.
     */
    public StoreConfig parkNanos(final long parkNanos) {
        this.parkNanos = parkNanos;
        return this;
    }

    /**
     * @param n events kept per model for {@code recent()}; default 1000.
     * @return this.
     */
    public StoreConfig recentEventsPerModel(final int n) {
        this.recentEventsPerModel = n;
        return this;
    }

    /**
     * Sets the time tiers of the aggregates, finest first. Each width must divide the next, and each tier must
     * span at least one bucket of the next plus one of its own, so that every window can be covered without gaps. The last tier's span
     * is the retention of the aggregates.
     *
     * @param widthsMs  bucket width of each tier in milliseconds; default 1 s, 10 s, 1 min, 1 h.
     * @param bucketCounts buckets kept per tier; default 60, 60, 90, 24.
     * @return this.
     */
    public StoreConfig tiers(final long[] widthsMs, final int[] bucketCounts) {
        this.tierWidthsMs = widthsMs.clone();
        this.tierBuckets = bucketCounts.clone();
        return this;
    }

    /**
     * Keeps the default tiers but sets the number of hourly buckets, i.e. the retention of the aggregates.
     *
     * @param hours to keep; default 24.
     * @return this.
     */
    public StoreConfig retentionHours(final int hours) {
        this.tierWidthsMs = DEFAULT_TIER_WIDTHS_MS.clone();
        this.tierBuckets = DEFAULT_TIER_BUCKETS.clone();
        this.tierBuckets[3] = hours;
        return this;
    }

    /** The most runs a limit derived from the heap keeps in memory ({@link HeapBudget}). */
    public static final int MAX_DERIVED_RUNS = 1_000;
    /** Tasks tracked per run unless configured. */
    public static final int DEFAULT_MAX_TASKS_PER_RUN = 2_048;

    /**
     * @param runs runs kept in memory (1 to 100,000), or 0 (the default) to derive it from the heap: a sixteenth
     *             of the store's budget, at least 8 and at most {@value #MAX_DERIVED_RUNS} ({@link HeapBudget}). A
     *             run created past it pushes out the finished run created first; with every run running it is
     *             refused (docs/runs.md).
     * @return this.
     */
    public StoreConfig maxRuns(final int runs) {
        this.maxRuns = runs;
        return this;
    }

    /**
     * @param tasks task ids tracked per run (1 to 10,000,000); default 2,048. Past it a task is counted without
     *              being tracked: recorded again, it counts again.
     * @return this.
     */
    public StoreConfig maxTasksPerRun(final int tasks) {
        this.maxTasksPerRun = tasks;
        return this;
    }

    /** @return runs kept in memory. */
    public int maxRuns() {
        return heapBudget().runs();
    }

    /** @return the runs kept in memory as configured, 0 where the heap budget derives them. */
    int configuredMaxRuns() {
        return maxRuns;
    }

    /** @return task ids tracked per run. */
    public int maxTasksPerRun() {
        return maxTasksPerRun;
    }

    /**
     * @param digits significant decimal digits of the HdrHistograms (1 to 3); default 2, i.e. values within 1 %.
     * @return this.
     */
    public StoreConfig histogramDigits(final int digits) {
        this.histogramDigits = digits;
        return this;
    }

    /**
     * @param dimension to limit.
     * @param limit     distinct values allowed, honoured whatever the heap (a warning is logged at open if the
     *                  limits need more than {@link #heapShare(double)} of it); 0, the default, derives the limit
     *                  from the heap ({@link HeapBudget}), at most {@link Dimension#defaultLimit()}.
     * @return this.
     */
    public StoreConfig cardinalityLimit(final Dimension dimension, final int limit) {
        this.cardinalityLimits[dimension.ordinal()] = limit;
        return this;
    }

    /**
     * @param combinations the most combinations of dimension values (model, operation, pipeline, step, config, error
     *                     type, status and tags; not run or task) the in-memory comparisons keep, 1 to
     *                     {@value HeapBudget#MAX_COMBINATIONS}; 0, the default, derives it from the heap
     *                     ({@link HeapBudget}). The events of further combinations are counted together, and a
     *                     comparison that includes them says it is incomplete.
     * @return this.
     */
    public StoreConfig comparisonCombinations(final int combinations) {
        this.comparisonCombinations = combinations;
        return this;
    }

    /**
     * @param series the most series (distinct tag sets) one custom metric name keeps, 1 to 1,000; default 16. The
     *               samples of further tag sets are counted in the name's overflow series: in its unfiltered
     *               answers, but in no tag-filtered one, which says how many samples it could not place.
     * @return this.
     */
    public StoreConfig metricSeriesPerName(final int series) {
        this.metricSeriesPerName = series;
        return this;
    }

    /**
     * @param series the most custom metric series (a name with one tag set) the store keeps in all, 1 to
     *               {@value HeapBudget#MAX_METRIC_SERIES}; 0, the default, derives it from the heap
     *               ({@link HeapBudget}). The samples of a tag set past it go to its name's overflow, as past
     *               {@link #metricSeriesPerName(int)}.
     * @return this.
     */
    public StoreConfig metricSeries(final int series) {
        this.metricSeries = series;
        return this;
    }

    /** @return the series set by {@link #metricSeries(int)}, 0 when derived. */
    int configuredMetricSeries() {
        return metricSeries;
    }

    /** @return the most custom metric series the store keeps, configured or derived from the heap. */
    public int metricSeries() {
        return heapBudget().metricSeries();
    }

    /** @return the most series one custom metric name keeps. */
    public int metricSeriesPerName() {
        return metricSeriesPerName;
    }

    /**
     * @param share of the JVM's max heap ({@code -Xmx}) the store's state may take at its limits, 0.05 to 0.95;
     *              default 0.5. The limits not configured are derived from it ({@link HeapBudget}).
     * @return this.
     */
    public StoreConfig heapShare(final double share) {
        this.heapShare = share;
        return this;
    }

    /**
     * @param ms how long a value of a released dimension (operation, pipeline, step, run, task, config, tag keys
     *           and values) stays live without being used; an idle one gives its id back, and the cardinality limit
     *           of those dimensions counts live values only. At least a second; default 10 minutes.
     * @return this.
     */
    public StoreConfig dictionaryIdleMs(final long ms) {
        this.dictionaryIdleMs = ms;
        return this;
    }

    /**
     * @param chars longest string value accepted for any dimension; default 256.
     * @return this.
     */
    public StoreConfig maxStringLength(final int chars) {
        this.maxStringLength = chars;
        return this;
    }

    /**
     * @param ms how far in the future a caller-given timestamp may lie, 0 to 1 hour; default 60 s. It does not depend
     *           on the tiers: a model or metric holds the events ahead of the clock's current finest bucket apart, in
     *           at most ms / finest width + 2 buckets, until the clock gets there.
     * @return this.
     */
    public StoreConfig maxFutureSkewMs(final long ms) {
        this.maxFutureSkewMs = ms;
        return this;
    }

    /**
     * @param clock source of wall-clock time in epoch milliseconds; default the system clock.
     * @return this.
     */
    public StoreConfig clock(final EpochClock clock) {
        this.clock = clock;
        return this;
    }

    /**
     * @param directory where the journal and snapshots live; null (the default) keeps the store in memory only.
     * @return this.
     */
    public StoreConfig dataDirectory(final java.nio.file.Path directory) {
        this.dataDirectory = directory;
        return this;
    }

    /**
     * @param rollCycle name of a Chronicle Queue {@code RollCycles} constant: FAST_HOURLY (the default),
     *                  FAST_DAILY, FIVE_MINUTELY, TEN_MINUTELY, HALF_HOURLY, TWO_HOURLY, ...
     * @return this.
     */
    public StoreConfig journalRollCycle(final String rollCycle) {
        this.journalRollCycle = rollCycle;
        return this;
    }

    /**
     * @param ms how long journal cycle files are kept; default 7 days.
     * @return this.
     */
    public StoreConfig journalRetentionMs(final long ms) {
        this.journalRetentionMs = ms;
        return this;
    }

    /**
     * @param bytes size of the blocks Chronicle maps the journal in; default 4 MiB (Chronicle's floor is 128 KiB).
     * @return this.
     */
    public StoreConfig journalBlockBytes(final long bytes) {
        this.journalBlockBytes = bytes;
        return this;
    }

    /**
     * @param sync whether to msync the journal at the end of every batch, so acknowledged events survive an OS
     *             crash or power loss, not only a killed process; default false (much slower with true).
     * @return this.
     */
    public StoreConfig journalSync(final boolean sync) {
        this.journalSync = sync;
        return this;
    }

    /**
     * @param ms how often a snapshot of the aggregates is written (also at close); default 5 minutes.
     * @return this.
     */
    public StoreConfig snapshotIntervalMs(final long ms) {
        this.snapshotIntervalMs = ms;
        return this;
    }

    /**
     * @param use whether the built-in price list ({@code BuiltInPrices}) prices events no entry of the user's
     *            prices; default true.
     * @return this.
     */
    public StoreConfig builtInPrices(final boolean use) {
        this.builtInPrices = use;
        return this;
    }

    /**
     * @param ms how often the store samples the JVM, the host, its own state and the GPUs into custom metrics
     *           ({@code dev.ringmeter.core.watch.SystemSampler}, docs/alerts.md): 100 ms to 1 hour, or 0 for never;
     *           default 0 in an embedded store, whose host process has its own monitoring (the server's default is
     *           5,000).
     * @return this.
     */
    public StoreConfig systemSampleIntervalMs(final long ms) {
        this.systemSampleIntervalMs = ms;
        return this;
    }

    /**
     * @param on whether the store runs its anomaly watch ({@code dev.ringmeter.core.watch.AnomalyWatch},
     *           docs/alerts.md); default true.
     * @return this.
     */
    public StoreConfig anomalyDetection(final boolean on) {
        this.anomalyDetection = on;
        return this;
    }

    /**
     * @param ms how often the alert rules are evaluated ({@code dev.ringmeter.core.watch.alert.AlertEvaluator},
     *           docs/alerts.md): 100 ms to 1 hour, or 0 for never; default 5,000.
     * @return this.
     */
    public StoreConfig alertEvaluationIntervalMs(final long ms) {
        this.alertEvaluationIntervalMs = ms;
        return this;
    }

    /**
     * @param ms how often the anomaly watch looks for closed minutes: 1 second to 1 minute; default 10,000.
     * @return this.
     */
    public StoreConfig anomalyIntervalMs(final long ms) {
        this.anomalyIntervalMs = ms;
        return this;
    }

    /**
     * @param ms how long after its end a minute is closed for the anomaly watch, so that late events count in it:
     *           0 to 1 hour; default 60,000.
     * @return this.
     */
    public StoreConfig anomalyLatenessMs(final long ms) {
        this.anomalyLatenessMs = ms;
        return this;
    }

    /**
     * @param anomalies the most anomalies kept (oldest ended ones dropped first): 1 to 1,000,000; default 10,000.
     * @return this.
     */
    public StoreConfig maxAnomalies(final int anomalies) {
        this.maxAnomalies = anomalies;
        return this;
    }

    /**
     * @param factory makes the sink that delivers alert notices, given the listener it tells each delivery's outcome
     *                (which the store journals); by default a {@code NoticeDispatcher} with
     *                {@code DeliverySettings.DEFAULTS} (webhooks, Slack, Alertmanager over HTTP, its threads started
     *                with the first notice); null for none: notices wait in the outbox, counted, and go to the sink
     *                of a later open. A sink that is {@link AutoCloseable} is closed by the store's
     *                close, after the alert evaluator stopped and before the ring does.
     * @return this.
     */
    public StoreConfig noticeSink(final java.util.function.Function<dev.ringmeter.core.watch.alert.DeliveryListener,
        dev.ringmeter.core.watch.alert.NoticeSink> factory) {
        this.noticeSink = factory;
        return this;
    }

    /**
     * @param command the {@code nvidia-smi} the system sampler runs each interval: a path, or a name looked up on the
     *                PATH; null or empty for no GPU series. Default {@code nvidia-smi}; absent, no GPU series.
     * @return this.
     */
    public StoreConfig gpuCommand(final String command) {
        this.gpuCommand = command;
        return this;
    }

    /**
     * @param install whether a durable store closes itself (drain, snapshot, close the journal) in a JVM
     *                shutdown hook, e.g. on SIGTERM; default true.
     * @return this.
     */
    public StoreConfig shutdownHook(final boolean install) {
        this.shutdownHook = install;
        return this;
    }

    /**
     * @param sampling which raw events the journal keeps (docs/privacy.md); default {@code Sampling.NONE}, every one.
     * @return this.
     */
    public StoreConfig sampling(final dev.ringmeter.core.privacy.Sampling sampling) {
        this.sampling = sampling;
        return this;
    }

    /**
     * @param anonymization what is hashed, dropped or redacted before the dictionary and the journal
     *                      (docs/privacy.md); default {@code Anonymization.NONE}.
     * @return this.
     */
    public StoreConfig anonymization(final dev.ringmeter.core.privacy.Anonymization anonymization) {
        this.anonymization = anonymization;
        return this;
    }

    /**
     * @param key the secret of the HMAC that hashes anonymized values; default the UTF-8 bytes of the environment
     *            variable {@code RINGMETER_HASH_KEY}, if set.
     * @return this.
     */
    public StoreConfig hashKey(final byte[] key) {
        this.hashKey = key == null ? null : key.clone();
        return this;
    }

    /**
     * Checks every option.
     *
     * @return this.
     * @throws IllegalArgumentException naming the first bad option.
     */
    public StoreConfig conclude() {
        require(ringSize >= 2 && Integer.bitCount(ringSize) == 1, "ringSize must be a power of two >= 2");
        require(fullRingPolicy != null, "fullRingPolicy must be set");
        require(blockTimeoutMs >= 1 && blockTimeoutMs <= 3_600_000, "blockTimeoutMs must be 1 ms to 1 hour");
        require(waitStrategy != null, "waitStrategy must be set");
        require(parkNanos >= 1_000 && parkNanos <= TimeUnit.SECONDS.toNanos(1), "parkNanos must be 1 us to 1 s");
        require(recentEventsPerModel >= 1 && recentEventsPerModel <= 1_000_000,
            "recentEventsPerModel must be 1 to 1,000,000");
        require(tierWidthsMs.length >= 1 && tierWidthsMs.length == tierBuckets.length,
            "tiers need one bucket count per width");
        for (int i = 0; i < tierWidthsMs.length; i++) {
            require(tierWidthsMs[i] >= 1, "tier widths must be >= 1 ms");
            require(tierBuckets[i] >= 2 && tierBuckets[i] <= 100_000, "tier bucket counts must be 2 to 100,000");
            if (i > 0) {
                require(tierWidthsMs[i] % tierWidthsMs[i - 1] == 0 && tierWidthsMs[i] > tierWidthsMs[i - 1],
                    "each tier width must be a larger multiple of the one before");
                require(tierWidthsMs[i - 1] * (tierBuckets[i - 1] - 1) >= tierWidthsMs[i],
                    "each tier must span at least one bucket of the next plus one of its own");
            }
        }
        require(histogramDigits >= 1 && histogramDigits <= 3, "histogramDigits must be 1 to 3");
        require(maxRuns >= 0 && maxRuns <= 100_000, "maxRuns must be 1 to 100,000, or 0 to derive it from the heap");
        require(maxTasksPerRun >= 1 && maxTasksPerRun <= 10_000_000, "maxTasksPerRun must be 1 to 10,000,000");
        for (final Dimension d : Dimension.VALUES) {
            require(cardinalityLimits[d.ordinal()] >= 0 && cardinalityLimits[d.ordinal()] <= MAX_CARDINALITY_LIMIT,
                "cardinality limit of " + d + " must be 1 to " + MAX_CARDINALITY_LIMIT + ", or 0 to derive it from the heap");
        }
        require(maxStringLength >= 1, "maxStringLength must be >= 1");
        require(dictionaryIdleMs >= 1_000, "dictionaryIdleMs must be at least a second");
        require(maxFutureSkewMs >= 0 && maxFutureSkewMs <= 3_600_000, "maxFutureSkewMs must be 0 to 1 hour");
        require(clock != null, "clock must be set");
        try {
            net.openhft.chronicle.queue.RollCycles.valueOf(journalRollCycle);
        } catch (final RuntimeException e) {
            throw new IllegalArgumentException("journalRollCycle '" + journalRollCycle
                + "' is not a Chronicle RollCycles name such as FAST_HOURLY or FAST_DAILY");
        }
        require(journalRetentionMs >= 60_000, "journalRetentionMs must be at least a minute");
        require(journalBlockBytes >= 128 << 10 && journalBlockBytes <= 1L << 30,
            "journalBlockBytes must be 128 KiB to 1 GiB");
        require(snapshotIntervalMs >= 1_000, "snapshotIntervalMs must be at least a second");
        require(systemSampleIntervalMs == 0 || systemSampleIntervalMs >= 100 && systemSampleIntervalMs <= 3_600_000,
            "systemSampleIntervalMs must be 100 ms to 1 hour, or 0 for never");
        require(anomalyIntervalMs >= 1_000 && anomalyIntervalMs <= 60_000,
            "anomalyIntervalMs must be 1 second to 1 minute");
        require(anomalyLatenessMs >= 0 && anomalyLatenessMs <= 3_600_000, "anomalyLatenessMs must be 0 to 1 hour");
        require(maxAnomalies >= 1 && maxAnomalies <= 1_000_000, "maxAnomalies must be 1 to 1,000,000");
        require(alertEvaluationIntervalMs == 0 || alertEvaluationIntervalMs >= 100
            && alertEvaluationIntervalMs <= 3_600_000, "alertEvaluationIntervalMs must be 100 ms to 1 hour, or 0 for "
            + "never");
        require(heapShare >= 0.05 && heapShare <= 0.95, "heapShare must be 0.05 to 0.95");
        require(metricSeriesPerName >= 1 && metricSeriesPerName <= 1_000, "metricSeriesPerName must be 1 to 1,000");
        require(metricSeries >= 0 && metricSeries <= HeapBudget.MAX_METRIC_SERIES,
            "metricSeries must be 1 to " + HeapBudget.MAX_METRIC_SERIES + ", or 0 to derive it from the heap");
        require(comparisonCombinations >= 0 && comparisonCombinations <= HeapBudget.MAX_COMBINATIONS,
            "comparisonCombinations must be 1 to " + HeapBudget.MAX_COMBINATIONS + ", or 0 to derive it from the heap");
        require(sampling != null, "sampling must be set (Sampling.NONE keeps every event)");
        require(anonymization != null, "anonymization must be set (Anonymization.NONE hides nothing)");
        final String envKey = System.getenv("RINGMETER_HASH_KEY");
        anonymizer = new dev.ringmeter.core.privacy.Anonymizer(anonymization, hashKey != null ? hashKey
            : envKey == null || envKey.isEmpty() ? null : envKey.getBytes(java.nio.charset.StandardCharsets.UTF_8),
            maxStringLength);
        heapBudget = HeapBudget.of(this, Runtime.getRuntime().maxMemory());
        require(journalBlockBytes >= JournalHandler.smallestBlockBytes(maxStringLength),
            "maxStringLength " + maxStringLength + " needs journalBlockBytes of at least "
                + JournalHandler.smallestBlockBytes(maxStringLength) + ": a journal record of the longest string must "
                + "fit in one journal document");
        return this;
    }

    private static void require(final boolean condition, final String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }

    public int ringSize() {
        return ringSize;
    }

    public FullRingPolicy fullRingPolicy() {
        return fullRingPolicy;
    }

    public long blockTimeoutMs() {
        return blockTimeoutMs;
    }

    public WaitStrategyKind waitStrategy() {
        return waitStrategy;
    }

    public long parkNanos() {
        return parkNanos;
    }

    public int recentEventsPerModel() {
        return recentEventsPerModel;
    }

    public long[] tierWidthsMs() {
        return tierWidthsMs.clone();
    }

    public int[] tierBuckets() {
        return tierBuckets.clone();
    }

    /** @return how far back the aggregates reach: the span of the coarsest tier. */
    public long retentionMs() {
        final int last = tierWidthsMs.length - 1;
        return tierWidthsMs[last] * tierBuckets[last];
    }

    public int histogramDigits() {
        return histogramDigits;
    }

    /** @return the limit of each dimension in force, configured or derived from the heap, indexed by ordinal. */
    public int[] cardinalityLimits() {
        return heapBudget().limits();
    }

    /** @return the limits set by {@link #cardinalityLimit}, 0 where one is derived, indexed by ordinal. */
    int[] configuredLimits() {
        return cardinalityLimits.clone();
    }

    public double heapShare() {
        return heapShare;
    }

    /** @return the combinations set by {@link #comparisonCombinations(int)}, 0 when derived. */
    int configuredCombinations() {
        return comparisonCombinations;
    }

    /** @return the most combinations the in-memory comparisons keep, configured or derived from the heap. */
    public int comparisonCombinations() {
        return heapBudget().combinations();
    }

    /** @return the heap budget and the limits it gives: as concluded, or for the options as they stand. */
    public HeapBudget heapBudget() {
        return heapBudget != null ? heapBudget : HeapBudget.of(this, Runtime.getRuntime().maxMemory());
    }

    public int maxStringLength() {
        return maxStringLength;
    }

    public long dictionaryIdleMs() {
        return dictionaryIdleMs;
    }

    public long maxFutureSkewMs() {
        return maxFutureSkewMs;
    }

    public EpochClock clock() {
        return clock;
    }

    public java.nio.file.Path dataDirectory() {
        return dataDirectory;
    }

    public String journalRollCycle() {
        return journalRollCycle;
    }

    public long journalRetentionMs() {
        return journalRetentionMs;
    }

    public long journalBlockBytes() {
        return journalBlockBytes;
    }

    public boolean journalSync() {
        return journalSync;
    }

    public long snapshotIntervalMs() {
        return snapshotIntervalMs;
    }

    public boolean shutdownHook() {
        return shutdownHook;
    }

    /** @return how often the system is sampled, ms; 0 for never. */
    public long systemSampleIntervalMs() {
        return systemSampleIntervalMs;
    }

    /** @return whether the store runs its anomaly watch. */
    public boolean anomalyDetection() {
        return anomalyDetection;
    }

    /** @return how often the anomaly watch looks for closed minutes, ms. */
    public long anomalyIntervalMs() {
        return anomalyIntervalMs;
    }

    /** @return how long after its end a minute is closed for the anomaly watch, ms. */
    public long anomalyLatenessMs() {
        return anomalyLatenessMs;
    }

    /** @return the most anomalies kept. */
    public int maxAnomalies() {
        return maxAnomalies;
    }

    /** @return how often alert rules are evaluated, ms; 0 for never. */
    public long alertEvaluationIntervalMs() {
        return alertEvaluationIntervalMs;
    }

    /** @return the factory of the notice sink, or null for none. */
    public java.util.function.Function<dev.ringmeter.core.watch.alert.DeliveryListener,
        dev.ringmeter.core.watch.alert.NoticeSink> noticeSink() {
        return noticeSink;
    }

    /** @return the nvidia-smi command, or null or empty for none. */
    public String gpuCommand() {
        return gpuCommand;
    }

    /** @return which raw events the journal keeps. */
    public dev.ringmeter.core.privacy.Sampling sampling() {
        return sampling;
    }

    /** @return what is hashed, dropped or redacted. */
    public dev.ringmeter.core.privacy.Anonymization anonymization() {
        return anonymization;
    }

    /** @return the anonymizer {@link #conclude()} built (with its key), or null before. */
    public dev.ringmeter.core.privacy.Anonymizer anonymizer() {
        return anonymizer;
    }

    /** @return whether the built-in price list is used. */
    public boolean builtInPrices() {
        return builtInPrices;
    }

    @Override
    public String toString() {
        return "StoreConfig{ringSize=" + ringSize + ", fullRingPolicy=" + fullRingPolicy + ", waitStrategy="
            + waitStrategy + ", parkNanos=" + parkNanos + ", recentEventsPerModel=" + recentEventsPerModel
            + ", maxRuns=" + maxRuns + ", maxTasksPerRun=" + maxTasksPerRun
            + ", tierWidthsMs=" + Arrays.toString(tierWidthsMs) + ", tierBuckets=" + Arrays.toString(tierBuckets)
            + ", histogramDigits=" + histogramDigits + ", maxStringLength=" + maxStringLength + '}';
    }
}
