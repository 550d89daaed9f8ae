package dev.ringmeter.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GET /api/v1/live against a real server: the tiles say what /api/v1/analytics says of the last minute, an event
 * posted while connected arrives within 3 s, a firing alert is sent, the client limit answers 503, and closing the
 * server ends every stream and its publisher thread.
 */
@Timeout(60)
class LiveStreamTest {
    @TempDir
    Path data;

    private static SseStream connect(final TestServer server) throws Exception {
        return new SseStream(server.client, HttpRequest.newBuilder(URI.create(server.base + "/api/v1/live"))
            .timeout(Duration.ofSeconds(30)).build());
    }

    private static JsonNode tile(final JsonNode tiles, final String model) {
        for (final JsonNode t : tiles.get("models")) {
            if (t.get("model").asText().equals(model)) {
                return t;
            }
        }
        return null;
    }

    @Test
    void shouldSendTilesEqualToTheAnalyticsOfTheLastMinute() throws Exception {
        final CachedEpochClock clock = new CachedEpochClock();
        final long now = System.currentTimeMillis();
        clock.update(now);
        try (TestServer server = new TestServer(new ServerConfig().clock(clock), data)) {
            final StringBuilder batch = new StringBuilder();
            for (int i = 0; i < 50; i++) {
                batch.append("{\"model\":\"tile-a\",\"latencyMs\":").append(10 + i * 7).append(",\"ttftMs\":")
                    .append(5 + i).append(",\"completionTokens\":").append(20 + i).append(",\"status\":\"")
                    .append(i % 10 == 0 ? "error" : "ok").append("\",\"costUsd\":0.01,\"timestamp\":")
                    .append(now - 1_000 - i * 500L).append("}\n");
            }
            batch.append("{\"model\":\"tile-b\",\"latencyMs\":3,\"timestamp\":").append(now - 120_000).append("}\n");
            assertEquals(202, server.post("/api/v1/events", TestServer.NDJSON, batch.toString()).status());
            assertEquals(51, server.count(null));
            try (SseStream live = connect(server)) {
                final JsonNode tiles = live.await("tiles", 5_000).json();
                assertEquals(now, tiles.get("atMs").asLong());
                assertEquals(60_000, tiles.get("windowMs").asLong());
                assertEquals(List.of("tile-a", "tile-b"), List.of(tiles.get("models").get(0).get("model").asText(),
                    tiles.get("models").get(1).get("model").asText()), "sorted by name");
                final JsonNode a = tile(tiles, "tile-a");
                final JsonNode expected = server.get("/api/v1/analytics?model=tile-a&window=1m").json();
                assertEquals(50, a.get("requests").asLong());
                assertEquals(expected.get("count").asLong(), a.get("requests").asLong());
                assertEquals(expected.get("requestsPerSecond").asDouble(), a.get("requestsPerSecond").asDouble());
                assertEquals(expected.get("latencyMs").get("p50").asDouble(), a.get("p50Ms").asDouble());
                assertEquals(expected.get("latencyMs").get("p95").asDouble(), a.get("p95Ms").asDouble());
                assertEquals(expected.get("latencyMs").get("p99").asDouble(), a.get("p99Ms").asDouble());
                assertEquals(expected.get("ttftMs").get("p95").asDouble(), a.get("ttftP95Ms").asDouble());
                assertEquals(expected.get("outputTokensPerSecond").asDouble(),
                    a.get("outputTokensPerSecond").asDouble());
                assertEquals(0.1, a.get("errorRate").asDouble(), 1e-9);
                assertEquals(expected.get("errorRate").asDouble(), a.get("errorRate").asDouble());
                assertEquals(expected.get("costUsd").asDouble(), a.get("costPerMinuteUsd").asDouble(), 1e-12);
                assertEquals(0.5, a.get("costPerMinuteUsd").asDouble(), 1e-9);
                final JsonNode b = tile(tiles, "tile-b");
                assertEquals(0, b.get("requests").asLong(), "its one event is two minutes old");
                assertTrue(b.get("p95Ms").isNull(), b.toString());
            }
        }
    }

    @Test
    void shouldSendAnEventPostedWhileConnectedWithinThreeSeconds() throws Exception {
        try (TestServer server = TestServer.start(data)) {
            assertEquals(202, server.post("/api/v1/events", TestServer.JSON,
                "[{\"model\":\"before\",\"latencyMs\":1}]").status());
            try (SseStream live = connect(server)) {
                live.await("tiles", 5_000);   // connected: what follows is new to it
                final long t0 = System.nanoTime();
                assertEquals(202, server.post("/api/v1/events", TestServer.JSON, "[{\"model\":\"live-m\","
                    + "\"operation\":\"chat\",\"latencyMs\":42.5,\"status\":\"timeout\",\"promptTokens\":7}]")
                    .status());
                final SseStream.Message m = live.await(x -> "events".equals(x.event())
                    && x.data().contains("live-m"), 3_000);
                assertTrue(System.nanoTime() - t0 < 3_000_000_000L);
                final JsonNode events = m.json().get("events");
                assertEquals(1, events.size(), m.data());
                final JsonNode e = events.get(0);
                assertEquals("live-m", e.get("model").asText());
                assertEquals("chat", e.get("operation").asText());
                assertEquals("timeout", e.get("status").asText());
                assertEquals(42.5, e.get("latencyMs").asDouble());
                assertEquals(7, e.get("promptTokens").asLong());
                assertTrue(e.get("timestamp").isTextual());
                assertEquals(0, m.json().get("dropped").asLong());
                assertFalse(m.data().contains("\"before\""), "only events new since the last message");
                final JsonNode recent = server.get("/api/v1/models/live-m/recent").json().get("events").get(0);
                assertEquals(java.time.Instant.parse(recent.get("timestamp").asText()).toEpochMilli(),
                    e.get("timestampMs").asLong());
                ((com.fasterxml.jackson.databind.node.ObjectNode)e).remove("timestampMs");
                assertEquals(recent, e, "the same fields as /recent, and timestampMs");

                final StringBuilder many = new StringBuilder();
                for (int i = 0; i < 250; i++) {
                    many.append("{\"model\":\"burst\",\"latencyMs\":").append(i + 1).append(",\"timestamp\":")
                        .append(System.currentTimeMillis() - 10_000 + i).append("}\n");
                }
                assertEquals(202, server.post("/api/v1/events", TestServer.NDJSON, many.toString()).status());
                final JsonNode burst = live.await(x -> "events".equals(x.event()) && x.data().contains("burst"),
                    3_000).json();
                assertEquals(200, burst.get("events").size());
                assertEquals(50, burst.get("dropped").asLong());
                assertEquals(250, burst.get("events").get(199).get("latencyMs").asDouble(), "newest last");
            }
        }
    }

    @Test
    void shouldSendAFiringAlert() throws Exception {
        try (TestServer server = new TestServer(new ServerConfig().alertEvalMs(100), data)) {
            assertEquals(201, server.post("/api/v1/alerts/rules", TestServer.JSON, "{\"id\": \"slow\", \"name\": "
                + "\"slow\", \"scope\": \"model:chat\", \"metric\": \"p95\", \"window\": \"5m\", \"comparator\": "
                + "\">\", \"warning\": 100, \"for\": \"0s\", \"minEvents\": 3}").status());
            try (SseStream live = connect(server)) {
                final JsonNode first = live.await("alerts", 5_000).json();
                assertEquals(0, first.get("alerts").size(), "nothing active at connect: " + first);
                final long now = System.currentTimeMillis();
                final StringBuilder batch = new StringBuilder();
                for (int i = 0; i < 5; i++) {
                    batch.append("{\"model\":\"chat\",\"latencyMs\":400,\"timestamp\":").append(now - i).append("}\n");
                }
                assertEquals(202, server.post("/api/v1/events", TestServer.NDJSON, batch.toString()).status());
                final JsonNode firing = live.await(m -> "alerts".equals(m.event()) && m.data().contains("firing"),
                    15_000).json();
                assertEquals("slow", firing.get("alerts").get(0).get("id").asText());
                assertEquals(server.get("/api/v1/alerts").json().get("alerts").get(0).get("state"),
                    firing.get("alerts").get(0).get("state"));
            }
        }
    }

    @Test
    void shouldRefuseClientsPastTheLimitAndEndStreamsAtClose() throws Exception {
        final List<SseStream> open = new ArrayList<>();
        final TestServer server = new TestServer(new ServerConfig().maxLiveClients(2), data);
        try {
            for (int i = 0; i < 2; i++) {
                final SseStream s = connect(server);
                assertEquals(200, s.response.statusCode());
                s.await("alerts", 5_000);
                open.add(s);
            }
            try (SseStream third = connect(server)) {
                assertEquals(503, third.response.statusCode());
                assertTrue(new String(third.response.body().readAllBytes()).contains("--max-live-clients"));
            }
            open.get(0).close();
            final long deadline = System.nanoTime() + 10_000_000_000L;
            while (server.server.live().clients() > 1 && System.nanoTime() < deadline) {
                Thread.onSpinWait();   // the server notices the gone client at its next write (a second at most)
            }
            assertEquals(1, server.server.live().clients());
            final SseStream again = connect(server);
            assertEquals(200, again.response.statusCode(), "a freed place is taken again");
            open.add(again);
            again.await("tiles", 5_000);
        } finally {
            server.close();
        }
        for (final SseStream s : open.subList(1, open.size())) {
            assertTrue(s.awaitEnd(10_000), "closing the server ends the stream");
        }
        assertFalse(Thread.getAllStackTraces().keySet().stream()
            .anyMatch(t -> t.getName().equals("ringmeter-live") && t.isAlive()), "the publisher stopped");
    }
}
