package dev.ringmeter.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class OpsEndpointsTest {
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
    void shouldAnswerHealthAndReady() {
        final TestServer.Reply health = server.get("/health");
        assertEquals(200, health.status());
        assertEquals("up", health.json().get("status").asText());
        assertEquals("writable", health.json().get("store").asText());
        final TestServer.Reply ready = server.get("/ready");
        assertEquals(200, ready.status());
        assertEquals("ready", ready.json().get("status").asText());
    }

    @Test
    void shouldReportJvmHostAndStoreMetrics() {
        final JsonNode s = server.get("/api/v1/system").json();
        for (final String field : new String[] {"usedBytes", "committedBytes", "maxBytes"}) {
            assertTrue(s.get("jvm").get("heap").get(field).isNumber(), field);
            assertTrue(s.get("jvm").get("nonHeap").get(field).isNumber(), field);
        }
        assertTrue(s.get("jvm").get("threads").get("live").asInt() > 0);
        assertTrue(s.get("jvm").get("gc").size() > 0);
        assertTrue(s.get("jvm").get("gc").get(0).get("count").isNumber());
        assertTrue(s.get("jvm").get("uptimeMs").asLong() >= 0);
        assertTrue(s.get("host").has("processCpuLoad"));
        assertTrue(s.get("host").has("systemCpuLoad"));
        assertTrue(s.get("host").has("loadAverage"));
        assertTrue(s.get("host").get("availableProcessors").asInt() > 0);
        assertTrue(s.get("store").get("ready").asBoolean());
        assertEquals(16384, s.get("store").get("ringCapacity").asInt());
        for (final String field : new String[] {"published", "dropped", "aggregatedEvents", "aggregatedSamples",
            "expired", "ringOccupied", "models", "aggregateHeapBytes"}) {
            assertTrue(s.get("store").get(field).isNumber(), field);
        }
        assertEquals(64, s.get("server").get("maxWritesInFlight").asInt());
    }

    @Test
    void shouldServeTheOpenApiDescriptionKeptInDocs() throws Exception {
        final TestServer.Reply r = server.get("/api/v1/openapi.yaml");
        assertEquals(200, r.status());
        assertTrue(r.body().startsWith("openapi: 3."), r.body());
        final Path docs = Path.of(System.getProperty("ringmeter.docs", "../docs"), "openapi.yaml");
        assertEquals(Files.readString(docs, StandardCharsets.UTF_8), r.body(), "served = docs/openapi.yaml");
    }

    @Test
    void shouldAnswerUnknownRoutesWithAJsonError() {
        final TestServer.Reply r = server.get("/api/v1/nothing-here");
        assertEquals(404, r.status());
        assertTrue(r.json().get("error").asText().contains("/api/v1/nothing-here"));
    }
}
