package dev.ringmeter.core.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.ringmeter.Event;
import dev.ringmeter.Status;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.core.query.EventFilter;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.zip.GZIPInputStream;

import static dev.ringmeter.core.export.ExportFixture.T0;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Exports from a real store in a temporary directory, read back with real CSV and JSON parsers and checked row by
 * row, every column, against what was recorded; gzip; filters; the trailer.
 */
@Timeout(120)
class EventExportTest {
    static final int EVENTS = 600;
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final CachedEpochClock clock = new CachedEpochClock();

    private EmbeddedStore open() throws InterruptedException {
        clock.update(T0 + EVENTS * 1_000L);
        final EmbeddedStore store = EmbeddedStore.open(new StoreConfig().dataDirectory(dir).clock(clock)
            .shutdownHook(false).fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK).journalBlockBytes(1 << 20));
        final Event e = new Event();
        for (int i = 0; i < EVENTS; i++) {
            assertTrue(store.record(ExportFixture.event(i, e)));
        }
        assertTrue(store.flush(30, TimeUnit.SECONDS));
        return store;
    }

    static byte[] export(final EmbeddedStore store, final ExportRequest request) throws IOException {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        store.export(request, out);
        return out.toByteArray();
    }

    /** The expected rows as JSON trees, normalised through the same parser as what is read. */
    static List<JsonNode> expected(final IntStream indexes) throws IOException {
        final List<JsonNode> rows = new ArrayList<>();
        for (final int i : indexes.toArray()) {
            rows.add(JSON.readTree(JSON.writeValueAsString(ExportFixture.row(i))));
        }
        return rows;
    }

    /** Reads NDJSON: the rows, then the trailer as the last line. */
    static List<JsonNode> ndjson(final byte[] bytes) throws IOException {
        final List<JsonNode> lines = new ArrayList<>();
        for (final String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
            lines.add(JSON.readTree(line));
        }
        return lines;
    }

    @Test
    void shouldStateTheEventsASampledExportStandsFor() throws Exception {
        clock.update(T0 + 10_000);
        try (EmbeddedStore store = EmbeddedStore.open(new StoreConfig().dataDirectory(dir).clock(clock)
            .shutdownHook(false).fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK).journalBlockBytes(1 << 20)
            .sampling(dev.ringmeter.core.privacy.Sampling.parse("10")))) {
            final Event e = new Event();
            for (int i = 0; i < 1_000; i++) {
                assertTrue(store.record(e.reset().model("m").latencyMs(5).timestampMs(T0 + i)));
            }
            assertTrue(store.flush(30, TimeUnit.SECONDS));
            final List<JsonNode> nd = new ArrayList<>();
            for (final String line : new String(export(store, new ExportRequest(T0, T0 + 10_000)),
                StandardCharsets.UTF_8).split("\n")) {
                nd.add(JSON.readTree(line));
            }
            final JsonNode trailer = nd.get(nd.size() - 1).get("export");
            assertEquals(100, trailer.get("rows").asLong(), "1 in 10 journaled");
            assertEquals(1_000, trailer.get("events").asLong(), "each kept row stands for 10");
            assertEquals(0.1, trailer.get("sampling").asDouble(), 1e-12);
            final String training = new String(exportTraining(store), StandardCharsets.UTF_8);
            assertTrue(training.lines().filter(l -> l.contains("\"schemaVersion\"")).allMatch(
                l -> l.contains("\"weight\":10")), "training rows carry their weight");
        }
    }

    private static byte[] exportTraining(final EmbeddedStore store) throws IOException {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        store.exportTraining(new TrainingRequest(new ExportRequest(T0, T0 + 10_000)), out);
        return out.toByteArray();
    }

    @Test
    void shouldExportEveryColumnOfEveryEventAsNdjsonJsonAndCsv() throws Exception {
        try (EmbeddedStore store = open()) {
            final List<JsonNode> expected = expected(IntStream.range(0, EVENTS));
            final ExportRequest request = new ExportRequest(T0, T0 + EVENTS * 1_000L);

            final List<JsonNode> nd = ndjson(export(store, request.format(ExportFormat.NDJSON)));
            assertEquals(EVENTS + 1, nd.size());
            for (int i = 0; i < EVENTS; i++) {
                assertEquals(expected.get(i), nd.get(i), "NDJSON row " + i);
            }
            final JsonNode trailer = nd.get(EVENTS).get("export");
            assertEquals(EVENTS, trailer.get("rows").asLong());
            assertTrue(trailer.get("complete").asBoolean());
            assertEquals(T0, trailer.get("from").asLong());
            assertEquals(T0 + EVENTS * 1_000L, trailer.get("to").asLong());
            assertEquals(EVENTS, trailer.get("events").asLong(), "nothing sampled: each row stands for itself");
            assertEquals(1.0, trailer.get("sampling").asDouble());
            assertTrue(Long.parseLong(trailer.get("cursor").asText()) > 0);

            final JsonNode array = JSON.readTree(export(store, request.format(ExportFormat.JSON)));
            assertEquals(EVENTS + 1, array.size());
            for (int i = 0; i < EVENTS; i++) {
                assertEquals(expected.get(i), array.get(i), "JSON row " + i);
            }
            assertEquals(trailer, array.get(EVENTS).get("export"));

            final String csv = new String(export(store, request.format(ExportFormat.CSV)), StandardCharsets.UTF_8);
            final String[] lines = csv.split("\n");
            assertEquals(String.join(",", ExportColumns.NAMES), lines[0], "the documented header");
            final String last = lines[lines.length - 1];
            assertTrue(last.startsWith("# "), last);
            assertEquals(trailer, JSON.readTree(last.substring(2)).get("export"));
            final String body = String.join("\n", Arrays.copyOf(lines, lines.length - 1));
            final List<Map<String, String>> rows = new ArrayList<>();
            try (MappingIterator<Map<String, String>> it = new CsvMapper().readerForMapOf(String.class)
                .with(CsvSchema.emptySchema().withHeader()).readValues(body)) {
                it.forEachRemaining(rows::add);
            }
            assertEquals(EVENTS, rows.size());
            for (int i = 0; i < EVENTS; i++) {
                final JsonNode want = expected.get(i);
                final Map<String, String> got = rows.get(i);
                assertEquals(ExportColumns.NAMES, List.copyOf(got.keySet()));
                for (final String column : ExportColumns.NAMES) {
                    final JsonNode v = want.get(column);
                    final String cell = v.isNull() ? "" : v.isContainerNode() ? JSON.writeValueAsString(v) : v.asText();
                    assertEquals(cell, got.get(column), "CSV row " + i + " column " + column);
                }
            }
        }
    }

    @Test
    void shouldGzipWhatItWrites() throws Exception {
        try (EmbeddedStore store = open()) {
            for (final ExportFormat format : ExportFormat.values()) {
                final ExportRequest plain = new ExportRequest(T0, T0 + EVENTS * 1_000L).format(format);
                final byte[] zipped = export(store, new ExportRequest(T0, T0 + EVENTS * 1_000L).format(format)
                    .gzip(true));
                try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(zipped))) {
                    assertArrayEquals(export(store, plain), in.readAllBytes(), format.name());
                }
            }
        }
    }

    @Test
    void shouldKeepOnlyTheEventsOfTheFilterAndTheRange() throws Exception {
        try (EmbeddedStore store = open()) {
            final EventFilter filter = new EventFilter().where(Dimension.MODEL, "acme-m1")
                .where(Dimension.STEP, "generate").whereTag("env", "dev");
            final List<JsonNode> got = ndjson(export(store, new ExportRequest(T0 + 100_000, T0 + 400_000)
                .filter(filter)));
            final List<JsonNode> want = expected(IntStream.range(100, 400).filter(i -> i % 3 == 1 && i % 4 != 0));
            assertEquals(want.size() + 1, got.size());
            assertEquals(want, got.subList(0, want.size()));
            assertEquals(want.size(), got.get(want.size()).get("export").get("rows").asInt());

            final List<JsonNode> errors = ndjson(export(store, new ExportRequest(T0, T0 + EVENTS * 1_000L)
                .filter(new EventFilter().whereStatus(Status.ERROR).where(Dimension.ERROR_TYPE, "rate_limit"))));
            assertEquals(expected(IntStream.range(0, EVENTS).filter(i -> i % 10 == 3)),
                errors.subList(0, errors.size() - 1));
        }
    }
}
