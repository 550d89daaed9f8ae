package dev.ringmeter.langchain4j;

import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.request.EmbeddingRequest;
import dev.langchain4j.model.embedding.response.EmbeddingResponse;
import dev.langchain4j.model.embedding.request.EmbeddingRequestParameters;
import dev.langchain4j.model.embedding.listener.EmbeddingModelListener;
import dev.ringmeter.Event;

import java.util.List;

/**
 * An embedding model that records each call as an {@code embeddings} event: the model (the response's, else the
 * wrapped model's name), the provider, the latency, the input tokens, and on failure the error's type. Every way of
 * embedding ({@code embed(String)}, {@code embedAll}, {@code embed(EmbeddingRequest)}) goes through
 * {@link #embed(EmbeddingRequest)}, so each call is one event.
 * <p>
 * Threading: as the wrapped model; recording is per thread ({@link RingmeterLangChain4j}).
 */
final class RingmeterEmbeddingModel implements EmbeddingModel {
    private final EmbeddingModel delegate;
    private final RingmeterLangChain4j ringmeter;

    RingmeterEmbeddingModel(final EmbeddingModel delegate, final RingmeterLangChain4j ringmeter) {
        if (delegate == null) {
            throw new IllegalArgumentException("model must be given");
        }
        this.delegate = delegate;
        this.ringmeter = ringmeter;
    }

    @Override
    public EmbeddingResponse embed(final EmbeddingRequest request) {
        final long startMs = System.currentTimeMillis();
        final long startNs = System.nanoTime();
        final EmbeddingResponse response;
        try {
            response = delegate.embed(request);
        } catch (final RuntimeException e) {
            final long latencyNs = System.nanoTime() - startNs;
            ringmeter.record((event, error) -> {
                start(event, startMs, latencyNs).model(delegate.modelName());
                RingmeterLangChain4j.failure(error, event);
            }, e);
            throw e;
        }
        final long latencyNs = System.nanoTime() - startNs;
        ringmeter.record((event, reply) -> {
            start(event, startMs, latencyNs);
            final String model = reply.metadata() == null ? null : reply.metadata().modelName();
            event.model(model != null ? model : delegate.modelName());
            if (reply.metadata() != null) {
                ProviderUsage.read(reply.metadata().tokenUsage(), event);
            }
        }, response);
        return response;
    }

    private Event start(final Event event, final long startMs, final long latencyNs) {
        return event.operation("embeddings").provider(RingmeterLangChain4j.provider(delegate.provider()))
            .timestampMs(startMs).latencyNs(latencyNs);
    }

    @Override
    public EmbeddingResponse doEmbed(final EmbeddingRequest request) {
        return delegate.doEmbed(request);
    }

    @Override
    public List<EmbeddingModelListener> listeners() {
        return List.of();   // the wrapped model notifies its own
    }

    @Override
    public ModelProvider provider() {
        return delegate.provider();
    }

    @Override
    public EmbeddingRequestParameters defaultRequestParameters() {
        return EmbeddingRequestParameters.EMPTY;   // the wrapped model applies its own
    }

    @Override
    public int dimension() {
        return delegate.dimension();
    }

    @Override
    public String modelName() {
        return delegate.modelName();
    }
}
