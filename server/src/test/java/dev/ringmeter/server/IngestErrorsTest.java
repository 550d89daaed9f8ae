package dev.ringmeter.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every refusal of the ingest routes, and that a refused batch stores nothing of itself. */
@Timeout(60)
class IngestErrorsTest {
    @TempDir
    static Path data;
    static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer(new ServerConfig().maxBodyBytes(64 * 1024).maxBatch(100).maxStringLength(256), data);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static TestServer.Reply events(final String body) {
        return server.post("/api/v1/events", TestServer.JSON, body);
    }

    private static void assertRefused(final TestServer.Reply r, final int status, final String field, final int index) {
        assertEquals(status, r.status(), r.body());
        final JsonNode j = r.json();
        assertTrue(j.get("error").asText().length() > 0, r.body());
        if (field != null) {
            assertEquals(field, j.get("field").asText(), r.body());
        }
        if (index >= 0) {
            assertEquals(index, j.get("index").asInt(), r.body());
        }
    }

    @Test
    void shouldRefuseMalformedJsonSayingWhere() {
        final TestServer.Reply r = events("[{\"model\":\"bad-json\",\"latencyMs\":1},\n{\"model\" \"x\"}]");
        assertRefused(r, 400, null, 1);
        assertEquals(2, r.json().get("line").asInt());
        assertTrue(r.json().get("column").asInt() > 0);
        assertTrue(r.json().get("error").asText().contains("line 2"), r.body());
        assertEquals(0, server.count("bad-json"));

        assertRefused(events("[{\"model\":\"bad-json\",\"latencyMs\":1}"), 400, null, -1);
        assertRefused(events(""), 400, null, -1);
        assertRefused(events("[] []"), 400, null, -1);
        assertRefused(server.post("/api/v1/events", TestServer.NDJSON,
            "{\"model\":\"bad-json\",\"latencyMs\":1} {\"model\":\"bad-json\",\"latencyMs\":1}\n"), 400, null, 1);
        assertEquals(0, server.count("bad-json"));
    }

    @Test
    void shouldRefuseABadValueNamingTheFieldAndIndexAndStoreNothingOfTheBatch() {
        assertRefused(events("[{\"model\":\"bad-value\",\"latencyMs\":1},{\"model\":\"bad-value\",\"latencyMs\":2},"
            + "{\"model\":\"bad-value\",\"latencyMs\":-3}]"), 422, "latencyMs", 2);
        assertRefused(events("[{\"model\":\"bad-value\",\"latencyMs\":1,\"promptTokens\":1.5}]"), 422, "promptTokens", 0);
        assertRefused(events("[{\"model\":\"bad-value\",\"latencyMs\":1,\"status\":\"meh\"}]"), 422, "status", 0);
        assertRefused(events("[{\"model\":\"bad-value\",\"latencyMs\":\"1\"}]"), 422, "latencyMs", 0);
        assertRefused(events("[{\"model\":\"bad-value\",\"latencyMs\":1,\"timestamp\":\"yesterday\"}]"), 422,
            "timestamp", 0);
        assertRefused(events("[{\"model\":\"bad-value\",\"latencyMs\":1,\"timestamp\":"
            + (System.currentTimeMillis() + 3_600_000) + "}]"), 422, "timestamp", 0);
        assertRefused(events("[{\"model\":\"bad-value\",\"latencyMs\":1},{\"latencyMs\":1}]"), 422, "model", 1);
        assertRefused(events("[{\"model\":\"bad-value\"}]"), 422, "latencyMs", 0);
        assertRefused(events("[{\"model\":\"bad-value\",\"latencyMs\":1,\"cacheHit\":\"yes\"}]"), 422, "cacheHit", 0);
        assertRefused(events("[{\"model\":\"bad-value\",\"latencyMs\":1,\"quality\":{\"f1\":\"high\"}}]"), 422,
            "quality.f1", 0);
        assertRefused(events("[{\"model\":\"bad-value\",\"latencyMs\":1,\"tags\":{\"a\":1}}]"), 422, "tags.a", 0);
        assertRefused(events("[{\"model\":\"bad-value\",\"latencyMs\":1,\"latencyMs\":2}]"), 422, "latencyMs", 0);
        assertRefused(events("[{\"model\":\"bad-value\",\"latencyMs\":1}, 7]"), 422, null, 1);
        assertRefused(events("{\"model\":\"bad-value\",\"latencyMs\":1}"), 422, null, -1);
        assertEquals(0, server.count("bad-value"));
    }

    @Test
    void shouldRefuseUnknownFieldsNamingThem() {
        final TestServer.Reply r = events("[{\"model\":\"unknown-field\",\"latencyMs\":1},"
            + "{\"model\":\"unknown-field\",\"latencyMs\":1,\"latency\":5}]");
        assertRefused(r, 422, "latency", 1);
        assertTrue(r.json().get("error").asText().contains("latencyMs"), "lists the valid fields: " + r.body());
        assertRefused(server.post("/api/v1/metrics", TestServer.JSON, "[{\"name\":\"m\",\"value\":1,\"unit\":\"s\"}]"),
            422, "unit", 0);
        assertEquals(0, server.count("unknown-field"));
    }

    @Test
    void shouldRefuseBodiesBatchesAndStringsPastTheirLimitsWith413() {
        final StringBuilder big = new StringBuilder("[");
        while (big.length() < 70 * 1024) {
            big.append("{\"model\":\"too-big\",\"latencyMs\":1,\"operation\":\"chat-chat-chat-chat-chat\"},");
        }
        big.setLength(big.length() - 1);
        big.append(']');
        assertRefused(events(big.toString()), 413, null, -1);

        // no Content-Length (chunked): refused once the limit is passed while reading
        final byte[] bytes = big.toString().getBytes(StandardCharsets.UTF_8);
        final TestServer.Reply chunked = server.send(server.request("/api/v1/events")
            .header("Content-Type", TestServer.JSON)
            .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes))).build());
        assertRefused(chunked, 413, null, -1);

        final StringBuilder batch = new StringBuilder("[");
        for (int i = 0; i < 101; i++) {
            batch.append(i == 0 ? "" : ",").append("{\"model\":\"too-big\",\"latencyMs\":1}");
        }
        assertRefused(events(batch.append(']').toString()), 413, null, 100);

        final String longModel = "m".repeat(257);
        assertRefused(events("[{\"model\":\"too-big\",\"latencyMs\":1},{\"model\":\"" + longModel
            + "\",\"latencyMs\":1}]"), 413, "model", 1);
        assertRefused(events("[{\"model\":\"too-big\",\"latencyMs\":1,\"tags\":{\"k\":\"" + "v".repeat(300)
            + "\"}}]"), 413, "tags", 0);
        assertEquals(0, server.count("too-big"));
    }

    @Test
    void shouldRefuseABatchThatWouldPassACardinalityLimitAndStoreNothingOfIt() {
        // the default limit of quality names is 32: a batch bringing 33 new ones is refused whole
        final StringBuilder body = new StringBuilder("[");
        for (int i = 0; i < 33; i++) {
            body.append(i == 0 ? "" : ",").append("{\"model\":\"cardinality\",\"latencyMs\":1,\"quality\":{\"q")
                .append(i).append("\":1}}");
        }
        final TestServer.Reply r = events(body.append(']').toString());
        assertRefused(r, 422, "quality", 32);
        assertTrue(r.json().get("error").asText().contains("cardinality"), r.body());
        assertEquals(0, server.count("cardinality"));
    }

    @Test
    void shouldRefuseOtherContentTypes() {
        assertRefused(server.post("/api/v1/events", "text/plain", "[]"), 415, null, -1);
    }
}
