package dev.ringmeter.server.ingest;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.ringmeter.core.ingest.EventRules;
import dev.ringmeter.server.http.ApiException;
import dev.ringmeter.server.http.Json;
import dev.ringmeter.wire.FieldNames;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A file of events to import, read row by row as the ingest API's JSON objects, each checked by the same readers as
 * an HTTP batch ({@link BatchReader} with the store's {@link EventReader}), so a row the file holds is refused for
 * exactly what a request holding it would be refused for.
 * <ul>
 * <li>NDJSON: one event object per line; blank lines are skipped. A row is its line, sent as it is.</li>
 * <li>CSV (RFC 4180, a header row naming the fields): each record becomes one event object. A column is a field of
 * an event ({@code model}, {@code latencyMs} ...), or {@code tags.KEY} / {@code quality.NAME} for a member of those
 * objects; an empty cell leaves the field absent. The text fields (the dimensions, {@code status},
 * {@code errorType}, tags and {@code timestamp} unless it is a whole number) are strings; any other cell is a JSON
 * number or {@code true}/{@code false} when it reads as one, and otherwise a string, which the reader then refuses
 * naming the field. The line of a record is the line it starts on, the header being line 1.</li>
 * </ul>
 * <p>
 * Threading: one reader per thread. Memory: one row at a time (a CSV record and its JSON text).
 */
public final class EventFile {
    /** The file formats read. */
    public enum Format {
        NDJSON, CSV;

        /**
         * @param file a file name.
         * @return CSV for a name ending in {@code .csv}, NDJSON otherwise.
         */
        public static Format of(final Path file) {
            return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv") ? CSV : NDJSON;
        }
    }

    /** Receives each row of a file. */
    public interface RowHandler {
        /**
         * @param line    where the row starts, from 1.
         * @param json    the row as one event object of the ingest API.
         * @throws IOException to stop the read.
         */
        void row(long line, String json) throws IOException;
    }

    /** The fields whose CSV cells are strings, even when they read as a number. */
    private static final Set<String> TEXT_FIELDS = Set.of(FieldNames.MODEL, FieldNames.OPERATION, FieldNames.STATUS,
        FieldNames.ERROR_TYPE, FieldNames.PIPELINE, FieldNames.STEP, FieldNames.RUN, FieldNames.TASK,
        FieldNames.CONFIG, FieldNames.PROVIDER, FieldNames.TOOL, FieldNames.AGENT);
    private static final String TAGS_PREFIX = FieldNames.TAGS + '.';
    private static final String QUALITY_PREFIX = FieldNames.QUALITY + '.';
    private static final CsvMapper CSV = new CsvMapper();
    /** Where the JSON parser of one row says a syntax error is: always on the row's only line. */
    private static final Pattern ROW_LINE = Pattern.compile("\\(line 1, column ([0-9]+)\\)$");

    private final EventReader events;
    private final IngestBatch batch = new IngestBatch();

    /** @param rules of the store the rows are for. */
    public EventFile(final EventRules rules) {
        this.events = new EventReader(rules);
    }

    /**
     * @param json one event object of the ingest API.
     * @return what is wrong with it, as a request holding it would be told (naming the field), or null if nothing.
     */
    public String problem(final String json) {
        try {
            BatchReader.read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), true, 1, batch,
                events);
            return null;
        } catch (final ApiException e) {
            return ROW_LINE.matcher(e.getMessage()).replaceFirst("(column $1)");   // names the field; the row's line
                                                                                   // is the caller's to tell
        } catch (final IOException e) {
            return e.getMessage();
        }
    }

    /**
     * Reads every row of a file, in order.
     *
     * @param file    to read.
     * @param format  its format.
     * @param handler receives each row.
     * @throws IOException if the file cannot be read, or a CSV file is malformed (saying where).
     */
    public static void read(final Path file, final Format format, final RowHandler handler) throws IOException {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            if (format == Format.CSV) {
                csv(in, handler);
            } else {
                long line = 0;
                String text;
                while ((text = in.readLine()) != null) {
                    line++;
                    if (!text.isBlank()) {
                        handler.row(line, text);
                    }
                }
            }
        }
    }

    private static void csv(final Reader in, final RowHandler handler) throws IOException {
        final CsvSchema schema = CsvSchema.emptySchema().withHeader();
        try (MappingIterator<List<String>> rows = CSV.readerForListOf(String.class)
            .with(CsvParser.Feature.WRAP_AS_ARRAY).with(schema.withoutHeader()).readValues(in)) {
            if (!rows.hasNextValue()) {
                return;
            }
            final List<String> header = rows.nextValue();
            while (rows.hasNextValue()) {
                final long line = rows.getCurrentLocation().getLineNr();
                final List<String> cells = rows.nextValue();
                handler.row(line, json(header, cells));
            }
        } catch (final com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException("malformed CSV: " + e.getOriginalMessage() + " (line "
                + e.getLocation().getLineNr() + ")", e);
        }
    }

    /** @return the event object of one CSV record; a cell past the header's columns is kept, under its number. */
    private static String json(final List<String> header, final List<String> cells) throws IOException {
        final StringWriter out = new StringWriter(256);
        try (JsonGenerator g = Json.FACTORY.createGenerator(out)) {
            g.writeStartObject();
            for (int pass = 0; pass < 3; pass++) {   // plain fields, then tags.*, then quality.*
                boolean open = false;
                for (int i = 0; i < cells.size(); i++) {
                    final String name = i < header.size() ? header.get(i).trim() : "column " + (i + 1);
                    final String cell = cells.get(i);
                    if (cell == null || cell.isEmpty()) {
                        continue;
                    }
                    final String prefix = pass == 1 ? TAGS_PREFIX : pass == 2 ? QUALITY_PREFIX : null;
                    final boolean member = name.startsWith(TAGS_PREFIX) || name.startsWith(QUALITY_PREFIX);
                    if (prefix == null ? member : !name.startsWith(prefix)) {
                        continue;
                    }
                    if (prefix != null && !open) {
                        g.writeObjectFieldStart(prefix.substring(0, prefix.length() - 1));
                        open = true;
                    }
                    final String field = prefix == null ? name : name.substring(prefix.length());
                    g.writeFieldName(field);
                    value(g, pass == 1 || TEXT_FIELDS.contains(name)
                        || name.equals(FieldNames.TIMESTAMP) && !cell.matches("-?[0-9]+"), cell);
                }
                if (open) {
                    g.writeEndObject();
                }
            }
            g.writeEndObject();
        }
        return out.toString();
    }

    private static void value(final JsonGenerator g, final boolean text, final String cell) throws IOException {
        if (!text) {
            if (cell.equals("true") || cell.equals("false")) {
                g.writeBoolean(cell.equals("true"));
                return;
            }
            if (cell.matches("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?")) {
                g.writeNumber(cell);
                return;
            }
        }
        g.writeString(cell);
    }
}
