package dev.ringmeter.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tool calls, agent steps and pipeline steps without a model, over HTTP against a real server: accepted, refused
 * when they are model calls without a model, answered per pipeline step, tool and agent from memory (the same as a
 * journal scan), in series, in /metrics (checked by promtool where it is installed), and past the step limit.
 */
@Timeout(60)
class SubjectQueriesTest {
    @TempDir
    static Path data;
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(data);
        final StringBuilder batch = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            batch.append(i % 3 == 0
                ? "{\"model\":\"gpt-4o\",\"operation\":\"chat\",\"pipeline\":\"rag\",\"step\":\"generate\","
                : i % 3 == 1 ? "{\"operation\":\"execute_tool\",\"tool\":\"web_search\",\"pipeline\":\"rag\","
                    + "\"step\":\"retrieve\","
                : "{\"operation\":\"invoke_agent\",\"agent\":\"planner\",\"pipeline\":\"qa\",\"step\":\"retrieve\",")
                .append("\"latencyMs\":").append(1 + i * 3).append(",\"quality\":{\"f1\":").append(i % 10 / 10.0)
                .append("}}\n");
        }
        assertEquals(202, server.post("/api/v1/events", TestServer.NDJSON, batch.toString()).status());
        awaitCount(server, "/api/v1/analytics?agent=planner&window=1h", 100);
    }

    /** Waits, with a deadline, until the window of a query holds a count (acknowledged events become visible soon). */
    static void awaitCount(final TestServer server, final String path, final long count) {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long seen = -1;
        while (System.nanoTime() < deadline) {
            final TestServer.Reply r = server.get(path);
            seen = r.status() == 200 ? r.json().get("count").asLong() : -1;
            if (seen == count) {
                return;
            }
            Thread.onSpinWait();
        }
        throw new AssertionError(path + " counted " + seen + ", not " + count);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void shouldRefuseAModelCallWithoutAModelNamingTheField() {
        for (final String event : new String[] {"{\"latencyMs\":5,\"step\":\"s\"}",
            "{\"operation\":\"chat\",\"latencyMs\":5}", "{\"operation\":\"embeddings\",\"latencyMs\":5}"}) {
            final TestServer.Reply r = server.post("/api/v1/events", TestServer.JSON, "[" + event + "]");
            assertEquals(422, r.status(), r.body());
            assertEquals("model", r.json().get("field").asText(), r.body());
        }
    }

    @Test
    void shouldAnswerAPipelineStepToolAndAgentFromMemoryAsAScanDoes() {
        final JsonNode step = server.get("/api/v1/analytics?pipeline=rag&step=retrieve&window=1h").json();
        assertEquals("memory", step.get("source").asText(), step.toString());
        assertEquals("step", step.get("subject").asText());
        assertEquals("rag", step.get("pipeline").asText());
        assertEquals(100, step.get("count").asLong());
        final JsonNode scan = server.get("/api/v1/analytics?pipeline=rag&step=retrieve&operation=execute_tool"
            + "&window=1h").json();
        assertEquals("journal", scan.get("source").asText(), scan.toString());
        final JsonNode scanned = scan.get("groups").get(0);
        assertEquals(100, scanned.get("count").asLong());
        final double p95 = scanned.get("latencyMs").get("p95").asDouble();
        assertEquals(p95, step.get("latencyMs").get("p95").asDouble(), p95 * 0.01);

        final JsonNode tool = server.get("/api/v1/analytics?tool=web_search&window=1h").json();
        assertEquals("memory", tool.get("source").asText());
        assertEquals(100, tool.get("count").asLong());
        assertEquals(100, server.get("/api/v1/analytics?agent=planner&window=1h").json().get("count").asLong());
        assertEquals(200, server.get("/api/v1/analytics?pipeline=rag&window=1h").json().get("count").asLong());
        assertEquals(100, server.count(null), "all models: the model calls only");
        assertEquals(404, server.get("/api/v1/analytics?pipeline=rag&step=nope&window=1h").status());
    }

    @Test
    void shouldServeASeriesOfAPipelineStepAndOfAQualityScore() {
        final JsonNode counts = server.get("/api/v1/series?pipeline=qa&pipelineStep=retrieve&metric=count"
            + "&window=1h&step=1m").json();
        assertEquals("memory", counts.get("source").asText(), counts.toString());
        assertEquals("qa", counts.get("pipeline").asText());
        long total = 0;
        for (final JsonNode p : counts.get("points")) {
            total += p.get("value").asLong();
        }
        assertEquals(100, total, counts.toString());
        final JsonNode f1 = server.get("/api/v1/series?tool=web_search&metric=quality:f1&window=1h&step=1h").json();
        assertEquals("quality:f1", f1.get("metric").asText(), f1.toString());
        double sum = 0;
        for (int i = 1; i < 300; i += 3) {
            sum += i % 10 / 10.0;
        }
        double value = Double.NaN;
        for (final JsonNode p : f1.get("points")) {
            value = p.get("value").isNull() ? value : p.get("value").asDouble();
        }
        assertEquals(sum / 100, value, 1e-9);
        assertEquals(400, server.get("/api/v1/series?metric=p95&tool=a&agent=b").status());
    }

    @Test
    void shouldExposeSubjectFamiliesThatPassPromtool() throws Exception {
        final String body = server.get("/metrics").body();
        final Map<String, Double> s = ExpositionFormat.check(body);
        assertEquals(100, s.get("ringmeter_step_duration_seconds_count{pipeline=\"qa\",step=\"retrieve\"}"));
        assertEquals(100, s.get("ringmeter_tool_requests_total{gen_ai_tool_name=\"web_search\",status=\"ok\"}"));
        assertEquals(100, s.get("ringmeter_agent_quality_score_count{gen_ai_agent_name=\"planner\",score=\"f1\"}"));
        assertEquals(200, s.get("ringmeter_pipeline_duration_seconds_count{pipeline=\"rag\"}"));
        assertEquals(100, s.get("ringmeter_quality_score_count{gen_ai_request_model=\"gpt-4o\","
            + "gen_ai_operation_name=\"chat\",score=\"f1\"}"));
        assertEquals(100, s.get("gen_ai_client_operation_duration_seconds_count{gen_ai_request_model=\"gpt-4o\","
            + "gen_ai_operation_name=\"chat\"}"),
            "the model families count the model calls only");
        PrometheusMetricsTest.promtoolCheck(body, data);
    }

    @Test
    void shouldRefusePipelineStepsPastTheStepLimitWith422(@TempDir final Path other) {
        try (TestServer limited = new TestServer(ServerConfig.parse(new String[] {"--limit", "step=2"}, Map.of()),
            other)) {
            assertEquals(202, limited.post("/api/v1/events", TestServer.JSON,
                "[{\"operation\":\"task\",\"pipeline\":\"a\",\"step\":\"s\",\"latencyMs\":1},"
                    + "{\"operation\":\"task\",\"pipeline\":\"b\",\"step\":\"s\",\"latencyMs\":1}]").status());
            final TestServer.Reply r = limited.post("/api/v1/events", TestServer.JSON,
                "[{\"operation\":\"task\",\"pipeline\":\"a\",\"step\":\"s\",\"latencyMs\":1},"
                    + "{\"operation\":\"task\",\"pipeline\":\"c\",\"step\":\"s\",\"latencyMs\":1}]");
            assertEquals(422, r.status(), r.body());
            assertEquals("step", r.json().get("field").asText(), r.body());
            assertTrue(r.json().get("error").asText().contains("2 pipeline steps"), r.body());
            awaitCount(limited, "/api/v1/analytics?pipeline=b&step=s&window=1h", 1);
            assertEquals(1, limited.get("/api/v1/analytics?pipeline=a&step=s&window=1h").json().get("count").asLong(),
                "a bad batch stores nothing");
        }
    }
}
