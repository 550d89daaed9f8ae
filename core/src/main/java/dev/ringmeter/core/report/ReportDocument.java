package dev.ringmeter.core.report;

import dev.ringmeter.core.decide.ComponentScore;
import dev.ringmeter.core.decide.Ranking;
import dev.ringmeter.core.watch.Anomaly;
import dev.ringmeter.core.watch.alert.AlertTransition;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A report laid out once as blocks (headings, paragraphs, tables, charts), in the order both formats show them:
 * {@link ReportFormat} only renders blocks, so the Markdown and the HTML cannot disagree. The Markdown leaves the
 * charts out (their numbers are in the tables); the HTML draws them as inline SVG ({@link SvgChart}).
 * <p>
 * Threading: immutable once built; any thread. Public so that other documents (the LLM benchmark's report) are laid
 * out as blocks and rendered by {@link ReportFormat#render(ReportDocument)} rather than by a second renderer.
 *
 * @param title  the document's title.
 * @param blocks its blocks, in order.
 */
public record ReportDocument(String title, List<Block> blocks) {
    /** A part of the document. */
    public sealed interface Block permits Heading, Paragraph, Table, Chart {
    }

    /** @param text a section's title. */
    public record Heading(String text) implements Block {
    }

    /** @param text a line of text. */
    public record Paragraph(String text) implements Block {
    }

    /**
     * @param headers the column titles.
     * @param rows    the cells, as many per row as headers.
     */
    public record Table(List<String> headers, List<List<String>> rows) implements Block {
    }

    /**
     * A line chart (each series a line over the same steps) or, with {@code bars}, a bar chart of one value per
     * label.
     *
     * @param title  what it shows.
     * @param unit   of the values.
     * @param labels the series' names (a line chart) or the bars' names.
     * @param series the values: one array per line, or one array of the bars' values.
     * @param bars   whether it is a bar chart.
     */
    public record Chart(String title, String unit, List<String> labels, List<double[]> series, boolean bars)
        implements Block {
    }

    static ReportDocument of(final Report r) {
        final List<Block> b = new ArrayList<>();
        b.add(new Paragraph("Period: " + ReportText.period(r) + ". Generated " + ReportText.time(r.generatedAtMs())
            + " from " + r.source() + "."));
        b.add(new Heading("Summary"));
        b.add(rows(List.of(r.summary())));
        b.add(new Heading("Models"));
        b.add(r.models().isEmpty() ? new Paragraph("No events in the period.") : rows(r.models()));
        final Report.Charts c = r.charts();
        b.add(new Chart("Latency percentiles (all models)", "ms", List.of("p50", "p95", "p99"),
            List.of(c.p50Ms().values(), c.p95Ms().values(), c.p99Ms().values()), false));
        b.add(new Chart("Throughput (all models)", "events/s", List.of("events/s"), List.of(c.rps().values()),
            false));
        b.add(new Heading("Comparisons"));
        if (r.comparisons().isEmpty()) {
            b.add(new Paragraph("Nothing to compare: fewer than two models in the period."));
        } else {
            b.add(new Paragraph("Against " + r.baseline() + ", at 95 % confidence."));
            final List<List<String>> rows = new ArrayList<>();
            for (final Report.Verdicts v : r.comparisons()) {
                rows.add(List.of(v.name(), ReportText.verdict(v.p95LatencyMs(), true),
                    ReportText.verdict(v.errorRate(), false)));
            }
            b.add(new Table(List.of("Compared", "P95 latency", "Error rate"), rows));
        }
        b.add(new Heading("Best configuration"));
        if (r.best().isEmpty()) {
            b.add(new Paragraph("No configuration recorded in the period."));
        } else {
            b.add(new Paragraph("Ranked by P95 latency, cost per success and success rate, equally weighted."));
            final List<List<String>> rows = new ArrayList<>();
            for (final Ranking k : r.best()) {
                final List<String> row = new ArrayList<>(List.of(Integer.toString(k.rank()), k.name(),
                    ReportText.number(k.score())));
                for (final ComponentScore s : k.components()) {
                    if (s.weight() > 0) {
                        row.add(ReportText.number(s.raw()));
                    }
                }
                rows.add(row);
            }
            b.add(new Table(List.of("Rank", "Configuration", "Score", "P95 ms", "Cost per success $",
                "Success rate"), rows));
        }
        b.add(new Heading("Anomalies"));
        if (r.anomalies().isEmpty()) {
            b.add(new Paragraph("None in the period."));
        } else {
            final List<List<String>> rows = new ArrayList<>();
            for (final Anomaly a : r.anomalies()) {
                rows.add(List.of(a.subject().label(), a.metric(), a.kind().name().toLowerCase(Locale.ROOT),
                    ReportText.time(a.startMs()), a.open() ? "open" : ReportText.time(a.endMs()),
                    ReportText.number(a.expected()), ReportText.number(a.observed())));
            }
            b.add(new Table(List.of("Subject", "Metric", "Kind", "Start", "End", "Expected", "Observed"), rows));
        }
        b.add(new Heading("Alerts"));
        if (r.alerts().isEmpty()) {
            b.add(new Paragraph("No alert changed state in the period."));
        } else {
            final List<List<String>> rows = new ArrayList<>();
            for (final AlertTransition t : r.alerts()) {
                rows.add(List.of(ReportText.time(t.timeMs()), t.ruleId(), t.kind().name().toLowerCase(Locale.ROOT),
                    t.severity().name().toLowerCase(Locale.ROOT), ReportText.number(t.value())));
            }
            b.add(new Table(List.of("Time", "Rule", "Change", "Severity", "Value"), rows));
        }
        b.add(new Heading("Cost"));
        for (final Report.CostBreakdown cost : r.costs()) {
            final List<List<String>> rows = new ArrayList<>();
            for (final Report.Row row : cost.rows()) {
                rows.add(List.of(row.name(), Long.toString(row.events()), ReportText.usd(row.costUsd()),
                    Long.toString(row.costUnknown())));
            }
            b.add(new Paragraph("By " + cost.by() + ":"));
            b.add(rows.isEmpty() ? new Paragraph("No events with a " + cost.by() + ".")
                : new Table(List.of(cost.by(), "Events", "Cost", "Unpriced events"), rows));
        }
        final Report.CostBreakdown byModel = r.costs().get(0);
        if (!byModel.rows().isEmpty()) {
            final List<String> names = new ArrayList<>();
            final double[] usd = new double[byModel.rows().size()];
            for (int i = 0; i < usd.length; i++) {
                names.add(byModel.rows().get(i).name());
                usd[i] = byModel.rows().get(i).costUsd();
            }
            b.add(new Chart("Cost by model", "USD", names, List.of(usd), true));
        }
        return new ReportDocument(r.title() + ": " + ReportText.period(r), List.copyOf(b));
    }

    private static Table rows(final List<Report.Row> rows) {
        final List<List<String>> cells = new ArrayList<>();
        for (final Report.Row x : rows) {
            cells.add(List.of(x.name(), Long.toString(x.events()), Long.toString(x.errors()),
                ReportText.percent(x.errorRate()), ReportText.ms(x.p50Ms()), ReportText.ms(x.p95Ms()),
                ReportText.ms(x.p99Ms()), Long.toString(x.promptTokens()), Long.toString(x.completionTokens()),
                ReportText.usd(x.costUsd())));
        }
        return new Table(List.of("Name", "Events", "Errors", "Error rate", "P50 ms", "P95 ms", "P99 ms",
            "Input tokens", "Output tokens", "Cost"), cells);
    }
}
