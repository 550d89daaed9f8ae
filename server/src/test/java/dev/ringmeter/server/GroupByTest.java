package dev.ringmeter.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Group-by and filters on the analytics route, answered by a scan of the journal.
 */
@Timeout(60)
class GroupByTest {
    @TempDir
    Path data;

    @Test
    void shouldGroupAndFilterByAnyDimensionThroughTheJournal() throws Exception {
        final long now = System.currentTimeMillis();
        final StringBuilder ndjson = new StringBuilder();
        final Map<String, Integer> expectedSteps = new HashMap<>();
        int euErrors = 0;
        for (int i = 0; i < 600; i++) {
            final String step = i % 3 == 0 ? "retrieve" : i % 3 == 1 ? "rerank" : "generate";
            final String pipeline = i % 2 == 0 ? "rag" : "agent";
            final String region = i % 4 == 0 ? "eu" : "us";
            final boolean error = i % 10 == 0;
            if (pipeline.equals("rag")) {
                expectedSteps.merge(step, 1, Integer::sum);
            }
            if (region.equals("eu") && error) {
                euErrors++;
            }
            ndjson.append("{\"model\":\"m").append(i % 2).append("\",\"timestamp\":").append(now - 60_000 + i)
                .append(",\"latencyMs\":").append(10 + i).append(",\"pipeline\":\"").append(pipeline)
                .append("\",\"step\":\"").append(step).append("\",\"status\":\"").append(error ? "error" : "ok")
                .append("\",\"tags\":{\"region\":\"").append(region).append("\"}}\n");
        }
        try (TestServer server = TestServer.start(data)) {
            assertEquals(202, server.post("/api/v1/events", TestServer.NDJSON, ndjson.toString()).status());

            final JsonNode bySteps = server.get("/api/v1/analytics?window=5m&pipeline=rag&groupBy=step").json();
            assertEquals("step", bySteps.at("/groupBy").asText());
            // the whole journal: the 600 events and, before the first use of each, its 10 strings (2 models, 2
            // pipelines, 3 steps, 1 tag key, 2 tag values)
            assertEquals(600 + 10, bySteps.at("/recordsScanned").asLong(), "journal records read");
            final Map<String, Integer> actual = new HashMap<>();
            for (final JsonNode group : bySteps.at("/groups")) {
                actual.put(group.at("/group").asText(), group.at("/count").asInt());
            }
            assertEquals(expectedSteps, actual);

            final JsonNode euByStatus = server.get("/api/v1/analytics?window=5m&tag=region:eu&groupBy=status").json();
            int errors = 0;
            long all = 0;
            for (final JsonNode group : euByStatus.at("/groups")) {
                all += group.at("/count").asLong();
                if (group.at("/group").asText().equals("error")) {
                    errors = group.at("/count").asInt();
                }
            }
            assertEquals(150, all);
            assertEquals(euErrors, errors);

            final JsonNode byTag = server.get("/api/v1/analytics?window=5m&model=m0&groupBy=tag:region").json();
            final Map<String, Integer> regions = new HashMap<>();
            for (final JsonNode group : byTag.at("/groups")) {
                regions.put(group.at("/group").asText(), group.at("/count").asInt());
            }
            assertEquals(Map.of("eu", 150, "us", 150), regions, "m0 is every even call, eu every fourth");

            final TestServer.Reply bad = server.get("/api/v1/analytics?window=5m&groupBy=colour");
            assertEquals(400, bad.status());
            assertEquals("groupBy", bad.json().at("/field").asText());
            assertTrue(bad.body().contains("pipeline"), "lists the valid ones: " + bad.body());
            assertEquals(400, server.get("/api/v1/analytics?window=5m&tag=region").status());
            assertEquals(400, server.get("/api/v1/analytics?window=5m&status=maybe").status());
        }
    }
}
