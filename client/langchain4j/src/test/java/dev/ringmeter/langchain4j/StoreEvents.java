package dev.ringmeter.langchain4j;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.export.ExportRequest;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Reads back what an embedded store journaled, through its NDJSON export. Threading: one test thread. */
final class StoreEvents {
    private static final ObjectMapper JSON = new ObjectMapper();

    private StoreEvents() {
    }

    /** @return the events the store journaled, in order, once everything recorded is acknowledged. */
    static List<JsonNode> of(final EmbeddedStore store) throws Exception {
        if (!store.flush(10, TimeUnit.SECONDS)) {
            throw new AssertionError("the store did not acknowledge within 10 s");
        }
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        store.export(new ExportRequest(0, System.currentTimeMillis() + 60_000), out);
        final List<JsonNode> rows = new ArrayList<>();
        for (final String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
            final JsonNode row = JSON.readTree(line);
            if (row.has("operation")) {
                rows.add(row);
            }
        }
        return rows;
    }
}
