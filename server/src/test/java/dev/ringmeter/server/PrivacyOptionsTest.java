package dev.ringmeter.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ringmeter.core.privacy.Anonymizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --sampling} and {@code --anonymize} on a real server: the analytics count every event, a scan grouped by
 * run shows the hash with the kept events and their weighted estimate, and the raw run id is in no file.
 */
@Timeout(60)
class PrivacyOptionsTest {
    @TempDir
    Path data;

    @Test
    void shouldSampleTheJournalAndHashRunsOverHttp() throws Exception {
        final ServerConfig config = ServerConfig.parse(new String[] {"--sampling", "10", "--anonymize",
            "hash:run,redact"}, Map.of(ServerConfig.HASH_KEY_VARIABLE, "a server key of sixteen bytes"));
        final long now = System.currentTimeMillis();
        final StringBuilder ndjson = new StringBuilder();
        for (int i = 0; i < 1_020; i++) {
            final boolean error = i >= 1_000;
            ndjson.append("{\"model\":\"m\",\"timestamp\":").append(now - 60_000 + i).append(",\"latencyMs\":5")
                .append(",\"run\":\"secret-run-id\",\"status\":\"").append(error ? "error" : "ok").append('"')
                .append(error ? ",\"errorType\":\"quota of ops@example.com\"" : "").append("}\n");
        }
        final String hash;
        try (TestServer server = new TestServer(config, data)) {
            assertEquals(202, server.post("/api/v1/events", TestServer.NDJSON, ndjson.toString()).status());
            assertEquals(1_020, server.count("m"), "the aggregates count every event");
            final JsonNode byRun = server.get("/api/v1/analytics?window=5m&groupBy=run").json();
            assertEquals(1, byRun.at("/groups").size());
            final JsonNode group = byRun.at("/groups/0");
            hash = group.at("/group").asText();
            assertTrue(Anonymizer.isHash(hash), hash);
            assertEquals(100 + 20, group.at("/count").asLong(), "1 in 10 ok events and every error journaled");
            assertEquals(1_020, group.at("/estimatedCount").asLong(), "weighted by the rate each was kept under");
            for (final String run : new String[] {"secret-run-id", hash}) {
                final JsonNode filtered = server.get("/api/v1/analytics?window=5m&groupBy=status&run=" + run).json();
                long estimated = 0;
                for (final JsonNode g : filtered.at("/groups")) {
                    estimated += g.at("/estimatedCount").asLong();
                }
                assertEquals(1_020, estimated, "a filter on the run by its raw id or its hash: " + run);
            }
            final JsonNode byError = server.get("/api/v1/analytics?window=5m&groupBy=errorType").json();
            final java.util.Set<String> errorTypes = new java.util.HashSet<>();
            byError.at("/groups").forEach(g -> errorTypes.add(g.at("/group").asText()));
            assertEquals(java.util.Set.of("", "quota of [email]"), errorTypes, "the error type redacted");
            final java.util.Map<String, Double> metrics = ExpositionFormat.check(server.get("/metrics").body());
            assertEquals(1_020 - 120, metrics.get("ringmeter_store_sampled_out_total"), "counted, not journaled");
        }
        try (Stream<Path> files = Files.walk(data)) {
            for (final Path f : files.filter(Files::isRegularFile).toList()) {
                final String bytes = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                assertFalse(bytes.contains("secret-run-id") || bytes.contains("ops@example.com"), f.toString());
            }
        }
    }

    @Test
    void shouldRefuseBadSpecsNamingTheFlagAndHashingWithoutAKey() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ServerConfig.parse(
            new String[] {"--sampling", "model:m=0"}, Map.of())).getMessage().startsWith("--sampling: "));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ServerConfig.parse(
            new String[] {"--anonymize", "hash:model"}, Map.of())).getMessage().startsWith("--anonymize: "));
        if (System.getenv(ServerConfig.HASH_KEY_VARIABLE) == null) {
            final ServerConfig noKey = ServerConfig.parse(new String[] {"--anonymize", "hash:run"}, Map.of());
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RingmeterServer.start(noKey.port(0).dataDirectory(data)));
            assertTrue(e.getMessage().contains(ServerConfig.HASH_KEY_VARIABLE), e.getMessage());
        }
    }
}
