package dev.ringmeter.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The price entry routes against a real server and its durable store. */
@Timeout(60)
class PricesApiTest {
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
    void shouldRefuseABadEntryNamingItsField() {
        assertRefused("{\"model\":\"m\",\"inputUsdPerMillion\":-1,\"outputUsdPerMillion\":1}", "inputUsdPerMillion");
        assertRefused("{\"match\":\"regex\",\"model\":\"gpt-(\",\"inputUsdPerMillion\":1,\"outputUsdPerMillion\":1}",
            "model");
        assertRefused("{\"model\":\"m\",\"inputUsdPerMillion\":1,\"outputUsdPerMillion\":1,\"tiers\":["
            + "{\"aboveInputTokens\":200000,\"inputUsdPerMillion\":2,\"outputUsdPerMillion\":2},"
            + "{\"aboveInputTokens\":100000,\"inputUsdPerMillion\":3,\"outputUsdPerMillion\":3}]}",
            "tiers[1].aboveInputTokens");
        assertRefused("{\"match\":\"glob\",\"model\":\"m\",\"inputUsdPerMillion\":1,\"outputUsdPerMillion\":1}",
            "match");
    }

    @Test
    void shouldShowTheBuiltInListsDate() {
        final JsonNode list = server.get("/api/v1/prices").json();
        assertEquals("2025-08-15", list.get("builtIn").get("asOf").asText());
        final JsonNode resolved = server.get("/api/v1/prices/resolve?model=claude-sonnet-4-20250514").json();
        assertTrue(resolved.get("entry").get("builtIn").asBoolean());
        assertEquals(3.0, resolved.get("entry").get("inputUsdPerMillion").asDouble());
    }

    @Test
    void shouldCountUnknownCostThenRecomputeItOnceAPriceIsAdded() {
        final int n = 20;
        final StringBuilder events = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            events.append(i == 0 ? "" : ",").append("{\"model\":\"acme-x\",\"latencyMs\":10,\"promptTokens\":1000,"
                + "\"completionTokens\":500}");
        }
        assertEquals(202, server.post("/api/v1/events", TestServer.JSON, events.append("]").toString()).status());
        JsonNode window = server.get("/api/v1/analytics?window=1h&model=acme-x").json();
        assertEquals(n, window.get("costUnknown").asLong());
        assertTrue(window.get("costPerSuccessUsd").isNull(), "a partial sum is not divided");

        final TestServer.Reply added = server.post("/api/v1/prices", TestServer.JSON,
            "{\"match\":\"prefix\",\"model\":\"acme-\",\"inputUsdPerMillion\":2,\"outputUsdPerMillion\":8}");
        assertEquals(201, added.status(), added.body());
        final long id = added.json().get("id").asLong();
        assertEquals("prefix", server.get("/api/v1/prices/resolve?model=acme-x").json().get("entry").get("match")
            .asText());

        final long now = System.currentTimeMillis();
        final String range = "{\"fromMs\":" + (now - 3_600_000) + ",\"toMs\":" + (now + 60_000) + "}";
        final JsonNode first = server.post("/api/v1/prices/recompute", TestServer.JSON, range).json();
        assertEquals(n, first.get("changed").asLong(), first.toString());
        window = server.get("/api/v1/analytics?window=1h&model=acme-x").json();
        assertEquals(n * (1000 * 2.0 + 500 * 8.0) / 1e6, window.get("costUsd").asDouble(), 1e-12);
        assertEquals(0, window.get("costUnknown").asLong());
        assertEquals(0, server.post("/api/v1/prices/recompute", TestServer.JSON, range).json().get("changed")
            .asLong(), "idempotent");

        assertEquals(200, delete("/api/v1/prices/" + id).status());
        assertEquals(404, delete("/api/v1/prices/" + id).status());
    }

    private static TestServer.Reply delete(final String path) {
        return server.send(server.request(path).DELETE().build());
    }

    private static void assertRefused(final String entry, final String field) {
        final TestServer.Reply r = server.post("/api/v1/prices", TestServer.JSON, entry);
        assertEquals(422, r.status(), r.body());
        assertEquals(field, r.json().get("field").asText(), r.body());
    }
}
