package dev.ringmeter.server.query;

import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.decide.Direction;
import dev.ringmeter.core.query.Series;
import dev.ringmeter.core.watch.Trend;
import dev.ringmeter.server.StoreHolder;
import dev.ringmeter.server.http.Json;
import dev.ringmeter.server.http.QueryParams;
import io.javalin.http.Context;

import java.util.Locale;

/**
 * GET /api/v1/trends: the {@link Trend} of a metric over a window, from the per-step series of that window and
 * of the one before it, both from memory. The parameters are those of /api/v1/series ({@link SeriesRequest}); the
 * window may hold at most {@link Trend#MAX_POINTS} steps.
 * <p>
 * Threading: any request thread; holds no state of its own.
 */
public final class TrendController {
    private final StoreHolder holder;

    /**
     * @param holder the store.
     */
    public TrendController(final StoreHolder holder) {
        this.holder = holder;
    }

    /** GET /api/v1/trends?model=|pipeline=&pipelineStep=|tool=|agent=&metric=&window=|from=&to=&step= */
    public void trends(final Context ctx) {
        final QueryParams q = QueryParams.of(ctx, TagFilters.REPEATABLE, SeriesRequest.PARAMS);
        final EmbeddedStore store = holder.get().store;
        final SeriesRequest request = SeriesRequest.of(q, store, Trend.MAX_POINTS);
        final long windowStartMs = request.fromMs() - Math.floorMod(request.fromMs(), request.stepMs());
        final long previousStartMs = windowStartMs - (request.toMs() - request.fromMs());
        final Series series = request.series(store, previousStartMs);
        final Direction direction = request.metric().direction();
        final Trend trend = Trend.of(series, windowStartMs, direction);
        Json.reply(ctx, 200, g -> {
            g.writeStartObject();
            request.writeSubject(g);
            g.writeStringField("source", Subjects.MEMORY);
            g.writeStringField("metric", request.metric().key());
            if (direction == null) {
                g.writeNullField("direction");
            } else {
                g.writeStringField("direction", direction.name().toLowerCase(Locale.ROOT));
            }
            Json.time(g, "from", request.fromMs());
            Json.time(g, "to", request.toMs());
            Json.time(g, "previousFrom", previousStartMs);
            g.writeNumberField("stepMs", series.stepMs());
            g.writeArrayFieldStart("points");
            for (int i = 0; i < series.size(); i++) {
                if (series.startMs()[i] >= windowStartMs) {
                    g.writeStartObject();
                    g.writeNumberField("t", series.startMs()[i]);
                    Json.number(g, "value", series.values()[i]);
                    g.writeEndObject();
                }
            }
            g.writeEndArray();
            g.writeNumberField("nonEmptyPoints", trend.points());
            g.writeNumberField("minPoints", Trend.MIN_POINTS);
            g.writeObjectFieldStart("change");
            Json.number(g, "previous", trend.previousMean());
            Json.number(g, "current", trend.currentMean());
            Json.number(g, "absolute", trend.change());
            Json.number(g, "percent", trend.changePercent());
            g.writeEndObject();
            Json.number(g, "slopePerHour", trend.slopePerHour());
            g.writeObjectFieldStart("mannKendall");
            g.writeNumberField("s", trend.s());
            Json.number(g, "variance", trend.variance());
            Json.number(g, "z", trend.z());
            Json.number(g, "p", trend.p());
            g.writeEndObject();
            g.writeStringField("verdict", trend.verdict().name().toLowerCase(Locale.ROOT));
            g.writeEndObject();
        });
    }
}
