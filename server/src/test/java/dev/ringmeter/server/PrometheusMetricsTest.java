package dev.ringmeter.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class PrometheusMetricsTest {
    @TempDir
    static Path data;
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(data);
        assertEquals(200, server.put("/api/v1/pricing/gpt-4o",
            "{\"inputUsdPerMillion\": 1.0, \"outputUsdPerMillion\": 2.0}").status());
        assertEquals(202, server.post("/api/v1/events", TestServer.JSON, "["
            + "{\"model\":\"gpt-4o\",\"latencyMs\":15,\"ttftMs\":3,\"promptTokens\":1000,\"completionTokens\":500},"
            + "{\"model\":\"gpt-4o\",\"latencyMs\":150,\"promptTokens\":3000,\"completionTokens\":10,"
            + "\"status\":\"error\",\"errorType\":\"rate_limit\",\"retries\":2,\"cacheHit\":false},"
            + "{\"model\":\"gpt-4o\",\"latencyMs\":100000,\"status\":\"timeout\",\"errorType\":\"timeout\"},"
            + "{\"model\":\"we\\\"ird\\\\model\",\"latencyMs\":30,\"costUsd\":0.25,\"cacheHit\":true}]").status());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void shouldExposeHistogramsAndCountersOfEveryEventRecorded() {
        final TestServer.Reply r = server.get("/metrics");
        assertEquals(200, r.status());
        assertTrue(r.raw().headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
        final Map<String, Double> s = ExpositionFormat.check(r.body());
        final String m = "gen_ai_request_model=\"gpt-4o\"";
        assertEquals(0, s.get("gen_ai_client_operation_duration_seconds_bucket{" + m + ",le=\"0.01\"}"));
        assertEquals(1, s.get("gen_ai_client_operation_duration_seconds_bucket{" + m + ",le=\"0.02\"}"));
        assertEquals(2, s.get("gen_ai_client_operation_duration_seconds_bucket{" + m + ",le=\"0.16\"}"));
        assertEquals(2, s.get("gen_ai_client_operation_duration_seconds_bucket{" + m + ",le=\"81.92\"}"));
        assertEquals(3, s.get("gen_ai_client_operation_duration_seconds_bucket{" + m + ",le=\"+Inf\"}"));
        assertEquals(100.165, s.get("gen_ai_client_operation_duration_seconds_sum{" + m + "}"), 1e-9);
        assertEquals(1, s.get("gen_ai_server_time_to_first_token_seconds_count{" + m + "}"));
        assertEquals(4000, s.get("gen_ai_client_token_usage_sum{" + m + ",gen_ai_token_type=\"input\"}"));
        assertEquals(510, s.get("ringmeter_tokens_total{" + m + ",gen_ai_token_type=\"output\"}"));
        assertEquals(1, s.get("ringmeter_requests_total{" + m + ",status=\"ok\"}"));
        assertEquals(1, s.get("ringmeter_requests_total{" + m + ",status=\"error\"}"));
        assertEquals(1, s.get("ringmeter_requests_total{" + m + ",status=\"timeout\"}"));
        assertEquals(1, s.get("ringmeter_errors_total{" + m + ",error_type=\"rate_limit\"}"));
        assertEquals(2, s.get("ringmeter_retries_total{" + m + "}"));
        assertEquals((4000 * 1.0 + 510 * 2.0) / 1e6, s.get("ringmeter_cost_usd_total{" + m + "}"), 1e-12);
        assertEquals(0.25, s.get("ringmeter_cost_usd_total{gen_ai_request_model=\"we\\\"ird\\\\model\"}"));
        assertEquals(1, s.get("ringmeter_store_up"));
    }

    @Test
    void shouldPassPromtoolWhereItIsInstalled() throws Exception {
        final String body = server.get("/metrics").body();
        ExpositionFormat.check(body);   // always: the grammar is checked in Java whether promtool is there or not
        promtoolCheck(body, data);
    }

    /**
     * Checks an exposition with {@code promtool check metrics} where it is installed (CI installs it).
     *
     * @param body the exposition.
     * @param dir  for the temporary file promtool reads.
     */
    static void promtoolCheck(final String body, final Path dir) throws Exception {
        final File promtool = findOnPath("promtool");
        if (promtool == null) {
            System.out.println("promtool is not installed; the exposition was checked by ExpositionFormat only");
            return;
        }
        final Path file = Files.createTempFile(dir, "metrics", ".txt");
        Files.writeString(file, body, StandardCharsets.UTF_8);
        final Process p = new ProcessBuilder(promtool.getPath(), "check", "metrics").redirectErrorStream(true)
            .redirectInput(file.toFile()).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "promtool check metrics: " + out);
    }

    @Test
    void shouldCatchBadExpositionsInTheJavaChecker() {
        assertThrows(AssertionError.class, () -> ExpositionFormat.check("a_total 1\n"));
        assertThrows(AssertionError.class, () -> ExpositionFormat.check("# TYPE a counter\na 1\n"));
        assertThrows(AssertionError.class, () -> ExpositionFormat.check("# TYPE a_total counter\na_total{x=\"\n\"} 1\n"));
        assertThrows(AssertionError.class, () -> ExpositionFormat.check(
            "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n"));
        assertThrows(AssertionError.class, () -> ExpositionFormat.check("# TYPE g gauge\ng 1"));
        ExpositionFormat.check("# HELP g a gauge\n# TYPE g gauge\ng{a=\"x\\\"y\"} -1.5e-3\n");
    }

    static File findOnPath(final String name) throws IOException {
        final String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (final String dir : path.split(File.pathSeparator)) {
            final File f = new File(dir, name);
            if (f.isFile() && f.canExecute()) {
                return f;
            }
        }
        return null;
    }
}
