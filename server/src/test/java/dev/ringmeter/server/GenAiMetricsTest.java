package dev.ringmeter.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * /metrics by the OpenTelemetry GenAI conventions: the operation and provider labels, the time per output token,
 * the client's time to first chunk, their survival across a restart, and OpenMetrics when the scraper asks for it.
 */
@Timeout(90)
class GenAiMetricsTest {
    /** What Prometheus 2.42 sends. */
    static final String PROMETHEUS_ACCEPT = "application/openmetrics-text;version=1.0.0,"
        + "application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
    private static final String CLAUDE = "gen_ai_request_model=\"claude\",gen_ai_operation_name=\"chat\","
        + "gen_ai_provider_name=\"anthropic\"";

    @TempDir
    Path data;

    @Test
    void shouldLabelByOperationAndProviderAndDeriveTimePerOutputToken() throws Exception {
        try (TestServer server = TestServer.start(data)) {
            assertEquals(202, server.post("/api/v1/events", TestServer.JSON, "["
                + "{\"model\":\"claude\",\"provider\":\"anthropic\",\"operation\":\"chat\",\"latencyMs\":1000,"
                + "\"ttftMs\":100,\"completionTokens\":81},"
                + "{\"model\":\"claude\",\"provider\":\"anthropic\",\"latencyMs\":500,\"ttftMs\":100,"
                + "\"completionTokens\":2},"
                + "{\"model\":\"claude\",\"latencyMs\":300,\"ttftMs\":50,\"completionTokens\":1},"
                + "{\"model\":\"claude\",\"latencyMs\":300,\"completionTokens\":40},"
                + "{\"model\":\"plain\",\"latencyMs\":20}]").status());
            final Map<String, Double> s = scrapeUntil(server, "gen_ai_client_operation_duration_seconds_count{"
                + CLAUDE + "}", 4);
            checkClaude(s);
            assertEquals(1, s.get("gen_ai_client_operation_duration_seconds_count{gen_ai_request_model=\"plain\"}"),
                "a model whose calls named no operation or provider has neither label");
            PrometheusMetricsTest.promtoolCheck(server.get("/metrics").body(), data);
        }
        try (TestServer restarted = TestServer.start(data)) {
            // the store wrote its snapshot at close and has nothing to replay: the labels and the histogram are the
            // snapshot's
            checkClaude(ExpositionFormat.check(restarted.get("/metrics").body()));
        }
    }

    private static void checkClaude(final Map<String, Double> s) {
        final String tpot = "gen_ai_server_time_per_output_token_seconds";
        assertEquals(2, s.get(tpot + "_count{" + CLAUDE + "}"), "calls with a TTFT and at least 2 output tokens");
        assertEquals(0, s.get(tpot + "_bucket{" + CLAUDE + ",le=\"0.01\"}"));
        assertEquals(1, s.get(tpot + "_bucket{" + CLAUDE + ",le=\"0.025\"}"), "900 ms / 80 tokens = 11.25 ms");
        assertEquals(1, s.get(tpot + "_bucket{" + CLAUDE + ",le=\"0.3\"}"));
        assertEquals(2, s.get(tpot + "_bucket{" + CLAUDE + ",le=\"0.4\"}"), "400 ms / 1 token");
        assertEquals(0.01125 + 0.4, s.get(tpot + "_sum{" + CLAUDE + "}"), 1e-9);
        assertEquals(3, s.get("gen_ai_client_operation_time_to_first_chunk_seconds_count{" + CLAUDE + "}"));
        assertEquals(0.25, s.get("gen_ai_client_operation_time_to_first_chunk_seconds_sum{" + CLAUDE + "}"), 1e-9);
        assertEquals(3, s.get("gen_ai_server_time_to_first_token_seconds_count{" + CLAUDE + "}"));
        assertEquals(4, s.get("ringmeter_requests_total{" + CLAUDE + ",status=\"ok\"}"));
    }

    @Test
    void shouldAnswerOpenMetricsWhenTheScraperPrefersIt() throws Exception {
        try (TestServer server = TestServer.start(data)) {
            assertEquals(202, server.post("/api/v1/events", TestServer.JSON,
                "[{\"model\":\"m\",\"provider\":\"openai\",\"latencyMs\":20,\"ttftMs\":5,\"completionTokens\":3}]")
                .status());
            scrapeUntil(server, "gen_ai_client_operation_duration_seconds_count{gen_ai_request_model=\"m\","
                + "gen_ai_provider_name=\"openai\"}", 1);

            final TestServer.Reply om = accept(server, PROMETHEUS_ACCEPT);
            assertEquals(200, om.status());
            assertEquals("application/openmetrics-text; version=1.0.0; charset=utf-8",
                om.raw().headers().firstValue("Content-Type").orElse(""));
            final String body = om.body();
            assertTrue(body.endsWith("\n# EOF\n"), "ends with # EOF");
            assertTrue(body.contains("\n# TYPE ringmeter_requests counter\n"), "a counter's family has no _total");
            assertTrue(body.contains("\nringmeter_requests_total{gen_ai_request_model=\"m\","), "its samples do");
            assertFalse(body.matches("(?s).*# TYPE \\S+_total counter.*"), "no counter family named *_total");
            assertTrue(body.contains("# TYPE gen_ai_client_operation_duration_seconds histogram\n"
                + "# UNIT gen_ai_client_operation_duration_seconds seconds\n"), "a unit for the seconds");
            assertEquals(body.indexOf("# EOF"), body.lastIndexOf("# EOF"));

            for (final String plain : new String[] {"text/plain;version=0.0.4", "*/*",
                "application/openmetrics-text;version=1.0.0;q=0.2,text/plain;q=0.5",
                "application/openmetrics-text;version=2.0.0"}) {
                final TestServer.Reply r = accept(server, plain);
                assertTrue(r.raw().headers().firstValue("Content-Type").orElse("").startsWith(
                    "text/plain; version=0.0.4"), plain);
                assertFalse(r.body().contains("# EOF"), plain);
                ExpositionFormat.check(r.body());
            }
            assertFalse(server.get("/metrics").body().contains("# EOF"), "no Accept: the 0.0.4 text");
        }
    }

    private static TestServer.Reply accept(final TestServer server, final String accept) {
        final HttpRequest.Builder b = server.request("/metrics").header("Accept", accept).GET();
        return server.send(b.build());
    }

    /** Scrapes until a series has a value (the aggregator applies events after the 202), within a deadline. */
    static Map<String, Double> scrapeUntil(final TestServer server, final String series, final double value)
        throws InterruptedException {
        final long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            final Map<String, Double> s = ExpositionFormat.check(server.get("/metrics").body());
            if (s.get(series) != null && s.get(series) == value) {
                return s;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(series + " did not reach " + value + ": " + s.get(series));
            }
            Thread.sleep(20);
        }
    }
}
