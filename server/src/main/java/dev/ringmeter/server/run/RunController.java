package dev.ringmeter.server.run;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ringmeter.core.decide.Comparison;
import dev.ringmeter.core.decide.Estimate;
import dev.ringmeter.core.run.RunCommand;
import dev.ringmeter.core.run.RunComparison;
import dev.ringmeter.core.run.RunException;
import dev.ringmeter.core.run.RunPage;
import dev.ringmeter.core.run.RunQuery;
import dev.ringmeter.core.run.RunStatus;
import dev.ringmeter.core.run.RunSummary;
import dev.ringmeter.core.run.Runs;
import dev.ringmeter.server.ServerConfig;
import dev.ringmeter.server.StoreHolder;
import dev.ringmeter.server.http.ApiException;
import dev.ringmeter.server.http.Json;
import dev.ringmeter.server.http.JsonObjectBody;
import dev.ringmeter.server.http.QueryParams;
import io.javalin.http.Context;

import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The run routes: create, list, read, update, finish and compare runs. Thin: the rules and the state are the
 * store's {@link Runs}; this reads the request, maps a {@link RunException} to 422 (a body's value), 400 (a query
 * parameter), 404 or 409 naming the field, and writes the summaries.
 * <p>
 * Threading: any request thread; stateless beyond its final fields.
 */
public final class RunController {
    /** The largest body a run request takes: its values are bounded (see {@code RunRules}). */
    private static final long MAX_BODY_BYTES = 256 * 1024;

    private final StoreHolder holder;
    private final long bodyTimeoutMs;

    /**
     * @param holder the store.
     * @param config the server's options.
     */
    public RunController(final StoreHolder holder, final ServerConfig config) {
        this.holder = holder;
        this.bodyTimeoutMs = config.bodyTimeoutMs();
    }

    private Runs runs() {
        return holder.get().store.runs();
    }

    /** POST /api/v1/runs {"id", "name", "parameters": {...}, "tags": [...], "expectedTasks"} */
    public void create(final Context ctx) throws IOException {
        QueryParams.of(ctx);
        final JsonNode body = JsonObjectBody.read(ctx, MAX_BODY_BYTES, bodyTimeoutMs, "id", "name", "parameters", "tags", "expectedTasks");
        final RunSummary s = call(false, () -> runs().create(JsonObjectBody.text(body, "id"), JsonObjectBody.text(body, "name"),
            parameters(body), tags(body), count(body)));
        Json.reply(ctx, 201, g -> summary(g, s));
    }

    /** PATCH /api/v1/runs/{id} {"name", "parameters", "tags", "expectedTasks"}: what is given replaces. */
    public void update(final Context ctx) throws IOException {
        QueryParams.of(ctx);
        final JsonNode body = JsonObjectBody.read(ctx, MAX_BODY_BYTES, bodyTimeoutMs, "name", "parameters", "tags", "expectedTasks");
        final String id = ctx.pathParam("id");
        final RunSummary s = call(false, () -> runs().update(id, JsonObjectBody.text(body, "name"), parameters(body), tags(body),
            count(body)));
        Json.reply(ctx, 200, g -> summary(g, s));
    }

    /** POST /api/v1/runs/{id}/finish {"status": "completed|failed|cancelled", "reason"} */
    public void finish(final Context ctx) throws IOException {
        QueryParams.of(ctx);
        final JsonNode body = JsonObjectBody.read(ctx, MAX_BODY_BYTES, bodyTimeoutMs, "status", "reason");
        final String id = ctx.pathParam("id");
        final RunSummary s = call(false, () -> {
            final String status = JsonObjectBody.text(body, "status");
            if (status == null) {
                throw ApiException.invalid("status", -1, "status is required: one of "
                    + String.join(", ", RunStatus.FINISH_NAMES));
            }
            return runs().finish(id, RunStatus.parse("status", status), JsonObjectBody.text(body, "reason"));
        });
        Json.reply(ctx, 200, g -> summary(g, s));
    }

    /** GET /api/v1/runs/{id} */
    public void get(final Context ctx) {
        QueryParams.of(ctx);
        final String id = ctx.pathParam("id");
        final RunSummary s = call(true, () -> runs().get(id));
        Json.reply(ctx, 200, g -> summary(g, s));
    }

    /** GET /api/v1/runs?status&amp;name&amp;tag&amp;createdFrom&amp;createdTo&amp;sort&amp;order&amp;offset&amp;limit */
    public void list(final Context ctx) {
        final QueryParams q = QueryParams.of(ctx, "status", "name", "tag", "createdFrom", "createdTo", "sort",
            "order", "offset", "limit");
        final String order = q.get("order");
        if (order != null && !order.equals("asc") && !order.equals("desc")) {
            throw ApiException.badParameter("order", "order must be asc or desc but was '" + order + "'",
                List.of("asc", "desc"));
        }
        final RunPage page = call(true, () -> runs().list(new RunQuery(
            q.get("status") == null ? null : RunStatus.parse("status", q.get("status")), q.get("name"), q.get("tag"),
            time(q, "createdFrom", 0), time(q, "createdTo", Long.MAX_VALUE),
            q.get("sort") == null ? RunQuery.Sort.CREATED : RunQuery.Sort.parse(q.get("sort")),
            order == null || order.equals("desc"), q.integer("offset", 0, 0, Integer.MAX_VALUE),
            q.integer("limit", RunQuery.DEFAULT_LIMIT, 1, RunQuery.MAX_LIMIT))));
        Json.reply(ctx, 200, g -> {
            g.writeStartObject();
            g.writeNumberField("total", page.total());
            g.writeNumberField("offset", page.offset());
            if (page.nextOffset() >= 0) {
                g.writeNumberField("nextOffset", page.nextOffset());
            } else {
                g.writeNullField("nextOffset");
            }
            g.writeNumberField("evicted", page.evicted());
            g.writeArrayFieldStart("runs");
            for (final RunSummary s : page.runs()) {
                summary(g, s);
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /** GET /api/v1/runs/compare?ids=a,b,... */
    public void compare(final Context ctx) {
        final QueryParams q = QueryParams.of(ctx, "ids");
        final String ids = q.get("ids");
        if (ids == null) {
            throw ApiException.badParameter("ids", "ids is required: 2 to 10 run ids, comma-separated");
        }
        final RunComparison c = call(true, () -> runs().compare(Arrays.asList(ids.split(",", -1))));
        Json.reply(ctx, 200, g -> {
            g.writeStartObject();
            g.writeStringField("baseline", c.runs().get(0).id());
            g.writeArrayFieldStart("runs");
            for (final RunSummary s : c.runs()) {
                summary(g, s);
            }
            g.writeEndArray();
            g.writeObjectFieldStart("verdicts");
            for (final Map.Entry<String, Map<String, Comparison>> run : c.verdicts().entrySet()) {
                g.writeObjectFieldStart(run.getKey());
                for (final Map.Entry<String, Comparison> m : run.getValue().entrySet()) {
                    g.writeFieldName(m.getKey());
                    comparison(g, m.getValue());
                }
                g.writeEndObject();
            }
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    /** A call into the runs, its refusals mapped to the API's. */
    private interface Call<T> {
        T run();
    }

    private static <T> T call(final boolean query, final Call<T> call) {
        try {
            return call.run();
        } catch (final RunException e) {
            switch (e.kind()) {
                case NOT_FOUND:
                    throw ApiException.notFound(e.field(), e.getMessage());
                case CONFLICT:
                    throw ApiException.conflict(e.field(), e.getMessage());
                default:
                    throw query ? ApiException.badParameter(e.field(), e.getMessage())
                        : ApiException.invalid(e.field(), -1, e.getMessage());
            }
        } catch (final IllegalStateException e) {
            throw ApiException.unavailable(e.getMessage(), 1);
        }
    }

    private static long count(final JsonNode body) {
        final JsonNode v = body.get("expectedTasks");
        if (v == null || v.isNull()) {
            return RunCommand.NO_COUNT;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
            throw ApiException.invalid("expectedTasks", -1, "expectedTasks must be a whole number >= 0, got " + v);
        }
        return v.longValue();
    }

    private static List<String> tags(final JsonNode body) {
        final JsonNode v = body.get("tags");
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isArray()) {
            throw ApiException.invalid("tags", -1, "tags must be an array of strings");
        }
        final List<String> tags = new ArrayList<>();
        for (final JsonNode t : v) {
            if (!t.isTextual()) {
                throw ApiException.invalid("tags", -1, "tags must be an array of strings");
            }
            tags.add(t.textValue());
        }
        return tags;
    }

    private static Map<String, Object> parameters(final JsonNode body) {
        final JsonNode v = body.get("parameters");
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isObject()) {
            throw ApiException.invalid("parameters", -1, "parameters must be an object of name: value");
        }
        final Map<String, Object> parameters = new LinkedHashMap<>();
        for (final Map.Entry<String, JsonNode> p : v.properties()) {
            final JsonNode value = p.getValue();
            final Object typed;
            if (value.isIntegralNumber() && value.canConvertToLong()) {
                typed = value.longValue();
            } else if (value.isNumber()) {
                typed = value.doubleValue();
            } else if (value.isTextual()) {
                typed = value.textValue();
            } else if (value.isBoolean()) {
                typed = value.booleanValue();
            } else {
                throw ApiException.invalid("parameters." + p.getKey(), -1, "a parameter must be a number, a string"
                    + " or a boolean");
            }
            parameters.put(p.getKey(), typed);
        }
        return parameters;
    }

    private static long time(final QueryParams q, final String name, final long absent) {
        final String v = q.get(name);
        if (v == null) {
            return absent;
        }
        try {
            return v.chars().allMatch(Character::isDigit) ? Long.parseLong(v) : Instant.parse(v).toEpochMilli();
        } catch (final NumberFormatException | DateTimeParseException e) {
            throw ApiException.badParameter(name, name + " must be epoch ms or an ISO-8601 time such as "
                + "2025-01-31T12:00:00Z but was '" + v + "'");
        }
    }

    /**
     * Writes a run's summary as the API shows it.
     *
     * @param g the generator.
     * @param s the summary.
     * @throws IOException never in practice.
     */
    static void summary(final JsonGenerator g, final RunSummary s) throws IOException {
        g.writeStartObject();
        g.writeStringField("id", s.id());
        g.writeStringField("name", s.name());
        g.writeStringField("status", s.status().wireName());
        if (s.reason() != null) {
            g.writeStringField("reason", s.reason());
        }
        g.writeObjectFieldStart("parameters");
        for (final Map.Entry<String, Object> p : s.parameters().entrySet()) {
            final Object v = p.getValue();
            if (v instanceof Long n) {
                g.writeNumberField(p.getKey(), n);
            } else if (v instanceof Double d) {
                g.writeNumberField(p.getKey(), d);
            } else if (v instanceof Boolean b) {
                g.writeBooleanField(p.getKey(), b);
            } else {
                g.writeStringField(p.getKey(), (String)v);
            }
        }
        g.writeEndObject();
        g.writeArrayFieldStart("tags");
        for (final String t : s.tags()) {
            g.writeString(t);
        }
        g.writeEndArray();
        Json.time(g, "createdAt", s.createdAtMs());
        Json.time(g, "updatedAt", s.updatedAtMs());
        if (s.finishedAtMs() > 0) {
            Json.time(g, "finishedAt", s.finishedAtMs());
        } else {
            g.writeNullField("finishedAt");
        }
        final RunSummary.Progress p = s.progress();
        g.writeObjectFieldStart("progress");
        g.writeNumberField("done", p.done());
        nullableCount(g, "expected", p.expected());
        Json.number(g, "fraction", p.fraction());
        Json.number(g, "tasksPerSecondLastMinute", p.tasksPerSecondLastMinute());
        Json.number(g, "tasksPerSecondOverall", p.tasksPerSecondOverall());
        nullableCount(g, "etaMs", p.etaMs());
        g.writeEndObject();
        g.writeNumberField("events", s.events());
        g.writeObjectFieldStart("byStatus");
        for (final Map.Entry<String, Long> e : s.byStatus().entrySet()) {
            g.writeNumberField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
        g.writeObjectFieldStart("byErrorType");
        for (final Map.Entry<String, Long> e : s.byErrorType().entrySet()) {
            g.writeNumberField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
        g.writeNumberField("otherErrorTypes", s.otherErrorTypes());
        final RunSummary.Latency l = s.latency();
        g.writeObjectFieldStart("latencyMs");
        g.writeNumberField("count", l.count());
        Json.number(g, "mean", l.meanMs());
        Json.number(g, "p50", l.p50Ms());
        Json.number(g, "p90", l.p90Ms());
        Json.number(g, "p95", l.p95Ms());
        Json.number(g, "p99", l.p99Ms());
        Json.number(g, "max", l.maxMs());
        g.writeEndObject();
        final RunSummary.Tokens t = s.tokens();
        g.writeObjectFieldStart("tokens");
        g.writeNumberField("prompt", t.prompt());
        g.writeNumberField("completion", t.completion());
        g.writeNumberField("cached", t.cached());
        g.writeNumberField("cacheWrite", t.cacheWrite());
        g.writeNumberField("reasoning", t.reasoning());
        g.writeEndObject();
        g.writeObjectFieldStart("cost");
        g.writeNumberField("usd", s.cost().usd());
        g.writeNumberField("unknownEvents", s.cost().unknownEvents());
        Json.number(g, "perSuccessfulTaskUsd", s.cost().perSuccessfulTaskUsd());
        g.writeEndObject();
        g.writeNumberField("retries", s.retries());
        final RunSummary.Tasks k = s.tasks();
        g.writeObjectFieldStart("tasks");
        g.writeNumberField("done", k.done());
        g.writeNumberField("succeeded", k.succeeded());
        g.writeNumberField("firstTimeRight", k.firstTimeRight());
        Json.number(g, "firstTimeRightRate", k.firstTimeRightRate());
        Json.number(g, "debuggingCycles", k.debuggingCycles());
        g.writeNumberField("retries", k.retries());
        g.writeNumberField("untracked", k.untracked());
        g.writeEndObject();
        g.writeObjectFieldStart("quality");
        for (final Map.Entry<String, RunSummary.Quality> q : s.quality().entrySet()) {
            g.writeObjectFieldStart(q.getKey());
            g.writeNumberField("count", q.getValue().count());
            Json.number(g, "mean", q.getValue().mean());
            Json.number(g, "stdDev", q.getValue().stdDev());
            g.writeEndObject();
        }
        g.writeEndObject();
        g.writeObjectFieldStart("steps");
        for (final Map.Entry<String, RunSummary.Step> st : s.steps().entrySet()) {
            g.writeObjectFieldStart(st.getKey());
            g.writeNumberField("count", st.getValue().count());
            Json.number(g, "meanMs", st.getValue().meanMs());
            Json.number(g, "p95Ms", st.getValue().p95Ms());
            g.writeEndObject();
        }
        g.writeEndObject();
        g.writeNumberField("otherStepEvents", s.otherStepEvents());
        g.writeEndObject();
    }

    private static void nullableCount(final JsonGenerator g, final String name, final long value) throws IOException {
        if (value < 0) {
            g.writeNullField(name);
        } else {
            g.writeNumberField(name, value);
        }
    }

    private static void comparison(final JsonGenerator g, final Comparison c) throws IOException {
        g.writeStartObject();
        g.writeStringField("verdict", c.verdict().name().toLowerCase(java.util.Locale.ROOT));
        g.writeStringField("method", c.method().name().toLowerCase(java.util.Locale.ROOT));
        g.writeNumberField("confidenceLevel", c.confidenceLevel());
        estimate(g, "baseline", c.a());
        estimate(g, "run", c.b());
        Json.number(g, "difference", c.difference());
        Json.number(g, "differenceLower", c.interval().lower());
        Json.number(g, "differenceUpper", c.interval().upper());
        if (c.reason() != null) {
            g.writeStringField("reason", c.reason());
        }
        g.writeEndObject();
    }

    private static void estimate(final JsonGenerator g, final String name, final Estimate e) throws IOException {
        g.writeObjectFieldStart(name);
        g.writeNumberField("n", e.n());
        Json.number(g, "value", e.value());
        g.writeEndObject();
    }
}
