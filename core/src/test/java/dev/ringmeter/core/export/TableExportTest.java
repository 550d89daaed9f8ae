package dev.ringmeter.core.export;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ringmeter.Event;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.core.query.EventFilter;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.ringmeter.core.export.ExportFixture.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tables of a real store: runs, per step, per tool, per error type and a series, with counts and values
 * checked against what was recorded, in JSON and CSV.
 */
@Timeout(120)
class TableExportTest {
    private static final int EVENTS = 600;
    private static final long END = T0 + EVENTS * 1_000L;

    @TempDir
    Path dir;

    private final CachedEpochClock clock = new CachedEpochClock();

    private EmbeddedStore open() throws Exception {
        clock.update(END);
        final EmbeddedStore store = EmbeddedStore.open(new StoreConfig().dataDirectory(dir).clock(clock)
            .shutdownHook(false).fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK).journalBlockBytes(1 << 20));
        store.runs().create("run-1", "hot", Map.of("temperature", 0.7), null, -1);
        final Event e = new Event();
        for (int i = 0; i < EVENTS; i++) {
            assertTrue(store.record(ExportFixture.event(i, e)));
        }
        assertTrue(store.flush(30, TimeUnit.SECONDS));
        return store;
    }

    private static List<JsonNode> json(final EmbeddedStore store, final TableExport.Table table,
                                       final ExportRequest request, final long stepMs) throws Exception {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        TableExport.write(store, table, request.format(ExportFormat.JSON), stepMs, out);
        final JsonNode array = EventExportTest.JSON.readTree(out.toByteArray());
        final List<JsonNode> rows = new java.util.ArrayList<>();
        array.forEach(rows::add);
        assertEquals(rows.size() - 1, rows.get(rows.size() - 1).at("/export/rows").asInt(), "the trailer's count");
        return rows.subList(0, rows.size() - 1);
    }

    @Test
    void shouldTabulateStepsToolsErrorsRunsAndSeries() throws Exception {
        try (EmbeddedStore store = open()) {
            final Map<String, Integer> steps = new HashMap<>();
            final Map<String, Integer> errors = new HashMap<>();
            int search = 0;
            for (int i = 0; i < EVENTS; i++) {
                final Map<String, Object> r = ExportFixture.row(i);
                steps.merge(r.get("pipeline") + "/" + r.get("step"), 1, Integer::sum);
                if (r.get("errorType") != null) {
                    errors.merge((String)r.get("errorType"), 1, Integer::sum);
                }
                search += "search".equals(r.get("tool")) ? 1 : 0;
            }
            final Map<String, Integer> gotSteps = new HashMap<>();
            for (final JsonNode row : json(store, TableExport.Table.STEPS, new ExportRequest(T0, END), 0)) {
                gotSteps.put((row.get("pipeline").isNull() ? "null" : row.get("pipeline").asText()) + "/"
                    + row.get("step").asText(), row.get("count").asInt());
                assertEquals(TableExport.columns(TableExport.Table.STEPS),
                    List.copyOf(row.properties().stream().map(Map.Entry::getKey).toList()));
            }
            assertEquals(steps, gotSteps);

            final List<JsonNode> errorRows = json(store, TableExport.Table.ERRORS, new ExportRequest(T0, END), 0);
            assertEquals(1, errorRows.size());
            assertEquals("rate_limit", errorRows.get(0).get("errorType").asText());
            assertEquals(errors.get("rate_limit"), errorRows.get(0).get("count").asInt());
            assertEquals(1.0, errorRows.get(0).get("errorRate").asDouble());

            final List<JsonNode> tools = json(store, TableExport.Table.TOOLS, new ExportRequest(T0, END)
                .filter(new EventFilter().where(Dimension.TOOL, "search")), 0);
            assertEquals(1, tools.size());
            assertEquals(search, tools.get(0).get("count").asInt());

            final List<JsonNode> runs = json(store, TableExport.Table.RUNS, new ExportRequest(T0, END + 1), 0);
            assertEquals(1, runs.size());
            assertEquals("run-1", runs.get(0).get("id").asText());
            assertEquals(0.7, runs.get(0).at("/parameters/temperature").asDouble());
            assertEquals(EVENTS / 7 + 1, runs.get(0).get("events").asInt(), "i % 7 == 1 for i < 600");

            final List<JsonNode> series = json(store, TableExport.Table.SERIES, new ExportRequest(T0, END), 60_000);
            assertEquals(10, series.size());
            long count = 0;
            for (final JsonNode step : series) {
                count += step.get("count").asLong();
            }
            assertEquals(EVENTS, count);

            final ByteArrayOutputStream csv = new ByteArrayOutputStream();
            TableExport.write(store, TableExport.Table.RUNS, new ExportRequest(T0, END + 1).format(ExportFormat.CSV),
                0, csv);
            final String[] lines = csv.toString(StandardCharsets.UTF_8).split("\n");
            assertEquals(String.join(",", TableExport.RUN_COLUMNS), lines[0]);
            assertTrue(lines[1].startsWith("run-1,hot,"), lines[1]);
            assertTrue(lines[1].endsWith(",\"{\"\"temperature\"\":0.7}\""), lines[1]);
            assertTrue(lines[2].startsWith("# {\"export\":{\"rows\":1,"), lines[2]);
        }
    }
}
