package dev.ringmeter.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ringmeter.core.query.Metric;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every query parameter is checked: unknown names, the window grammar, metrics, steps and limits. */
@Timeout(60)
class QueryParamsTest {
    @TempDir
    static Path data;
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(data);
        assertEquals(202, server.post("/api/v1/events", TestServer.JSON, "[{\"model\":\"m\",\"latencyMs\":1}]").status());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static JsonNode refused(final String path, final String field) {
        final TestServer.Reply r = server.get(path);
        assertEquals(400, r.status(), path + " -> " + r.body());
        assertEquals(field, r.json().get("field").asText(), r.body());
        return r.json();
    }

    @Test
    void shouldRefuseUnknownParametersListingTheValidOnes() {
        final JsonNode j = refused("/api/v1/analytics?model=m&groupby=pipeline", "groupby");
        assertEquals("[\"model\",\"window\",\"from\",\"to\",\"groupBy\",\"limit\",\"operation\",\"pipeline\",\"step\","
            + "\"run\",\"task\",\"config\",\"errorType\",\"provider\",\"tool\",\"agent\",\"status\",\"tag\"]", j.get("valid").toString());
        refused("/api/v1/series?metric=p95&foo=1", "foo");
        refused("/api/v1/models?x=1", "x");
        refused("/api/v1/models/m/recent?max=3", "max");
        refused("/api/v1/analytics?window=5m&window=1m", "window");
    }

    @Test
    void shouldCheckTheWindowGrammarAndTheRetention() {
        for (final String bad : new String[] {"5", "5x", "-5m", "0m", "5 m", "1.5h", "m"}) {
            refused("/api/v1/analytics?window=" + bad.replace(" ", "%20"), "window");
        }
        refused("/api/v1/analytics?window=25h", "window");
        refused("/api/v1/analytics?window=2d", "window");
        assertEquals(200, server.get("/api/v1/analytics?window=24h").status());
        assertEquals(200, server.get("/api/v1/analytics?window=30s").status());
        refused("/api/v1/analytics?from=yesterday", "from");
        refused("/api/v1/analytics?from=2025-01-01T00:00:00Z&to=2024-01-01T00:00:00Z", "to");
        refused("/api/v1/analytics?from=2025-01-01T00:00:00Z&to=2025-01-03T00:00:00Z", "from");
        refused("/api/v1/analytics?window=5m&from=2025-01-01T00:00:00Z", "window");
    }

    @Test
    void shouldRefuseAnUnknownMetricListingTheValidOnes() {
        final JsonNode j = refused("/api/v1/series?metric=p42", "metric");
        assertTrue(j.get("error").asText().contains(Metric.keys()), j.toString());
        assertEquals(Metric.values().length, j.get("valid").size());
        refused("/api/v1/series", "metric");
    }

    @Test
    void shouldBoundTheStepsOfASeries() {
        refused("/api/v1/series?metric=p95&window=24h&step=1s", "step");
        refused("/api/v1/series?metric=p95&step=0s", "step");
        refused("/api/v1/series?metric=p95&step=abc", "step");
        assertEquals(200, server.get("/api/v1/series?metric=p95&window=1h&step=1m").status());
    }

    @Test
    void shouldBoundTheLimitOfRecentEventsAndKnowTheModel() {
        refused("/api/v1/models/m/recent?limit=0", "limit");
        refused("/api/v1/models/m/recent?limit=1001", "limit");
        refused("/api/v1/models/m/recent?limit=ten", "limit");
        assertEquals(200, server.get("/api/v1/models/m/recent?limit=1000").status());
        final TestServer.Reply unknown = server.get("/api/v1/models/nobody/recent");
        assertEquals(404, unknown.status());
        assertEquals("model", unknown.json().get("field").asText());
        assertEquals(404, server.get("/api/v1/analytics?model=nobody").status());
        assertEquals(404, server.get("/api/v1/pricing/nobody").status());
        final int traversal = server.get("/api/v1/models/..%2F..%2Fetc%2Fpasswd/recent").status();
        assertTrue(traversal == 404 || traversal == 400, "a path never reaches the file system: " + traversal);
    }

    @Test
    void shouldRefuseBadPrices() {
        final TestServer.Reply negative = server.put("/api/v1/pricing/m",
            "{\"inputUsdPerMillion\": -1, \"outputUsdPerMillion\": 1}");
        assertEquals(422, negative.status(), negative.body());
        assertEquals("inputUsdPerMillion", negative.json().get("field").asText());
        final TestServer.Reply missing = server.put("/api/v1/pricing/m", "{\"inputUsdPerMillion\": 1}");
        assertEquals(422, missing.status());
        assertEquals("outputUsdPerMillion", missing.json().get("field").asText());
        final TestServer.Reply unknown = server.put("/api/v1/pricing/m",
            "{\"inputUsdPerMillion\": 1, \"outputUsdPerMillion\": 1, \"currency\": \"EUR\"}");
        assertEquals(422, unknown.status());
        assertEquals("currency", unknown.json().get("field").asText());
        assertEquals(400, server.put("/api/v1/pricing/m", "{\"inputUsdPerMillion\": ").status());
        final TestServer.Reply many = server.put("/api/v1/pricing",
            "{\"a\": {\"inputUsdPerMillion\": 1, \"outputUsdPerMillion\": 1}, \"b\": {\"inputUsdPerMillion\": 1}}");
        assertEquals(422, many.status());
        assertEquals(1, many.json().get("index").asInt());
        assertEquals(404, server.get("/api/v1/pricing/a").status(), "a refused batch of prices applies none");
    }
}
