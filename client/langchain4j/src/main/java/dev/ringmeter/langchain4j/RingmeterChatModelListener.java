package dev.ringmeter.langchain4j;

import dev.langchain4j.model.chat.listener.ChatModelErrorContext;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.listener.ChatModelRequestContext;
import dev.langchain4j.model.chat.listener.ChatModelResponseContext;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.ringmeter.Event;

import java.util.Locale;
import java.util.Map;

/**
 * Records each chat call of a LangChain4j model it is registered on as one {@code chat} event: at
 * {@link #onRequest} it keeps the call's start in the listener attributes; at {@link #onResponse} it records the
 * model (the response's, else the request's), the provider, the latency, the token usage (with OpenAI's cached and
 * reasoning tokens and Anthropic's cache reads and writes, {@link ProviderUsage}), the finish reason as the tag
 * {@code finish_reason}, the time to the first chunk when the model is wrapped by
 * {@link RingmeterLangChain4j#streaming}, and the run, pipeline, tags … of {@link CallAttributes}; at {@link #onError}
 * the same with status {@code error} (or {@code timeout}) and the error's type.
 * <p>
 * Threading: one instance serves any number of models and threads at once; LangChain4j may call
 * {@code onResponse} on another thread than {@code onRequest} (streaming), which the attributes carry across.
 */
public final class RingmeterChatModelListener implements ChatModelListener {
    private static final String[] FINISH_REASONS = finishReasons();

    private final RingmeterLangChain4j ringmeter;

    RingmeterChatModelListener(final RingmeterLangChain4j ringmeter) {
        this.ringmeter = ringmeter;
    }

    @Override
    public void onRequest(final ChatModelRequestContext context) {
        final Map<Object, Object> attributes = context.attributes();
        CallTiming timing = (CallTiming)attributes.get(CallTiming.KEY);
        if (timing == null) {
            timing = new CallTiming();
            attributes.put(CallTiming.KEY, timing);
        }
        timing.startMs = System.currentTimeMillis();
        timing.startNs = System.nanoTime();
    }

    @Override
    public void onResponse(final ChatModelResponseContext context) {
        ringmeter.record(RingmeterChatModelListener::response, context);
    }

    @Override
    public void onError(final ChatModelErrorContext context) {
        ringmeter.record(RingmeterChatModelListener::error, context);
    }

    private static void response(final Event event, final ChatModelResponseContext context) {
        common(event, context.chatRequest(), context.modelProvider(), context.attributes());
        final ChatResponse response = context.chatResponse();
        if (response != null) {
            if (response.modelName() != null) {
                event.model(response.modelName());
            }
            ProviderUsage.read(response.tokenUsage(), event);
            if (response.finishReason() != null) {
                event.tag("finish_reason", FINISH_REASONS[response.finishReason().ordinal()]);
            }
        }
    }

    private static void error(final Event event, final ChatModelErrorContext context) {
        common(event, context.chatRequest(), context.modelProvider(), context.attributes());
        RingmeterLangChain4j.failure(context.error(), event);
    }

    /** Fills what every outcome records; the latency ends now. */
    private static void common(final Event event, final ChatRequest request,
                               final dev.langchain4j.model.ModelProvider provider,
                               final Map<Object, Object> attributes) {
        final long endNs = System.nanoTime();
        event.operation("chat").provider(RingmeterLangChain4j.provider(provider));
        final String model = request == null ? null : request.modelName();
        event.model(model == null ? "unknown" : model);
        final CallTiming timing = attributes == null ? null : (CallTiming)attributes.get(CallTiming.KEY);
        if (timing != null && timing.startNs != 0) {
            event.timestampMs(timing.startMs).latencyNs(endNs - timing.startNs);
            if (timing.firstChunkNs != 0) {
                event.ttftNs(timing.firstChunkNs - timing.startNs);
            }
        }
        RingmeterLangChain4j.attributes(attributes, event);
    }

    private static String[] finishReasons() {
        final FinishReason[] all = FinishReason.values();
        final String[] names = new String[all.length];
        for (final FinishReason r : all) {
            names[r.ordinal()] = r.name().toLowerCase(Locale.ROOT);
        }
        return names;
    }
}
