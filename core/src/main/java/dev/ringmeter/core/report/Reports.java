package dev.ringmeter.core.report;

import dev.ringmeter.core.Compare;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.decide.BestConfiguration;
import dev.ringmeter.core.decide.Comparison;
import dev.ringmeter.core.decide.Components;
import dev.ringmeter.core.decide.Direction;
import dev.ringmeter.core.decide.Ranking;
import dev.ringmeter.core.decide.Significance;
import dev.ringmeter.core.decide.Weights;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.core.query.Comparison.Group;
import dev.ringmeter.core.query.EventFilter;
import dev.ringmeter.core.query.Metric;
import dev.ringmeter.core.query.Series;
import dev.ringmeter.core.query.SeriesMetric;
import dev.ringmeter.core.query.Subject;
import dev.ringmeter.core.query.WindowStats;
import dev.ringmeter.core.run.RunSummary;
import dev.ringmeter.core.watch.Anomaly;
import dev.ringmeter.core.watch.AnomalyLog;
import dev.ringmeter.core.watch.alert.AlertTable;
import dev.ringmeter.core.watch.alert.AlertTransition;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a {@link Report} from a store: the summary, the per-model table and the cost breakdowns from the store's
 * {@link Compare} (memory or a journal scan, as it decides; a run's report always scans, filtered by the run), the
 * summary and the models' rows from memory through the per-model tiers (their histograms have the store's
 * precision, finer than the in-memory comparisons' one digit);
 * the verdicts from {@link Significance} (each model against the busiest, or a run against the run it is compared
 * to, as {@code Runs.compare} judges runs); the best configuration from {@link BestConfiguration} (P95 latency,
 * cost per success and success rate, equal weights, no quality score); anomalies and alert transitions from the
 * store's logs; charts from the in-memory series of all models.
 * <p>
 * Bounded: tables hold at most {@value #MAX_ROWS} rows, the lists at most {@value #MAX_LISTED} items, the charts
 * {@value #CHART_POINTS} steps, whatever the store holds.
 * <p>
 * Threading: stateless; {@link #build} runs on the calling thread and may be called from several at once.
 */
public final class Reports {
    /** The most rows of a table (models, configurations, a cost breakdown). */
    public static final int MAX_ROWS = 50;
    /** The most anomalies or alert transitions listed. */
    public static final int MAX_LISTED = 100;
    /** About how many steps a chart has. */
    public static final int CHART_POINTS = 48;
    /** How long each of a report's scans may run unless said. */
    public static final long SCAN_TIME_LIMIT_MS = 60_000;
    /** How far before a run's creation its events are looked for (events may carry their client's time). */
    static final long RUN_SLACK_MS = 3_600_000L;
    /** The name of the group of events without a value of the field a cost table is broken down by. */
    public static final String NONE = "(none)";

    private Reports() {
    }

    /**
     * @param store   the store.
     * @param request what to cover.
     * @return the report.
     * @throws IllegalArgumentException naming the field at fault (e.g. a run a store without a journal cannot scan).
     * @throws dev.ringmeter.core.run.RunException if the run is not found.
     */
    public static Report build(final EmbeddedStore store, final ReportRequest request) {
        return build(store, request, SCAN_TIME_LIMIT_MS);
    }

    /**
     * @param store       the store.
     * @param request     what to cover.
     * @param scanLimitMs how long each journal scan may run.
     * @return the report.
     * @throws IllegalArgumentException naming the field at fault.
     * @throws dev.ringmeter.core.journal.ScanStoppedException if a scan ran past the limit.
     * @throws dev.ringmeter.core.run.RunException if the run is not found.
     */
    public static Report build(final EmbeddedStore store, final ReportRequest request, final long scanLimitMs) {
        final long now = store.config().clock().time();
        final long from;
        final long to;
        final String title;
        final EventFilter filter = new EventFilter();
        if (request.runId() != null) {
            final RunSummary run = store.runs().get(request.runId());
            from = run.createdAtMs();
            to = Math.max(from + 1, (run.finishedAtMs() == 0 ? now : run.finishedAtMs()) + 1);
            title = "Run " + request.runId();
            filter.where(Dimension.RUN, request.runId());
            if (store.journal() == null) {
                throw new IllegalArgumentException("run: a run's report scans the journal, and this store has none");
            }
        } else {
            from = request.fromMs();
            to = request.toMs();
            title = "Report";
        }
        final long scanFrom = request.runId() == null ? from : Math.max(0, from - RUN_SLACK_MS);
        final dev.ringmeter.core.query.Comparison all = compare(store, filter, scanFrom, to, scanLimitMs).run();
        final boolean memory = all.source() == dev.ringmeter.core.query.Comparison.Source.MEMORY;
        final WindowStats total = memory ? store.aggregates().window(null, from, to, store.aggregates()
            .newWindowStats()) : all.groups().isEmpty() ? store.aggregates().newWindowStats()
            : all.groups().get(0).stats();
        final Report.Row summary = Report.Row.of("all", total);
        final List<Group> models = new ArrayList<>();
        for (final Group g : compare(store, filter, scanFrom, to, scanLimitMs).by(Dimension.MODEL).limit(MAX_ROWS).run()
            .groups()) {
            models.add(memory ? new Group(g.values(), store.aggregates().window(g.values().first(), from, to,
                store.aggregates().newWindowStats())) : g);
        }
        final List<Report.Row> modelRows = new ArrayList<>();
        for (final Group g : models) {
            modelRows.add(Report.Row.of(g.values().first(), g.stats()));
        }
        String baseline = null;
        final List<Report.Verdicts> verdicts = new ArrayList<>();
        if (request.compareRunId() != null) {
            baseline = "run " + request.compareRunId();
            final Map<String, Comparison> v = store.runs().compare(List.of(request.compareRunId(), request.runId()))
                .verdicts().get(request.runId());
            verdicts.add(new Report.Verdicts("run " + request.runId(), v.get("latencyP95Ms"), v.get("errorRate")));
        } else if (models.size() > 1) {
            final Group base = models.get(0);
            baseline = base.values().first();
            for (final Group g : models.subList(1, models.size())) {
                verdicts.add(verdicts(g.values().first(), base.stats(), g.stats()));
            }
        }
        final List<Ranking> best = best(compare(store, filter, scanFrom, to, scanLimitMs).by(Dimension.CONFIG)
            .limit(MAX_ROWS).run().groups());
        final List<Report.CostBreakdown> costs = new ArrayList<>();
        costs.add(new Report.CostBreakdown("model", costliest(modelRows)));
        for (final Dimension d : new Dimension[] {Dimension.PROVIDER, Dimension.PIPELINE}) {
            final List<Report.Row> rows = new ArrayList<>();
            for (final Group g : compare(store, filter, scanFrom, to, scanLimitMs).by(d).sortBy(Metric.COST).limit(MAX_ROWS)
                .run().groups()) {
                rows.add(Report.Row.of(g.values().first().isEmpty() ? NONE : g.values().first(), g.stats()));
            }
            costs.add(new Report.CostBreakdown(d.field(), rows));
        }
        final List<Anomaly> anomalies = store.anomalies(new AnomalyLog.Query(null, null, from, to, false,
            MAX_LISTED));
        final List<AlertTransition> alerts = new ArrayList<>();
        for (final AlertTransition t : store.alerts().history(AlertTable.MAX_HISTORY, null)) {
            if (t.timeMs() >= from && t.timeMs() < to && alerts.size() < MAX_LISTED) {
                alerts.add(t);
            }
        }
        return new Report(title, from, to, now, request.runId(), all.source().wireName(), summary, modelRows,
            baseline, verdicts, best, anomalies, alerts, costs, charts(store, from, to));
    }

    private static Compare compare(final EmbeddedStore store, final EventFilter filter, final long from,
                                   final long to, final long scanLimitMs) {
        return store.compare().between(from, to).where(filter).timeLimitMs(scanLimitMs);
    }

    /**
     * @param name     the group compared.
     * @param baseline the baseline's events.
     * @param group    the group's events.
     * @return the group against the baseline: P95 latency in ms (bootstrap) and error rate (Newcombe).
     */
    static Report.Verdicts verdicts(final String name, final WindowStats baseline, final WindowStats group) {
        final Comparison p95 = baseline.latencyHistogramUs() == null || group.latencyHistogramUs() == null ? null
            : Significance.percentile(baseline.latencyHistogramUs(), group.latencyHistogramUs(), 95,
                Direction.LOWER_IS_BETTER).scaled(1e-3);
        final Comparison errors = Significance.rate(baseline.count() - baseline.okCount(), baseline.count(),
            group.count() - group.okCount(), group.count(), Direction.LOWER_IS_BETTER);
        return new Report.Verdicts(name, p95, errors);
    }

    private static List<Ranking> best(final List<Group> configs) {
        final Map<String, Components> candidates = new LinkedHashMap<>();
        for (final Group g : configs) {
            if (g.values().first().isEmpty()) {
                continue;   // events without a configuration are no candidate
            }
            candidates.put(g.values().first(), Components.of(g.stats(), null));
        }
        return candidates.isEmpty() ? List.of() : BestConfiguration.rank(candidates, new Weights(0, 1, 1, 1));
    }

    private static List<Report.Row> costliest(final List<Report.Row> rows) {
        final List<Report.Row> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.comparingDouble(Report.Row::costUsd).reversed());
        return sorted;
    }

    private static Report.Charts charts(final EmbeddedStore store, final long from, final long to) {
        final long finest = store.config().tierWidthsMs()[0];
        final long wanted = Math.max(1, (to - from) / CHART_POINTS);
        final long step = Math.max(finest, (wanted + finest - 1) / finest * finest);
        return new Report.Charts(series(store, Metric.P50, from, to, step), series(store, Metric.P95, from, to, step),
            series(store, Metric.P99, from, to, step), series(store, Metric.RPS, from, to, step));
    }

    private static Series series(final EmbeddedStore store, final Metric metric, final long from, final long to,
                                 final long step) {
        return store.aggregates().series((Subject)null, SeriesMetric.of(metric), from, to, step);
    }
}
