package dev.ringmeter.core.report;

import dev.ringmeter.core.decide.Comparison;
import dev.ringmeter.core.decide.Ranking;
import dev.ringmeter.core.query.Series;
import dev.ringmeter.core.query.WindowStats;
import dev.ringmeter.core.watch.Anomaly;
import dev.ringmeter.core.watch.alert.AlertTransition;

import java.util.List;

/**
 * The content of one report, built once by {@link Reports#build} and rendered by every {@link ReportFormat}, so
 * the Markdown and the HTML say the same. Its size is bounded by the limits of {@link Reports}: at most
 * {@value Reports#MAX_ROWS} rows per table, {@value Reports#MAX_LISTED} anomalies and alert transitions, and
 * {@value Reports#CHART_POINTS} points per chart.
 * <p>
 * Threading: immutable once built (the lists are unmodifiable); any thread.
 *
 * @param title         what it covers, e.g. "Last 24 h" or "Run r-1".
 * @param fromMs        start of the period, inclusive, epoch ms.
 * @param toMs          end, exclusive.
 * @param generatedAtMs when it was built (the store's clock).
 * @param runId         the run reported on, or null.
 * @param source        where the numbers came from: memory or scan.
 * @param summary       all events of the period.
 * @param models        one row per model, busiest first.
 * @param baseline      what the comparisons compare to: the busiest model, or the run compared to; null if none.
 * @param comparisons   each model (or the run) against the baseline, with the verdicts.
 * @param best          configurations ranked by P95 latency, cost per success and success rate, empty if none.
 * @param anomalies     anomalies that overlap the period, newest first.
 * @param alerts        alert transitions in the period, newest first.
 * @param costs         the cost broken down by model, provider and pipeline.
 * @param charts        latency percentiles and throughput over the period (all events).
 */
public record Report(String title, long fromMs, long toMs, long generatedAtMs, String runId, String source,
                     Row summary, List<Row> models, String baseline, List<Verdicts> comparisons, List<Ranking> best,
                     List<Anomaly> anomalies, List<AlertTransition> alerts, List<CostBreakdown> costs,
                     Charts charts) {
    public Report {
        models = List.copyOf(models);
        comparisons = List.copyOf(comparisons);
        best = List.copyOf(best);
        anomalies = List.copyOf(anomalies);
        alerts = List.copyOf(alerts);
        costs = List.copyOf(costs);
    }

    /**
     * The numbers of one group of events.
     *
     * @param name             the group (a model), or "all".
     * @param events           events.
     * @param errors           events that did not succeed (error, timeout, cancelled).
     * @param errorRate        errors / events, NaN without events.
     * @param p50Ms            median latency in ms, NaN without events.
     * @param p95Ms            95th percentile.
     * @param p99Ms            99th percentile.
     * @param promptTokens     input tokens.
     * @param completionTokens output tokens.
     * @param costUsd          cost of the priced events.
     * @param costUnknown      events without a price.
     */
    public record Row(String name, long events, long errors, double errorRate, double p50Ms, double p95Ms,
                      double p99Ms, long promptTokens, long completionTokens, double costUsd, long costUnknown) {
        static Row of(final String name, final WindowStats s) {
            return new Row(name, s.count(), s.count() - s.okCount(), s.errorRate(), s.latencyMs(50),
                s.latencyMs(95), s.latencyMs(99), s.promptTokens(), s.completionTokens(), s.costUsd(),
                s.costUnknown());
        }
    }

    /**
     * One group against the baseline.
     *
     * @param name         the group.
     * @param p95LatencyMs its P95 latency against the baseline's, in ms.
     * @param errorRate    its error rate against the baseline's.
     */
    public record Verdicts(String name, Comparison p95LatencyMs, Comparison errorRate) {
    }

    /**
     * One cost table.
     *
     * @param by   the field it is broken down by: model, provider or pipeline.
     * @param rows the groups, costliest first.
     */
    public record CostBreakdown(String by, List<Row> rows) {
        public CostBreakdown {
            rows = List.copyOf(rows);
        }
    }

    /**
     * The series drawn as charts, all over the same steps.
     *
     * @param p50Ms        median latency per step.
     * @param p95Ms        95th percentile per step.
     * @param p99Ms        99th percentile per step.
     * @param rps          events per second per step.
     */
    public record Charts(Series p50Ms, Series p95Ms, Series p99Ms, Series rps) {
    }
}
