package dev.ringmeter.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GET /api/v1/compare and /api/v1/best against a real server and durable store: the same groups from memory and by
 * scan, sort and top N, a baseline's significance, the best configuration's ranking, and every bad parameter a 400
 * naming it.
 */
@Timeout(120)
class CompareApiTest {
    private static final long FIVE_MINUTES_MS = 300_000;

    @TempDir
    Path data;

    /**
     * 1,200 events over the last ten minutes: models m0, m1; configs a (fast), b (slow, errors); tags temperature 0.2
     * and 0.8.
     */
    private static String events(final long now) {
        final StringBuilder ndjson = new StringBuilder();
        for (int i = 0; i < 1_200; i++) {
            final boolean slow = i % 2 == 1;
            ndjson.append("{\"model\":\"m").append(i % 3 == 0 ? 1 : 0).append("\",\"timestamp\":")
                .append(now - 600_000 + i * 400L).append(",\"latencyMs\":").append(slow ? 400 + i % 50 : 100 + i % 20)
                .append(",\"config\":\"").append(slow ? "b" : "a").append("\",\"promptTokens\":").append(i % 100)
                .append(",\"costUsd\":0.001,\"status\":\"").append(slow && i % 5 == 0 ? "error" : "ok")
                .append("\",\"quality\":{\"accuracy\":").append(slow ? 0.6 : 0.9)
                .append("},\"tags\":{\"temperature\":\"").append(i % 4 < 2 ? "0.2" : "0.8").append("\"}}\n");
        }
        return ndjson.toString();
    }

    private static Map<String, JsonNode> groups(final JsonNode reply) {
        final Map<String, JsonNode> m = new HashMap<>();
        for (final JsonNode g : reply.at("/groups")) {
            m.put(g.at("/group").asText(), g);
        }
        return m;
    }

    @Test
    void answersTheSameGroupsFromMemoryAndByScan() {
        final long now = System.currentTimeMillis();
        final long to = now - now % FIVE_MINUTES_MS + FIVE_MINUTES_MS;
        final long from = to - 4 * FIVE_MINUTES_MS;
        try (TestServer server = TestServer.start(data)) {
            assertEquals(202, server.post("/api/v1/events", TestServer.NDJSON, events(now)).status());
            final String query = "/api/v1/compare?by=model,config&from=" + from + "&to=" + to;
            final JsonNode memory = server.get(query + "&source=memory").json();
            final JsonNode scan = server.get(query + "&source=scan").json();
            final JsonNode auto = server.get(query).json();
            assertEquals("memory", memory.at("/source").asText());
            assertEquals("scan", scan.at("/source").asText());
            assertEquals("memory", auto.at("/source").asText(), "memory covers the range and both keys");
            assertEquals(from, java.time.Instant.parse(memory.at("/coveredFrom").asText()).toEpochMilli());
            assertFalse(memory.at("/incomplete").asBoolean());
            assertEquals(1_200 + 8, scan.at("/recordsScanned").asLong(),
                "1,200 events and 8 strings: 2 models, 2 configs, a tag key and 2 values, a quality name");
            final Map<String, JsonNode> m = groups(memory);
            final Map<String, JsonNode> s = groups(scan);
            assertEquals(4, m.size());
            assertEquals(s.keySet(), m.keySet());
            long all = 0;
            for (final String g : s.keySet()) {
                all += s.get(g).at("/count").asLong();
                assertEquals(s.get(g).at("/count").asLong(), m.get(g).at("/count").asLong(), g);
                assertEquals(s.get(g).at("/errorCount").asLong(), m.get(g).at("/errorCount").asLong(), g);
                assertEquals(s.get(g).at("/tokens/input").asLong(), m.get(g).at("/tokens/input").asLong(), g);
                assertEquals(s.get(g).at("/costUsd").asDouble(), m.get(g).at("/costUsd").asDouble(), 1e-9, g);
                assertEquals(s.get(g).at("/qualityMeans/accuracy").asDouble(),
                    m.get(g).at("/qualityMeans/accuracy").asDouble(), 1e-12, g);
                final double p95 = s.get(g).at("/latencyMs/p95").asDouble();
                assertEquals(p95, m.get(g).at("/latencyMs/p95").asDouble(), 0.1 * p95, g);
                assertEquals(g, m.get(g).at("/values/model").asText() + "," + m.get(g).at("/values/config").asText());
            }
            assertEquals(1_200, all);
            final JsonNode byTag = server.get("/api/v1/compare?by=config,tag:temperature&model=m0&from=" + from
                + "&to=" + to).json();
            assertEquals("memory", byTag.at("/source").asText());
            assertEquals(200, groups(byTag).get("a,0.2").at("/count").asLong(), "m0 (2 of 3), a (even), i % 4 < 2");
            final JsonNode byRun = server.get("/api/v1/compare?by=run&from=" + from + "&to=" + to).json();
            assertEquals("scan", byRun.at("/source").asText(), "run is not kept in memory");
        }
    }

    @Test
    void sortsCutsToTheTopNAndComparesWithABaseline() {
        final long now = System.currentTimeMillis();
        try (TestServer server = TestServer.start(data)) {
            assertEquals(202, server.post("/api/v1/events", TestServer.NDJSON, events(now)).status());
            final JsonNode slowest = server.get("/api/v1/compare?by=model,config&window=1h&sort=p95&limit=2").json();
            assertEquals(4, slowest.at("/groupCount").asInt());
            assertEquals(2, slowest.at("/groups").size());
            final List<String> configs = new ArrayList<>();
            for (final JsonNode g : slowest.at("/groups")) {
                configs.add(g.at("/values/config").asText());
            }
            assertEquals(List.of("b", "b"), configs, "the slow config first");
            final JsonNode fastest = server.get("/api/v1/compare?by=config&window=1h&sort=p95&order=asc&limit=1")
                .json();
            assertEquals("a", fastest.at("/groups/0/group").asText());

            final JsonNode vsA = server.get("/api/v1/compare?by=config&window=1h&baseline=a").json();
            assertEquals("a", vsA.at("/baseline/config").asText());
            final JsonNode b = groups(vsA).get("b");
            assertEquals("worse", b.at("/significance/p95LatencyMs/verdict").asText(), b.toString());
            assertTrue(b.at("/significance/p95LatencyMs/difference").asDouble() > 250);
            assertEquals("worse", b.at("/significance/errorRate/verdict").asText());
            assertEquals(600, b.at("/significance/errorRate/n").asLong());
            assertEquals("worse", b.at("/significance/quality/accuracy/verdict").asText(), b.toString());
            assertEquals(-0.3, b.at("/significance/quality/accuracy/difference").asDouble(), 1e-9);
            assertEquals("welch", b.at("/significance/quality/accuracy/method").asText());
            assertEquals("no_significant_difference",
                groups(vsA).get("a").at("/significance/p95LatencyMs/verdict").asText().toLowerCase());
        }
    }

    @Test
    void ranksTheBestConfigurationWithEveryComponentShown() {
        final long now = System.currentTimeMillis();
        try (TestServer server = TestServer.start(data)) {
            assertEquals(202, server.post("/api/v1/events", TestServer.NDJSON, events(now)).status());
            final JsonNode best = server.get("/api/v1/best?by=config&window=1h&quality=accuracy"
                + "&weights=quality:2,p95:1,costPerSuccess:1,successRate:1").json();
            assertEquals(2, best.at("/rankings").size());
            final JsonNode first = best.at("/rankings/0");
            assertEquals("a", first.at("/name").asText());
            assertEquals(1, first.at("/rank").asInt());
            assertEquals(100, first.at("/score").asDouble(), 1e-9, "a is best on every component");
            assertEquals(4, first.at("/components").size());
            assertEquals(0.9, first.at("/components/0/raw").asDouble(), 1e-12);
            assertEquals(2, best.at("/weights/quality").asDouble());
            assertEquals(0, best.at("/rankings/1/score").asDouble(), 1e-9);
        }
    }

    @Test
    void refusesEachBadParameterWith400NamingIt() {
        try (TestServer server = TestServer.start(data)) {
            final Map<String, String> bad = new java.util.LinkedHashMap<>();
            bad.put("/api/v1/compare?window=1h", "by");
            bad.put("/api/v1/compare?by=colour", "by");
            bad.put("/api/v1/compare?by=model,config,step", "by");
            bad.put("/api/v1/compare?by=model,model", "by");
            bad.put("/api/v1/compare?by=model&sort=speed", "sort");
            bad.put("/api/v1/compare?by=model&order=up", "order");
            bad.put("/api/v1/compare?by=model&source=disk", "source");
            bad.put("/api/v1/compare?by=model&limit=0", "limit");
            bad.put("/api/v1/compare?by=model&window=3x", "window");
            bad.put("/api/v1/compare?by=model&status=fine", "status");
            bad.put("/api/v1/compare?by=model&tag=novalue", "tag");
            bad.put("/api/v1/compare?by=run&source=memory", "by");
            bad.put("/api/v1/compare?by=model&task=t1&source=memory", "task");
            bad.put("/api/v1/compare?by=model&baseline=nosuch", "baseline");
            bad.put("/api/v1/compare?by=model,config&baseline=nocomma", "baseline");
            bad.put("/api/v1/compare?by=model&colour=red", "colour");
            bad.put("/api/v1/best?by=config&weights=speed:1", "weights");
            bad.put("/api/v1/best?by=config&weights=p95:x", "weights");
            bad.put("/api/v1/best?by=config&weights=p95:0", "weights");
            bad.put("/api/v1/best?by=config&weights=quality:1", "quality");
            bad.put("/api/v1/best?by=config&sort=p95", "sort");
            for (final Map.Entry<String, String> e : bad.entrySet()) {
                final TestServer.Reply r = server.get(e.getKey());
                assertEquals(400, r.status(), e.getKey() + " " + r.body());
                assertEquals(e.getValue(), r.json().at("/field").asText(), e.getKey() + " " + r.body());
            }
        }
    }
}
