package dev.ringmeter.spring.ai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.export.ExportFormat;
import dev.ringmeter.core.export.ExportRequest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real embedded store in a directory, and the events it journaled read back through its NDJSON export: what a
 * user of the store would see of each recorded call.
 */
final class StoreEvents {
    private static final ObjectMapper JSON = new ObjectMapper();

    private StoreEvents() {
    }

    static EmbeddedStore open(final Path dir) {
        return EmbeddedStore.open(new StoreConfig().dataDirectory(dir).shutdownHook(false)
            .fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK).journalBlockBytes(1 << 20));
    }

    /** @return every event journaled in the last hour, in the order recorded, after waiting for them. */
    static List<JsonNode> events(final EmbeddedStore store) throws IOException, InterruptedException {
        assertTrue(store.flush(30, TimeUnit.SECONDS), "flush");
        final long now = System.currentTimeMillis();
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        store.export(new ExportRequest(now - 3_600_000L, now + 60_000L).format(ExportFormat.NDJSON), out);
        final List<JsonNode> rows = new ArrayList<>();
        for (final String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            final JsonNode row = JSON.readTree(line);
            if (!row.has("export")) {
                rows.add(row);
            }
        }
        return rows;
    }
}
