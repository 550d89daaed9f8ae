package dev.ringmeter.server.query;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.decide.Interval;
import dev.ringmeter.core.decide.Significance;
import dev.ringmeter.core.query.WindowStats;
import dev.ringmeter.core.watch.ModelHealth;
import dev.ringmeter.server.StoreHolder;
import dev.ringmeter.server.http.ApiException;
import dev.ringmeter.server.http.Json;
import dev.ringmeter.server.http.QueryParams;
import io.javalin.http.Context;

import java.io.IOException;
import java.util.List;
import java.util.Locale;

/**
 * GET /api/v1/health/models: each model's {@link ModelHealth} (ok, degraded, failing, unknown) from memory, its
 * thresholds taken from the query with {@link ModelHealth.Parameters#DEFAULTS} for those not given.
 * <p>
 * Threading: any request thread; holds one reusable {@link WindowStats} per request thread.
 */
public final class HealthController {
    private static final String[] PARAMS = {"window", "baseline", "failingErrorRate", "latencyFactor", "minCalls"};

    private final StoreHolder holder;
    private final ThreadLocal<WindowStats> stats;

    /**
     * @param holder the store.
     */
    public HealthController(final StoreHolder holder) {
        this.holder = holder;
        this.stats = ThreadLocal.withInitial(() -> holder.get().store.aggregates().newWindowStats());
    }

    /** GET /api/v1/health/models?window=&baseline=&failingErrorRate=&latencyFactor=&minCalls= */
    public void models(final Context ctx) {
        final QueryParams q = QueryParams.of(ctx, PARAMS);
        final ModelHealth.Parameters d = ModelHealth.Parameters.DEFAULTS;
        final String window = q.get("window");
        final String baseline = q.get("baseline");
        final long windowMs = window == null ? d.windowMs() : QueryParams.durationMs(window, "window");
        final long baselineMs = baseline == null ? d.baselineMs() : QueryParams.durationMs(baseline, "baseline");
        final double failing = q.decimal("failingErrorRate", d.failingErrorRate());
        final double factor = q.decimal("latencyFactor", d.latencyFactor());
        final int minCalls = q.integer("minCalls", d.minCalls(), Significance.MIN_RATE_TRIALS,
            ModelHealth.Parameters.MAX_MIN_CALLS);
        final EmbeddedStore store = holder.get().store;
        final long retentionMs = store.config().retentionMs();
        if (windowMs + baselineMs > retentionMs) {
            throw ApiException.badParameter("baseline", "window plus baseline must be at most the retention of "
                + retentionMs / 1000 + " s");
        }
        final ModelHealth.Parameters parameters;
        try {
            parameters = new ModelHealth.Parameters(windowMs, baselineMs, failing, factor, minCalls);
        } catch (final IllegalArgumentException e) {
            final String message = e.getMessage();
            throw ApiException.badParameter(message.substring(0, message.indexOf(' ')), message);
        }
        final long now = store.config().clock().time();
        final List<ModelHealth> health = ModelHealth.of(store.aggregates(), now, parameters, stats.get());
        Json.reply(ctx, 200, g -> {
            g.writeStartObject();
            g.writeStringField("source", Subjects.MEMORY);
            g.writeObjectFieldStart("thresholds");
            g.writeNumberField("windowMs", parameters.windowMs());
            g.writeNumberField("baselineMs", parameters.baselineMs());
            g.writeNumberField("failingErrorRate", parameters.failingErrorRate());
            g.writeNumberField("latencyFactor", parameters.latencyFactor());
            g.writeNumberField("minCalls", parameters.minCalls());
            g.writeEndObject();
            g.writeArrayFieldStart("models");
            for (final ModelHealth h : health) {
                g.writeStartObject();
                g.writeStringField("model", h.model());
                g.writeStringField("status", h.status().key());
                g.writeStringField("reason", h.reason());
                figures(g, "window", h.recent());
                figures(g, "baseline", h.baseline());
                g.writeObjectFieldStart("errorRateChange");
                Json.number(g, "difference", h.errorRate().difference());
                final Interval ci = h.errorRate().interval();
                Json.number(g, "lower", ci.lower());
                Json.number(g, "upper", ci.upper());
                g.writeStringField("verdict", h.errorRate().verdict().name().toLowerCase(Locale.ROOT));
                g.writeEndObject();
                Json.number(g, "p95Ratio", h.p95Ratio());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    private static void figures(final JsonGenerator g, final String name, final ModelHealth.Figures f)
        throws IOException {
        g.writeObjectFieldStart(name);
        Json.time(g, "from", f.fromMs());
        Json.time(g, "to", f.toMs());
        g.writeNumberField("calls", f.calls());
        g.writeNumberField("errors", f.errors());
        Json.number(g, "errorRate", f.errorRate());
        Json.number(g, "p95Ms", f.p95Ms());
        g.writeEndObject();
    }
}
