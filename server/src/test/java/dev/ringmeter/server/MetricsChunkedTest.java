package dev.ringmeter.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * /metrics is written to the reply a chunk at a time as it is made: with enough models that the text spans many
 * chunks, each format is still whole (every family's header once, before its samples; OpenMetrics ends with one EOF)
 * and says the same samples in the same order.
 */
@Timeout(60)
class MetricsChunkedTest {
    /**
     * About 19 KB of text each: the store's families span about 7 chunks of 32 K characters (few enough models for
     * the limit a small test heap derives).
     */
    private static final int MODELS = 12;

    @TempDir
    static Path data;
    static TestServer server;

    @BeforeAll
    static void start() throws InterruptedException {
        server = TestServer.start(data);
        final StringBuilder batch = new StringBuilder("[");
        for (int m = 0; m < MODELS; m++) {
            batch.append(m == 0 ? "" : ",").append("{\"model\":\"model-").append(m)
                .append("\",\"operation\":\"chat\",\"provider\":\"openai\",\"latencyMs\":").append(10 + m)
                .append(",\"ttftMs\":3,\"promptTokens\":100,\"completionTokens\":").append(20 + m)
                .append(",\"status\":\"").append(m % 3 == 0 ? "error" : "ok").append("\"}");
        }
        final TestServer.Reply r = server.post("/api/v1/events", TestServer.JSON, batch.append(']').toString());
        assertEquals(202, r.status(), r.body());
        final long deadline = System.nanoTime() + 30_000_000_000L;
        while (!server.get("/metrics").body().contains("gen_ai_request_model=\"model-" + (MODELS - 1) + '"')) {
            assertTrue(System.nanoTime() < deadline, "the events never reached /metrics");
            Thread.onSpinWait();
        }
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void shouldWriteEveryModelWholeAcrossChunks() {
        final String text = server.get("/metrics").body();
        assertTrue(text.length() > 4 * 32 * 1024, "the text spans many chunks: " + text.length());
        final Map<String, Double> s = ExpositionFormat.check(text);   // headers once each, before their samples
        for (int m = 0; m < MODELS; m++) {
            final String labels = "gen_ai_request_model=\"model-" + m
                + "\",gen_ai_operation_name=\"chat\",gen_ai_provider_name=\"openai\"";
            assertEquals(m % 3 == 0 ? 0 : 1, s.get("ringmeter_requests_total{" + labels + ",status=\"ok\"}"), labels);
            assertEquals(1, s.get("gen_ai_client_operation_duration_seconds_count{" + labels + "}"), labels);
            assertEquals(20 + m, s.get("gen_ai_client_token_usage_sum{" + labels + ",gen_ai_token_type=\"output\"}"),
                labels);
            assertEquals(1, s.get("gen_ai_client_token_usage_bucket{" + labels
                + ",gen_ai_token_type=\"input\",le=\"+Inf\"}"), labels);
        }
    }

    @Test
    void shouldWriteTheSameSamplesAsOpenMetricsEndedOnce() {
        final String text = server.get("/metrics").body();
        final String open = server.send(server.request("/metrics").header("Accept", GenAiMetricsTest.PROMETHEUS_ACCEPT)
            .GET().build()).body();
        assertTrue(open.endsWith("\n# EOF\n"), open.substring(Math.max(0, open.length() - 200)));
        assertEquals(open.indexOf("# EOF"), open.lastIndexOf("# EOF"));
        final List<String> plain = samples(text);
        final List<String> converted = samples(open);
        assertEquals(plain.size(), converted.size());
        for (int i = 0; i < plain.size(); i++) {
            // the uptime-like gauges may move between two scrapes; every other sample is the same line
            if (!plain.get(i).startsWith("ringmeter_system_") && !plain.get(i).startsWith("process_")
                && !plain.get(i).startsWith("ringmeter_store_")) {
                assertEquals(plain.get(i), converted.get(i), "sample " + i);
            }
        }
        // each family of the store's told once, with its unit where it has one
        assertEquals(1, count(open, "# TYPE gen_ai_client_operation_duration_seconds histogram\n"));
        assertEquals(1, count(open, "# UNIT gen_ai_client_operation_duration_seconds seconds\n"));
        assertEquals(1, count(open, "# TYPE ringmeter_requests counter\n"));
    }

    private static List<String> samples(final String text) {
        return text.lines().filter(l -> !l.isEmpty() && !l.startsWith("#")).collect(Collectors.toList());
    }

    private static int count(final String text, final String of) {
        int n = 0;
        for (int at = text.indexOf(of); at >= 0; at = text.indexOf(of, at + 1)) {
            n++;
        }
        return n;
    }
}
