package dev.ringmeter.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GET /api/v1/export on a real server on a free port: events posted over HTTP come back row by row, every column,
 * as NDJSON, a JSON array and CSV, gzipped on request or by Accept-Encoding, filtered, with a trailer whose cursor
 * gives later only what was journaled since; bad parameters are refused with 400 naming them.
 */
@Timeout(120)
class ExportApiTest {
    private static final List<String> COLUMNS = List.of("timestamp", "model", "provider", "operation", "pipeline",
        "step", "tool", "agent", "run", "task", "config", "status", "errorType", "retries", "cacheHit", "latencyMs",
        "ttftMs", "queueWaitMs", "promptTokens", "completionTokens", "cachedTokens", "cacheWriteTokens",
        "reasoningTokens", "costUsd", "memoryBytes", "cpuMs", "quality", "tags");
    private static final int EVENTS = 300;

    @TempDir
    Path data;

    /** Row i as the export must give it: every column, null where the event has no value. */
    private static ObjectNode row(final long t0, final int i) {
        final ObjectNode r = TestServer.MAPPER.createObjectNode();
        final boolean even = i % 2 == 0;
        r.put("timestamp", t0 + i * 100L);
        r.put("model", "acme-x" + i % 2);
        r.put("provider", even ? "acme" : null);
        r.put("operation", "chat");
        r.put("pipeline", i % 5 == 0 ? null : "rag");
        r.put("step", i % 3 == 0 ? "retrieve" : "generate");
        r.put("tool", i % 3 == 0 ? "search" : null);
        r.put("agent", i % 4 == 1 ? "planner" : null);
        r.put("run", "run-" + i % 4);
        r.put("task", "task-" + i);
        r.put("config", "prompt-v" + i % 2);
        r.put("status", i % 10 == 3 ? "error" : "ok");
        r.put("errorType", i % 10 == 3 ? "rate_limit" : null);
        r.put("retries", i % 3);
        if (i % 3 == 0) {
            r.putNull("cacheHit");
        } else {
            r.put("cacheHit", i % 3 == 1);
        }
        r.put("latencyMs", 100 + i * 0.5);
        r.put("ttftMs", even ? 20.25 + i : null);
        r.put("queueWaitMs", even ? 1.5 : null);
        r.put("promptTokens", even ? 100L + i : null);
        r.put("completionTokens", even ? 50L : null);
        r.put("cachedTokens", even ? 10L : null);
        r.put("cacheWriteTokens", even ? 5L : null);
        r.put("reasoningTokens", even ? 7L : null);
        r.put("costUsd", i % 4 != 0 ? i * 0.001 : null);
        r.put("memoryBytes", even ? 4_096L + i : null);
        r.put("cpuMs", even ? 3.0 : null);
        final ObjectNode quality = r.putObject("quality");
        if (!even) {
            quality.put("accuracy", (i % 10) / 10.0);
        }
        r.putObject("tags").put("region", i % 4 == 0 ? "eu" : "us").put("note", i % 6 == 0 ? "a,\"b\"" : "plain");
        return r;
    }

    /** The row as posted: without its nulls and empty objects. */
    private static String posted(final ObjectNode row) {
        final ObjectNode body = row.deepCopy();
        final List<String> empty = new ArrayList<>();
        for (final Map.Entry<String, JsonNode> field : body.properties()) {
            final JsonNode v = field.getValue();
            if (v.isNull() || v.isObject() && v.isEmpty()) {
                empty.add(field.getKey());
            }
        }
        body.remove(empty);
        return body.toString();
    }

    private static List<JsonNode> lines(final String ndjson) throws Exception {
        final List<JsonNode> out = new ArrayList<>();
        for (final String line : ndjson.split("\n")) {
            out.add(TestServer.MAPPER.readTree(line));
        }
        return out;
    }

    private static TestServer.Reply exportUntil(final TestServer server, final String query, final int rows) {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            final TestServer.Reply r = server.get("/api/v1/export?" + query);
            assertEquals(200, r.status(), r.body());
            final String[] lines = r.body().split("\n");
            final JsonNode trailer;
            try {
                trailer = TestServer.MAPPER.readTree(lines[lines.length - 1]).get("export");
            } catch (final Exception e) {
                throw new AssertionError(e);
            }
            if (trailer.get("rows").asInt() >= rows || System.nanoTime() > deadline) {
                return r;
            }
            Thread.onSpinWait();
        }
    }

    @Test
    void shouldStreamEveryColumnOfEveryEventInEachFormat() throws Exception {
        final long t0 = System.currentTimeMillis() - 120_000;
        final List<JsonNode> expected = new ArrayList<>();
        final StringBuilder ndjson = new StringBuilder();
        for (int i = 0; i < EVENTS; i++) {
            expected.add(TestServer.MAPPER.readTree(row(t0, i).toString()));   // parsed as the replies are
            ndjson.append(posted(row(t0, i))).append('\n');
        }
        try (TestServer server = TestServer.start(data)) {
            assertEquals(202, server.post("/api/v1/events", TestServer.NDJSON, ndjson.toString()).status());
            final String range = "from=" + t0 + "&to=" + (t0 + EVENTS * 100L);

            final TestServer.Reply nd = exportUntil(server, range, EVENTS);
            assertTrue(nd.raw().headers().firstValue("Content-Type").orElseThrow().startsWith("application/x-ndjson"));
            assertEquals("chunked", nd.raw().headers().firstValue("Transfer-Encoding").orElse(""),
                "streamed, not buffered");
            final List<JsonNode> rows = lines(nd.body());
            assertRows(expected, rows.subList(0, EVENTS));
            final JsonNode trailer = rows.get(EVENTS).get("export");
            assertEquals(EVENTS, trailer.get("rows").asInt());
            assertTrue(trailer.get("complete").asBoolean());
            assertEquals(t0, trailer.get("from").asLong());

            final JsonNode array = server.get("/api/v1/export?format=json&" + range).json();
            assertRows(expected, toList(array).subList(0, EVENTS));
            assertEquals(trailer, array.get(EVENTS).get("export"));

            final String csv = server.get("/api/v1/export?format=csv&" + range).body();
            final String[] csvLines = csv.split("\n");
            assertEquals(String.join(",", COLUMNS), csvLines[0]);
            assertEquals(trailer, TestServer.MAPPER.readTree(csvLines[csvLines.length - 1].substring(2))
                .get("export"));
            final List<Map<String, String>> cells = new ArrayList<>();
            try (MappingIterator<Map<String, String>> it = new CsvMapper().readerForMapOf(String.class)
                .with(CsvSchema.emptySchema().withHeader())
                .readValues(String.join("\n", Arrays.copyOf(csvLines, csvLines.length - 1)))) {
                it.forEachRemaining(cells::add);
            }
            assertEquals(EVENTS, cells.size());
            for (int i = 0; i < EVENTS; i++) {
                for (final String column : COLUMNS) {
                    final JsonNode v = expected.get(i).get(column);
                    assertEquals(v.isNull() ? "" : v.isObject() ? v.toString() : v.asText(), cells.get(i).get(column),
                        "CSV row " + i + " column " + column);
                }
            }

            final HttpResponse<byte[]> file = server.client.send(server.request("/api/v1/export?gzip=true&" + range)
                .GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            assertTrue(file.headers().firstValue("Content-Type").orElseThrow().startsWith("application/gzip"));
            assertArrayEquals(nd.body().getBytes(StandardCharsets.UTF_8), gunzip(file.body()));
            final HttpResponse<byte[]> encoded = server.client.send(server.request("/api/v1/export?" + range)
                .header("Accept-Encoding", "gzip").GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals("gzip", encoded.headers().firstValue("Content-Encoding").orElseThrow());
            assertArrayEquals(nd.body().getBytes(StandardCharsets.UTF_8), gunzip(encoded.body()));

            final List<JsonNode> eu = lines(server.get("/api/v1/export?model=acme-x0&tag=region:eu&status=ok&"
                + range).body());
            final List<JsonNode> euExpected = new ArrayList<>();
            for (int i = 0; i < EVENTS; i++) {
                if (i % 4 == 0 && i % 10 != 3) {
                    euExpected.add(expected.get(i));
                }
            }
            assertEquals(euExpected, eu.subList(0, eu.size() - 1));
            assertEquals(euExpected.size(), eu.get(eu.size() - 1).get("export").get("rows").asInt());

            // the cursor of a complete export gives later only what was journaled since
            final String cursor = trailer.get("cursor").asText();
            final String later = posted(row(t0, EVENTS - 1).put("task", "late"));
            assertEquals(202, server.post("/api/v1/events", TestServer.NDJSON, later).status());
            final List<JsonNode> since = lines(exportUntil(server, range + "&cursor=" + cursor, 1).body());
            assertEquals(2, since.size(), since.toString());
            assertEquals("late", since.get(0).get("task").asText());
        }
    }

    @Test
    void shouldStreamTrainingDataInBatches() throws Exception {
        final long t0 = System.currentTimeMillis() - 120_000;
        final StringBuilder ndjson = new StringBuilder();
        for (int i = 0; i < EVENTS; i++) {
            ndjson.append(posted(row(t0, i))).append('\n');
        }
        try (TestServer server = TestServer.start(data)) {
            assertEquals(201, server.post("/api/v1/runs", TestServer.JSON,
                "{\"id\":\"run-1\",\"name\":\"hot\",\"parameters\":{\"temperature\":0.7}}").status());
            assertEquals(202, server.post("/api/v1/events", TestServer.NDJSON, ndjson.toString()).status());
            final String range = "from=" + t0 + "&to=" + (t0 + EVENTS * 100L);
            exportUntil(server, range, EVENTS);
            final TestServer.Reply reply = server.get("/api/v1/export/training?batchSize=100&split=run&" + range);
            assertEquals(200, reply.status(), reply.body());
            final List<JsonNode> lines = lines(reply.body());
            long rows = 0;
            long batched = 0;
            for (final JsonNode line : lines.subList(0, lines.size() - 1)) {
                if (line.has("batch")) {
                    batched += line.at("/batch/rows").asLong();
                    continue;
                }
                assertEquals(1, line.get("schemaVersion").asInt());
                assertEquals(expectedTask(rows), line.at("/context/task").asText(), "journal order");
                if (line.at("/context/run").asText().equals("run-1")) {
                    assertEquals(0.7, line.at("/action/parameters/temperature").asDouble(), line.toString());
                }
                rows++;
            }
            assertEquals(EVENTS, rows);
            assertEquals(EVENTS, batched);
            assertEquals(EVENTS, lines.get(lines.size() - 1).at("/export/rows").asInt());

            final JsonNode tools = server.get("/api/v1/export/table?table=tools&format=json&" + range).json();
            assertEquals(2, tools.size(), "the tool, then the trailer: " + tools);
            assertEquals("search", tools.at("/0/tool").asText());
            assertEquals(EVENTS / 3, tools.at("/0/count").asInt());
            assertEquals(1, tools.at("/1/export/rows").asInt());
            final String runs = server.get("/api/v1/export/table?table=runs&format=csv&window=1h").body();
            assertTrue(runs.split("\n")[1].startsWith("run-1,hot,"), runs);
        }
    }

    private static String expectedTask(final long i) {
        return "task-" + i;
    }

    @Test
    void shouldRefuseBadParametersNamingThem() {
        try (TestServer server = TestServer.start(data)) {
            for (final String[] bad : new String[][] {{"format=xml", "format"}, {"gzip=yes", "gzip"},
                {"cursor=abc", "cursor"}, {"cursor=-5", "cursor"}, {"from=yesterday", "from"},
                {"from=2000&to=1000", "to"}, {"status=fine", "status"}, {"tag=region", "tag"},
                {"colour=red", "colour"}}) {
                final TestServer.Reply r = server.get("/api/v1/export?" + bad[0]);
                assertEquals(400, r.status(), bad[0] + ": " + r.body());
                assertEquals(bad[1], r.json().at("/field").asText(), bad[0] + ": " + r.body());
                assertFalse(r.body().isEmpty());
            }
            for (final String[] bad : new String[][] {{"table=users", "table"}, {"format=xml&table=runs", "format"},
                {"table=series&interval=7s", "interval"}, {"table=steps&gzip=1", "gzip"}}) {
                final TestServer.Reply r = server.get("/api/v1/export/table?" + bad[0]);
                assertEquals(400, r.status(), bad[0] + ": " + r.body());
                assertEquals(bad[1], r.json().at("/field").asText(), bad[0] + ": " + r.body());
            }
            for (final String[] bad : new String[][] {{"batchSize=0", "batchSize"}, {"split=half", "split"},
                {"testShare=2", "testShare"}, {"format=csv", "format"}, {"cursor=x", "cursor"}}) {
                final TestServer.Reply r = server.get("/api/v1/export/training?" + bad[0]);
                assertEquals(400, r.status(), bad[0] + ": " + r.body());
                assertEquals(bad[1], r.json().at("/field").asText(), bad[0] + ": " + r.body());
            }
        }
    }

    /** Row by row, column by column, so a difference names its row and column. */
    private static void assertRows(final List<JsonNode> expected, final List<JsonNode> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(COLUMNS, List.copyOf(actual.get(i).properties().stream().map(Map.Entry::getKey).toList()));
            for (final String column : COLUMNS) {
                assertEquals(expected.get(i).get(column), actual.get(i).get(column), "row " + i + " column " + column);
            }
        }
    }

    private static List<JsonNode> toList(final JsonNode array) {
        final List<JsonNode> out = new ArrayList<>();
        array.forEach(out::add);
        return out;
    }

    private static byte[] gunzip(final byte[] bytes) throws Exception {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
            return in.readAllBytes();
        }
    }
}
