package dev.ringmeter.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The alert routes against a real server: rules created, read, listed, replaced and deleted; a rule evaluated by the
 * server's own evaluator thread from events posted over HTTP, firing, with its history; silences; and bad input
 * refused with a 4xx naming the field, never a 500.
 */
@Timeout(120)
class AlertRoutesTest {
    private static final String RULE = "{\"id\": \"slow-chat\", \"name\": \"chat is slow\", \"scope\": "
        + "\"model:chat\", \"metric\": \"p95\", \"window\": \"5m\", \"comparator\": \">\", \"warning\": 100, "
        + "\"critical\": 1000, \"for\": \"0s\", \"minEvents\": 3, \"targets\": [{\"type\": \"webhook\", \"url\": "
        + "\"http://127.0.0.1:9/hook\"}], \"labels\": {\"team\": \"llm\"}}";

    @TempDir
    Path dir;

    private static TestServer.Reply delete(final TestServer server, final String path) {
        return server.send(server.request(path).DELETE().build());
    }

    private static void assertRefused(final TestServer.Reply r, final int status, final String field) {
        assertEquals(status, r.status(), r.body());
        final JsonNode f = r.json().get("field");
        assertEquals(field, f == null || f.isNull() ? null : f.asText(), r.body());
    }

    /** Polls GET /api/v1/alerts until the rule is in the state, or fails at the deadline. */
    private static JsonNode awaitState(final TestServer server, final String state) {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        JsonNode seen = null;
        while (System.nanoTime() < deadline) {
            seen = server.get("/api/v1/alerts").json().get("alerts");
            if (seen.size() == 1 && seen.get(0).get("state").asText().equals(state)) {
                return seen.get(0);
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("alerts never " + state + ": " + seen);
    }

    @Test
    void shouldManageRulesAndFireOneFromPostedEvents() throws Exception {
        try (TestServer server = new TestServer(new ServerConfig().alertEvalMs(100), dir.resolve("data"))) {
            final TestServer.Reply created = server.post("/api/v1/alerts/rules", TestServer.JSON, RULE);
            assertEquals(201, created.status(), created.body());
            assertEquals(300_000, created.json().get("windowMs").asLong());
            assertEquals("inactive", created.json().get("state").asText());
            assertRefused(server.post("/api/v1/alerts/rules", TestServer.JSON, RULE), 409, "id");
            final TestServer.Reply generated = server.post("/api/v1/alerts/rules", TestServer.JSON, "{\"name\": "
                + "\"errors\", \"metric\": \"error_rate\", \"window\": \"10m\", \"comparator\": \">=\", "
                + "\"critical\": 0.5}");
            assertEquals(201, generated.status(), generated.body());
            final String id = generated.json().get("id").asText();
            assertEquals("all", generated.json().get("scope").asText());
            assertEquals(2, server.get("/api/v1/alerts/rules").json().get("rules").size());
            final TestServer.Reply replaced = server.put("/api/v1/alerts/rules/" + id, "{\"name\": \"errors\", "
                + "\"metric\": \"error_rate\", \"window\": \"10m\", \"comparator\": \">=\", \"critical\": 0.9}");
            assertEquals(200, replaced.status(), replaced.body());
            assertEquals(0.9, server.get("/api/v1/alerts/rules/" + id).json().get("critical").asDouble());
            assertEquals(204, delete(server, "/api/v1/alerts/rules/" + id).status());
            assertRefused(delete(server, "/api/v1/alerts/rules/" + id), 404, "id");
            assertRefused(server.get("/api/v1/alerts/rules/" + id), 404, "id");

            final long now = System.currentTimeMillis();
            final StringBuilder batch = new StringBuilder();
            for (int i = 0; i < 5; i++) {
                batch.append("{\"model\":\"chat\",\"latencyMs\":400,\"status\":\"ok\",\"timestamp\":")
                    .append(now - i).append("}\n");
            }
            assertEquals(202, server.post("/api/v1/events", TestServer.NDJSON, batch.toString()).status());
            final JsonNode firing = awaitState(server, "firing");
            assertEquals("warning", firing.get("severity").asText());
            assertEquals(400, firing.get("value").asDouble(), 4);
            final JsonNode history = server.get("/api/v1/alerts/history?rule=slow-chat").json().get("transitions");
            assertEquals("firing", history.get(0).get("kind").asText());
            assertTrue(history.get(0).get("dedupKey").asText().startsWith("slow-chat:"), history.toString());
            final String metrics = server.get("/metrics").body();
            final java.util.Map<String, Double> samples = ExpositionFormat.check(metrics);
            assertEquals(1, samples.get("ringmeter_alerts{rule=\"slow-chat\",alertname=\"chat is slow\","
                + "alertstate=\"firing\",severity=\"warning\"}"), metrics);
            assertEquals(1, samples.get("ringmeter_alert_rules"), metrics);
            assertEquals(1, samples.get("ringmeter_alert_outbox"), "the webhook on port 9 refuses: undelivered");
            assertEquals(0, samples.get("ringmeter_alert_notices_total{target=\"webhook\",outcome=\"delivered\"}"));
            PrometheusMetricsTest.promtoolCheck(metrics, dir);

            final TestServer.Reply silence = server.post("/api/v1/alerts/silences", TestServer.JSON,
                "{\"matchers\": {\"team\": \"llm\"}, \"endsAt\": \"" + Instant.ofEpochMilli(now + 3_600_000)
                    + "\", \"comment\": \"deploy\"}");
            assertEquals(201, silence.status(), silence.body());
            final String silenceId = silence.json().get("id").asText();
            assertEquals(silenceId, server.get("/api/v1/alerts/silences").json().get("silences").get(0).get("id")
                .asText());
            assertEquals(204, delete(server, "/api/v1/alerts/silences/" + silenceId).status());
            assertRefused(delete(server, "/api/v1/alerts/silences/" + silenceId), 404, "id");
        }
    }

    @Test
    void shouldRefuseBadInputNamingTheField() {
        try (TestServer server = new TestServer(new ServerConfig().alertEvalMs(0), dir.resolve("data"))) {
            final String base = "\"name\": \"n\", \"metric\": \"p95\", \"window\": \"5m\", \"comparator\": \">\"";
            assertRefused(server.post("/api/v1/alerts/rules", TestServer.JSON, "{" + base + ", \"warning\": 1, "
                + "\"id\": \"bad id\"}"), 422, "id");
            assertRefused(server.post("/api/v1/alerts/rules", TestServer.JSON, "{" + base + "}"), 422, "warning");
            assertRefused(server.post("/api/v1/alerts/rules", TestServer.JSON, "{" + base.replace("p95", "p97")
                + ", \"warning\": 1}"), 422, "metric");
            assertRefused(server.post("/api/v1/alerts/rules", TestServer.JSON, "{" + base.replace("5m", "5 min")
                + ", \"warning\": 1}"), 422, "window");
            assertRefused(server.post("/api/v1/alerts/rules", TestServer.JSON, "{" + base.replace("5m", "2d")
                + ", \"warning\": 1}"), 422, "window");
            assertRefused(server.post("/api/v1/alerts/rules", TestServer.JSON, "{" + base.replace(">", "=>")
                + ", \"warning\": 1}"), 422, "comparator");
            assertRefused(server.post("/api/v1/alerts/rules", TestServer.JSON, "{" + base + ", \"warning\": 5, "
                + "\"critical\": 1}"), 422, "critical");
            assertRefused(server.post("/api/v1/alerts/rules", TestServer.JSON, "{" + base + ", \"warning\": 1, "
                + "\"scope\": \"region:eu\"}"), 422, "scope");
            assertRefused(server.post("/api/v1/alerts/rules", TestServer.JSON, "{" + base + ", \"warning\": 1, "
                + "\"targets\": [{\"type\": \"email\", \"url\": \"http://x\"}]}"), 422, "type");
            assertRefused(server.post("/api/v1/alerts/rules", TestServer.JSON, "{" + base + ", \"warning\": 1, "
                + "\"targets\": [{\"type\": \"webhook\", \"url\": \"ftp://x\"}]}"), 422, "url");
            assertRefused(server.post("/api/v1/alerts/rules", TestServer.JSON, "{" + base + ", \"warning\": 1, "
                + "\"colour\": 1}"), 422, "colour");
            assertRefused(server.post("/api/v1/alerts/rules", TestServer.JSON, "{" + base + ", \"warning\": \"1\"}"),
                422, "warning");
            assertRefused(server.post("/api/v1/alerts/rules", TestServer.JSON, "{\"name\": "), 400, null);
            assertRefused(server.put("/api/v1/alerts/rules/a", "{" + base + ", \"warning\": 1, \"id\": \"b\"}"),
                422, "id");
            assertRefused(server.post("/api/v1/alerts/silences", TestServer.JSON, "{\"matchers\": {\"a\": \"b\"}}"),
                422, "endsAt");
            assertRefused(server.post("/api/v1/alerts/silences", TestServer.JSON, "{\"matchers\": {}, \"endsAt\": "
                + "\"2999-01-01T00:00:00Z\"}"), 422, "matchers");
            assertRefused(server.post("/api/v1/alerts/silences", TestServer.JSON, "{\"matchers\": {\"a\": \"b\"}, "
                + "\"endsAt\": \"2000-01-01T00:00:00Z\"}"), 422, "endsAt");
            assertRefused(server.get("/api/v1/alerts/history?limit=0"), 400, "limit");
            assertRefused(server.send(server.request("/api/v1/alerts/rules/x").header("Content-Type", TestServer.JSON)
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{}")).build()), 404, null);
        }
    }

    @Test
    void shouldKeepTheAlertRoutesBehindTheBearerToken() {
        try (TestServer server = new TestServer(new ServerConfig().token("s3cret-token-0123456789").alertEvalMs(0),
            dir.resolve("data"))) {
            assertEquals(201, server.post("/api/v1/alerts/rules", TestServer.JSON, RULE).status());
            server.token = null;
            assertEquals(401, server.get("/api/v1/alerts").status());
            assertEquals(401, server.get("/api/v1/alerts/rules/slow-chat").status());
            assertEquals(401, delete(server, "/api/v1/alerts/rules/slow-chat").status());
            assertEquals(401, server.post("/api/v1/alerts/silences", TestServer.JSON, "{}").status());
            server.token = "s3cret-token-0123456789";
            assertEquals(200, server.get("/api/v1/alerts/rules/slow-chat").status(), "not deleted");
        }
    }
}
