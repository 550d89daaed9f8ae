package dev.ringmeter.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every refusal of the ingest routes, and that a refused batch stores nothing of itself. The rule between 413 and
 * 422: 413 when the request as a whole is too large (body bytes, batch length), 422 when a value in it breaks a rule
 * (including a string past the length limit and a dimension past its cardinality limit).
 */
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
        assertRefused(events("[{\"model\":\"bad-value\",\"latencyMs\":1,\"promptTokens\":10,\"cachedTokens\":8,"
            + "\"cacheWriteTokens\":3}]"), 422, "cachedTokens", 0);
        assertRefused(events("[{\"model\":\"bad-value\",\"latencyMs\":1,\"completionTokens\":10,"
            + "\"reasoningTokens\":11}]"), 422, "reasoningTokens", 0);
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

    /**
     * Sends a request over a plain socket, headers then body, and reads the whole reply (the connection closes).
     * A refused body is sent only up to a little past its limit, and no further: a client still sending into a
     * connection the server closes after its reply races that reply (the unread bytes reset the connection).
     */
    private static String raw(final String requestLine, final String headers, final byte[] body) throws IOException {
        final URI uri = URI.create(server.base);
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write((requestLine + " HTTP/1.1\r\nHost: " + uri.getAuthority()
                + "\r\nContent-Type: " + TestServer.JSON + "\r\n" + headers + "Connection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().write(body);
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void assertTooLarge(final String reply, final String error) {
        assertTrue(reply.startsWith("HTTP/1.1 413 "), reply);
        assertTrue(reply.contains("{\"error\":\"" + error + "\"}"), "names no field and no index: " + reply);
    }

    /** 413: the request as a whole is too large; it names no field and no index, since no one item is at fault. */
    private static void assertTooLarge(final TestServer.Reply r) {
        assertEquals(413, r.status(), r.body());
        final JsonNode j = r.json();
        assertTrue(j.get("error").asText().length() > 0, r.body());
        assertFalse(j.has("field"), r.body());
        assertFalse(j.has("index"), r.body());
    }

    @Test
    void shouldRefuseABodyPastItsByteLimitWith413AndStoreNothing() throws IOException {
        // one item, then whitespace: past the byte limit long before the batch-length limit
        final String big = "[{\"model\":\"too-big\",\"latencyMs\":1}" + " ".repeat(70 * 1024) + "]";
        final byte[] bytes = big.getBytes(StandardCharsets.UTF_8);

        // a declared length past the limit: refused before anything is read (sent as headers alone)
        assertTooLarge(raw("POST /api/v1/events", "Content-Length: " + bytes.length + "\r\n", new byte[0]),
            "request body of " + bytes.length + " bytes is larger than 65536 bytes");

        // no Content-Length (chunked): refused once the limit is passed while reading
        final int sent = 65_536 + 64;
        final byte[] size = (Integer.toHexString(sent) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        final byte[] chunk = new byte[size.length + sent];   // one chunk, never ended: the server stops reading first
        System.arraycopy(size, 0, chunk, 0, size.length);
        System.arraycopy(bytes, 0, chunk, size.length, sent);
        assertTooLarge(raw("POST /api/v1/events", "Transfer-Encoding: chunked\r\n", chunk),
            "request body is larger than 65536 bytes");
        assertEquals(0, server.count("too-big"));

        // a pricing body has its own limit, 1 MiB, bounded the same way
        assertTooLarge(raw("PUT /api/v1/pricing/too-big", "Content-Length: " + ((1 << 20) + 1) + "\r\n",
            new byte[0]), "request body of 1048577 bytes is larger than 1048576 bytes");
        assertEquals(404, server.get("/api/v1/pricing/too-big").status());
    }

    @Test
    void shouldAnswer400ToATokenPastTheParsersConstraintsAndStoreNothing() {
        // a number of 2,000 digits, and a field name of 60,000 characters: Jackson refuses both with an exception
        // that is not a syntax error, once answered with 500
        final TestServer.Reply digits = events("[{\"model\":\"constrained\",\"latencyMs\":1" + "0".repeat(2_000)
            + "}]");
        assertRefused(digits, 400, null, 0);
        assertTrue(digits.json().get("error").asText().startsWith("malformed JSON: Number value length"),
            digits.body());
        final TestServer.Reply name = events("[{\"model\":\"constrained\",\"" + "n".repeat(60_000) + "\":1}]");
        assertRefused(name, 400, null, 0);
        assertTrue(name.json().get("error").asText().startsWith("malformed JSON: Name length"), name.body());
        final TestServer.Reply price = server.put("/api/v1/pricing/constrained",
            "{\"inputUsdPerMillion\":1" + "0".repeat(2_000) + ",\"outputUsdPerMillion\":1}");
        assertRefused(price, 400, null, -1);
        assertEquals(0, server.count("constrained"));
        assertEquals(404, server.get("/api/v1/pricing/constrained").status());
    }

    @Test
    void shouldRefuseABatchPastItsLengthLimitWith413AndStoreNothing() {
        final StringBuilder batch = new StringBuilder("[");
        for (int i = 0; i < 101; i++) {
            batch.append(i == 0 ? "" : ",").append("{\"model\":\"too-many\",\"latencyMs\":1}");
        }
        final TestServer.Reply r = events(batch.append(']').toString());
        assertTooLarge(r);
        assertTrue(r.json().get("error").asText().contains("at most 100 items"), r.body());
        assertEquals(0, server.count("too-many"));

        final StringBuilder prices = new StringBuilder("{");
        for (int i = 0; i < 101; i++) {
            prices.append(i == 0 ? "" : ",").append("\"too-many-").append(i)
                .append("\":{\"inputUsdPerMillion\":1,\"outputUsdPerMillion\":1}");
        }
        assertTooLarge(server.put("/api/v1/pricing", prices.append('}').toString()));
        assertEquals(404, server.get("/api/v1/pricing/too-many-0").status());
    }

    @Test
    void shouldRefuseAStringPastTheLengthLimitWith422NamingFieldAndIndexAndStoreNothing() {
        final String longModel = "m".repeat(257);
        final TestServer.Reply model = events("[{\"model\":\"too-long\",\"latencyMs\":1},{\"model\":\""
            + longModel + "\",\"latencyMs\":1}]");
        assertRefused(model, 422, "model", 1);
        assertEquals("model must be at most 256 characters but was 257", model.json().get("error").asText());
        assertRefused(events("[{\"model\":\"too-long\",\"latencyMs\":1,\"tags\":{\"k\":\"" + "v".repeat(300)
            + "\"}}]"), 422, "tags", 0);
        assertRefused(server.post("/api/v1/metrics", TestServer.JSON, "[{\"name\":\"too-long\",\"value\":1},"
            + "{\"name\":\"" + "n".repeat(257) + "\",\"value\":1}]"), 422, "name", 1);
        assertRefused(server.put("/api/v1/pricing/" + longModel, "{\"inputUsdPerMillion\":1,"
            + "\"outputUsdPerMillion\":1}"), 422, "model", 0);
        assertEquals(0, server.count("too-long"));
        assertEquals(404, server.get("/api/v1/metrics?name=too-long").status(), "no sample of the batch was kept");
        assertEquals(404, server.get("/api/v1/pricing/" + longModel).status());
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
        final String error = r.json().get("error").asText();
        assertTrue(error.startsWith("quality has reached its cardinality limit of 32 distinct values, kept for the"
            + " store's life; ") && error.contains("StoreConfig.cardinalityLimit(Dimension.QUALITY_NAME, n) or the"
            + " server's --limit quality-name=N"), error);
        assertEquals(0, server.count("cardinality"));

        // none of the 33 names was registered: 32 new ones still fit
        final StringBuilder fits = new StringBuilder("[");
        for (int i = 0; i < 32; i++) {
            fits.append(i == 0 ? "" : ",").append("{\"model\":\"cardinality\",\"latencyMs\":1,\"quality\":{\"f")
                .append(i).append("\":1}}");
        }
        assertEquals(202, events(fits.append(']').toString()).status());
        assertEquals(32, server.count("cardinality"));
    }

    @Test
    void shouldRefuseOtherContentTypes() {
        assertRefused(server.post("/api/v1/events", "text/plain", "[]"), 415, null, -1);
    }
}
