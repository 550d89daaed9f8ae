package dev.ringmeter.server.query;

import dev.ringmeter.core.watch.Anomaly;
import dev.ringmeter.core.watch.AnomalyLog;
import dev.ringmeter.core.watch.AnomalyWatch;
import dev.ringmeter.server.StoreHolder;
import dev.ringmeter.server.http.ApiException;
import dev.ringmeter.server.http.Json;
import dev.ringmeter.server.http.QueryParams;
import dev.ringmeter.wire.FieldNames;
import io.javalin.http.Context;

import java.util.List;
import java.util.Locale;

/**
 * GET /api/v1/anomalies: the anomalies the store's anomaly watch found and journaled ({@link AnomalyLog}), newest
 * first, filtered by model, metric, time range and open only.
 * <p>
 * Threading: any request thread; stateless.
 */
public final class AnomalyController {
    private static final String[] PARAMS = {FieldNames.MODEL, "metric", "from", "to", "open", "limit"};
    /** The most anomalies one answer lists. */
    static final int MAX_LIMIT = 1_000;
    private static final int DEFAULT_LIMIT = 100;
    private static final List<String> METRICS = AnomalyWatch.WATCHED.stream().map(w -> w.metric().key()).toList();

    private final StoreHolder holder;

    /**
     * @param holder the store.
     */
    public AnomalyController(final StoreHolder holder) {
        this.holder = holder;
    }

    /** GET /api/v1/anomalies?model=&metric=&from=&to=&open=&limit= */
    public void anomalies(final Context ctx) {
        final QueryParams q = QueryParams.of(ctx, PARAMS);
        final String metric = q.get("metric");
        if (metric != null && !METRICS.contains(metric)) {
            throw ApiException.badParameter("metric", "metric must be a watched metric but was '" + metric
                + "'; valid: " + String.join(", ", METRICS), METRICS);
        }
        final String from = q.get("from");
        final String to = q.get("to");
        final long fromMs = from == null ? 0 : QueryParams.instantMs(from, "from");
        final long toMs = to == null ? 0 : QueryParams.instantMs(to, "to");
        if (toMs != 0 && toMs <= fromMs) {
            throw ApiException.badParameter("to", "to must be after from");
        }
        final String open = q.get("open");
        if (open != null && !open.equals("true") && !open.equals("false")) {
            throw ApiException.badParameter("open", "open must be true or false but was '" + open + "'");
        }
        final int limit = q.integer("limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        final List<Anomaly> found = holder.get().store.anomalies(new AnomalyLog.Query(q.get(FieldNames.MODEL),
            metric, fromMs, toMs, "true".equals(open), limit));
        Json.reply(ctx, 200, g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("anomalies");
            for (final Anomaly a : found) {
                g.writeStartObject();
                g.writeNumberField("id", a.id());
                g.writeStringField(FieldNames.MODEL, a.subject().name());
                g.writeStringField("metric", a.metric());
                g.writeStringField("kind", a.kind().name().toLowerCase(Locale.ROOT));
                Json.time(g, "start", a.startMs());
                if (a.open()) {
                    g.writeNullField("end");
                    g.writeNullField("durationMs");
                } else {
                    Json.time(g, "end", a.endMs());
                }
                Json.number(g, "expected", a.expected());
                Json.number(g, "observed", a.observed());
                Json.number(g, "score", a.score());
                if (!a.open()) {
                    g.writeNumberField("durationMs", a.endMs() - a.startMs());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }
}
