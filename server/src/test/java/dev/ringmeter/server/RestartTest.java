package dev.ringmeter.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ringmeter.core.journal.Snapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The server stopped and started again on the same data directory answers as before: events, prices, the
 * analytics and the Prometheus totals come back from the journal and the snapshot.
 */
@Timeout(60)
class RestartTest {
    @TempDir
    Path data;

    @Test
    void shouldKeepEventsAndPricesAcrossARestart() throws Exception {
        final long now = System.currentTimeMillis();
        final StringBuilder batch = new StringBuilder("[");
        for (int i = 0; i < 1000; i++) {
            batch.append(i == 0 ? "" : ",").append("{\"model\":\"gpt-4o\",\"timestamp\":").append(now - 1000 + i)
                .append(",\"latencyMs\":").append(100 + i).append(",\"promptTokens\":1000,\"completionTokens\":100}");
        }
        batch.append(']');
        final JsonNode before;
        try (TestServer server = TestServer.start(data)) {
            assertEquals(200, server.put("/api/v1/pricing/gpt-4o",
                "{\"inputUsdPerMillion\":2.5,\"outputUsdPerMillion\":10}").status());
            assertEquals(202, server.post("/api/v1/events", TestServer.JSON, batch.toString()).status());
            before = server.get("/api/v1/analytics?model=gpt-4o&window=1h").json();
            assertEquals(1000, before.at("/count").asLong(), before.toString());
        }
        try (TestServer restarted = TestServer.start(data)) {
            final JsonNode after = restarted.get("/api/v1/analytics?model=gpt-4o&window=1h").json();
            assertEquals(1000, after.at("/count").asLong(), after.toString());
            assertEquals(before.at("/latencyMs/p95").asDouble(), after.at("/latencyMs/p95").asDouble());
            assertEquals(before.at("/costUsd").asDouble(), after.at("/costUsd").asDouble(), 1e-12);
            assertEquals(1000 * (1000 * 2.5 + 100 * 10.0) / 1e6, after.at("/costUsd").asDouble(), 1e-9);
            final JsonNode price = restarted.get("/api/v1/pricing/gpt-4o").json();
            assertEquals(2.5, price.at("/inputUsdPerMillion").asDouble());
        }
    }

    @Test
    void shouldKeepPrometheusTotalsAcrossARestartAndAFullReplay() throws Exception {
        final long now = System.currentTimeMillis();
        final String m = "gen_ai_request_model=\"gpt-4o\"";
        final Map<String, Double> beforeRestart;
        try (TestServer server = TestServer.start(data)) {
            assertEquals(200, server.put("/api/v1/pricing/gpt-4o",
                "{\"inputUsdPerMillion\":1.0,\"outputUsdPerMillion\":2.0}").status());
            assertEquals(202, server.post("/api/v1/events", TestServer.JSON, "["
                + "{\"model\":\"gpt-4o\",\"latencyMs\":15,\"promptTokens\":1000,\"completionTokens\":500},"
                + "{\"model\":\"gpt-4o\",\"latencyMs\":150,\"promptTokens\":3000,\"completionTokens\":10,"
                + "\"status\":\"error\",\"errorType\":\"rate_limit\"},"
                // three days old: older than the aggregates' retention, counted in the totals all the same
                + "{\"model\":\"gpt-4o\",\"timestamp\":" + (now - 3 * 86_400_000L) + ",\"latencyMs\":20,"
                + "\"promptTokens\":100,\"completionTokens\":100}]").status());
            beforeRestart = perModel(server);
            assertEquals(2, beforeRestart.get("ringmeter_requests_total{" + m + ",status=\"ok\"}"));
            assertEquals(3, beforeRestart.get("gen_ai_client_operation_duration_seconds_count{" + m + "}"));
        }
        final Map<String, Double> afterMore;
        try (TestServer restarted = TestServer.start(data)) {
            assertEquals(beforeRestart, perModel(restarted), "the totals survive a restart unchanged");
            assertEquals(202, restarted.post("/api/v1/events", TestServer.JSON, "["
                + "{\"model\":\"gpt-4o\",\"latencyMs\":30,\"promptTokens\":10,\"completionTokens\":20},"
                + "{\"model\":\"gpt-4o\",\"latencyMs\":90000,\"status\":\"timeout\"}]").status());
            afterMore = perModel(restarted);
        }
        // the events recorded before the restart plus those after
        assertEquals(3, afterMore.get("ringmeter_requests_total{" + m + ",status=\"ok\"}"));
        assertEquals(1, afterMore.get("ringmeter_requests_total{" + m + ",status=\"error\"}"));
        assertEquals(1, afterMore.get("ringmeter_requests_total{" + m + ",status=\"timeout\"}"));
        assertEquals(1, afterMore.get("ringmeter_errors_total{" + m + ",error_type=\"rate_limit\"}"));
        assertEquals(5, afterMore.get("gen_ai_client_operation_duration_seconds_count{" + m + "}"));
        assertEquals(4, afterMore.get("gen_ai_client_operation_duration_seconds_bucket{" + m + ",le=\"0.16\"}"));
        assertEquals(0.015 + 0.15 + 0.02 + 0.03 + 90.0,
            afterMore.get("gen_ai_client_operation_duration_seconds_sum{" + m + "}"), 1e-9);
        assertEquals(1000 + 3000 + 100 + 10, afterMore.get("ringmeter_tokens_total{" + m
            + ",gen_ai_token_type=\"input\"}"));
        assertEquals(500 + 10 + 100 + 20, afterMore.get("ringmeter_tokens_total{" + m
            + ",gen_ai_token_type=\"output\"}"));
        assertEquals(((1000 + 3000 + 100 + 10) * 1.0 + (500 + 10 + 100 + 20) * 2.0) / 1e6,
            afterMore.get("ringmeter_cost_usd_total{" + m + "}"), 1e-12);
        // without the snapshot the journal is replayed whole: every event counted exactly once
        Files.delete(data.resolve(Snapshot.FILE));
        try (TestServer replayed = TestServer.start(data)) {
            assertEquals(afterMore, perModel(replayed));
        }
    }

    /** @return the per-model samples of /metrics, checked for the exposition's grammar. */
    private static Map<String, Double> perModel(final TestServer server) {
        final TestServer.Reply r = server.get("/metrics");
        assertEquals(200, r.status());
        final Map<String, Double> perModel = new TreeMap<>();
        ExpositionFormat.check(r.body()).forEach((series, value) -> {
            if (series.contains("gen_ai_request_model=")) {
                perModel.put(series, value);
            }
        });
        return perModel;
    }
}
