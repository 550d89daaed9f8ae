package dev.ringmeter.server.otlp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.ringmeter.server.ServerConfig;
import dev.ringmeter.server.http.ApiException;
import dev.ringmeter.server.ingest.IngestGate;
import dev.ringmeter.server.ingest.IngestService;
import io.javalin.http.Context;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsPartialSuccess;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The OTLP/HTTP receiver: {@code POST /v1/traces} and {@code POST /v1/metrics}, in {@code application/x-protobuf}
 * or {@code application/json} (OTLP JSON, {@link OtlpJson}), gzip or not, answered as the OTLP/HTTP specification
 * says: 200 with the export's response in the request's content type, its {@code partial_success} counting and
 * naming what was refused; 400 with a {@code google.rpc.Status} for a body that is not a valid export; 415 for any
 * other content type; 429 and 503 with Retry-After when the server is overloaded or its journal cannot write.
 * <p>
 * Spans become events ({@link GenAiSpans}) and data points custom metric samples ({@link GenAiMetrics}) through
 * {@link IngestService}, as a batch of ours: the same body limits and timeout, the same write permits, the same
 * store rules and dictionary admission, and the reply only once the store has journaled them.
 * <p>
 * Threading: any request thread; the state it shares lives in the gate and the store, and in the cumulative series
 * ({@link CumulativeSeries}): metrics exports are taken one at a time, from reading the body to the journal's
 * acknowledgement (each waits at most the body and flush timeouts), so that a cumulative point is turned into a delta
 * against the last point journaled; span exports run side by side.
 */
public final class OtlpReceiver {
    private static final Logger LOG = LoggerFactory.getLogger(OtlpReceiver.class);
    private static final String PROTOBUF = "application/x-protobuf";
    private static final String JSON = "application/json";
    private static final JsonFactory JSON_FACTORY = new JsonFactory();

    /** google.rpc.Code values for the HTTP statuses a refusal may have. */
    private static final int INVALID_ARGUMENT = 3;
    private static final int DEADLINE_EXCEEDED = 4;
    private static final int RESOURCE_EXHAUSTED = 8;
    private static final int INTERNAL = 13;
    private static final int UNAVAILABLE = 14;

    private final IngestService ingest;
    private final IngestGate gate;
    private final long maxBodyBytes;
    private final GenAiSpans spans;
    private final GenAiMetrics metrics;
    private final CumulativeSeries cumulative;

    /**
     * @param ingest the ingest path.
     * @param gate   the write permits, which also count the spans left out.
     * @param config the server's options.
     */
    public OtlpReceiver(final IngestService ingest, final IngestGate gate, final ServerConfig config) {
        this.ingest = ingest;
        this.gate = gate;
        this.maxBodyBytes = config.maxBodyBytes();
        this.spans = new GenAiSpans(config.otlpRunAttribute(), config.maxStringLength());
        this.metrics = new GenAiMetrics(config.maxStringLength());
        this.cumulative = new CumulativeSeries(config.otlpCumulativeSeries(),
            config.clock().time() * 1_000_000L);
    }

    /** POST /v1/traces: an ExportTraceServiceRequest. */
    public void traces(final Context ctx) throws IOException {
        final Boolean protobuf = protobuf(ctx);
        if (protobuf == null) {
            return;
        }
        try {
            final InputStream body = ingest.body(ctx, maxBodyBytes);
            final Refusals refused = new Refusals();
            try {
                ingest.events((item, maxBatch, rules) -> spans.fill(
                    parse(body, protobuf, ExportTraceServiceRequest.newBuilder()), item, maxBatch, rules, refused));
            } finally {
                gate.spansIgnored(refused.ignored());
            }
            final ExportTraceServiceResponse.Builder reply = ExportTraceServiceResponse.newBuilder();
            if (refused.count() > 0) {
                reply.setPartialSuccess(ExportTracePartialSuccess.newBuilder().setRejectedSpans(refused.count())
                    .setErrorMessage(refused.message()));
            }
            ok(ctx, protobuf, reply.build(), "rejectedSpans", refused);
        } catch (final ApiException | OtlpException e) {
            refuse(ctx, protobuf, e);
        }
    }

    /** POST /v1/metrics: an ExportMetricsServiceRequest. */
    public void metrics(final Context ctx) throws IOException {
        final Boolean protobuf = protobuf(ctx);
        if (protobuf == null) {
            return;
        }
        try {
            final InputStream body = ingest.body(ctx, maxBodyBytes);
            final Refusals refused = new Refusals();
            // one export at a time: each cumulative point is turned into a delta against the last one journaled
            synchronized (cumulative) {
                final CumulativeSeries.Changes changes = cumulative.begin();
                ingest.samples((item, maxBatch, rules) -> metrics.fill(
                    parse(body, protobuf, ExportMetricsServiceRequest.newBuilder()), item, maxBatch, rules, refused,
                    changes));
                changes.commit();
            }
            final ExportMetricsServiceResponse.Builder reply = ExportMetricsServiceResponse.newBuilder();
            if (refused.count() > 0) {
                reply.setPartialSuccess(ExportMetricsPartialSuccess.newBuilder()
                    .setRejectedDataPoints(refused.count()).setErrorMessage(refused.message()));
            }
            ok(ctx, protobuf, reply.build(), "rejectedDataPoints", refused);
        } catch (final ApiException | OtlpException e) {
            refuse(ctx, protobuf, e);
        }
    }

    /** @return whether the body is protobuf (else OTLP JSON), or null once a 415 has been sent. */
    private static Boolean protobuf(final Context ctx) {
        final String type = ctx.contentType();
        if (type != null && startsWith(type, PROTOBUF)) {
            return Boolean.TRUE;
        }
        if (type != null && startsWith(type, JSON)) {
            return Boolean.FALSE;
        }
        status(ctx, false, 415, INVALID_ARGUMENT, "Content-Type must be " + PROTOBUF + " or " + JSON + ", not "
            + type);
        return null;
    }

    @SuppressWarnings("unchecked")
    private static <M extends Message> M parse(final InputStream body, final boolean protobuf,
                                               final Message.Builder builder) throws IOException {
        if (protobuf) {
            try {
                builder.mergeFrom(body);
            } catch (final InvalidProtocolBufferException e) {
                throw new OtlpException("the body is not a valid protobuf " + builder.getDescriptorForType()
                    .getName() + ": " + e.getMessage());
            }
        } else {
            OtlpJson.read(body, builder);
        }
        return (M)builder.build();
    }

    private static void ok(final Context ctx, final boolean protobuf, final Message reply, final String rejectedField,
                           final Refusals refused) {
        if (protobuf) {
            protobufReply(ctx, 200, reply.toByteArray());
            return;
        }
        ctx.status(200).contentType(JSON).result(json(g -> {
            g.writeStartObject();
            if (refused.count() > 0) {
                g.writeObjectFieldStart("partialSuccess");
                g.writeStringField(rejectedField, Long.toString(refused.count()));
                g.writeStringField("errorMessage", refused.message());
                g.writeEndObject();
            }
            g.writeEndObject();
        }));
    }

    private static void refuse(final Context ctx, final boolean protobuf, final RuntimeException e) {
        if (e instanceof OtlpException) {
            status(ctx, protobuf, 400, INVALID_ARGUMENT, e.getMessage());
            return;
        }
        final ApiException a = (ApiException)e;
        if (a.retryAfterSeconds() > 0) {
            ctx.header("Retry-After", Integer.toString(a.retryAfterSeconds()));
        }
        if (a.status() == 408) {
            ctx.header("Connection", "close");
        }
        final String message = a.field() == null ? a.getMessage()
            : a.field() + (a.index() >= 0 ? " of item " + a.index() : "") + ": " + a.getMessage();
        final int status = a.status() == 422 ? 400 : a.status();   // OTLP has no 422: bad data is a 400
        if (status >= 500 || status == 429) {
            LOG.warn("event=refused status={} path={} reason=\"{}\"", status, ctx.path(), message);
        }
        status(ctx, protobuf, status, code(status), message);
    }

    private static int code(final int status) {
        switch (status) {
            case 408:
                return DEADLINE_EXCEEDED;
            case 429:
                return RESOURCE_EXHAUSTED;
            case 503:
                return UNAVAILABLE;
            default:
                return status >= 400 && status < 500 ? INVALID_ARGUMENT : INTERNAL;
        }
    }

    /** Replies with a google.rpc.Status {code = 1, message = 2}, in protobuf or JSON. */
    private static void status(final Context ctx, final boolean protobuf, final int status, final int code,
                               final String message) {
        if (protobuf) {
            final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            final CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            try {
                out.writeInt32(1, code);
                out.writeString(2, message);
                out.flush();
            } catch (final IOException e) {
                throw new UncheckedIOException(e);
            }
            protobufReply(ctx, status, bytes.toByteArray());
            return;
        }
        ctx.status(status).contentType(JSON).result(json(g -> {
            g.writeStartObject();
            g.writeNumberField("code", code);
            g.writeStringField("message", message);
            g.writeEndObject();
        }));
    }

    /** Replies with protobuf bytes, their content type without the charset Javalin would add. */
    private static void protobufReply(final Context ctx, final int status, final byte[] body) {
        ctx.status(status).result(body);
        ctx.res().setCharacterEncoding(null);
        ctx.res().setContentType(PROTOBUF);
    }

    /** Writes one JSON value. */
    @FunctionalInterface
    private interface JsonWriter {
        void write(JsonGenerator g) throws IOException;
    }

    private static byte[] json(final JsonWriter writer) {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON_FACTORY.createGenerator(bytes)) {
            writer.write(g);
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static boolean startsWith(final String s, final String prefix) {
        return s.regionMatches(true, 0, prefix, 0, prefix.length());
    }
}
