package dev.ringmeter.server.llmbench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes one JSON line per request (warm-up and cool-down ones too, with their phase): cell, task, phase, start
 * time, schedule lag, TTFT, ITL summary (count, mean, max), TPOT, end-to-end latency, tokens from usage, status,
 * error type and message, and the server's request id. Times in milliseconds with microsecond decimals; a value that
 * does not apply is left out.
 * <p>
 * Threading: {@link #write} may be called from any thread (it is synchronized); {@link #close()} once, after the
 * benchmark ended. Memory: a 64 KiB buffer. A write that fails is kept as the first failure and the log stops
 * writing; {@link #failure()} tells it.
 */
public final class RequestLog implements AutoCloseable {
    private static final JsonFactory JSON = new JsonFactory();

    private final Writer out;
    private IOException failure;

    private RequestLog(final Writer out) {
        this.out = out;
    }

    /**
     * @param file the file to create or truncate.
     * @return the log.
     * @throws UncheckedIOException if it cannot be opened.
     */
    public static RequestLog open(final Path file) {
        try {
            return new RequestLog(new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8), 1 << 16));
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot open the request log " + file + ": " + e.getMessage(), e);
        }
    }

    /** @param writer where lines go; closed with the log. */
    public static RequestLog to(final Writer writer) {
        return new RequestLog(writer);
    }

    /** @param o one request. */
    public synchronized void write(final RequestOutcome o) {
        if (failure != null) {
            return;
        }
        try {
            final JsonGenerator g = JSON.createGenerator(out);
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.writeStartObject();
            g.writeNumberField("cell", o.cell());
            g.writeNumberField("task", o.task());
            g.writeStringField("phase", o.phase().wireName());
            g.writeNumberField("startMs", o.startEpochMs());
            ms(g, "scheduleLagMs", o.scheduleLagNs());
            ms(g, "ttftMs", o.ttftNs());
            if (o.itlCount() > 0) {
                g.writeObjectFieldStart("itl");
                g.writeNumberField("count", o.itlCount());
                ms(g, "meanMs", o.itlMeanNs());
                ms(g, "maxMs", o.itlMaxNs());
                g.writeEndObject();
            }
            ms(g, "tpotMs", o.tpotNs());
            ms(g, "e2eMs", o.e2eNs());
            if (o.promptTokens() >= 0) {
                g.writeNumberField("promptTokens", o.promptTokens());
            }
            if (o.completionTokens() >= 0) {
                g.writeNumberField("completionTokens", o.completionTokens());
            }
            g.writeNumberField("chunks", o.contentChunks());
            g.writeStringField("status", o.status().wireName());
            if (o.errorType() != null) {
                g.writeStringField("errorType", o.errorType());
            }
            if (o.errorMessage() != null) {
                g.writeStringField("errorMessage", o.errorMessage());
            }
            if (o.requestId() != null) {
                g.writeStringField("requestId", o.requestId());
            }
            g.writeEndObject();
            g.flush();
            out.write('\n');
        } catch (final IOException e) {
            failure = e;
        }
    }

    private static void ms(final JsonGenerator g, final String name, final long ns) throws IOException {
        if (ns >= 0) {
            g.writeNumberField(name, Math.round(ns / 1e3) / 1e3);
        }
    }

    /** @return the first write failure, or null. */
    public synchronized IOException failure() {
        return failure;
    }

    /** Flushes and closes the file. */
    @Override
    public synchronized void close() {
        try {
            out.close();
        } catch (final IOException e) {
            if (failure == null) {
                failure = e;
            }
        }
    }
}
