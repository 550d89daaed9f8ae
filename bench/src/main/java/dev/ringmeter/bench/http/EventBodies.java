package dev.ringmeter.bench.http;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Builds ingest bodies by hand (no JSON library): model calls over {@link #MODELS} models (or as many as given)
 * named {@code model-0}, {@code model-1} ..., with latency, time to first token, tokens and a 1 % error rate, the fields
 * a real caller sends; or the same calls as InfluxDB line protocol rows (QuestDB's ILP), or as the GenAI spans of an
 * OTLP trace export, in protobuf or OTLP JSON.
 * <p>
 * Threading: an instance holds a random generator and a reused builder; use one per thread.
 */
final class EventBodies {
    /** The number of distinct models the bodies name by default. */
    static final int MODELS = 10;

    private final SplittableRandom random;
    private final int models;
    private final StringBuilder b = new StringBuilder(256);

    /**
     * @param seed of the random values.
     */
    EventBodies(final long seed) {
        this(seed, MODELS);
    }

    /**
     * @param seed   of the random values.
     * @param models how many distinct models the bodies name, at least 1.
     */
    EventBodies(final long seed, final int models) {
        this.random = new SplittableRandom(seed);
        this.models = models;
    }

    /**
     * @param model 0 to the number of models - 1.
     * @return a JSON array of one event without a timestamp (the server stamps it), in UTF-8.
     */
    byte[] singleEventArray(final int model) {
        b.setLength(0);
        b.append('[');
        event(model, 0);
        b.append(']');
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * @param count        events in the body.
     * @param firstModel   the model of the first event; the next ones take the following models in turn.
     * @param timestampMs  the timestamp of the first event (epoch ms), or 0 to let the server stamp them.
     * @param stepMsTimes1000 how far apart the events' timestamps are, in thousandths of a millisecond.
     * @return an NDJSON body (one event per line) in UTF-8.
     */
    byte[] ndjson(final int count, final int firstModel, final long timestampMs, final long stepMsTimes1000) {
        final StringBuilder out = new StringBuilder(count * 200);
        for (int i = 0; i < count; i++) {
            b.setLength(0);
            event((firstModel + i) % models, timestampMs == 0 ? 0 : timestampMs + i * stepMsTimes1000 / 1000);
            out.append(b).append('\n');
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * @param count      rows in the body: the same model calls as {@link #ndjson}'s, their values drawn the same way.
     * @param firstModel the model of the first row; the next ones take the following models in turn.
     * @return an InfluxDB line protocol body (one row of table {@code llm_calls} per line, no timestamp: the
     *         receiver stamps it) in UTF-8, as QuestDB's ILP over HTTP ({@code POST /write}) takes it: the strings
     *         as symbols, the tokens as integers, the latency as a double.
     */
    byte[] ilp(final int count, final int firstModel) {
        final StringBuilder out = new StringBuilder(count * 200);
        for (int i = 0; i < count; i++) {
            final boolean failed = random.nextInt(100) == 0;
            out.append("llm_calls,model=model-").append((firstModel + i) % models).append(",operation=chat,status=")
                .append(failed ? "error" : "ok");
            if (failed) {
                out.append(",errorType=rate_limit");
            }
            out.append(",pipeline=support-bot,step=answer latencyMs=").append(random.nextInt(50, 5_000)).append('.')
                .append(random.nextInt(10))
                .append(",ttftMs=").append(random.nextInt(20, 800)).append('i')
                .append(",promptTokens=").append(random.nextInt(100, 4_000)).append('i')
                .append(",completionTokens=").append(random.nextInt(10, 1_000)).append("i\n");
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * @param count      spans in the body: GenAI chat spans, their values drawn as {@link #ndjson}'s are.
     * @param firstModel the model of the first span; the next ones take the following models in turn.
     * @return an OTLP JSON ExportTraceServiceRequest (hex ids, string int64s, enum integers) in UTF-8.
     */
    byte[] otlpJson(final int count, final int firstModel) {
        final long endNs = System.currentTimeMillis() * 1_000_000L;
        final StringBuilder out = new StringBuilder(count * 700).append("{\"resourceSpans\":[{\"resource\":{"
            + "\"attributes\":[{\"key\":\"service.name\",\"value\":{\"stringValue\":\"support-bot\"}}]},"
            + "\"scopeSpans\":[{\"scope\":{\"name\":\"bench\"},\"spans\":[");
        for (int i = 0; i < count; i++) {
            final Call c = call((firstModel + i) % models);
            out.append(i == 0 ? "" : ",").append("{\"traceId\":\"").append(String.format("%032x", random.nextLong()))
                .append("\",\"spanId\":\"").append(String.format("%016x", random.nextLong()))
                .append("\",\"name\":\"chat model-").append(c.model).append("\",\"kind\":3,\"startTimeUnixNano\":\"")
                .append(endNs - c.latencyUs * 1000).append("\",\"endTimeUnixNano\":\"").append(endNs)
                .append("\",\"attributes\":[");
            attribute(out, "gen_ai.operation.name", "chat").append(',');
            attribute(out, "gen_ai.provider.name", "openai").append(',');
            attribute(out, "gen_ai.request.model", "model-" + c.model).append(',');
            out.append("{\"key\":\"gen_ai.usage.input_tokens\",\"value\":{\"intValue\":\"").append(c.promptTokens)
                .append("\"}},{\"key\":\"gen_ai.usage.output_tokens\",\"value\":{\"intValue\":\"")
                .append(c.completionTokens).append("\"}},{\"key\":\"gen_ai.response.time_to_first_chunk\","
                    + "\"value\":{\"doubleValue\":").append(c.ttftMs / 1000.0).append("}}");
            if (c.failed) {
                out.append(',');
                attribute(out, "error.type", "rate_limit");
            }
            out.append("],\"status\":{\"code\":").append(c.failed ? 2 : 0).append("}}");
        }
        return out.append("]}]}]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static StringBuilder attribute(final StringBuilder out, final String key, final String value) {
        return out.append("{\"key\":\"").append(key).append("\",\"value\":{\"stringValue\":\"").append(value)
            .append("\"}}");
    }

    /**
     * @param count      spans in the body, as {@link #otlpJson}'s.
     * @param firstModel the model of the first span.
     * @return a protobuf ExportTraceServiceRequest.
     */
    byte[] otlpProtobuf(final int count, final int firstModel) {
        final long endNs = System.currentTimeMillis() * 1_000_000L;
        final ScopeSpans.Builder scope = ScopeSpans.newBuilder();
        final byte[] traceId = new byte[16];
        final byte[] spanId = new byte[8];
        for (int i = 0; i < count; i++) {
            final Call c = call((firstModel + i) % models);
            random.nextBytes(traceId);
            random.nextBytes(spanId);
            final Span.Builder span = Span.newBuilder().setTraceId(ByteString.copyFrom(traceId))
                .setSpanId(ByteString.copyFrom(spanId)).setName("chat model-" + c.model)
                .setKind(Span.SpanKind.SPAN_KIND_CLIENT).setStartTimeUnixNano(endNs - c.latencyUs * 1000)
                .setEndTimeUnixNano(endNs)
                .addAttributes(text("gen_ai.operation.name", "chat"))
                .addAttributes(text("gen_ai.provider.name", "openai"))
                .addAttributes(text("gen_ai.request.model", "model-" + c.model))
                .addAttributes(KeyValue.newBuilder().setKey("gen_ai.usage.input_tokens")
                    .setValue(AnyValue.newBuilder().setIntValue(c.promptTokens)))
                .addAttributes(KeyValue.newBuilder().setKey("gen_ai.usage.output_tokens")
                    .setValue(AnyValue.newBuilder().setIntValue(c.completionTokens)))
                .addAttributes(KeyValue.newBuilder().setKey("gen_ai.response.time_to_first_chunk")
                    .setValue(AnyValue.newBuilder().setDoubleValue(c.ttftMs / 1000.0)));
            if (c.failed) {
                span.addAttributes(text("error.type", "rate_limit"))
                    .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR));
            }
            scope.addSpans(span);
        }
        return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
            .setResource(Resource.newBuilder().addAttributes(text("service.name", "support-bot")))
            .addScopeSpans(scope)).build().toByteArray();
    }

    private static KeyValue text(final String key, final String value) {
        return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
    }

    /** One call's random values, as {@link #event} draws them. */
    private record Call(int model, boolean failed, long latencyUs, int ttftMs, int promptTokens,
                        int completionTokens) {
    }

    private Call call(final int model) {
        final boolean failed = random.nextInt(100) == 0;
        return new Call(model, failed, random.nextInt(50_000, 5_000_000), random.nextInt(20, 800),
            random.nextInt(100, 4_000), random.nextInt(10, 1_000));
    }

    private void event(final int model, final long timestampMs) {
        final boolean failed = random.nextInt(100) == 0;
        b.append("{\"model\":\"model-").append(model).append('"');
        if (timestampMs != 0) {
            b.append(",\"timestamp\":").append(timestampMs);
        }
        b.append(",\"operation\":\"chat\",\"latencyMs\":").append(random.nextInt(50, 5_000)).append('.')
            .append(random.nextInt(10))
            .append(",\"ttftMs\":").append(random.nextInt(20, 800))
            .append(",\"promptTokens\":").append(random.nextInt(100, 4_000))
            .append(",\"completionTokens\":").append(random.nextInt(10, 1_000))
            .append(",\"status\":\"").append(failed ? "error" : "ok").append('"');
        if (failed) {
            b.append(",\"errorType\":\"rate_limit\"");
        }
        b.append(",\"pipeline\":\"support-bot\",\"step\":\"answer\"}");
    }
}
