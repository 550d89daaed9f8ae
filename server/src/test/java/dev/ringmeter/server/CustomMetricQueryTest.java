package dev.ringmeter.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Custom metrics over the query API of a real server with a fixed clock: tag filters, percentiles, series, rates. */
@Timeout(60)
class CustomMetricQueryTest {
    private static final long T0 = 1_760_000_400_000L;
    @TempDir
    static Path data;
    static TestServer server;

    @BeforeAll
    static void start() {
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(T0 + 60_000);
        server = new TestServer(new ServerConfig().clock(clock), data);
        final StringBuilder b = new StringBuilder();
        for (int i = 0; i < 60; i++) {
            final long t = T0 + i * 1000L;
            b.append("{\"name\":\"gpu.utilization\",\"value\":").append(10 + i).append(",\"timestamp\":").append(t)
                .append(",\"tags\":{\"gpu\":\"0\"}}\n");
            b.append("{\"name\":\"gpu.utilization\",\"value\":50,\"timestamp\":").append(t)
                .append(",\"tags\":{\"gpu\":\"1\"}}\n");
            b.append("{\"name\":\"docs.read.bytes\",\"value\":3000000,\"timestamp\":").append(t).append("}\n");
        }
        final TestServer.Reply r = server.post("/api/v1/metrics", TestServer.NDJSON, b.toString());
        assertEquals(202, r.status(), r.body());
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (count("gpu.utilization") < 120 || count("docs.read.bytes") < 60) {
            assertTrue(System.nanoTime() < deadline, "the samples were applied in time");
            Thread.onSpinWait();
        }
    }

    private static long count(final String name) {
        final TestServer.Reply r = server.get("/api/v1/metrics?name=" + name + "&window=1m");
        return r.status() == 200 ? r.json().get("count").asLong() : 0;
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void shouldAnswerTheWindowOfTheSeriesWhoseTagsMatch() {
        final JsonNode gpu0 = server.get("/api/v1/metrics?name=gpu.utilization&tag=gpu:0&window=1m").json();
        assertEquals(60, gpu0.get("count").asLong());
        assertEquals(69.0, gpu0.get("max").asDouble());
        final double p50 = gpu0.get("p50").asDouble();
        assertTrue(Math.abs(p50 - 39) <= 39 / 32.0, "p50 of 10..69 within 1/32: " + p50);
        assertEquals(0, gpu0.get("unplacedSamples").asLong());
        final JsonNode all = server.get("/api/v1/metrics?name=gpu.utilization&window=1m").json();
        assertEquals(120, all.get("count").asLong());
        assertEquals("0", all.get("tags").get("gpu").get(0).asText());
        assertEquals("1", all.get("tags").get("gpu").get(1).asText());
        assertEquals(0, server.get("/api/v1/metrics?name=gpu.utilization&tag=gpu:0&tag=host:b&window=1m").json()
            .get("count").asLong(), "every filter must match");
    }

    @Test
    void shouldGiveTheRateOfBytesInMegabytesPerSecond() {
        final JsonNode bytes = server.get("/api/v1/metrics?name=docs.read.bytes&window=1m").json();
        assertEquals(3_000_000.0, bytes.get("rate").asDouble(), 1e-6);
        assertEquals(3.0, bytes.get("mbPerSecond").asDouble(), 1e-9);
        assertTrue(server.get("/api/v1/metrics?name=gpu.utilization&window=1m").json().get("mbPerSecond") == null);
    }

    @Test
    void shouldPlotACustomMetricPerStep() {
        final JsonNode s = server.get("/api/v1/series?customMetric=gpu.utilization&tag=gpu:0&metric=max"
            + "&from=" + T0 + "&to=" + (T0 + 60_000) + "&step=30s").json();
        assertEquals("gpu.utilization", s.get("customMetric").asText());
        assertEquals("0", s.get("tags").get("gpu").asText());
        assertEquals(2, s.get("points").size());
        assertEquals(39.0, s.get("points").get(0).get("value").asDouble());
        assertEquals(69.0, s.get("points").get(1).get("value").asDouble());
    }

    @Test
    void shouldRefuseBadTagFiltersNamingTheField() {
        final String[][] cases = {{"tag=gpu", "KEY:VALUE"}, {"tag=:0", "KEY:VALUE"}, {"tag=gpu:", "KEY:VALUE"},
            {"tag=gpu:0&tag=gpu:1", "given twice"}};
        for (final String[] bad : cases) {
            final TestServer.Reply r = server.get("/api/v1/metrics?name=gpu.utilization&" + bad[0]);
            assertEquals(400, r.status(), bad[0] + ": " + r.body());
            assertEquals("tag", r.json().get("field").asText(), bad[0]);
            assertTrue(r.json().get("error").asText().contains(bad[1]), r.body());
        }
        final TestServer.Reply noMetric = server.get("/api/v1/series?metric=p95&tag=gpu:0");
        assertEquals(400, noMetric.status(), noMetric.body());
        assertEquals("tag", noMetric.json().get("field").asText());
        assertTrue(noMetric.json().get("error").asText().contains("customMetric=NAME"), noMetric.body());
        final TestServer.Reply wrongStat = server.get("/api/v1/series?customMetric=gpu.utilization&metric=error_rate");
        assertEquals(400, wrongStat.status());
        assertEquals("metric", wrongStat.json().get("field").asText());
        final TestServer.Reply unknown = server.get("/api/v1/series?customMetric=nope&metric=p95");
        assertEquals(404, unknown.status());
        assertEquals("customMetric", unknown.json().get("field").asText());
    }
}
