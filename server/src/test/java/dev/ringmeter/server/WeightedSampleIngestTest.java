package dev.ringmeter.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ringmeter.EventRecorder;
import dev.ringmeter.MetricSample;
import dev.ringmeter.Ringmeter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A custom metric sample's {@code count} over the JSON ingest of a real server (and the remote client, which writes
 * it): the series counts, sums and ranks it that many times; a bad count is a 422 naming the field.
 */
@Timeout(60)
class WeightedSampleIngestTest {
    @TempDir
    Path data;

    private static JsonNode awaitCount(final TestServer server, final String name, final long count) {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            final TestServer.Reply r = server.get("/api/v1/metrics?name=" + name + "&window=1h");
            if (r.status() == 200 && r.json().get("count").asLong() >= count) {
                return r.json();
            }
            assertTrue(System.nanoTime() < deadline, "the samples were applied in time: " + r.body());
            Thread.onSpinWait();
        }
    }

    @Test
    void shouldWeighASampleByItsCount() throws Exception {
        try (TestServer server = TestServer.start(data)) {
            final TestServer.Reply r = server.post("/api/v1/metrics", TestServer.JSON,
                "[{\"name\":\"judge.seconds\",\"value\":2,\"count\":9},{\"name\":\"judge.seconds\",\"value\":40}]");
            assertEquals(202, r.status(), r.body());
            final JsonNode s = awaitCount(server, "judge.seconds", 10);
            assertEquals(10, s.get("count").asLong(), s.toString());
            assertEquals(58.0, s.get("sum").asDouble(), 1e-9, s.toString());
            assertEquals(2.0, s.get("p50").asDouble(), 2.0 / 32, "the median is one of the nine: " + s);

            try (EventRecorder remote = Ringmeter.open(server.base)) {
                assertTrue(remote.record(new MetricSample().name("remote.seconds").value(3).count(4)));
                assertTrue(remote.flush(30, TimeUnit.SECONDS));
            }
            final JsonNode remote = awaitCount(server, "remote.seconds", 4);
            assertEquals(4, remote.get("count").asLong(), remote.toString());
            assertEquals(12.0, remote.get("sum").asDouble(), 1e-9, remote.toString());
        }
    }

    @Test
    void shouldRefuseABadCountNamingIt() {
        try (TestServer server = TestServer.start(data)) {
            for (final String count : new String[] {"0", "-3", "1.5", "\"9\"", "1000000001"}) {
                final TestServer.Reply r = server.post("/api/v1/metrics", TestServer.JSON,
                    "[{\"name\":\"judge.seconds\",\"value\":2},{\"name\":\"judge.seconds\",\"value\":2,\"count\":"
                        + count + "}]");
                assertEquals(422, r.status(), "a value that breaks a rule, as docs/server.md says: " + count + ": "
                    + r.body());
                assertEquals("count", r.json().get("field").asText(), r.body());
                assertEquals(1, r.json().get("index").asInt(), r.body());
                assertFalse(r.json().get("error").asText().contains("not a field"), "a known field: " + r.body());
            }
            assertEquals(404, server.get("/api/v1/metrics?name=judge.seconds&window=1h").status(),
                "a batch with a bad sample stores nothing");
        }
    }
}
