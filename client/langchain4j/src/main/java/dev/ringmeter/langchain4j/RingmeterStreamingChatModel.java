package dev.ringmeter.langchain4j;

import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.ChatRequestOptions;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.CompleteToolCall;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.PartialThinking;
import dev.langchain4j.model.chat.response.PartialThinkingContext;
import dev.langchain4j.model.chat.response.PartialToolCall;
import dev.langchain4j.model.chat.response.PartialToolCallContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A streaming chat model that measures the time to its first chunk (content or thinking) for the event of
 * {@link RingmeterChatModelListener}, which must be registered on the wrapped model: a listener has no per-chunk hook,
 * so this wrapper hands the listener a {@link CallTiming} through the call's listener attributes and marks it at the
 * first partial response. Everything else is the wrapped model's.
 * <p>
 * Threading: as the wrapped model; each call has its own timing, marked on the thread that delivers the chunks.
 */
final class RingmeterStreamingChatModel implements StreamingChatModel {
    private final StreamingChatModel delegate;

    RingmeterStreamingChatModel(final StreamingChatModel delegate) {
        if (delegate == null) {
            throw new IllegalArgumentException("model must be given");
        }
        this.delegate = delegate;
    }

    @Override
    public void chat(final ChatRequest request, final ChatRequestOptions options,
                     final StreamingChatResponseHandler handler) {
        final CallTiming timing = new CallTiming();
        final Map<Object, Object> attributes = new LinkedHashMap<>(
            (options == null ? ChatRequestOptions.EMPTY : options).listenerAttributes());
        attributes.put(CallTiming.KEY, timing);
        delegate.chat(request, ChatRequestOptions.builder().listenerAttributes(attributes).build(),
            new TimingHandler(handler, timing));
    }

    @Override
    public void doChat(final ChatRequest request, final StreamingChatResponseHandler handler) {
        delegate.doChat(request, handler);
    }

    @Override
    public ChatRequestParameters defaultRequestParameters() {
        return delegate.defaultRequestParameters();
    }

    @Override
    public List<ChatModelListener> listeners() {
        return delegate.listeners();
    }

    @Override
    public ModelProvider provider() {
        return delegate.provider();
    }

    @Override
    public Set<Capability> supportedCapabilities() {
        return delegate.supportedCapabilities();
    }

    /** Passes everything on; marks the first partial response or thinking. */
    private static final class TimingHandler implements StreamingChatResponseHandler {
        private final StreamingChatResponseHandler handler;
        private final CallTiming timing;

        TimingHandler(final StreamingChatResponseHandler handler, final CallTiming timing) {
            this.handler = handler;
            this.timing = timing;
        }

        @Override
        public void onPartialResponse(final String partialResponse) {
            timing.chunk();
            handler.onPartialResponse(partialResponse);
        }

        @Override
        public void onPartialResponse(final PartialResponse partialResponse, final PartialResponseContext context) {
            timing.chunk();
            handler.onPartialResponse(partialResponse, context);
        }

        @Override
        public void onPartialThinking(final PartialThinking partialThinking) {
            timing.chunk();
            handler.onPartialThinking(partialThinking);
        }

        @Override
        public void onPartialThinking(final PartialThinking partialThinking, final PartialThinkingContext context) {
            timing.chunk();
            handler.onPartialThinking(partialThinking, context);
        }

        @Override
        public void onPartialToolCall(final PartialToolCall partialToolCall) {
            handler.onPartialToolCall(partialToolCall);
        }

        @Override
        public void onPartialToolCall(final PartialToolCall partialToolCall, final PartialToolCallContext context) {
            handler.onPartialToolCall(partialToolCall, context);
        }

        @Override
        public void onCompleteToolCall(final CompleteToolCall completeToolCall) {
            handler.onCompleteToolCall(completeToolCall);
        }

        @Override
        public void onUnmappedRawEvent(final Object rawEvent) {
            handler.onUnmappedRawEvent(rawEvent);
        }

        @Override
        public void onCompleteResponse(final ChatResponse completeResponse) {
            handler.onCompleteResponse(completeResponse);
        }

        @Override
        public void onError(final Throwable error) {
            handler.onError(error);
        }
    }
}
