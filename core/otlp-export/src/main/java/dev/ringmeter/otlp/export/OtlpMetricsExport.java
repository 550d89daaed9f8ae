package dev.ringmeter.otlp.export;

import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.aggregate.CallTotals;
import dev.ringmeter.core.query.WindowStats;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporterBuilder;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.DoublePointData;
import io.opentelemetry.sdk.metrics.data.ExponentialHistogramData;
import io.opentelemetry.sdk.metrics.data.ExponentialHistogramPointData;
import io.opentelemetry.sdk.metrics.data.HistogramData;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.SumData;
import io.opentelemetry.sdk.metrics.internal.data.ImmutableMetricData;
import io.opentelemetry.sdk.resources.Resource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Pushes a store's aggregates as OTLP metrics, every interval, through the OpenTelemetry SDK's
 * {@link OtlpHttpMetricExporter} to an OpenTelemetry Collector, Prometheus 3's OTLP endpoint, Mimir or a Ringmeter
 * server. Each export covers the closed interval {@code [from, to)}: {@code to} is now (the store's clock) less the
 * lateness, rounded
 * down to the alignment (the width of the finest time tier whose span holds the backlog, so that every boundary is
 * a bucket boundary of each tier the window can be read from, and no bucket is exported twice); {@code from} is the
 * previous export's {@code to}. Per model (attributes {@code gen_ai.request.model} and, once a call named them,
 * {@code gen_ai.provider.name} and {@code gen_ai.operation.name}):
 * <ul>
 * <li>{@code gen_ai.client.operation.duration} (s) and {@code gen_ai.server.time_to_first_token} (s): exponential
 * histograms converted from the store's HdrHistograms ({@link ExponentialBuckets}: the scale and its error);</li>
 * <li>{@code gen_ai.client.token.usage} ({token}), per {@code gen_ai.token.type} input and output: a histogram of one
 * bucket, its count the calls and its sum their tokens (the store's time buckets keep token sums, not per-call
 * token distributions, so the mean per call is exact and no percentile is claimed);</li>
 * <li>counters {@code ringmeter.requests} ({request}), {@code ringmeter.errors} ({error}) and {@code ringmeter.cost}
 * (USD).</li>
 * </ul>
 * Delta temporality by default: each point is its interval's. Cumulative on request: each point is the window from
 * the export's first {@code from} to {@code to}, read again every interval (so it grows with the interval only; once
 * the start is older than the store's retention the start moves up and the series starts again).
 * <p>
 * A failed export (the endpoint down, a refusal) is logged, counted and retried at the next interval, which then
 * covers the intervals missed too: the data stays in the store's aggregates, so the retry holds nothing in memory.
 * The backlog is bounded by {@link Builder#maxBacklog(Duration)}: an interval older than that is skipped and its
 * milliseconds counted ({@link Stats#skippedMs()}). Memory: one export's points, built and dropped each interval,
 * at most (models x ({@value ExponentialBuckets#MAX_BUCKETS} x 2 + 8)) values; the model count is the store's model
 * limit.
 * <p>
 * Threading: {@link #start()} runs the exports on one daemon thread of its own; {@link #exportNow()} may be called
 * from any thread (exports are serialized on this object's monitor). Recording never waits for an export: the export
 * reads the aggregates through the store's window queries, which pin buckets under the aggregates' lock and merge
 * after releasing it. {@link #close()} stops the thread, exports what closed since the last export, and shuts the
 * exporter down; it may be called from any thread, more than once.
 */
public final class OtlpMetricsExport implements AutoCloseable {
    /** The scope of the exported metrics. */
    public static final String SCOPE = "dev.ringmeter.otlp.export";
    static final AttributeKey<String> MODEL = AttributeKey.stringKey("gen_ai.request.model");
    static final AttributeKey<String> PROVIDER = AttributeKey.stringKey("gen_ai.provider.name");
    static final AttributeKey<String> OPERATION = AttributeKey.stringKey("gen_ai.operation.name");
    static final AttributeKey<String> TOKEN_TYPE = AttributeKey.stringKey("gen_ai.token.type");
    /** The most backlog a failed export is retried over when none is set: 9 min. */
    public static final long DEFAULT_MAX_BACKLOG_MS = 540_000;
    private static final System.Logger LOG = System.getLogger(OtlpMetricsExport.class.getName());

    /**
     * What the export did so far.
     *
     * @param exports   exports that succeeded.
     * @param failures  exports that failed (each retried at the next interval).
     * @param skippedMs milliseconds of intervals skipped because they were older than the backlog allowed.
     * @param exportedToMs the end of the last interval exported, epoch ms.
     */
    public record Stats(long exports, long failures, long skippedMs, long exportedToMs) {
    }

    private final EmbeddedStore store;
    private final io.opentelemetry.sdk.metrics.export.MetricExporter exporter;
    private final long intervalMs;
    private final long latenessMs;
    private final long maxBacklogMs;
    private final long alignMs;
    private final long timeoutMs;
    private final AggregationTemporality temporality;
    private final Resource resource;
    private final InstrumentationScopeInfo scope = InstrumentationScopeInfo.create(SCOPE);
    private final int digits;
    private final WindowStats stats;
    private final AtomicLong exports = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong skippedMs = new AtomicLong();
    private final long retentionMs;
    private long startMs;
    private long fromMs;
    private volatile long exportedToMs;
    private boolean failing;
    private ScheduledExecutorService scheduler;
    private boolean closed;

    private OtlpMetricsExport(final Builder b) {
        this.store = b.store;
        this.intervalMs = b.intervalMs;
        this.latenessMs = b.latenessMs;
        this.timeoutMs = b.timeoutMs;
        this.temporality = b.temporality;
        final long[] widths = store.config().tierWidthsMs();
        final int[] buckets = store.config().tierBuckets();
        if (b.maxBacklogMs > 0) {
            this.maxBacklogMs = b.maxBacklogMs;
            this.alignMs = alignment(widths, buckets, b.maxBacklogMs + b.latenessMs + b.intervalMs);
        } else {
            // the longest backlog, up to the default, that a tier whose width divides the interval holds
            long backlog = -1;
            long align = widths[0];
            for (int i = 0; i < widths.length && backlog < DEFAULT_MAX_BACKLOG_MS; i++) {
                final long held = widths[i] * (buckets[i] - 1) - latenessMs - intervalMs;
                if (intervalMs % widths[i] == 0 && held >= intervalMs) {
                    backlog = Math.min(DEFAULT_MAX_BACKLOG_MS, held);
                    align = widths[i];
                }
            }
            this.maxBacklogMs = backlog < 0 ? DEFAULT_MAX_BACKLOG_MS : backlog;
            this.alignMs = backlog < 0 ? alignment(widths, buckets, maxBacklogMs + latenessMs + intervalMs) : align;
        }
        if (intervalMs % alignMs != 0) {
            throw new IllegalArgumentException("the OTLP export interval must be a multiple of " + alignMs
                + " ms (the width of the store's time tier that holds the backlog) but was " + intervalMs + " ms");
        }
        this.resource = Resource.getDefault().merge(Resource.create(Attributes.of(
            AttributeKey.stringKey("service.name"), b.serviceName)));
        this.digits = store.config().histogramDigits();
        this.stats = store.aggregates().newWindowStats();
        this.retentionMs = widths[widths.length - 1] * (buckets[buckets.length - 1] - 1);
        this.startMs = Math.floorDiv(b.fromMs == Long.MIN_VALUE ? store.config().clock().time() : b.fromMs, alignMs)
            * alignMs;
        this.fromMs = startMs;
        this.exportedToMs = startMs;
        final OtlpHttpMetricExporterBuilder e = OtlpHttpMetricExporter.builder().setEndpoint(b.endpoint)
            .setTimeout(Duration.ofMillis(b.timeoutMs)).setComponentLoader(NoDelayHttpSender.loader());
        b.headers.forEach(e::addHeader);
        this.exporter = e.build();
    }

    /**
     * @param widthsMs   the store's tier widths, finest first.
     * @param buckets    the store's buckets per tier.
     * @param reachMs    how far back an export may read.
     * @return the width of the finest tier whose span holds {@code reachMs} (the coarsest tier's if none does).
     */
    static long alignment(final long[] widthsMs, final int[] buckets, final long reachMs) {
        for (int i = 0; i < widthsMs.length; i++) {
            if (widthsMs[i] * (buckets[i] - 1) >= reachMs) {
                return widthsMs[i];
            }
        }
        return widthsMs[widthsMs.length - 1];
    }

    /**
     * @param store    the store whose aggregates are exported; it must stay open until this export is closed.
     * @param endpoint the OTLP/HTTP metrics URL, e.g. {@code http://collector:4318/v1/metrics}.
     * @return a builder.
     */
    public static Builder builder(final EmbeddedStore store, final String endpoint) {
        return new Builder(store, endpoint);
    }

    /**
     * Starts exporting every interval on a daemon thread of its own.
     *
     * @return this.
     */
    public synchronized OtlpMetricsExport start() {
        if (closed || scheduler != null) {
            throw new IllegalStateException(closed ? "closed" : "started already");
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            final Thread t = new Thread(r, "ringmeter-otlp-export");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(this::exportQuietly, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
        return this;
    }

    private void exportQuietly() {
        try {
            exportNow();
        } catch (final RuntimeException e) {
            failures.incrementAndGet();
            LOG.log(System.Logger.Level.WARNING, "the OTLP export failed", e);
        }
    }

    /**
     * Exports the intervals closed since the last export (nothing if none closed).
     *
     * @return true if there was nothing to export or the export succeeded; false if it failed (it is retried, with
     * what closes meanwhile, at the next call).
     */
    public synchronized boolean exportNow() {
        final long to = Math.floorDiv(store.config().clock().time() - latenessMs, alignMs) * alignMs;
        if (to <= fromMs) {
            return true;
        }
        if (to - fromMs > maxBacklogMs) {
            final long from = to - maxBacklogMs / alignMs * alignMs;
            skippedMs.addAndGet(from - fromMs);
            LOG.log(System.Logger.Level.WARNING, "the OTLP export skips " + (from - fromMs)
                + " ms of aggregates older than its backlog of " + maxBacklogMs + " ms");
            fromMs = from;
        }
        if (to - startMs > retentionMs) {
            // a cumulative point reads back to its start: past the retention the start moves up, a new series
            startMs = to - retentionMs / alignMs * alignMs;
        }
        final CompletableResultCode result = send(temporality == AggregationTemporality.DELTA ? fromMs : startMs,
            to);
        if (!result.isSuccess()) {
            failures.incrementAndGet();
            LOG.log(failing ? System.Logger.Level.DEBUG : System.Logger.Level.WARNING,
                "the OTLP export of " + fromMs + ".." + to + " failed; retried at the next interval"
                    + (result.getFailureThrowable() == null ? "" : ": " + result.getFailureThrowable()));
            failing = true;
            return false;
        }
        if (failing) {
            LOG.log(System.Logger.Level.INFO, "the OTLP export succeeds again, from " + fromMs);
            failing = false;
        }
        exports.incrementAndGet();
        fromMs = to;
        exportedToMs = to;
        return true;
    }

    /**
     * Sends one window as it is, waiting for the reply, without moving the export's own interval: a re-send, and what
     * the benchmark of the export's cost measures (bench OtlpExportBenchmark). Not counted in {@link #stats()}.
     *
     * @param from start of the window, epoch ms, inclusive (aligned by the caller to the store's buckets).
     * @param to   end of the window, epoch ms, exclusive.
     * @return whether the endpoint took it.
     */
    public synchronized boolean export(final long from, final long to) {
        return send(from, to).isSuccess();
    }

    private CompletableResultCode send(final long from, final long to) {
        final List<MetricData> metrics = collect(from, to);
        return metrics.isEmpty() ? CompletableResultCode.ofSuccess()
            : exporter.export(metrics).join(timeoutMs, TimeUnit.MILLISECONDS);
    }

    /**
     * @param from start of the window, epoch ms, inclusive.
     * @param to   end of the window, epoch ms, exclusive.
     * @return the metrics of every model with calls in the window.
     */
    List<MetricData> collect(final long from, final long to) {
        final long startNanos = TimeUnit.MILLISECONDS.toNanos(from);
        final long endNanos = TimeUnit.MILLISECONDS.toNanos(to);
        final List<ExponentialHistogramPointData> duration = new ArrayList<>();
        final List<ExponentialHistogramPointData> ttft = new ArrayList<>();
        final List<HistogramPointData> tokens = new ArrayList<>();
        final List<LongPointData> requests = new ArrayList<>();
        final List<LongPointData> errors = new ArrayList<>();
        final List<DoublePointData> cost = new ArrayList<>();
        final SortedMap<String, CallTotals> totals = store.aggregates().totals();
        for (final Map.Entry<String, CallTotals> e : totals.entrySet()) {
            final WindowStats w = store.aggregates().window(e.getKey(), from, to, stats);
            if (w.count() == 0) {
                continue;
            }
            final Attributes a = attributes(e.getKey(), e.getValue());
            if (w.sum.latencyUs != null && w.sum.latencyUs.getTotalCount() > 0) {
                duration.add(ExponentialBuckets.convert(w.sum.latencyUs, 1e-6, digits, w.sum.latencyNsSum / 1e9,
                    startNanos, endNanos, a));
            }
            if (w.sum.ttftUs != null && w.sum.ttftUs.getTotalCount() > 0) {
                ttft.add(ExponentialBuckets.convert(w.sum.ttftUs, 1e-6, digits, w.sum.ttftNsSum / 1e9,
                    startNanos, endNanos, a));
            }
            tokens.add(oneBucket(w.count(), w.promptTokens(), startNanos, endNanos,
                a.toBuilder().put(TOKEN_TYPE, "input").build()));
            tokens.add(oneBucket(w.count(), w.completionTokens(), startNanos, endNanos,
                a.toBuilder().put(TOKEN_TYPE, "output").build()));
            requests.add(LongPointData.create(startNanos, endNanos, a, w.count()));
            errors.add(LongPointData.create(startNanos, endNanos, a, w.errorCount()));
            cost.add(DoublePointData.create(startNanos, endNanos, a, w.costUsd(), Collections.emptyList()));
        }
        final List<MetricData> out = new ArrayList<>(6);
        if (!duration.isEmpty()) {
            out.add(ImmutableMetricData.createExponentialHistogram(resource, scope, "gen_ai.client.operation.duration",
                "Duration of the model calls.", "s", ExponentialHistogramData.create(temporality, duration)));
        }
        if (!ttft.isEmpty()) {
            out.add(ImmutableMetricData.createExponentialHistogram(resource, scope, "gen_ai.server.time_to_first_token",
                "Time to first token of the model calls that reported it.", "s",
                ExponentialHistogramData.create(temporality, ttft)));
        }
        if (!tokens.isEmpty()) {
            out.add(ImmutableMetricData.createDoubleHistogram(resource, scope, "gen_ai.client.token.usage",
                "Tokens per model call by type: one bucket, its count the calls and its sum their tokens.", "{token}",
                HistogramData.create(temporality, tokens)));
            out.add(ImmutableMetricData.createLongSum(resource, scope, "ringmeter.requests", "Model calls.",
                "{request}", SumData.createLongSumData(true, temporality, requests)));
            out.add(ImmutableMetricData.createLongSum(resource, scope, "ringmeter.errors",
                "Model calls that failed.", "{error}", SumData.createLongSumData(true, temporality, errors)));
            out.add(ImmutableMetricData.createDoubleSum(resource, scope, "ringmeter.cost",
                "Cost of the model calls, USD.", "USD", SumData.createDoubleSumData(true, temporality, cost)));
        }
        return out;
    }

    private static HistogramPointData oneBucket(final long calls, final long tokens, final long startNanos,
                                                final long endNanos, final Attributes a) {
        return HistogramPointData.create(startNanos, endNanos, a, tokens, false, 0, false, 0,
            Collections.emptyList(), List.of(calls));
    }

    private static Attributes attributes(final String model, final CallTotals totals) {
        final AttributesBuilder a = Attributes.builder().put(MODEL, model);
        if (totals.provider() != null) {
            a.put(PROVIDER, totals.provider());
        }
        if (totals.operation() != null) {
            a.put(OPERATION, totals.operation());
        }
        return a.build();
    }

    /** @return what the export did so far. */
    public Stats stats() {
        return new Stats(exports.get(), failures.get(), skippedMs.get(), exportedToMs);
    }

    /** @return the alignment of the intervals' boundaries, ms. */
    public long alignmentMs() {
        return alignMs;
    }

    /** Stops the exports, exports what closed since the last one, and shuts the exporter down. */
    @Override
    public void close() {
        final ScheduledExecutorService s;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            s = scheduler;
        }
        if (s != null) {
            s.shutdown();
            try {
                s.awaitTermination(timeoutMs + intervalMs, TimeUnit.MILLISECONDS);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            exportNow();
        } finally {
            exporter.shutdown().join(timeoutMs, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * The settings of an export. Threading: one thread builds.
     */
    public static final class Builder {
        private final EmbeddedStore store;
        private final String endpoint;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private long intervalMs = 10_000;
        private long latenessMs = 2_000;
        private long maxBacklogMs = -1;
        private long timeoutMs = 10_000;
        private long fromMs = Long.MIN_VALUE;
        private String serviceName = "ringmeter";
        private AggregationTemporality temporality = AggregationTemporality.DELTA;

        private Builder(final EmbeddedStore store, final String endpoint) {
            if (store == null) {
                throw new IllegalArgumentException("the OTLP export needs a store");
            }
            if (endpoint == null || !(endpoint.startsWith("http://") || endpoint.startsWith("https://"))) {
                throw new IllegalArgumentException("the OTLP export endpoint must be an http:// or https:// URL but was "
                    + endpoint);
            }
            this.store = store;
            this.endpoint = endpoint;
        }

        /**
         * @param interval how often to export: 1 s to 1 h, a multiple of the alignment ({@link OtlpMetricsExport#alignmentMs()}); default 10 s.
         * @return this.
         */
        public Builder interval(final Duration interval) {
            this.intervalMs = require(interval, 1_000, 3_600_000, "interval");
            return this;
        }

        /**
         * @param lateness how long after its end an interval is exported, so that late events count in it: 0 to
         *                 1 min; default 2 s.
         * @return this.
         */
        public Builder lateness(final Duration lateness) {
            this.latenessMs = require(lateness, 0, 60_000, "lateness");
            return this;
        }

        /**
         * @param backlog how far back a failed export is retried: 1 min to 24 h. Default: the longest, up to
         *                {@link OtlpMetricsExport#DEFAULT_MAX_BACKLOG_MS}, that a time tier whose width divides the interval holds (with
         *                the default tiers: 9 min at an interval of 10 s, aligned to 10 s; 56 s at 1 s, aligned to 1 s).
         * @return this.
         */
        public Builder maxBacklog(final Duration backlog) {
            this.maxBacklogMs = require(backlog, 60_000, 86_400_000, "backlog");
            return this;
        }

        /**
         * @param timeout how long one export may take: 1 s to 5 min; default 10 s.
         * @return this.
         */
        public Builder timeout(final Duration timeout) {
            this.timeoutMs = require(timeout, 1_000, 300_000, "timeout");
            return this;
        }

        /**
         * @param name header name, e.g. {@code Authorization}.
         * @param value its value.
         * @return this.
         */
        public Builder header(final String name, final String value) {
            if (name == null || name.isBlank() || value == null) {
                throw new IllegalArgumentException("an OTLP export header needs a name and a value");
            }
            headers.put(name.trim(), value);
            return this;
        }

        /**
         * @param cumulative true for cumulative temporality, false (the default) for delta.
         * @return this.
         */
        public Builder cumulative(final boolean cumulative) {
            this.temporality = cumulative ? AggregationTemporality.CUMULATIVE : AggregationTemporality.DELTA;
            return this;
        }

        /**
         * @param name the resource's {@code service.name}; default {@code ringmeter}.
         * @return this.
         */
        public Builder serviceName(final String name) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("service.name must not be blank");
            }
            this.serviceName = name;
            return this;
        }

        /**
         * @param epochMs where the first interval starts (rounded down to the alignment); default the store's clock
         *                when built.
         * @return this.
         */
        public Builder from(final long epochMs) {
            this.fromMs = epochMs;
            return this;
        }

        /** @return the export, not started. */
        public OtlpMetricsExport build() {
            return new OtlpMetricsExport(this);
        }

        private static long require(final Duration d, final long min, final long max, final String what) {
            final long ms = d.toMillis();
            if (ms < min || ms > max) {
                throw new IllegalArgumentException("the OTLP export " + what + " must be " + min + " to " + max
                    + " ms but was " + ms + " ms");
            }
            return ms;
        }
    }
}
