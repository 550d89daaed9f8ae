package dev.ringmeter.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class IngestAndQueryTest {
    @TempDir
    static Path data;
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(data);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void shouldAnswerPercentilesWithinOnePercentOfTheValuesIngested() {
        final SplittableRandom random = new SplittableRandom(42);
        final int n = 5_000;
        final double[] latencies = new double[n];
        long promptTokens = 0;
        long completionTokens = 0;
        int errors = 0;
        final StringBuilder body = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            latencies[i] = 5 + random.nextInt(3_000) + random.nextInt(1000) / 1000.0;
            final int in = 100 + random.nextInt(900);
            final int out = 10 + random.nextInt(300);
            promptTokens += in;
            completionTokens += out;
            final boolean error = i % 25 == 0;
            errors += error ? 1 : 0;
            body.append(i == 0 ? "" : ",").append("{\"model\":\"percentile-model\",\"operation\":\"chat\",")
                .append("\"latencyMs\":").append(latencies[i]).append(",\"promptTokens\":").append(in)
                .append(",\"completionTokens\":").append(out).append(",\"status\":\"")
                .append(error ? "error" : "ok").append('"').append(error ? ",\"errorType\":\"rate_limit\"" : "")
                .append('}');
        }
        body.append(']');
        final TestServer.Reply reply = server.post("/api/v1/events", TestServer.JSON, body.toString());
        assertEquals(202, reply.status(), reply.body());
        assertEquals(n, reply.json().get("accepted").asInt());

        final JsonNode stats = server.get("/api/v1/analytics?model=percentile-model&window=5m").json();
        assertEquals(n, stats.get("count").asLong());
        Arrays.sort(latencies);
        for (final String[] p : new String[][] {{"p50", "50"}, {"p90", "90"}, {"p95", "95"}, {"p99", "99"},
            {"p999", "99.9"}}) {
            final double expected = latencies[(int)Math.ceil(Double.parseDouble(p[1]) / 100 * n) - 1];
            final double actual = stats.get("latencyMs").get(p[0]).asDouble();
            assertEquals(expected, actual, expected * 0.01, p[0]);
        }
        assertEquals(latencies[n - 1], stats.get("latencyMs").get("max").asDouble(), 1e-6);
        assertEquals(Arrays.stream(latencies).sum() / n, stats.get("latencyMs").get("mean").asDouble(), 1e-6);
        assertEquals(promptTokens, stats.get("tokens").get("input").asLong());
        assertEquals(completionTokens, stats.get("tokens").get("output").asLong());
        assertEquals((double)errors / n, stats.get("errorRate").asDouble(), 1e-12);
        assertEquals(errors, stats.get("errorsByType").get("rate_limit").asLong());
    }

    @Test
    void shouldKeepProviderToolAgentAndTokenPartsAndAnswerQualitySpread() {
        final TestServer.Reply reply = server.post("/api/v1/events", TestServer.JSON, "["
            + "{\"model\":\"parts-model\",\"provider\":\"openai\",\"tool\":\"search\",\"agent\":\"planner\","
            + "\"latencyMs\":5,\"promptTokens\":100,\"cachedTokens\":60,\"cacheWriteTokens\":10,"
            + "\"completionTokens\":50,\"reasoningTokens\":20,\"quality\":{\"f1\":0.5}},"
            + "{\"model\":\"parts-model\",\"provider\":\"anthropic\",\"latencyMs\":7,\"promptTokens\":10,"
            + "\"cachedTokens\":5,\"quality\":{\"f1\":1.0}}]");
        assertEquals(202, reply.status(), reply.body());
        final JsonNode stats = server.get("/api/v1/analytics?model=parts-model&window=5m").json();
        assertEquals(65, stats.get("tokens").get("cached").asLong());
        assertEquals(10, stats.get("tokens").get("cacheWrite").asLong());
        assertEquals(20, stats.get("tokens").get("reasoning").asLong());
        final JsonNode f1 = stats.get("quality").get("f1");
        assertEquals(2, f1.get("count").asLong());
        assertEquals(0.75, f1.get("mean").asDouble(), 1e-12);
        assertEquals(Math.sqrt(0.125), f1.get("stdDev").asDouble(), 1e-12, "the sample standard deviation");
        final JsonNode recent = server.get("/api/v1/models/parts-model/recent?limit=2").json();
        final JsonNode older = recent.get("events").get(1);
        assertEquals("openai/search/planner/60/10/20", older.get("provider").asText() + "/"
            + older.get("tool").asText() + "/" + older.get("agent").asText() + "/" + older.get("cachedTokens").asLong()
            + "/" + older.get("cacheWriteTokens").asLong() + "/" + older.get("reasoningTokens").asLong());
        final JsonNode byProvider = server.get("/api/v1/analytics?model=parts-model&window=5m&groupBy=provider")
            .json();
        assertEquals(2, byProvider.get("groups").size(), byProvider.toString());
    }

    @Test
    void shouldIngestNdjsonAndCustomMetrics() {
        final TestServer.Reply r = server.post("/api/v1/events", TestServer.NDJSON,
            "{\"model\":\"nd\",\"latencyMs\":10,\"timestamp\":\"" + java.time.Instant.now().minusSeconds(5) + "\"}\n"
                + "{\"model\":\"nd\",\"latencyMs\":20,\"timestamp\":" + (System.currentTimeMillis() - 1000) + "}\n"
                + "{\"model\":\"nd\",\"latencyMs\":30,\"cacheHit\":true,\"quality\":{\"f1\":0.5},"
                + "\"tags\":{\"env\":\"test\"}}\n");
        assertEquals(202, r.status(), r.body());
        assertEquals(3, server.count("nd"));
        final JsonNode stats = server.get("/api/v1/analytics?model=nd").json();
        assertEquals(1.0, stats.get("cacheHitRate").asDouble());
        assertEquals(0.5, stats.get("qualityMeans").get("f1").asDouble());

        final TestServer.Reply m = server.post("/api/v1/metrics", TestServer.JSON,
            "[{\"name\":\"gpu_memory_gb\",\"value\":10},{\"name\":\"gpu_memory_gb\",\"value\":30,\"tags\":{\"gpu\":\"0\"}}]");
        assertEquals(202, m.status(), m.body());
        final JsonNode metric = server.get("/api/v1/metrics?name=gpu_memory_gb&window=1m").json();
        assertEquals(2, metric.get("count").asLong());
        assertEquals(20.0, metric.get("mean").asDouble());
        assertEquals(30.0, metric.get("max").asDouble());
    }

    @Test
    void shouldAnswerSeriesModelsRecentAndCostFromThePriceTable() {
        final TestServer.Reply put = server.put("/api/v1/pricing/priced",
            "{\"inputUsdPerMillion\": 2.0, \"outputUsdPerMillion\": 10.0}");
        assertEquals(200, put.status(), put.body());
        assertEquals(202, server.post("/api/v1/events", TestServer.JSON,
            "[{\"model\":\"priced\",\"latencyMs\":100,\"promptTokens\":1000000,\"completionTokens\":100000},"
                + "{\"model\":\"priced\",\"latencyMs\":300,\"costUsd\":1.5}]").status());
        final JsonNode stats = server.get("/api/v1/analytics?model=priced&window=1m").json();
        assertEquals(2.0 + 1.0 + 1.5, stats.get("costUsd").asDouble(), 1e-9);
        assertEquals(2.0, server.get("/api/v1/pricing/priced").json().get("inputUsdPerMillion").asDouble());
        assertEquals(10.0, server.get("/api/v1/pricing").json().get("priced").get("outputUsdPerMillion").asDouble());

        final JsonNode series = server.get("/api/v1/series?model=priced&metric=count&window=10m&step=1m").json();
        assertEquals("count", series.get("metric").asText());
        long total = 0;
        for (final JsonNode p : series.get("points")) {
            total += p.get("value").isNull() ? 0 : p.get("value").asLong();
        }
        assertEquals(2, total);

        final JsonNode recent = server.get("/api/v1/models/priced/recent?limit=1").json();
        assertEquals(1, recent.get("events").size());
        assertEquals(300.0, recent.get("events").get(0).get("latencyMs").asDouble(), 1e-9);

        boolean listed = false;
        for (final JsonNode m : server.get("/api/v1/models").json().get("models")) {
            if (m.get("model").asText().equals("priced")) {
                listed = true;
                assertEquals(2, m.get("last5m").get("count").asLong());
                assertTrue(m.get("lastEventAt").isTextual());
            }
        }
        assertTrue(listed);

        final JsonNode all = server.get("/api/v1/analytics?window=1h").json();
        assertTrue(all.get("models").size() >= 1);
        assertTrue(all.get("all").get("count").asLong() >= 2);
    }

    @Test
    void shouldAnswerAnalyticsOverFromAndTo() {
        final long now = System.currentTimeMillis();
        assertEquals(202, server.post("/api/v1/events", TestServer.JSON,
            "[{\"model\":\"ranged\",\"latencyMs\":5,\"timestamp\":" + (now - 120_000) + "}]").status());
        assertEquals(1, server.get("/api/v1/analytics?model=ranged&from=" + (now - 180_000) + "&to="
            + java.time.Instant.ofEpochMilli(now - 60_000)).json().get("count").asLong());
        assertEquals(0, server.get("/api/v1/analytics?model=ranged&from=" + (now - 50_000)).json()
            .get("count").asLong());
    }
}
