package dev.ringmeter.server.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.javalin.http.Context;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * The server's one Jackson {@link JsonFactory} (thread-safe, shared) and the small helpers that write replies with
 * a streaming {@link JsonGenerator}: no object tree, no reflection.
 */
public final class Json {
    /** Parsing limits: no value in the API needs more; they bound what a hostile body can make us allocate. */
    public static final JsonFactory FACTORY = JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder()
            .maxNestingDepth(16)
            .maxNumberLength(64)
            .maxStringLength(1 << 20)
            .maxNameLength(1024)
            .build())
        .build();

    public static final String APPLICATION_JSON = "application/json";

    private Json() {
    }

    /** Writes a JSON reply. */
    @FunctionalInterface
    public interface Body {
        /**
         * @param g the generator to write the reply with.
         * @throws IOException never in practice: the target is memory.
         */
        void write(JsonGenerator g) throws IOException;
    }

    /**
     * Writes a JSON reply with a status.
     *
     * @param ctx    of the request.
     * @param status HTTP status.
     * @param body   writes the JSON.
     */
    public static void reply(final Context ctx, final int status, final Body body) {
        final ByteArrayBuilder bytes = new ByteArrayBuilder(512);
        try (JsonGenerator g = FACTORY.createGenerator(bytes)) {
            body.write(g);
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
        ctx.status(status).contentType(APPLICATION_JSON).result(bytes.toByteArray());
    }

    /**
     * Writes a JSON reply with a status straight to the response, as it is generated (for replies too large to hold
     * twice); once its first bytes are sent, the status can no longer change.
     *
     * @param ctx    of the request.
     * @param status HTTP status.
     * @param body   writes the JSON.
     */
    public static void stream(final Context ctx, final int status, final Body body) {
        ctx.status(status).contentType(APPLICATION_JSON);
        try (JsonGenerator g = FACTORY.createGenerator(ctx.outputStream())) {
            body.write(g);
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a number, or null where it is NaN or infinite (JSON has no NaN). */
    public static void number(final JsonGenerator g, final String name, final double value) throws IOException {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            g.writeNullField(name);
        } else {
            g.writeNumberField(name, value);
        }
    }

    /** Writes an epoch-ms time as an ISO-8601 string. */
    public static void time(final JsonGenerator g, final String name, final long epochMs) throws IOException {
        g.writeStringField(name, Instant.ofEpochMilli(epochMs).toString());
    }
}
