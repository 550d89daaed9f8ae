package dev.ringmeter.core.export;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ringmeter.Event;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.ringmeter.core.export.ExportFixture.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Training data from a real store: every row in the versioned schema, checked field by field against what was
 * recorded and the run's parameters; batches with cursors, one of which resumes with exactly the rows after it;
 * the same request gives the same bytes; splits by run keep a run whole and by time put the range's end in test.
 */
@Timeout(120)
class TrainingExportTest {
    private static final int EVENTS = 600;
    private static final long END = T0 + EVENTS * 1_000L;

    @TempDir
    Path dir;

    private final CachedEpochClock clock = new CachedEpochClock();

    private EmbeddedStore open() throws Exception {
        clock.update(END);
        final EmbeddedStore store = EmbeddedStore.open(new StoreConfig().dataDirectory(dir).clock(clock)
            .shutdownHook(false).fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK).journalBlockBytes(1 << 20));
        store.runs().create("run-1", "hot", Map.of("temperature", 0.7, "topK", 5), null, -1);
        store.runs().create("run-2", "cold", Map.of("temperature", 0.0, "prompt", "v2"), null, -1);
        final Event e = new Event();
        for (int i = 0; i < EVENTS; i++) {
            assertTrue(store.record(ExportFixture.event(i, e)));
            if (i % 50 == 49) {
                assertTrue(store.flush(10, TimeUnit.SECONDS));   // documents end here at the latest
            }
        }
        assertTrue(store.flush(30, TimeUnit.SECONDS));
        return store;
    }

    private static List<JsonNode> lines(final EmbeddedStore store, final TrainingRequest request) throws Exception {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        store.exportTraining(request, out);
        return EventExportTest.ndjson(out.toByteArray());
    }

    @Test
    void shouldWriteEveryEventInTheSchemaInBatchesThatResume() throws Exception {
        try (EmbeddedStore store = open()) {
            final List<JsonNode> lines = lines(store, new TrainingRequest(new ExportRequest(T0, END)).batchSize(100));
            final List<JsonNode> rows = new ArrayList<>();
            final List<JsonNode> batches = new ArrayList<>();
            for (final JsonNode line : lines.subList(0, lines.size() - 1)) {
                (line.has("batch") ? batches : rows).add(line);
            }
            assertEquals(EVENTS, rows.size());
            for (int i = 0; i < EVENTS; i++) {
                final JsonNode r = rows.get(i);
                final Map<String, Object> want = ExportFixture.row(i);
                assertEquals(1, r.get("schemaVersion").asInt());
                assertEquals("train", r.get("split").asText());
                final JsonNode c = r.get("context");
                for (final String f : List.of("timestamp", "run", "task", "pipeline", "step", "config", "agent",
                    "tool", "tags")) {
                    assertEquals(EventExportTest.JSON.valueToTree(want.get(f)), c.get(f), "row " + i + " context " + f);
                }
                final JsonNode a = r.get("action");
                for (final String f : List.of("model", "provider", "operation")) {
                    assertEquals(EventExportTest.JSON.valueToTree(want.get(f)), a.get(f), "row " + i + " action " + f);
                }
                final String run = "run-" + i % 7;
                final JsonNode p = a.get("parameters");
                if (run.equals("run-1")) {
                    assertEquals(0.7, p.get("temperature").asDouble());
                    assertEquals(5, p.get("topK").asInt());
                } else if (run.equals("run-2")) {
                    assertEquals("v2", p.get("prompt").asText());
                } else {
                    assertTrue(p.isNull(), "no such run: " + p);
                }
                final JsonNode o = r.get("outcome");
                for (final String f : List.of("status", "errorType", "latencyMs", "ttftMs", "promptTokens",
                    "completionTokens", "cachedTokens", "reasoningTokens", "costUsd", "retries", "cacheHit")) {
                    assertEquals(EventExportTest.JSON.readTree(EventExportTest.JSON.writeValueAsString(want.get(f))),
                        o.get(f), "row " + i + " outcome " + f);
                }
                assertEquals(i % 10 != 3 && i % 10 != 7, r.at("/reward/success").asBoolean());
                final String quality = EventExportTest.JSON.writeValueAsString(want.get("quality"));
                assertEquals(EventExportTest.JSON.readTree(quality), r.at("/reward/quality"), "row " + i + " quality");
            }

            long total = 0;
            for (int b = 0; b < batches.size(); b++) {
                final JsonNode batch = batches.get(b).get("batch");
                assertEquals(b, batch.get("index").asInt());
                total += batch.get("rows").asLong();
                if (b < batches.size() - 1) {
                    assertTrue(batch.get("rows").asInt() >= 100, batch.toString());
                }
            }
            assertEquals(EVENTS, total);
            assertTrue(batches.size() >= 3 && batches.size() <= 6, batches.toString());

            // resume after the second batch: exactly the rows after it
            final JsonNode second = batches.get(1).get("batch");
            final long before = batches.get(0).at("/batch/rows").asLong() + second.get("rows").asLong();
            final List<JsonNode> resumed = lines(store, new TrainingRequest(new ExportRequest(T0, END)
                .cursor(Long.parseLong(second.get("cursor").asText()))).batchSize(100));
            final List<JsonNode> resumedRows = new ArrayList<>();
            resumed.stream().filter(l -> l.has("schemaVersion")).forEach(resumedRows::add);
            assertEquals(rows.subList((int)before, EVENTS), resumedRows);

            final ByteArrayOutputStream once = new ByteArrayOutputStream();
            final ByteArrayOutputStream again = new ByteArrayOutputStream();
            store.exportTraining(new TrainingRequest(new ExportRequest(T0, END)).batchSize(100), once);
            store.exportTraining(new TrainingRequest(new ExportRequest(T0, END)).batchSize(100), again);
            assertEquals(once.toString(), again.toString(), "deterministic: journal order");
        }
    }

    @Test
    void shouldSplitByRunKeepingEachRunWholeAndByTimeAtTheRangesEnd() throws Exception {
        try (EmbeddedStore store = open()) {
            final Map<String, String> splitOfRun = new HashMap<>();
            int test = 0;
            for (final JsonNode r : lines(store, new TrainingRequest(new ExportRequest(T0, END))
                .split(TrainingRequest.Split.RUN, 0.5))) {
                if (r.has("schemaVersion")) {
                    final String run = r.at("/context/run").asText();
                    final String split = r.get("split").asText();
                    assertEquals(splitOfRun.computeIfAbsent(run, k -> split), split, "run " + run + " in one split");
                    test += split.equals("test") ? 1 : 0;
                }
            }
            assertEquals(7, splitOfRun.size());
            assertTrue(splitOfRun.containsValue("test") && splitOfRun.containsValue("train"), splitOfRun.toString());
            assertNotEquals(0, test);

            for (final JsonNode r : lines(store, new TrainingRequest(new ExportRequest(T0, END))
                .split(TrainingRequest.Split.TIME, 0.25))) {
                if (r.has("schemaVersion")) {
                    final long t = r.at("/context/timestamp").asLong();
                    assertEquals(t >= END - 150_000 ? "test" : "train", r.get("split").asText(), "at " + t);
                }
            }
        }
    }
}
