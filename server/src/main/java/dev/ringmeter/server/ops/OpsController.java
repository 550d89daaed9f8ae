package dev.ringmeter.server.ops;

import dev.ringmeter.core.HeapBudget;
import dev.ringmeter.core.StoreStats;
import dev.ringmeter.core.aggregate.CallTotals;
import dev.ringmeter.core.query.Subject;
import dev.ringmeter.server.StoreContext;
import dev.ringmeter.server.StoreHolder;
import dev.ringmeter.server.http.Json;
import dev.ringmeter.server.http.QueryParams;
import dev.ringmeter.server.ingest.IngestGate;
import dev.ringmeter.server.query.ScanCounters;
import com.fasterxml.jackson.core.JsonGenerator;
import io.javalin.http.Context;
import org.agrona.concurrent.EpochClock;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.SortedMap;

/**
 * The operational routes: /health, /ready, /metrics (Prometheus), /api/v1/system and /api/v1/openapi.yaml.
 * <p>
 * Threading: any request thread.
 */
public final class OpsController {
    private static final String OPENAPI_RESOURCE = "openapi.yaml";

    private final StoreHolder holder;
    private final IngestGate gate;
    private final ScanCounters scans;
    private final EpochClock clock;
    private final long startTimeMs;
    private final byte[] openApi;

    /**
     * @param holder      the store.
     * @param gate        the write-request permits.
     * @param scans       how the journal scans ended early.
     * @param clock       the server's clock (its store's).
     * @param startTimeMs when the server started, by that clock.
     */
    public OpsController(final StoreHolder holder, final IngestGate gate, final ScanCounters scans,
                         final EpochClock clock, final long startTimeMs) {
        this.holder = holder;
        this.gate = gate;
        this.scans = scans;
        this.clock = clock;
        this.startTimeMs = startTimeMs;
        this.openApi = resource(OPENAPI_RESOURCE);
    }

    private static byte[] resource(final String name) {
        try (InputStream in = OpsController.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from the classpath");
            }
            return in.readAllBytes();
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * GET /health: 200 while the process serves HTTP (the store recovers from a journal failure by itself, so a
     * failing journal is no reason to restart it), saying whether the store can write and, if not, why, and the
     * server's time (the clock events are checked by).
     */
    public void health(final Context ctx) {
        QueryParams.of(ctx);
        final Throwable failure = journalFailure();
        final long nowMs = clock.time();
        Json.reply(ctx, 200, g -> {
            g.writeStartObject();
            g.writeStringField("status", "up");
            Json.time(g, "time", nowMs);
            writeStore(g, failure);
            g.writeEndObject();
        });
    }

    /**
     * GET /ready: 200 once the store is open and its journal writes; 503 while it opens, and while its journal
     * cannot write (read-only: queries are answered, events refused), naming the failure. Ready again once the
     * journal writes.
     */
    public void ready(final Context ctx) {
        QueryParams.of(ctx);
        if (!holder.ready()) {
            ctx.status(503).header("Retry-After", "1").contentType(Json.APPLICATION_JSON)
                .result("{\"status\":\"starting\"}");
            return;
        }
        final Throwable failure = journalFailure();
        if (failure != null) {
            ctx.header("Retry-After", "5");
        }
        Json.reply(ctx, failure == null ? 200 : 503, g -> {
            g.writeStartObject();
            g.writeStringField("status", failure == null ? "ready" : "read-only");
            writeStore(g, failure);
            g.writeEndObject();
        });
    }

    /** @return what keeps the open store's journal from writing now, or null (also while the store is not open). */
    private Throwable journalFailure() {
        return holder.ready() ? holder.get().store.journalFailure() : null;
    }

    private void writeStore(final JsonGenerator g, final Throwable failure) throws IOException {
        if (holder.ready()) {
            g.writeStringField("store", failure == null ? "writable" : "read-only");
            if (failure != null) {
                g.writeStringField("reason", failure.getMessage());
            }
        } else {
            g.writeStringField("store", "starting");
        }
    }

    /**
     * GET /metrics: the store's totals and counters in the Prometheus text format 0.0.4, or in OpenMetrics 1.0.0
     * when the Accept header prefers it.
     *
     * @throws IOException if the reply cannot be written (the scraper went away).
     */
    public void metrics(final Context ctx) throws IOException {
        QueryParams.of(ctx);
        final StoreContext sc = holder.ready() ? holder.get() : null;
        final SortedMap<String, CallTotals> totals = sc == null ? Collections.emptySortedMap()
            : sc.store.aggregates().totals();
        final Map<Subject.Kind, SortedMap<Subject, CallTotals>> subjects = new EnumMap<>(Subject.Kind.class);
        if (sc != null) {
            for (final Subject.Kind kind : Subject.Kind.VALUES) {
                if (kind != Subject.Kind.MODEL) {
                    subjects.put(kind, sc.store.aggregates().totals(kind));
                }
            }
        }
        final String[] parts = {
            SystemExposition.write(sc == null || sc.store.systemSampler() == null ? java.util.List.of()
                : sc.store.systemSampler().latest()),
            sc == null || sc.store.anomalyWatch() == null ? ""
                : AnomalyExposition.write(totals.keySet(), sc.store.anomalyView()),
            sc == null ? "" : AlertExposition.write(sc.store.alerts(), sc.store.noticeSink())};
        final boolean openMetrics = OpenMetricsText.preferred(ctx.header("Accept"));
        ctx.status(200).contentType(openMetrics ? OpenMetricsText.CONTENT_TYPE : PrometheusExposition.CONTENT_TYPE);
        // the store's families written to the reply as they are made, the rest part by part as it is encoded: never
        // one text of megabytes at a thousand models (docs/performance.md, "A Prometheus scrape of /metrics")
        try (Writer out = new BufferedWriter(new OutputStreamWriter(ctx.outputStream(), StandardCharsets.UTF_8),
            1 << 16)) {
            PrometheusExposition.write(totals, subjects, sc == null ? null : sc.store.stats(), gate, startTimeMs, out,
                openMetrics);
            for (final String part : parts) {
                if (openMetrics) {
                    OpenMetricsText.write(part, out);
                } else {
                    out.write(part);
                }
            }
            if (openMetrics) {
                out.write(OpenMetricsText.EOF);
            }
        }
    }

    /** GET /api/v1/system: JVM, host and store metrics. */
    public void system(final Context ctx) {
        QueryParams.of(ctx);
        final StoreContext sc = holder.ready() ? holder.get() : null;
        final StoreStats stats = sc == null ? null : sc.store.stats();
        final HeapBudget budget = sc == null ? null : sc.store.config().heapBudget();
        final long nowMs = clock.time();
        Json.reply(ctx, 200, g -> SystemInfo.write(g, stats, budget, gate, scans, startTimeMs, nowMs));
    }

    /** GET /api/v1/openapi.yaml */
    public void openApi(final Context ctx) {
        QueryParams.of(ctx);
        ctx.status(200).contentType("application/yaml").result(openApi);
    }
}
