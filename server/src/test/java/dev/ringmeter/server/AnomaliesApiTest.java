package dev.ringmeter.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ringmeter.core.EmbeddedStore;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GET /api/v1/anomalies against a real server on a free port, its clock set by the test and its anomaly watch
 * ticked by hand: model "m" steady for 80 minutes then three times slower for five; the watch, primed at its first
 * tick, opens a P95 anomaly at the first slow minute, listed with a null end; two steady minutes later it is
 * ended, with its duration; /metrics has it open; bad parameters are named.
 */
@Timeout(60)
class AnomaliesApiTest {
    private static final long T0 = 26_666_666L * 60_000;   // a whole minute, 2020-09-13
    private static final long MINUTE_MS = 60_000;
    @TempDir
    static Path data;
    static TestServer server;
    static final CachedEpochClock CLOCK = new CachedEpochClock();

    @BeforeAll
    static void start() throws Exception {
        CLOCK.update(T0 + 85 * MINUTE_MS);   // minutes up to 83 closed, but the watch's thread ticks after a minute
        server = new TestServer(new ServerConfig().clock(CLOCK).anomalyIntervalMs(60_000), data);
        post(0, 80, 1);
        post(80, 85, 3);
        SubjectQueriesTest.awaitCount(server, "/api/v1/analytics?model=m&window=2h", 85 * 20);
        tickAt(85);
    }

    /** Posts minutes [from, to) of model m: 20 calls a minute around 1 s times the factor. */
    private static void post(final int from, final int to, final int factor) {
        final StringBuilder batch = new StringBuilder();
        for (int i = from; i < to; i++) {
            for (int j = 0; j < 20; j++) {
                batch.append("{\"model\":\"m\",\"latencyMs\":").append(factor * (1000 + (i * 7 + j * 13) % 41))
                    .append(",\"timestamp\":").append(T0 + i * MINUTE_MS + j * 1000).append("}\n");
            }
        }
        assertEquals(202, server.post("/api/v1/events", TestServer.NDJSON, batch.toString()).status());
    }

    /** Sets the clock so that minutes before {@code minute} are closed, and ticks the watch. */
    private static void tickAt(final int minute) throws InterruptedException {
        final EmbeddedStore store = server.server.store();
        CLOCK.update(T0 + minute * MINUTE_MS + store.config().anomalyLatenessMs());
        store.anomalyWatch().tick();
        assertTrue(store.flush(10, TimeUnit.SECONDS));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static JsonNode list(final String query) {
        final TestServer.Reply r = server.get("/api/v1/anomalies?" + query);
        assertEquals(200, r.status(), r.body());
        return r.json().get("anomalies");
    }

    /** /metrics while the P95 anomaly is open: checked by the format checker and promtool. */
    private static void assertExposed() throws Exception {
        final String body = server.get("/metrics").body();
        final java.util.Map<String, Double> s = ExpositionFormat.check(body);
        assertEquals(1, s.get("ringmeter_anomalies_open{model=\"m\",metric=\"p95\"}"), body);
        assertEquals(0, s.get("ringmeter_anomalies_open{model=\"m\",metric=\"error_rate\"}"), body);
        PrometheusMetricsTest.promtoolCheck(body, data);
    }

    @Test
    void shouldListAnAnomalyOpenThenEnded() throws Exception {
        final JsonNode open = list("model=m&metric=p95&open=true");
        assertEquals(1, open.size(), open.toString());
        final JsonNode a = open.get(0);
        assertEquals("m", a.get("model").asText());
        assertEquals("p95", a.get("metric").asText());
        assertEquals(Instant.ofEpochMilli(T0 + 80 * MINUTE_MS).toString(), a.get("start").asText());
        assertTrue(a.get("end").isNull() && a.get("durationMs").isNull(), a.toString());
        assertEquals(1020, a.get("expected").asDouble(), 30);
        assertTrue(a.get("observed").asDouble() > 2900 && a.get("score").asDouble() > 6, a.toString());
        assertEquals("shift", a.get("kind").asText(), "five minutes out when primed");
        assertExposed();

        CLOCK.update(T0 + 87 * MINUTE_MS);
        post(85, 87, 1);
        SubjectQueriesTest.awaitCount(server, "/api/v1/analytics?model=m&window=2h", 87 * 20);
        tickAt(87);
        assertEquals(0, list("open=true&metric=p95").size());
        final JsonNode ended = list("model=m&metric=p95");
        assertEquals(1, ended.size(), ended.toString());
        assertEquals(a.get("id").asLong(), ended.get(0).get("id").asLong());
        assertEquals(Instant.ofEpochMilli(T0 + 85 * MINUTE_MS).toString(), ended.get(0).get("end").asText());
        assertEquals(5 * MINUTE_MS, ended.get(0).get("durationMs").asLong());
        assertEquals(0, list("model=m&metric=p95&from=" + (T0 + 86 * MINUTE_MS)).size(), "ended before from");
        assertEquals(1, list("model=m&metric=p95&to=" + Instant.ofEpochMilli(T0 + 81 * MINUTE_MS)).size());
        assertEquals(0, list("model=other").size());
        assertEquals(1, list("metric=p95&limit=1").size());
    }

    @Test
    void shouldNameTheBadParameter() {
        assertBad("metric=p42", "metric");
        assertBad("metric=count", "metric");
        assertBad("from=yesterday", "from");
        assertBad("from=2000&to=1000", "to");
        assertBad("open=yes", "open");
        assertBad("limit=0", "limit");
        assertBad("limit=1001", "limit");
        assertBad("window=1h", "window");
    }

    private static void assertBad(final String query, final String field) {
        final TestServer.Reply r = server.get("/api/v1/anomalies?" + query);
        assertEquals(400, r.status(), r.body());
        assertEquals(field, r.json().get("field").asText(), r.body());
    }
}
