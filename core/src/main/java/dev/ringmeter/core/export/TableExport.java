package dev.ringmeter.core.export;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.dataformat.csv.CsvFactory;
import com.fasterxml.jackson.dataformat.csv.CsvGenerator;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.core.journal.JournalScan;
import dev.ringmeter.core.query.GroupKey;
import dev.ringmeter.core.query.GroupValues;
import dev.ringmeter.core.query.Metric;
import dev.ringmeter.core.query.Series;
import dev.ringmeter.core.query.WindowStats;
import dev.ringmeter.core.run.RunPage;
import dev.ringmeter.core.run.RunQuery;
import dev.ringmeter.core.run.RunSummary;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * Tables of a time range, as CSV, a JSON array or NDJSON, ending with the same trailer as {@link EventExport}:
 * <ul>
 * <li>{@code runs}: the store's runs created in the range, with their parameters and totals;</li>
 * <li>{@code steps}: per pipeline and step, {@code tools}: per tool, {@code errors}: per error type (the events
 * with one), each with the analytics of a group ({@link #STATS}), from a journal scan under the filter; at most
 * {@value JournalScan#DEFAULT_LIMIT} groups, the most frequent, and a last row without a key for the rest;</li>
 * <li>{@code series}: a model's (the filter's, or all models') metrics per step from the aggregates, a column per
 * {@link Metric}.</li>
 * </ul>
 * <p>
 * Threading: a table is written on the calling thread; the class is stateless. Memory: the groups of a scan (at
 * most its limit), the runs (at most the store's limit of runs) or the series' steps (at most 10,000).
 */
public final class TableExport {
    /** The tables. */
    public enum Table {
        RUNS, STEPS, TOOLS, ERRORS, SERIES;

        /**
         * @param name runs, steps, tools, errors or series, in any case.
         * @return the table.
         * @throws IllegalArgumentException if it is none of those.
         */
        public static Table of(final String name) {
            for (final Table t : values()) {
                if (t.name().equalsIgnoreCase(name)) {
                    return t;
                }
            }
            throw new IllegalArgumentException("must be runs, steps, tools, errors or series, not '" + name + "'");
        }
    }

    /** The analytics columns of a group table, after its key columns. */
    public static final List<String> STATS = List.of("count", "okCount", "errorCount", "timeoutCount", "errorRate",
        "latencyP50Ms", "latencyP95Ms", "latencyP99Ms", "latencyMeanMs", "ttftP50Ms", "promptTokens",
        "completionTokens", "retryRate", "cacheHitRate", "costUsd");
    /** The columns of the runs table. */
    public static final List<String> RUN_COLUMNS = List.of("id", "name", "status", "createdAtMs", "finishedAtMs",
        "events", "latencyP50Ms", "latencyP95Ms", "costUsd", "retries", "tasksDone", "tasksSucceeded",
        "parameters");
    private static final CsvFactory CSV = (CsvFactory)new CsvFactory()
        .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

    private TableExport() {
    }

    /**
     * @param table the table.
     * @return its columns, in order.
     */
    public static List<String> columns(final Table table) {
        final List<String> columns = new ArrayList<>();
        switch (table) {
            case RUNS:
                return RUN_COLUMNS;
            case STEPS:
                columns.add("pipeline");
                columns.add("step");
                break;
            case TOOLS:
                columns.add("tool");
                break;
            case ERRORS:
                columns.add("errorType");
                break;
            default:
                columns.add("startMs");
                for (final Metric m : Metric.values()) {
                    columns.add(m.key());
                }
                return columns;
        }
        columns.addAll(STATS);
        return columns;
    }

    /**
     * Writes a table; leaves the output open (and flushed).
     *
     * @param store   the store (a journal for steps, tools and errors).
     * @param table   which table.
     * @param request range, filter (not for runs), format and gzip; its cursor is not used.
     * @param stepMs  for the series: the width of a step.
     * @param out     where to write.
     * @return the summary the trailer states.
     * @throws IOException              if the output fails.
     * @throws IllegalArgumentException naming a bad parameter of a series.
     */
    public static ExportSummary write(final EmbeddedStore store, final Table table, final ExportRequest request,
                                      final long stepMs, final OutputStream out) throws IOException {
        final List<Object[]> rows = rows(store, table, request, stepMs);
        final List<String> columns = columns(table);
        final GZIPOutputStream gzip = request.gzip() ? new GZIPOutputStream(out, EventExport.GZIP_BUFFER_BYTES)
            : null;
        final OutputStream target = gzip != null ? gzip : out;
        final ExportFormat format = request.format();
        final JsonGenerator g;
        if (format == ExportFormat.CSV) {
            final CsvSchema.Builder schema = CsvSchema.builder();
            columns.forEach(schema::addColumn);
            final CsvGenerator csv = CSV.createGenerator(target);
            csv.setSchema(schema.setUseHeader(true).build());
            g = csv;
        } else {
            g = EventExport.JSON.createGenerator(target);
            g.setRootValueSeparator(format == ExportFormat.NDJSON ? new SerializedString("\n") : null);
            if (format == ExportFormat.JSON) {
                g.writeStartArray();
            }
        }
        for (final Object[] row : rows) {
            g.writeStartObject();
            for (int c = 0; c < columns.size(); c++) {
                g.writeFieldName(columns.get(c));
                value(g, row[c], format == ExportFormat.CSV);
            }
            g.writeEndObject();
        }
        final ExportSummary summary = new ExportSummary(rows.size(), rows.size(), request.fromMs(), request.toMs(), true,
            -1, null, false);
        EventExport.finish(g, format, summary, target, gzip, out);
        return summary;
    }

    private static List<Object[]> rows(final EmbeddedStore store, final Table table, final ExportRequest request,
                                       final long stepMs) {
        final List<Object[]> rows = new ArrayList<>();
        switch (table) {
            case RUNS:
                RunQuery query = new RunQuery(null, null, null, request.fromMs(), request.toMs(),
                    RunQuery.Sort.CREATED, false, 0, RunQuery.MAX_LIMIT);
                while (true) {
                    final RunPage page = store.runs().list(query);
                    for (final RunSummary r : page.runs()) {
                        rows.add(new Object[] {r.id(), r.name(), r.status().name().toLowerCase(Locale.ROOT),
                            r.createdAtMs(), r.finishedAtMs() > 0 ? r.finishedAtMs() : null, r.events(),
                            r.latency().p50Ms(), r.latency().p95Ms(), r.cost().usd(), r.retries(), r.tasks().done(),
                            r.tasks().succeeded(), r.parameters()});
                    }
                    if (page.nextOffset() < 0 || page.runs().isEmpty()) {
                        return rows;
                    }
                    query = new RunQuery(null, null, null, request.fromMs(), request.toMs(),
                        RunQuery.Sort.CREATED, false, page.nextOffset(), RunQuery.MAX_LIMIT);
                }
            case SERIES:
                final String model = request.filter().value(Dimension.MODEL);
                final Metric[] metrics = Metric.values();
                final Series[] series = new Series[metrics.length];
                for (int m = 0; m < metrics.length; m++) {
                    series[m] = store.aggregates().series(model, metrics[m], request.fromMs(), request.toMs(), stepMs);
                }
                for (int i = 0; i < series[0].size(); i++) {
                    final Object[] row = new Object[metrics.length + 1];
                    row[0] = series[0].startMs()[i];
                    for (int m = 0; m < metrics.length; m++) {
                        row[m + 1] = series[m].values()[i];
                    }
                    rows.add(row);
                }
                return rows;
            default:
                final JournalScan scan = new JournalScan(store).between(request.fromMs(), request.toMs())
                    .where(request.filter());
                final int keys = table == Table.STEPS ? 2 : 1;
                if (table == Table.STEPS) {
                    scan.groupBy(GroupKey.of(Dimension.PIPELINE), GroupKey.of(Dimension.STEP));
                } else {
                    scan.groupBy(table == Table.TOOLS ? JournalScan.GroupBy.TOOL : JournalScan.GroupBy.ERROR_TYPE);
                }
                for (final Map.Entry<GroupValues, WindowStats> group : scan.runGroups().entrySet()) {
                    final GroupValues v = group.getKey();
                    if (keys == 1 && v.first().isEmpty()) {
                        continue;   // the events without a tool or an error type
                    }
                    rows.add(statsRow(keys, v.first().isEmpty() ? null : v.first(),
                        keys == 2 && !v.second().isEmpty() ? v.second() : null, group.getValue()));
                }
                if (scan.other() != null) {
                    rows.add(statsRow(keys, null, null, scan.other()));
                }
                return rows;
        }
    }

    private static Object[] statsRow(final int keys, final String first, final String second, final WindowStats s) {
        final Object[] row = new Object[keys + STATS.size()];
        row[0] = first;
        if (keys == 2) {
            row[1] = second;
        }
        final Object[] stats = {s.count(), s.okCount(), s.errorCount(), s.timeoutCount(), s.errorRate(),
            s.latencyMs(50), s.latencyMs(95), s.latencyMs(99), s.latencyMeanMs(), s.ttftMs(50), s.promptTokens(),
            s.completionTokens(), s.retryRate(), s.cacheHitRate(), s.costUsd()};
        System.arraycopy(stats, 0, row, keys, stats.length);
        return row;
    }

    private static void value(final JsonGenerator g, final Object v, final boolean flat) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof String) {
            g.writeString((String)v);
        } else if (v instanceof Long || v instanceof Integer) {
            g.writeNumber(((Number)v).longValue());
        } else if (v instanceof Double) {
            final double d = (Double)v;
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                g.writeNull();
            } else {
                g.writeNumber(d);
            }
        } else if (v instanceof Boolean) {
            g.writeBoolean((Boolean)v);
        } else if (v instanceof Map<?, ?> map) {
            if (flat) {
                final java.io.StringWriter text = new java.io.StringWriter();
                try (JsonGenerator t = EventExport.JSON.createGenerator(text)) {
                    value(t, map, false);
                }
                g.writeString(text.toString());
            } else {
                g.writeStartObject();
                for (final Map.Entry<?, ?> e : map.entrySet()) {
                    g.writeFieldName(String.valueOf(e.getKey()));
                    value(g, e.getValue(), false);
                }
                g.writeEndObject();
            }
        } else {
            g.writeString(String.valueOf(v));
        }
    }
}
