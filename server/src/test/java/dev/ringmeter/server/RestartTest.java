package dev.ringmeter.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The server stopped and started again on the same data directory answers as before: events, prices and the
 * analytics come back from the journal and the snapshot.
 */
@Timeout(60)
class RestartTest {
    @TempDir
    Path data;

    @Test
    void shouldKeepEventsAndPricesAcrossARestart() throws Exception {
        final long now = System.currentTimeMillis();
        final StringBuilder batch = new StringBuilder("[");
        for (int i = 0; i < 1000; i++) {
            batch.append(i == 0 ? "" : ",").append("{\"model\":\"gpt-4o\",\"timestamp\":").append(now - 1000 + i)
                .append(",\"latencyMs\":").append(100 + i).append(",\"promptTokens\":1000,\"completionTokens\":100}");
        }
        batch.append(']');
        final JsonNode before;
        try (TestServer server = TestServer.start(data)) {
            assertEquals(200, server.put("/api/v1/pricing/gpt-4o",
                "{\"inputUsdPerMillion\":2.5,\"outputUsdPerMillion\":10}").status());
            assertEquals(202, server.post("/api/v1/events", TestServer.JSON, batch.toString()).status());
            before = server.get("/api/v1/analytics?model=gpt-4o&window=1h").json();
            assertEquals(1000, before.at("/count").asLong(), before.toString());
        }
        try (TestServer restarted = TestServer.start(data)) {
            final JsonNode after = restarted.get("/api/v1/analytics?model=gpt-4o&window=1h").json();
            assertEquals(1000, after.at("/count").asLong(), after.toString());
            assertEquals(before.at("/latencyMs/p95").asDouble(), after.at("/latencyMs/p95").asDouble());
            assertEquals(before.at("/costUsd").asDouble(), after.at("/costUsd").asDouble(), 1e-12);
            assertEquals(1000 * (1000 * 2.5 + 100 * 10.0) / 1e6, after.at("/costUsd").asDouble(), 1e-9);
            final JsonNode price = restarted.get("/api/v1/pricing/gpt-4o").json();
            assertEquals(2.5, price.at("/inputUsdPerMillion").asDouble());
        }
    }
}
