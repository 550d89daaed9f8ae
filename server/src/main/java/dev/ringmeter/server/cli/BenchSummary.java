package dev.ringmeter.server.cli;

import dev.ringmeter.core.report.ReportDocument;
import dev.ringmeter.server.llmbench.BenchmarkResult;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code bench-llm} shows of a {@link BenchmarkResult}, laid out once: the rows of its per-cell table and of each
 * sweep's load curve, printed as an aligned table on the terminal ({@link #text}) and as the blocks of a
 * {@link ReportDocument} for the Markdown and HTML report ({@link #document}), which core's report renderer draws.
 * <p>
 * Threading: stateless; any thread.
 */
final class BenchSummary {
    static final List<String> CELL_HEADERS = List.of("cell", "requests", "errors", "TTFT p50", "TTFT p99", "ITL p50",
        "ITL p99", "TPOT p50", "TPOT p99", "e2e p50", "e2e p99", "out tok/s", "req/s", "goodput/s");
    static final List<String> CURVE_HEADERS = List.of("point", "req/s", "out tok/s", "goodput/s", "TTFT p50",
        "TPOT p50", "e2e p99", "meets SLO");

    private BenchSummary() {
    }

    static List<List<String>> cellRows(final BenchmarkResult r) {
        final List<List<String>> rows = new ArrayList<>();
        for (final BenchmarkResult.CellResult c : r.cells()) {
            rows.add(List.of(c.cell().label(), Long.toString(c.requests()), errors(c), ms(c.ttft().p50()),
                ms(c.ttft().p99()), ms(c.itl().p50()), ms(c.itl().p99()), ms(c.tpot().p50()), ms(c.tpot().p99()),
                ms(c.e2e().p50()), ms(c.e2e().p99()), num(c.outputTokensPerSec()), num(c.requestsPerSec()),
                num(c.goodputPerSec())));
        }
        return rows;
    }

    static List<List<String>> curveRows(final BenchmarkResult.Sweep s) {
        final List<List<String>> rows = new ArrayList<>();
        for (final BenchmarkResult.LoadPoint p : s.curve()) {
            rows.add(List.of(num(p.point()), num(p.requestsPerSec()), num(p.outputTokensPerSec()),
                num(p.goodputPerSec()), ms(p.ttftP50Ms()), ms(p.tpotP50Ms()), ms(p.e2eP99Ms()),
                p.meetsSlo() ? "yes" : "no"));
        }
        return rows;
    }

    static String title(final BenchmarkResult r) {
        return "LLM benchmark " + r.name() + " (" + r.id() + ")";
    }

    static String status(final BenchmarkResult r) {
        return "Status: " + r.status().wireName() + (r.reason() == null ? "" : " (" + r.reason() + ")") + ", "
            + r.cells().size() + (r.cells().size() == 1 ? " cell" : " cells") + " in "
            + num(r.elapsedMs() / 1000.0) + " s. Times in ms.";
    }

    static String sweepTitle(final BenchmarkResult.Sweep s) {
        return "Load curve " + s.target() + "/" + s.model() + "/" + s.configuration() + " (" + s.mode().wireName()
            + ")";
    }

    static String best(final BenchmarkResult.Sweep s) {
        final String unit = s.mode() == dev.ringmeter.server.llmbench.BenchmarkSpec.LoadMode.CLOSED ? "concurrency "
            : "rate ";
        return s.bestPoint() <= 0 ? "Best point: none meets the SLOs."
            : "Best point: " + unit + num(s.bestPoint()) + ", " + num(s.bestRequestsPerSec()) + " req/s, "
                + num(s.bestOutputTokensPerSec()) + " output tok/s within the SLOs.";
    }

    /** @return the summary as aligned plain-text tables, for the terminal. */
    static String text(final BenchmarkResult r) {
        final StringBuilder out = new StringBuilder(2048);
        out.append(title(r)).append('\n').append(status(r)).append("\n\n");
        table(out, CELL_HEADERS, cellRows(r));
        for (final BenchmarkResult.Sweep s : r.sweeps()) {
            out.append('\n').append(sweepTitle(s)).append('\n');
            table(out, CURVE_HEADERS, curveRows(s));
            out.append(best(s)).append('\n');
        }
        return out.toString();
    }

    /** @return the report's blocks: the status, the cells, and per sweep its curve (a table and a chart). */
    static ReportDocument document(final BenchmarkResult r) {
        final List<ReportDocument.Block> b = new ArrayList<>();
        b.add(new ReportDocument.Paragraph(status(r)));
        b.add(new ReportDocument.Heading("Cells"));
        b.add(new ReportDocument.Table(CELL_HEADERS, cellRows(r)));
        for (final BenchmarkResult.Sweep s : r.sweeps()) {
            b.add(new ReportDocument.Heading(sweepTitle(s)));
            b.add(new ReportDocument.Table(CURVE_HEADERS, curveRows(s)));
            b.add(new ReportDocument.Paragraph(best(s)));
            final int n = s.curve().size();
            final double[] rps = new double[n];
            final double[] good = new double[n];
            for (int i = 0; i < n; i++) {
                rps[i] = s.curve().get(i).requestsPerSec();
                good[i] = s.curve().get(i).goodputPerSec();
            }
            b.add(new ReportDocument.Chart("Throughput over the load points", "req/s", List.of("req/s", "goodput/s"),
                List.of(rps, good), false));
        }
        return new ReportDocument(title(r), b);
    }

    private static String errors(final BenchmarkResult.CellResult c) {
        if (c.failed() == 0) {
            return "0";
        }
        final StringBuilder s = new StringBuilder().append(c.failed());
        String sep = " (";
        for (final Map.Entry<String, Long> e : c.errorsByType().entrySet()) {
            s.append(sep).append(e.getKey()).append(' ').append(e.getValue());
            sep = ", ";
        }
        return c.errorsByType().isEmpty() ? s.toString() : s.append(')').toString();
    }

    private static String ms(final double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String num(final double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long)v)
            : String.format(Locale.ROOT, "%.2f", v);
    }

    private static void table(final StringBuilder out, final List<String> headers, final List<List<String>> rows) {
        final int[] width = new int[headers.size()];
        for (int i = 0; i < width.length; i++) {
            width[i] = headers.get(i).length();
            for (final List<String> row : rows) {
                width[i] = Math.max(width[i], row.get(i).length());
            }
        }
        line(out, headers, width);
        for (final List<String> row : rows) {
            line(out, row, width);
        }
    }

    private static void line(final StringBuilder out, final List<String> cells, final int[] width) {
        for (int i = 0; i < cells.size(); i++) {
            final String c = cells.get(i);
            if (i == 0) {
                out.append(c).append(" ".repeat(width[i] - c.length()));
            } else {
                out.append("  ").append(" ".repeat(width[i] - c.length())).append(c);
            }
        }
        out.append('\n');
    }
}
