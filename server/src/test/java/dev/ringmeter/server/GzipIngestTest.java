package dev.ringmeter.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Gzip-compressed bodies (Content-Encoding: gzip), of ingest and pricing alike: inflated within the body limit,
 * refused clearly when they are not gzip or inflate past the limit.
 */
@Timeout(60)
class GzipIngestTest {
    @TempDir
    Path data;

    private static byte[] gzip(final byte[] raw) throws IOException {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(raw);
        }
        return out.toByteArray();
    }

    private static TestServer.Reply post(final TestServer server, final String encoding, final byte[] body) {
        return server.send(HttpRequest.newBuilder(URI.create(server.base + "/api/v1/events"))
            .header("Content-Type", TestServer.NDJSON).header("Content-Encoding", encoding)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    @Test
    void shouldInflateGzipBodiesAndRefuseBadOnes() throws Exception {
        final long now = System.currentTimeMillis();
        final StringBuilder ndjson = new StringBuilder();
        for (int i = 0; i < 2_000; i++) {
            ndjson.append("{\"model\":\"gpt-4o\",\"timestamp\":").append(now - 1_000).append(",\"latencyMs\":")
                .append(1 + i % 100).append("}\n");
        }
        try (TestServer server = TestServer.start(data)) {
            final TestServer.Reply ok = post(server, "gzip", gzip(ndjson.toString().getBytes(StandardCharsets.UTF_8)));
            assertEquals(202, ok.status(), ok.body());
            assertEquals(2_000, ok.json().at("/accepted").asInt());

            final TestServer.Reply notGzip = post(server, "gzip", "not gzip at all".getBytes(StandardCharsets.UTF_8));
            assertEquals(400, notGzip.status(), notGzip.body());
            assertTrue(notGzip.body().contains("gzip"), notGzip.body());

            // 8 MiB of spaces compress to a few KB, but inflate past the 4 MiB body limit
            final byte[] spaces = new byte[8 << 20];
            java.util.Arrays.fill(spaces, (byte)' ');
            final TestServer.Reply bomb = post(server, "gzip", gzip(spaces));
            assertEquals(413, bomb.status(), bomb.body());

            assertEquals(415, post(server, "br", new byte[] {1, 2, 3}).status());
            assertEquals(2_000, server.get("/api/v1/analytics?model=gpt-4o&window=5m").json().at("/count").asInt(),
                "only the good batch is stored");
        }
    }

    private static TestServer.Reply putPrice(final TestServer server, final String encoding, final byte[] body) {
        return server.send(HttpRequest.newBuilder(URI.create(server.base + "/api/v1/pricing/gzip-priced"))
            .header("Content-Type", TestServer.JSON).header("Content-Encoding", encoding)
            .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    @Test
    void shouldOpenPricingBodiesTheSameWayWithinTheirOwnLimit() throws Exception {
        try (TestServer server = TestServer.start(data)) {
            final TestServer.Reply ok = putPrice(server, "gzip", gzip(("{\"inputUsdPerMillion\":2.5,"
                + "\"outputUsdPerMillion\":10}").getBytes(StandardCharsets.UTF_8)));
            assertEquals(200, ok.status(), ok.body());
            assertEquals(2.5, ok.json().at("/inputUsdPerMillion").asDouble());

            assertEquals(400, putPrice(server, "gzip", "not gzip".getBytes(StandardCharsets.UTF_8)).status());
            // 2 MiB of spaces inflate past the 1 MiB limit of a pricing body
            final byte[] spaces = new byte[2 << 20];
            java.util.Arrays.fill(spaces, (byte)' ');
            final TestServer.Reply bomb = putPrice(server, "gzip", gzip(spaces));
            assertEquals(413, bomb.status(), bomb.body());
            assertEquals(10.0, server.get("/api/v1/pricing/gzip-priced").json().at("/outputUsdPerMillion")
                .asDouble(), "only the good price is set");
        }
    }
}
