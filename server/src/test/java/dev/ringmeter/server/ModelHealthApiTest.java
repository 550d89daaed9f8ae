package dev.ringmeter.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GET /api/v1/health/models against a real server on a free port, its clock fixed after an hour and five minutes
 * of calls: a model that stays as it was is ok, one whose latency doubled in the last 5 minutes is degraded, one
 * whose calls now mostly fail is failing, one with a handful of calls is unknown; bad thresholds are named.
 */
@Timeout(60)
class ModelHealthApiTest {
    private static final long T0 = 26_666_666L * 60_000;   // a whole minute, 2020-09-13
    @TempDir
    static Path data;
    static TestServer server;

    @BeforeAll
    static void start() {
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(T0);
        server = new TestServer(new ServerConfig().clock(clock), data);
        final StringBuilder batch = new StringBuilder();
        // one call of each model every 10 s over the 65 minutes before now: 360 in the baseline, 30 in the window
        for (int i = 0; i < 390; i++) {
            final long ts = T0 - 65 * 60_000L + i * 10_000L + 500;
            final boolean recent = ts >= T0 + 1 - 5 * 60_000L;
            final int jitter = i * 7 % 21;
            event(batch, "healthy", 200 + jitter, i % 50 == 0 ? "error" : "ok", ts);
            event(batch, "slower", (recent ? 400 : 200) + jitter, "ok", ts);
            event(batch, "broken", 150 + jitter, recent && i % 5 != 0 ? "error" : "ok", ts);
            if (i % 40 == 0) {
                event(batch, "rare", 100 + jitter, "ok", ts);
            }
        }
        assertEquals(202, server.post("/api/v1/events", TestServer.NDJSON, batch.toString()).status());
        SubjectQueriesTest.awaitCount(server, "/api/v1/analytics?model=broken&window=2h", 390);
        SubjectQueriesTest.awaitCount(server, "/api/v1/analytics?model=rare&window=2h", 10);
    }

    private static void event(final StringBuilder batch, final String model, final int latencyMs, final String status,
                              final long ts) {
        batch.append("{\"model\":\"").append(model).append("\",\"latencyMs\":").append(latencyMs)
            .append(",\"status\":\"").append(status).append("\",\"timestamp\":").append(ts).append("}\n");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static JsonNode model(final JsonNode reply, final String name) {
        for (final JsonNode m : reply.get("models")) {
            if (name.equals(m.get("model").asText())) {
                return m;
            }
        }
        throw new AssertionError("no " + name + " in " + reply);
    }

    private static JsonNode health(final String query) {
        final TestServer.Reply r = server.get("/api/v1/health/models" + query);
        assertEquals(200, r.status(), r.body());
        return r.json();
    }

    @Test
    void shouldTellOkDegradedFailingAndUnknownApart() {
        final JsonNode reply = health("?window=5m&baseline=1h");
        assertEquals(4, reply.get("models").size(), reply.toString());
        assertEquals(0.5, reply.get("thresholds").get("failingErrorRate").asDouble());
        assertEquals(20, reply.get("thresholds").get("minCalls").asInt());

        final JsonNode healthy = model(reply, "healthy");
        assertEquals("ok", healthy.get("status").asText(), healthy.toString());
        assertEquals(30, healthy.get("window").get("calls").asLong());
        assertEquals(360, healthy.get("baseline").get("calls").asLong());
        assertEquals(Instant.ofEpochMilli(T0 - 5 * 60_000L).toString(), healthy.get("window").get("from").asText());
        assertEquals(Instant.ofEpochMilli(T0 - 65 * 60_000L).toString(), healthy.get("baseline").get("from").asText());

        final JsonNode slower = model(reply, "slower");
        assertEquals("degraded", slower.get("status").asText(), slower.toString());
        assertEquals(1.9, slower.get("p95Ratio").asDouble(), 0.15, slower.toString());
        assertTrue(slower.get("reason").asText().contains("P95"), slower.toString());
        assertEquals(0, slower.get("window").get("errors").asLong());

        final JsonNode broken = model(reply, "broken");
        assertEquals("failing", broken.get("status").asText(), broken.toString());
        assertEquals(0.8, broken.get("window").get("errorRate").asDouble(), 1e-9);
        assertEquals("worse", broken.get("errorRateChange").get("verdict").asText());
        assertTrue(broken.get("reason").asText().contains("80.0 %"), broken.toString());

        final JsonNode rare = model(reply, "rare");
        assertEquals("unknown", rare.get("status").asText(), rare.toString());
        assertTrue(rare.get("reason").asText().contains("at least 20"), rare.toString());
    }

    @Test
    void shouldApplyTheThresholdsOfTheQuery() {
        // a factor of 3 lets the doubled latency pass; failing from 90 % leaves 80 % errors degraded, not failing
        final JsonNode reply = health("?latencyFactor=3&failingErrorRate=0.9");
        assertEquals("ok", model(reply, "slower").get("status").asText(), reply.toString());
        final JsonNode broken = model(reply, "broken");
        assertEquals("degraded", broken.get("status").asText(), broken.toString());
        assertTrue(broken.get("reason").asText().contains("significantly"), broken.toString());
        // healthy has 30 calls in the window: a minimum of 31 leaves it unknown
        final JsonNode healthy = model(health("?minCalls=31"), "healthy");
        assertEquals("unknown", healthy.get("status").asText(), healthy.toString());
        assertTrue(healthy.get("reason").asText().contains("the window has 30"), healthy.toString());
    }

    @Test
    void shouldNameTheBadParameter() {
        assertBad("?window=soon", "window");
        assertBad("?baseline=0m", "baseline");
        assertBad("?baseline=400d", "baseline");
        assertBad("?failingErrorRate=1.5", "failingErrorRate");
        assertBad("?failingErrorRate=0", "failingErrorRate");
        assertBad("?failingErrorRate=half", "failingErrorRate");
        assertBad("?latencyFactor=1", "latencyFactor");
        assertBad("?latencyFactor=NaN", "latencyFactor");
        assertBad("?minCalls=3", "minCalls");
        assertBad("?model=healthy", "model");
    }

    private static void assertBad(final String query, final String field) {
        final TestServer.Reply r = server.get("/api/v1/health/models" + query);
        assertEquals(400, r.status(), r.body());
        assertEquals(field, r.json().get("field").asText(), r.body());
    }
}
