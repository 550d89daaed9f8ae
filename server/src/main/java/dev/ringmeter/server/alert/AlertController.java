package dev.ringmeter.server.alert;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ringmeter.core.watch.alert.AlertMetric;
import dev.ringmeter.core.watch.alert.AlertRule;
import dev.ringmeter.core.watch.alert.AlertScope;
import dev.ringmeter.core.watch.alert.AlertStatus;
import dev.ringmeter.core.watch.alert.AlertTable;
import dev.ringmeter.core.watch.alert.AlertTransition;
import dev.ringmeter.core.watch.alert.Alerts;
import dev.ringmeter.core.watch.alert.Silence;
import dev.ringmeter.core.watch.alert.Target;
import dev.ringmeter.core.watch.alert.TargetKind;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The alert routes: rules created, read, listed, replaced and deleted; the alerts pending and firing; the history;
 * silences. Thin: the rules and the state are the store's {@link Alerts}; this reads the request, maps a refusal to
 * 422 (a body's value, naming the field), 400 (a query parameter) or 404, and writes the JSON (docs/alerts.md).
 * <p>
 * Threading: any request thread; stateless beyond its final fields.
 */
public final class AlertController {
    /** The largest body an alert request takes: a rule's values are bounded (see {@link AlertRule}). */
    private static final long MAX_BODY_BYTES = 128 * 1024;
    private static final String[] RULE_FIELDS = {"id", "name", "scope", "metric", "window", "comparator", "warning",
        "critical", "for", "minEvents", "targets", "labels", "summary"};
    /** The fields a core refusal message starts with, to name in the reply. */
    private static final List<String> FIELDS = List.of("id", "name", "scope", "metric", "window", "comparator",
        "warning", "critical", "for", "minEvents", "targets", "labels", "summary", "url", "type", "matchers",
        "startsAt", "endsAt", "comment");

    private final StoreHolder holder;
    private final long bodyTimeoutMs;

    /**
     * @param holder the store.
     * @param config the server's options.
     */
    public AlertController(final StoreHolder holder, final ServerConfig config) {
        this.holder = holder;
        this.bodyTimeoutMs = config.bodyTimeoutMs();
    }

    private Alerts alerts() {
        return holder.get().store.alerts();
    }

    /** POST /api/v1/alerts/rules: a rule; its id given or made. 201, or 409 if the id is taken. */
    public void create(final Context ctx) throws IOException {
        QueryParams.of(ctx);
        final JsonNode body = JsonObjectBody.read(ctx, MAX_BODY_BYTES, bodyTimeoutMs, RULE_FIELDS);
        final String given = JsonObjectBody.text(body, "id");
        final AlertRule rule = rule(body, given == null ? Alerts.newId() : given);
        if (given != null && alerts().rule(given) != null) {
            throw ApiException.conflict("id", "a rule with id '" + given + "' exists; PUT /api/v1/alerts/rules/"
                + given + " replaces it");
        }
        final AlertStatus s = call(() -> alerts().putRule(rule));
        Json.reply(ctx, 201, g -> status(g, s));
    }

    /** PUT /api/v1/alerts/rules/{id}: creates or replaces the rule of that id. */
    public void replace(final Context ctx) throws IOException {
        QueryParams.of(ctx);
        final JsonNode body = JsonObjectBody.read(ctx, MAX_BODY_BYTES, bodyTimeoutMs, RULE_FIELDS);
        final String id = ctx.pathParam("id");
        final String inBody = JsonObjectBody.text(body, "id");
        if (inBody != null && !inBody.equals(id)) {
            throw ApiException.invalid("id", -1, "id in the body must be the path's id '" + id + "' or absent");
        }
        final AlertRule rule = rule(body, id);
        final boolean existed = alerts().rule(id) != null;
        final AlertStatus s = call(() -> alerts().putRule(rule));
        Json.reply(ctx, existed ? 200 : 201, g -> status(g, s));
    }

    /** GET /api/v1/alerts/rules/{id} */
    public void getRule(final Context ctx) {
        QueryParams.of(ctx);
        final AlertStatus s = alerts().rule(ctx.pathParam("id"));
        if (s == null) {
            throw ApiException.notFound("id", "no alert rule with id '" + ctx.pathParam("id") + "'");
        }
        Json.reply(ctx, 200, g -> status(g, s));
    }

    /** GET /api/v1/alerts/rules */
    public void listRules(final Context ctx) {
        QueryParams.of(ctx);
        final List<AlertStatus> rules = alerts().rules();
        Json.reply(ctx, 200, g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("rules");
            for (final AlertStatus s : rules) {
                status(g, s);
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /** DELETE /api/v1/alerts/rules/{id}: 204, or 404. */
    public void deleteRule(final Context ctx) {
        QueryParams.of(ctx);
        final String id = ctx.pathParam("id");
        if (!call(() -> alerts().deleteRule(id))) {
            throw ApiException.notFound("id", "no alert rule with id '" + id + "'");
        }
        ctx.status(204);
    }

    /** GET /api/v1/alerts: the rules pending or firing now. */
    public void active(final Context ctx) {
        QueryParams.of(ctx);
        final List<AlertStatus> active = alerts().active();
        Json.reply(ctx, 200, g -> active(g, active));
    }

    /**
     * Writes the reply of GET /api/v1/alerts, which the live stream sends as well.
     *
     * @param g      the generator.
     * @param active the active alerts.
     * @throws IOException never in practice.
     */
    public static void active(final JsonGenerator g, final List<AlertStatus> active) throws IOException {
        g.writeStartObject();
        g.writeArrayFieldStart("alerts");
        for (final AlertStatus s : active) {
            status(g, s);
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    /** GET /api/v1/alerts/history?rule&amp;limit: the newest transitions first. */
    public void history(final Context ctx) {
        final QueryParams q = QueryParams.of(ctx, "rule", "limit");
        final List<AlertTransition> history = alerts().history(q.integer("limit", 100, 1, AlertTable.MAX_HISTORY),
            q.get("rule"));
        Json.reply(ctx, 200, g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("transitions");
            for (final AlertTransition t : history) {
                g.writeStartObject();
                g.writeStringField("rule", t.ruleId());
                g.writeStringField("time", Instant.ofEpochMilli(t.timeMs()).toString());
                g.writeStringField("kind", t.kind().label());
                g.writeStringField("state", t.kind().state().label());
                g.writeStringField("severity", t.severity().label());
                number(g, "value", t.value());
                g.writeBooleanField("silenced", t.silenced());
                if (t.notice() != null) {
                    g.writeStringField("dedupKey", t.notice().dedupKey());
                    g.writeStringField("summary", t.notice().summary());
                    g.writeStringField("startsAt", Instant.ofEpochMilli(t.notice().startsAtMs()).toString());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /** GET /api/v1/alerts/silences: those in force or to come. */
    public void listSilences(final Context ctx) {
        QueryParams.of(ctx);
        final List<Silence> silences = alerts().silences();
        Json.reply(ctx, 200, g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("silences");
            for (final Silence s : silences) {
                silence(g, s);
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /** POST /api/v1/alerts/silences {"matchers": {...}, "startsAt", "endsAt", "comment"}: 201. */
    public void createSilence(final Context ctx) throws IOException {
        QueryParams.of(ctx);
        final JsonNode body = JsonObjectBody.read(ctx, MAX_BODY_BYTES, bodyTimeoutMs, "matchers", "startsAt", "endsAt", "comment");
        final Map<String, String> matchers = labels(body, "matchers");
        if (matchers == null) {
            throw ApiException.invalid("matchers", -1, "matchers is required: an object of label name to value");
        }
        final long startsAtMs = time(body, "startsAt", 0);
        final long endsAtMs = time(body, "endsAt", -1);
        if (endsAtMs < 0) {
            throw ApiException.invalid("endsAt", -1, "endsAt is required: an ISO-8601 instant");
        }
        final String comment = JsonObjectBody.text(body, "comment");
        final Silence s = call(() -> alerts().putSilence(matchers, startsAtMs, endsAtMs, comment));
        Json.reply(ctx, 201, g -> silence(g, s));
    }

    /** DELETE /api/v1/alerts/silences/{id}: 204, or 404. */
    public void deleteSilence(final Context ctx) {
        QueryParams.of(ctx);
        final String id = ctx.pathParam("id");
        if (!call(() -> alerts().deleteSilence(id))) {
            throw ApiException.notFound("id", "no silence with id '" + id + "'");
        }
        ctx.status(204);
    }

    private static AlertRule rule(final JsonNode body, final String id) {
        final String comparator = JsonObjectBody.text(body, "comparator");
        return call(() -> new AlertRule(id, JsonObjectBody.text(body, "name"), AlertScope.parse(JsonObjectBody.text(body, "scope")),
            AlertMetric.parse(JsonObjectBody.text(body, "metric")), duration(body, "window", -1),
            comparator == null ? null : AlertRule.Comparator.of(comparator), decimal(body, "warning"),
            decimal(body, "critical"), duration(body, "for", 0), whole(body, "minEvents", 1), targets(body),
            labels(body, "labels"), JsonObjectBody.text(body, "summary")));
    }

    /** A call into the alerts, its refusals mapped to the API's. */
    private interface Call<T> {
        T run() throws InterruptedException;
    }

    private static <T> T call(final Call<T> call) {
        try {
            return call.run();
        } catch (final IllegalArgumentException e) {
            final String m = e.getMessage() == null ? "" : e.getMessage();
            final int end = m.indexOf(' ');
            final String first = (end < 0 ? m : m.substring(0, end)).replace(":", "");
            throw ApiException.invalid(FIELDS.contains(first) ? first : null, -1, m);
        } catch (final IllegalStateException e) {
            throw ApiException.unavailable(e.getMessage(), 1);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.unavailable("interrupted", 1);
        }
    }

    private static void status(final JsonGenerator g, final AlertStatus s) throws IOException {
        final AlertRule r = s.rule();
        g.writeStartObject();
        g.writeStringField("id", r.id());
        g.writeStringField("name", r.name());
        g.writeStringField("scope", r.scope().toString());
        g.writeStringField("metric", r.metric().text());
        g.writeNumberField("windowMs", r.windowMs());
        g.writeStringField("comparator", r.comparator().symbol());
        number(g, "warning", r.warning());
        number(g, "critical", r.critical());
        g.writeNumberField("forMs", r.forMs());
        g.writeNumberField("minEvents", r.minEvents());
        g.writeArrayFieldStart("targets");
        for (final Target t : r.targets()) {
            g.writeStartObject();
            g.writeStringField("type", t.kind().label());
            g.writeStringField("url", t.url());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeObjectFieldStart("labels");
        for (final Map.Entry<String, String> l : r.labels().entrySet()) {
            g.writeStringField(l.getKey(), l.getValue());
        }
        g.writeEndObject();
        g.writeStringField("summary", r.summary());
        g.writeStringField("state", s.state().label());
        if (s.severity() != null) {
            g.writeStringField("severity", s.severity().label());
        } else {
            g.writeNullField("severity");
        }
        if (s.sinceMs() > 0) {
            g.writeStringField("since", Instant.ofEpochMilli(s.sinceMs()).toString());
        } else {
            g.writeNullField("since");
        }
        if (s.startsAtMs() > 0) {
            g.writeStringField("startsAt", Instant.ofEpochMilli(s.startsAtMs()).toString());
        } else {
            g.writeNullField("startsAt");
        }
        number(g, "value", s.value());
        g.writeEndObject();
    }

    private static void silence(final JsonGenerator g, final Silence s) throws IOException {
        g.writeStartObject();
        g.writeStringField("id", s.id());
        g.writeObjectFieldStart("matchers");
        for (final Map.Entry<String, String> m : s.matchers().entrySet()) {
            g.writeStringField(m.getKey(), m.getValue());
        }
        g.writeEndObject();
        g.writeStringField("startsAt", Instant.ofEpochMilli(s.startsAtMs()).toString());
        g.writeStringField("endsAt", Instant.ofEpochMilli(s.endsAtMs()).toString());
        g.writeStringField("comment", s.comment());
        g.writeEndObject();
    }

    /** Writes a number, or null for NaN. */
    private static void number(final JsonGenerator g, final String name, final double v) throws IOException {
        if (Double.isNaN(v)) {
            g.writeNullField(name);
        } else {
            g.writeNumberField(name, v);
        }
    }

    private static double decimal(final JsonNode body, final String field) {
        final JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return Double.NaN;
        }
        if (!v.isNumber()) {
            throw ApiException.invalid(field, -1, field + " must be a number");
        }
        return v.doubleValue();
    }

    private static long whole(final JsonNode body, final String field, final long absent) {
        final JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return absent;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw ApiException.invalid(field, -1, field + " must be a whole number");
        }
        return v.longValue();
    }

    /** A duration written as in the query parameters ({@code 30s}, {@code 5m}, {@code 1h}), or 0. */
    private static long duration(final JsonNode body, final String field, final long absent) {
        final String v = JsonObjectBody.text(body, field);
        if (v == null) {
            if (absent < 0) {
                throw ApiException.invalid(field, -1, field + " is required, e.g. 5m");
            }
            return absent;
        }
        if (v.matches("0+[smhd]?")) {
            return 0;   // "for": 0s fires at once; a window of 0 is refused by the rule
        }
        try {
            return QueryParams.durationMs(v, field);
        } catch (final ApiException e) {
            throw ApiException.invalid(field, -1, e.getMessage());
        }
    }

    private static long time(final JsonNode body, final String field, final long absent) {
        final String v = JsonObjectBody.text(body, field);
        if (v == null) {
            return absent;
        }
        try {
            return Instant.parse(v).toEpochMilli();
        } catch (final DateTimeParseException e) {
            throw ApiException.invalid(field, -1, field + " must be an ISO-8601 instant such as "
                + "2026-01-01T00:00:00Z: " + v);
        }
    }

    private static List<Target> targets(final JsonNode body) {
        final JsonNode v = body.get("targets");
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isArray() || v.size() > AlertRule.MAX_TARGETS) {
            throw ApiException.invalid("targets", -1, "targets must be an array of at most " + AlertRule.MAX_TARGETS
                + " {\"type\", \"url\"}");
        }
        final List<Target> targets = new ArrayList<>();
        for (final JsonNode t : v) {
            if (!t.isObject() || !t.path("type").isTextual() || !t.path("url").isTextual()) {
                throw ApiException.invalid("targets", -1, "each target must be {\"type\": \"webhook|slack|"
                    + "alertmanager\", \"url\": \"https://...\"}");
            }
            targets.add(call(() -> new Target(TargetKind.of(t.get("type").textValue()), t.get("url").textValue())));
        }
        return targets;
    }

    private static Map<String, String> labels(final JsonNode body, final String field) {
        final JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isObject()) {
            throw ApiException.invalid(field, -1, field + " must be an object of label name to string value");
        }
        final Map<String, String> labels = new LinkedHashMap<>();
        for (final Map.Entry<String, JsonNode> e : v.properties()) {
            if (!e.getValue().isTextual()) {
                throw ApiException.invalid(field, -1, field + ": the value of " + e.getKey() + " must be a string");
            }
            labels.put(e.getKey(), e.getValue().textValue());
        }
        return labels;
    }
}
