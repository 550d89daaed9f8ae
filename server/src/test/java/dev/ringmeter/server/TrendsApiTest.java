package dev.ringmeter.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GET /api/v1/trends against a real server on a free port, its clock set so that two hours of one call a minute
 * lie behind it: a latency rising through the last hour is degrading, with its change against the hour before
 * and its slope; a latency that only wanders is stable; five calls give no verdict; bad parameters are named.
 */
@Timeout(60)
class TrendsApiTest {
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
        for (int i = 0; i < 120; i++) {
            final long ts = T0 - 7_200_000 + i * 60_000L + 1_000;
            // the hour before: 200 ms give or take 4; the last hour: 3 ms more each minute from 210
            final int rising = i < 60 ? 200 + i % 5 : 210 + 3 * (i - 60);
            batch.append("{\"model\":\"rising\",\"latencyMs\":").append(rising).append(",\"timestamp\":").append(ts)
                .append("}\n");
            batch.append("{\"model\":\"steady\",\"latencyMs\":").append(300 + i * 4 % 11).append(",\"timestamp\":")
                .append(ts).append("}\n");
            if (i >= 115) {
                batch.append("{\"model\":\"sparse\",\"latencyMs\":").append(100 + i).append(",\"timestamp\":")
                    .append(ts).append("}\n");
            }
        }
        // configuration prompt-v2: three calls an hour over the last day, steady, then 10 ms more each hour
        final long hour = 3_600_000;
        final long dayAgo = T0 - Math.floorMod(T0, hour) - 24 * hour;
        for (int h = 0; h < 24; h++) {
            for (int k = 0; k < 3; k++) {
                batch.append("{\"model\":\"configured\",\"config\":\"prompt-v2\",\"latencyMs\":")
                    .append(h < 12 ? 200 + (h + k) % 3 : 220 + 10 * (h - 12)).append(",\"timestamp\":")
                    .append(dayAgo + h * hour + 60_000 + k).append("}\n");
            }
        }
        assertEquals(202, server.post("/api/v1/events", TestServer.NDJSON, batch.toString()).status());
        SubjectQueriesTest.awaitCount(server, "/api/v1/analytics?model=configured&window=24h", 72);
        SubjectQueriesTest.awaitCount(server, "/api/v1/analytics?model=rising&window=2h", 120);
        SubjectQueriesTest.awaitCount(server, "/api/v1/analytics?model=sparse&window=2h", 5);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static JsonNode trend(final String query) {
        final TestServer.Reply r = server.get("/api/v1/trends?" + query);
        assertEquals(200, r.status(), r.body());
        return r.json();
    }

    @Test
    void shouldCallALatencyRisingThroughTheHourDegrading() {
        final JsonNode t = trend("model=rising&metric=p95&window=1h&step=1m");
        assertEquals("rising", t.get("model").asText());
        assertEquals("lower_is_better", t.get("direction").asText());
        // the window ends just after now (1 ms): its last step is the minute under way, empty here and skipped
        assertEquals(61, t.get("points").size(), t.toString());
        assertTrue(t.get("points").get(60).get("value").isNull(), t.toString());
        assertEquals(T0 - 3_600_000, t.get("points").get(0).get("t").asLong());
        assertEquals(60, t.get("nonEmptyPoints").asInt());
        // every minute above the one before: all 60·59/2 pairs rise, no ties
        assertEquals(1770, t.get("mannKendall").get("s").asLong(), t.toString());
        assertEquals(60 * 59 * 125 / 18.0, t.get("mannKendall").get("variance").asDouble(), 1e-6);
        assertTrue(t.get("mannKendall").get("p").asDouble() < 1e-6, t.toString());
        assertEquals(180, t.get("slopePerHour").asDouble(), 5, "3 ms a minute");
        assertEquals(202, t.get("change").get("previous").asDouble(), 1.5);
        assertEquals(298.5, t.get("change").get("current").asDouble(), 1.5);
        assertTrue(t.get("change").get("percent").asDouble() > 45, t.toString());
        assertEquals("degrading", t.get("verdict").asText());
    }

    @Test
    void shouldCallAWanderingLatencyStableAndFewCallsInsufficient() {
        final JsonNode steady = trend("model=steady&metric=p95&window=1h");
        assertEquals("stable", steady.get("verdict").asText(), steady.toString());
        assertTrue(steady.get("mannKendall").get("p").asDouble() >= 0.05, steady.toString());
        final JsonNode sparse = trend("model=sparse&metric=p95&window=1h");
        assertEquals(5, sparse.get("nonEmptyPoints").asInt(), sparse.toString());
        assertEquals(8, sparse.get("minPoints").asInt());
        assertEquals("insufficient_data", sparse.get("verdict").asText());
        assertTrue(sparse.get("change").get("previous").isNull(), "no calls the hour before: no change");
        final JsonNode all = trend("metric=count&window=1h");
        assertEquals("all", all.get("model").asText());
        assertTrue(all.get("direction").isNull(), all.toString());
    }

    @Test
    void shouldTrendAConfigurationFromItsHourlyBuckets() {
        final JsonNode t = trend("config=prompt-v2&metric=p95&window=12h&step=1h");
        assertEquals("prompt-v2", t.get("config").asText());
        assertEquals(12, t.get("nonEmptyPoints").asInt(), t.toString());
        assertEquals("degrading", t.get("verdict").asText(), t.toString());
        assertEquals(201, t.get("change").get("previous").asDouble(), 3, "the steady half day before");
        assertTrue(t.get("slopePerHour").asDouble() > 8, t.toString());
    }

    @Test
    void shouldNameTheBadParameter() {
        assertBad("config=prompt-v2&metric=p95&window=2h&step=5m", "step");   // 5-minute buckets: the last hour only
        assertBad("config=prompt-v2&model=rising&metric=p95&window=12h&step=1h", "config");
        final TestServer.Reply unknownConfig = server.get("/api/v1/trends?config=nothing&metric=p95");
        assertEquals(404, unknownConfig.status(), unknownConfig.body());
        assertEquals("config", unknownConfig.json().get("field").asText());
        assertBad("model=rising&metric=p42&window=1h", "metric");
        assertBad("model=rising&window=1h", "metric");
        assertBad("model=rising&metric=p95&window=24h&step=1m", "step");   // 1,441 steps
        assertBad("model=rising&metric=p95&window=1h&step=fast", "step");
        assertBad("model=rising&metric=p95&window=soon", "window");
        assertBad("model=rising&metric=p95&tool=grep", "model");
        final TestServer.Reply unknown = server.get("/api/v1/trends?model=nobody&metric=p95");
        assertEquals(404, unknown.status(), unknown.body());
        assertEquals("model", unknown.json().get("field").asText());
    }

    private static void assertBad(final String query, final String field) {
        final TestServer.Reply r = server.get("/api/v1/trends?" + query);
        assertEquals(400, r.status(), r.body());
        assertEquals(field, r.json().get("field").asText(), r.body());
    }
}
