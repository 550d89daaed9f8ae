package dev.ringmeter.server.otlp;

import dev.ringmeter.Event;
import dev.ringmeter.InvalidEventException;
import dev.ringmeter.Status;
import dev.ringmeter.core.ingest.EventRules;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;

import java.util.List;
import java.util.function.IntFunction;

/**
 * Turns the GenAI spans of an OTLP trace export into events, by the OpenTelemetry GenAI semantic conventions
 * (docs/integrations.md has the table): a span is a GenAI span when it carries {@code gen_ai.operation.name},
 * {@code gen_ai.provider.name} or {@code gen_ai.system}; any other span is counted ({@link Refusals#ignored()}) and
 * left out.
 * A GenAI span that breaks a rule of the store (no model on a chat span, cached tokens past the input tokens, more
 * than four evaluation scores ...) is refused alone and counted in the reply's {@code partial_success}; the others
 * are kept.
 * <p>
 * Threading: immutable; any thread.
 */
final class GenAiSpans {
    /** The tag that carries {@code gen_ai.conversation.id}. */
    static final String CONVERSATION_TAG = "conversation";
    /** The tag that carries the resource's {@code service.name}. */
    static final String SERVICE_TAG = "service";
    private static final String EVALUATION_EVENT = "gen_ai.evaluation.result";

    private final String runAttribute;
    private final int maxStringLength;

    /**
     * @param runAttribute    the span attribute whose value is the event's run id.
     * @param maxStringLength the store's longest string: a longer conversation id is not kept as a tag.
     */
    GenAiSpans(final String runAttribute, final int maxStringLength) {
        this.runAttribute = runAttribute;
        this.maxStringLength = maxStringLength;
    }

    /**
     * @param request  the export.
     * @param item     the batch's i-th event, reset.
     * @param maxBatch most events of one request.
     * @param rules    the store's rules.
     * @param refused  told of each GenAI span refused, and of the spans ignored.
     * @return the events filled.
     * @throws dev.ringmeter.server.http.ApiException 413 if the request holds more than {@code maxBatch} GenAI
     *                                                spans, refused or not.
     */
    int fill(final ExportTraceServiceRequest request, final IntFunction<Event> item, final int maxBatch,
             final EventRules rules, final Refusals refused) {
        int n = 0;
        int genAi = 0;
        long others = 0;
        for (int r = 0; r < request.getResourceSpansCount(); r++) {
            final ResourceSpans rs = request.getResourceSpans(r);
            final String service = string(rs.getResource(), "service.name");
            for (int s = 0; s < rs.getScopeSpansCount(); s++) {
                final ScopeSpans ss = rs.getScopeSpans(s);
                for (int i = 0; i < ss.getSpansCount(); i++) {
                    final Span span = ss.getSpans(i);
                    if (!isGenAi(span.getAttributesList())) {
                        others++;
                        continue;
                    }
                    if (genAi++ == maxBatch) {
                        throw dev.ringmeter.server.http.ApiException.tooLarge("the request holds more than " + maxBatch
                            + " GenAI spans (--max-batch); send smaller batches");
                    }
                    final Event e = item.apply(n);
                    try {
                        event(span, service, e);
                        rules.check(e);
                        n++;
                    } catch (final InvalidEventException ex) {
                        refused.refuse("span " + i + " of scope " + s + " of resource " + r + " ("
                            + span.getName() + ")", ex.getMessage());
                    }
                }
            }
        }
        refused.ignore(others);
        return n;
    }

    private static boolean isGenAi(final List<KeyValue> attributes) {
        for (int i = 0; i < attributes.size(); i++) {
            switch (attributes.get(i).getKey()) {
                case "gen_ai.operation.name":
                case "gen_ai.provider.name":
                case "gen_ai.system":
                    return true;
                default:
                    break;
            }
        }
        return false;
    }

    private void event(final Span span, final String service, final Event e) {
        final long start = span.getStartTimeUnixNano();
        final long end = span.getEndTimeUnixNano();
        if (start <= 0 || end < start) {
            throw new InvalidEventException("latencyMs", "the span's end time (" + Long.toUnsignedString(end)
                + ") must not be before its start time (" + Long.toUnsignedString(start) + ")");
        }
        e.timestampMs(end / 1_000_000).latencyNs(end - start);
        String responseModel = null;
        String requestModel = null;
        String provider = null;
        String system = null;
        for (final KeyValue kv : span.getAttributesList()) {
            final String key = kv.getKey();
            final AnyValue v = kv.getValue();
            switch (key) {
                case "gen_ai.operation.name":
                    e.operation(text(key, v));
                    break;
                case "gen_ai.response.model":
                    responseModel = text(key, v);
                    break;
                case "gen_ai.request.model":
                    requestModel = text(key, v);
                    break;
                case "gen_ai.provider.name":
                    provider = text(key, v);
                    break;
                case "gen_ai.system":
                    system = text(key, v);
                    break;
                case "gen_ai.response.time_to_first_chunk":
                    e.ttftNs(Math.round(number(key, v) * 1e9));
                    break;
                case "gen_ai.usage.input_tokens":
                case "gen_ai.usage.prompt_tokens":
                    e.promptTokens(integer(key, v));
                    break;
                case "gen_ai.usage.output_tokens":
                case "gen_ai.usage.completion_tokens":
                    e.completionTokens(integer(key, v));
                    break;
                case "gen_ai.usage.cache_read.input_tokens":
                    e.cachedTokens(integer(key, v));
                    break;
                case "gen_ai.usage.cache_creation.input_tokens":
                    e.cacheWriteTokens(integer(key, v));
                    break;
                case "gen_ai.usage.reasoning.output_tokens":
                    e.reasoningTokens(integer(key, v));
                    break;
                case "error.type":
                    e.errorType(text(key, v));
                    break;
                case "gen_ai.tool.name":
                    e.tool(text(key, v));
                    break;
                case "gen_ai.agent.name":
                    e.agent(text(key, v));
                    break;
                case "gen_ai.conversation.id":
                    final String conversation = text(key, v);
                    if (!conversation.isEmpty() && conversation.length() <= maxStringLength) {
                        e.tag(CONVERSATION_TAG, conversation);
                    }
                    break;
                default:
                    if (key.equals(runAttribute)) {
                        e.run(text(key, v));
                    }
                    break;
            }
        }
        e.model(responseModel != null && !responseModel.isEmpty() ? responseModel : requestModel);
        e.provider(provider != null && !provider.isEmpty() ? provider : system);
        final boolean error = span.getStatus().getCode() == io.opentelemetry.proto.trace.v1.Status.StatusCode.STATUS_CODE_ERROR
            || e.errorType() != null;
        e.status(error ? Status.ERROR : Status.OK);
        if (service != null && !service.isEmpty() && service.length() <= maxStringLength) {
            e.tag(SERVICE_TAG, service);
        }
        for (final Span.Event ev : span.getEventsList()) {
            if (ev.getName().equals(EVALUATION_EVENT)) {
                evaluation(ev, e);
            }
        }
    }

    private static void evaluation(final Span.Event ev, final Event e) {
        String name = null;
        double score = Double.NaN;
        for (final KeyValue kv : ev.getAttributesList()) {
            if (kv.getKey().equals("gen_ai.evaluation.name")) {
                name = text(kv.getKey(), kv.getValue());
            } else if (kv.getKey().equals("gen_ai.evaluation.score.value")) {
                score = number(kv.getKey(), kv.getValue());
            }
        }
        if (name == null || Double.isNaN(score)) {
            throw new InvalidEventException("quality", "a gen_ai.evaluation.result event needs gen_ai.evaluation.name"
                + " and a numeric gen_ai.evaluation.score.value");
        }
        e.quality(name, score);
    }

    /**
     * @param resource of the spans.
     * @param key      an attribute's key.
     * @return its value as a string, or null if it has none of string type.
     */
    static String string(final Resource resource, final String key) {
        for (final KeyValue kv : resource.getAttributesList()) {
            if (kv.getKey().equals(key) && kv.getValue().hasStringValue()) {
                return kv.getValue().getStringValue();
            }
        }
        return null;
    }

    private static String text(final String key, final AnyValue v) {
        if (!v.hasStringValue()) {
            throw new InvalidEventException(key, "must be a string attribute");
        }
        return v.getStringValue();
    }

    private static long integer(final String key, final AnyValue v) {
        if (v.hasIntValue()) {
            return v.getIntValue();
        }
        if (v.hasDoubleValue() && v.getDoubleValue() == Math.rint(v.getDoubleValue())) {
            return (long)v.getDoubleValue();
        }
        throw new InvalidEventException(key, "must be an integer attribute");
    }

    private static double number(final String key, final AnyValue v) {
        if (v.hasDoubleValue()) {
            return v.getDoubleValue();
        }
        if (v.hasIntValue()) {
            return v.getIntValue();
        }
        throw new InvalidEventException(key, "must be a numeric attribute");
    }
}
