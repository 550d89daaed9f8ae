package dev.ringmeter.core.export;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.dataformat.csv.CsvFactory;
import com.fasterxml.jackson.dataformat.csv.CsvGenerator;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.journal.JournalScan;
import dev.ringmeter.core.journal.RetentionOvertookException;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;
import java.util.zip.GZIPOutputStream;

/**
 * Streams the events of an {@link ExportRequest} from the journal to an output: each event is read
 * ({@link JournalScan#stream}), written as a row ({@link ExportColumns}) and forgotten, so memory does not grow with
 * the rows (a generator's buffer and, with gzip, a deflater's). Ends with the trailer, the summary
 * ({@link ExportSummary}) as a JSON object {@code {"export": {...}}}: the last element of a JSON array, the last line
 * of NDJSON, a final line {@code # {"export": {...}}} of CSV. An output without the trailer was cut short; one
 * whose trailer says {@code "complete": false} ended early (retention overtook it) and names the cursor to resume
 * from.
 * <p>
 * Threading: an export runs on the calling thread alongside the store's writers; the class is stateless.
 */
public final class EventExport {
    static final JsonFactory JSON = new JsonFactory().disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    private static final CsvFactory CSV = (CsvFactory)new CsvFactory()
        .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    private static final CsvSchema COLUMNS = columns();
    static final int GZIP_BUFFER_BYTES = 1 << 16;

    private EventExport() {
    }

    /**
     * Writes an export; leaves the output open (and flushed).
     *
     * @param store     a store with a journal.
     * @param request   what to write.
     * @param out       where to write it.
     * @param cancelled looked at every few thousand events; once true the export ends with a
     *                  {@link dev.ringmeter.core.journal.ScanStoppedException} (its client went away).
     * @return the summary the trailer states.
     * @throws IOException if the output fails.
     */
    public static ExportSummary write(final EmbeddedStore store, final ExportRequest request, final OutputStream out,
                                      final BooleanSupplier cancelled) throws IOException {
        final GZIPOutputStream gzip = request.gzip() ? new GZIPOutputStream(out, GZIP_BUFFER_BYTES) : null;
        final OutputStream target = gzip != null ? gzip : out;
        final ExportFormat format = request.format();
        final JsonGenerator g;
        if (format == ExportFormat.CSV) {
            final CsvGenerator csv = CSV.createGenerator(target);
            csv.setSchema(COLUMNS);
            g = csv;
        } else {
            g = JSON.createGenerator(target);
            g.setRootValueSeparator(format == ExportFormat.NDJSON ? new SerializedString("\n") : null);
            if (format == ExportFormat.JSON) {
                g.writeStartArray();
            }
        }
        final JournalScan scan = new JournalScan(store).between(request.fromMs(), request.toMs())
            .where(request.filter()).timeLimitMs(JournalScan.NO_TIME_LIMIT).cancelWhen(cancelled);
        final long[] rows = {0, 0};   // rows, the events they stand for
        final boolean flat = format == ExportFormat.CSV;
        ExportSummary summary;
        try {
            final long next = scan.stream(request.cursor(), (e, weight) -> {
                try {
                    ExportColumns.write(g, e, flat);
                } catch (final IOException x) {
                    throw new UncheckedIOException(x);
                }
                rows[0]++;
                rows[1] += weight;
            });
            summary = new ExportSummary(rows[0], rows[1], request.fromMs(), request.toMs(), true, next, null, false);
        } catch (final UncheckedIOException x) {
            throw x.getCause();
        } catch (final RetentionOvertookException x) {
            summary = new ExportSummary(rows[0], rows[1], request.fromMs(), request.toMs(), false, x.cursor(),
                x.getMessage(), x.lost());
        }
        finish(g, format, summary, target, gzip, out);
        return summary;
    }

    /**
     * Writes the trailer as the format carries it (the last NDJSON line or array element, or a CSV line starting
     * {@code # }), then ends the output: the generator, the gzip stream if any, and a flush.
     */
    static void finish(final JsonGenerator g, final ExportFormat format, final ExportSummary summary,
                       final OutputStream target, final GZIPOutputStream gzip, final OutputStream out)
        throws IOException {
        if (format == ExportFormat.CSV) {
            g.flush();
            target.write("# ".getBytes(StandardCharsets.US_ASCII));
            try (JsonGenerator t = JSON.createGenerator(target)) {
                writeTrailer(t, summary);
            }
        } else {
            writeTrailer(g, summary);
            if (format == ExportFormat.JSON) {
                g.writeEndArray();
            }
            g.flush();
        }
        target.write('\n');
        g.close();
        if (gzip != null) {
            gzip.finish();
        }
        out.flush();
    }

    /** Writes the trailer: the summary as {@code {"export": {...}}}. */
    static void writeTrailer(final JsonGenerator g, final ExportSummary s) throws IOException {
        g.writeStartObject();
        g.writeObjectFieldStart("export");
        g.writeNumberField("rows", s.rows());
        g.writeNumberField("from", s.fromMs());
        g.writeNumberField("to", s.toMs());
        g.writeNumberField("events", s.events());
        g.writeNumberField("sampling", s.sampling());
        g.writeBooleanField("complete", s.complete());
        if (s.cursor() < 0) {
            g.writeNullField("cursor");
        } else {
            g.writeStringField("cursor", Long.toString(s.cursor()));
        }
        if (s.error() != null) {
            g.writeStringField("error", s.error());
            g.writeBooleanField("lost", s.lost());
        }
        g.writeEndObject();
        g.writeEndObject();
    }

    private static CsvSchema columns() {
        final CsvSchema.Builder b = CsvSchema.builder();
        for (final String name : ExportColumns.NAMES) {
            b.addColumn(name);
        }
        return b.setUseHeader(true).build();
    }
}
