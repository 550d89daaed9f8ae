package dev.ringmeter.server.query;

import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.export.EventExport;
import dev.ringmeter.core.export.ExportFormat;
import dev.ringmeter.core.export.ExportRequest;
import dev.ringmeter.core.export.TableExport;
import dev.ringmeter.core.export.TrainingExport;
import dev.ringmeter.core.export.TrainingRequest;
import dev.ringmeter.core.journal.ScanStoppedException;
import dev.ringmeter.server.StoreHolder;
import dev.ringmeter.server.http.ApiException;
import dev.ringmeter.server.http.ClientConnection;
import dev.ringmeter.server.http.QueryParams;
import dev.ringmeter.wire.FieldNames;
import io.javalin.http.Context;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.List;

/**
 * GET /api/v1/export: the journaled events of a time range that match the query's filters, streamed (chunked) as
 * CSV, a JSON array or NDJSON, gzipped on {@code gzip=true} (a .gz file) or when the client accepts it
 * ({@code Content-Encoding: gzip}); the rows and trailer are {@link EventExport}'s. Bad parameters are refused
 * with 400 naming the parameter before anything is sent; once rows are sent the status is 200 and the trailer says
 * how the export ended (a retention cursor to resume from, in {@code cursor=}).
 * <p>
 * Threading: any request thread; an export runs on its request's thread and keeps a generator's buffer.
 */
public final class ExportController {
    private static final List<String> FORMATS = List.of("csv", "json", "ndjson");
    private static final List<String> BOOLEANS = List.of("true", "false");
    private static final List<String> TABLES = List.of("runs", "steps", "tools", "errors", "series");

    private final StoreHolder holder;

    /**
     * @param holder the store.
     */
    public ExportController(final StoreHolder holder) {
        this.holder = holder;
    }

    /**
     * GET /api/v1/export?format=&from=&to=|window=&model=&...&status=&tag=KEY:VALUE&gzip=&cursor=.
     */
    public void export(final Context ctx) throws IOException {
        final QueryParams q = QueryParams.of(ctx, "format", "window", "from", "to", "gzip", "cursor",
            FieldNames.MODEL, FieldNames.OPERATION, FieldNames.PIPELINE, FieldNames.STEP, FieldNames.RUN,
            FieldNames.TASK, FieldNames.CONFIG, FieldNames.ERROR_TYPE, FieldNames.PROVIDER, FieldNames.TOOL,
            FieldNames.AGENT, FieldNames.STATUS, "tag");
        final EmbeddedStore store = store();
        final Rows rows = rows(ctx, q, store, format(q.get("format")));
        final HttpServletResponse res = start(ctx, rows, "ringmeter-export", rows.request.format().extension());
        try {
            // the servlet's own stream: the rows go out as they are written, not through Javalin's result buffer
            EventExport.write(store, rows.request, res.getOutputStream(), ClientConnection.goneCheck(ctx));
        } catch (final ScanStoppedException e) {
            // its client has gone: nobody to answer
        }
    }

    /**
     * GET /api/v1/export/training?from=&to=|window=&filters&batchSize=&split=none|run|time&testShare=&gzip=&cursor=:
     * JSONL training data ({@link TrainingExport}).
     */
    public void training(final Context ctx) throws IOException {
        final QueryParams q = QueryParams.of(ctx, "window", "from", "to", "gzip", "cursor", "batchSize", "split",
            "testShare", FieldNames.MODEL, FieldNames.OPERATION, FieldNames.PIPELINE, FieldNames.STEP,
            FieldNames.RUN, FieldNames.TASK, FieldNames.CONFIG, FieldNames.ERROR_TYPE, FieldNames.PROVIDER,
            FieldNames.TOOL, FieldNames.AGENT, FieldNames.STATUS, "tag");
        final EmbeddedStore store = store();
        final Rows rows = rows(ctx, q, store, ExportFormat.NDJSON);
        final TrainingRequest.Split split = split(q.get("split"));
        final double share = q.decimal("testShare", 0.2);
        if (!(share >= 0 && share <= 1)) {
            throw ApiException.badParameter("testShare", "testShare must be from 0 to 1 but was " + q.get("testShare"));
        }
        final TrainingRequest request = new TrainingRequest(rows.request)
            .batchSize(q.integer("batchSize", TrainingRequest.DEFAULT_BATCH_SIZE, 1, TrainingRequest.MAX_BATCH_SIZE))
            .split(split, share);
        final HttpServletResponse res = start(ctx, rows, "ringmeter-training", "jsonl");
        try {
            TrainingExport.write(store, request, res.getOutputStream(), ClientConnection.goneCheck(ctx));
        } catch (final ScanStoppedException e) {
            // its client has gone: nobody to answer
        }
    }

    /**
     * GET /api/v1/export/table?table=runs|steps|tools|errors|series&format=&from=&to=|window=&filters&interval=&gzip=:
     * a table ({@link TableExport}); interval (e.g. 1m) is the width of the series' steps.
     */
    public void table(final Context ctx) throws IOException {
        final QueryParams q = QueryParams.of(ctx, "table", "format", "window", "from", "to", "gzip", "interval",
            FieldNames.MODEL, FieldNames.OPERATION, FieldNames.PIPELINE, FieldNames.STEP, FieldNames.RUN,
            FieldNames.TASK, FieldNames.CONFIG, FieldNames.ERROR_TYPE, FieldNames.PROVIDER, FieldNames.TOOL,
            FieldNames.AGENT, FieldNames.STATUS, "tag");
        final String name = q.get("table");
        if (name == null) {
            throw ApiException.badParameter("table", "table is required", TABLES);
        }
        final TableExport.Table table;
        try {
            table = TableExport.Table.of(name);
        } catch (final IllegalArgumentException e) {
            throw ApiException.badParameter("table", "table " + e.getMessage(), TABLES);
        }
        final EmbeddedStore store = holder.get().store;
        if (table != TableExport.Table.RUNS && table != TableExport.Table.SERIES && store.journal() == null) {
            store();
        }
        final Rows rows = rows(ctx, q, store, format(q.get("format")));
        final String interval = q.get("interval");
        final long stepMs = interval == null ? 60_000L : QueryParams.durationMs(interval, "interval");
        final java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        try {
            TableExport.write(store, table, rows.request, stepMs, body);
        } catch (final IllegalArgumentException e) {
            throw ApiException.badParameter("interval", "interval: " + e.getMessage());
        } catch (final ScanStoppedException e) {
            if (!e.timedOut()) {
                return;   // its client has gone: nobody to answer
            }
            throw ApiException.unavailable(e.getMessage(), 1);
        }
        // a table is bounded (its groups, runs or steps): written whole, so a bad interval is a 400, not a cut reply
        start(ctx, rows, "ringmeter-" + table.name().toLowerCase(java.util.Locale.ROOT),
            rows.request.format().extension()).getOutputStream().write(body.toByteArray());
    }

    private static TrainingRequest.Split split(final String value) {
        if (value == null) {
            return TrainingRequest.Split.NONE;
        }
        for (final TrainingRequest.Split s : TrainingRequest.Split.values()) {
            if (s.name().equalsIgnoreCase(value)) {
                return s;
            }
        }
        throw ApiException.badParameter("split", "split must be none, run or time but was '" + value + "'",
            List.of("none", "run", "time"));
    }

    private EmbeddedStore store() {
        final EmbeddedStore store = holder.get().store;
        if (store.journal() == null) {
            throw ApiException.conflict("the store keeps no journal (no data directory), so there is nothing to "
                + "export");
        }
        return store;
    }

    /** The rows a request asks for, and how they are sent. */
    private record Rows(ExportRequest request, boolean gzipFile, boolean gzipEncoding, long[] range) {
    }

    /** The one reading of the parameters every export shares: range, filters, gzip, cursor. */
    private static Rows rows(final Context ctx, final QueryParams q, final EmbeddedStore store,
                             final ExportFormat format) {
        final long[] range = q.range(store.config().clock().time(), Long.MAX_VALUE,
            store.config().journalRetentionMs());
        final boolean gzipFile = bool(q.get("gzip"));
        final String accepts = ctx.header("Accept-Encoding");
        final boolean gzipEncoding = !gzipFile && accepts != null && accepts.toLowerCase().contains("gzip");
        if (range[0] < 0) {
            throw ApiException.badParameter("from", "from must not be before 1970-01-01T00:00:00Z");
        }
        final ExportRequest request = new ExportRequest(range[0], range[1]).format(format)
            .filter(QueryController.eventFilter(q, store)).gzip(gzipFile || gzipEncoding)
            .cursor(cursor(q.get("cursor")));
        return new Rows(request, gzipFile, gzipEncoding, range);
    }

    /** Sets the status and headers of a streamed export; its rows follow. */
    private static HttpServletResponse start(final Context ctx, final Rows rows, final String name,
                                             final String extension) {
        final HttpServletResponse res = ctx.res();
        res.setStatus(200);
        res.setContentType(rows.gzipFile ? "application/gzip" : rows.request.format().contentType());
        if (rows.gzipEncoding) {
            res.setHeader("Content-Encoding", "gzip");
            res.setHeader("Vary", "Accept-Encoding");
        }
        res.setHeader("Content-Disposition", "attachment; filename=\"" + name + "-" + rows.range[0] + "-"
            + rows.range[1] + "." + extension + (rows.gzipFile ? ".gz" : "") + "\"");
        res.setHeader("X-Ringmeter-Export-From", Long.toString(rows.range[0]));
        res.setHeader("X-Ringmeter-Export-To", Long.toString(rows.range[1]));
        return res;
    }

    private static ExportFormat format(final String value) {
        if (value == null) {
            return ExportFormat.NDJSON;
        }
        try {
            return ExportFormat.of(value);
        } catch (final IllegalArgumentException e) {
            throw ApiException.badParameter("format", "format " + e.getMessage(), FORMATS);
        }
    }

    private static boolean bool(final String value) {
        if (value == null || "false".equals(value)) {
            return false;
        }
        if ("true".equals(value)) {
            return true;
        }
        throw ApiException.badParameter("gzip", "gzip must be true or false but was '" + value + "'", BOOLEANS);
    }

    private static long cursor(final String value) {
        if (value == null) {
            return -1;
        }
        try {
            final long cursor = Long.parseLong(value);
            if (cursor >= 0) {
                return cursor;
            }
        } catch (final NumberFormatException e) {
            // refused below
        }
        throw ApiException.badParameter("cursor", "cursor must be the cursor of an earlier export's trailer (a "
            + "whole number) but was '" + value + "'");
    }
}
