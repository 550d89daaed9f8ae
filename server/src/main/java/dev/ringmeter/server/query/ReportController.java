package dev.ringmeter.server.query;

import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.journal.ScanStoppedException;
import dev.ringmeter.core.report.Report;
import dev.ringmeter.core.report.ReportFormat;
import dev.ringmeter.core.report.ReportRequest;
import dev.ringmeter.core.report.Reports;
import dev.ringmeter.core.run.RunException;
import dev.ringmeter.server.StoreHolder;
import dev.ringmeter.server.http.ApiException;
import dev.ringmeter.server.http.QueryParams;
import io.javalin.http.Context;

import java.util.List;

/**
 * {@code GET /api/v1/report?window=24h|from=&to=|run=ID[&compare=ID]&format=md|html}: the store's report
 * ({@link dev.ringmeter.core.report.Reports}) of a time range (the last 24 h unless said) or of a run, in Markdown
 * or self-contained HTML. A report that scans the journal (a run's, or a range older than the in-memory buckets)
 * takes one of the scan permits the analytics routes share ({@link ScanCounters}); 400 names the parameter at
 * fault, 404 an unknown run, 503 a scan past the scan timeout ({@code --scan-timeout-ms}).
 * <p>
 * Threading: any request thread; stateless but for the shared scan permits.
 */
public final class ReportController {
    /** The window of a report without window, from or run. */
    static final long DEFAULT_WINDOW_MS = 24 * 3_600_000L;
    private static final List<String> FORMATS = List.of("md", "html");

    private final StoreHolder holder;
    private final ScanCounters scans;
    private final long scanTimeoutMs;

    /**
     * @param holder        the store.
     * @param scanTimeoutMs how long each journal scan may run before the report ends with 503.
     * @param scans         the scan permits shared with the analytics routes.
     */
    public ReportController(final StoreHolder holder, final long scanTimeoutMs, final ScanCounters scans) {
        this.holder = holder;
        this.scanTimeoutMs = scanTimeoutMs;
        this.scans = scans;
    }

    /** GET /api/v1/report. */
    public void report(final Context ctx) {
        final QueryParams q = QueryParams.of(ctx, "window", "from", "to", "run", "compare", "format");
        final EmbeddedStore store = holder.get().store;
        final String formatText = q.get("format");
        final ReportFormat format;
        try {
            format = formatText == null ? ReportFormat.MARKDOWN : ReportFormat.parse(formatText);
        } catch (final IllegalArgumentException e) {
            throw ApiException.badParameter("format", e.getMessage(), FORMATS);
        }
        final String run = q.get("run");
        final String compare = q.get("compare");
        final ReportRequest request;
        if (run != null) {
            if (q.get("window") != null || q.get("from") != null || q.get("to") != null) {
                throw ApiException.badParameter("run", "give either run or a range (window, from, to), not both");
            }
            request = call(() -> ReportRequest.run(run, compare));
        } else {
            if (compare != null) {
                throw ApiException.badParameter("compare", "compare needs run: a run's report compares it to another");
            }
            final long retentionMs = Math.max(Math.max(store.config().retentionMs(), 25 * 3_600_000L),
                store.journal() == null ? 0 : store.config().journalRetentionMs());
            final long[] range = q.range(store.config().clock().time(), retentionMs, DEFAULT_WINDOW_MS);
            request = call(() -> ReportRequest.between(range[0], range[1]));
        }
        final boolean scan = run != null || !store.aggregates().inMemoryRange(request.fromMs());
        if (scan && store.journal() != null && !scans.tryStart()) {
            throw ApiException.tooManyRequests("two journal scans are already running; retry shortly", 1);
        }
        final Report report;
        try {
            report = call(() -> Reports.build(store, request, scanTimeoutMs));
        } catch (final ScanStoppedException e) {
            scans.timedOut();
            throw ApiException.unavailable(e.getMessage(), 1);
        } finally {
            if (scan && store.journal() != null) {
                scans.end();
            }
        }
        ctx.status(200).contentType(format.contentType()).result(format.render(report));
    }

    private interface Call<T> {
        T run();
    }

    /** @return the call's result; a bad value as 400 naming its field (the text before the colon), 404 for a run. */
    private static <T> T call(final Call<T> call) {
        try {
            return call.run();
        } catch (final RunException e) {
            if (e.kind() == RunException.Kind.NOT_FOUND) {
                throw ApiException.notFound("run", e.getMessage());
            }
            throw ApiException.badParameter(e.field(), e.getMessage());
        } catch (final IllegalArgumentException e) {
            final String message = e.getMessage();
            final int colon = message.indexOf(':');
            final String field = colon > 0 ? message.substring(0, colon) : "run";
            throw ApiException.badParameter(field.contains("/") ? "from" : field, message);
        }
    }
}
