package dev.ringmeter.bench.client;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.listener.ChatModelRequestContext;
import dev.langchain4j.model.chat.listener.ChatModelResponseContext;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiTokenUsage;
import dev.langchain4j.model.output.FinishReason;
import dev.ringmeter.Event;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.langchain4j.RingmeterChatModelListener;
import dev.ringmeter.langchain4j.RingmeterLangChain4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * What the LangChain4j listener adds to a chat call: {@code onRequest} + {@code onResponse} with a real
 * {@link ChatResponse} (OpenAI usage with cached and reasoning tokens, a finish reason) into an embedded store,
 * beside recording the same event directly. {@code listener} reuses the contexts (the listener's own cost);
 * {@code listenerWithContexts} builds the attributes map and both contexts per call, as LangChain4j does.
 * Run with {@code -prof gc} for the allocation per call.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Thread)
public class LangChain4jListenerBenchmark {
    private EmbeddedStore store;
    private RingmeterChatModelListener listener;
    private ChatRequest request;
    private ChatResponse response;
    private ChatModelRequestContext requestContext;
    private ChatModelResponseContext responseContext;
    private final Event event = new Event();

    @Setup(Level.Trial)
    public void open() {
        store = EmbeddedStore.open(new StoreConfig().ringSize(65536).waitStrategy(StoreConfig.WaitStrategyKind.YIELDING)
            .cardinalityLimit(Dimension.MODEL, 4));
        listener = RingmeterLangChain4j.recordingTo(store).chatListener();
        request = ChatRequest.builder().messages(UserMessage.from("How long is a piece of string?"))
            .modelName("gpt-4o").build();
        response = ChatResponse.builder().aiMessage(AiMessage.from("Twice half its length.")).modelName("gpt-4o")
            .finishReason(FinishReason.STOP).tokenUsage(OpenAiTokenUsage.builder().inputTokenCount(120)
                .inputTokensDetails(OpenAiTokenUsage.InputTokensDetails.builder().cachedTokens(64).build())
                .outputTokenCount(40)
                .outputTokensDetails(OpenAiTokenUsage.OutputTokensDetails.builder().reasoningTokens(12).build())
                .build()).build();
        final Map<Object, Object> attributes = new ConcurrentHashMap<>();
        requestContext = new ChatModelRequestContext(request, ModelProvider.OPEN_AI, attributes);
        responseContext = new ChatModelResponseContext(response, request, ModelProvider.OPEN_AI, attributes);
    }

    @TearDown(Level.Trial)
    public void close() {
        store.close();
    }

    @Benchmark
    public void listener() {
        listener.onRequest(requestContext);
        listener.onResponse(responseContext);
    }

    @Benchmark
    public void listenerWithContexts() {
        final Map<Object, Object> attributes = new ConcurrentHashMap<>();
        listener.onRequest(new ChatModelRequestContext(request, ModelProvider.OPEN_AI, attributes));
        listener.onResponse(new ChatModelResponseContext(response, request, ModelProvider.OPEN_AI, attributes));
    }

    /** The same event recorded by hand: the baseline. */
    @Benchmark
    public boolean directRecord() {
        final long start = System.nanoTime();
        return store.record(event.reset().operation("chat").provider("openai").model("gpt-4o")
            .latencyNs(System.nanoTime() - start).promptTokens(120).cachedTokens(64).completionTokens(40)
            .reasoningTokens(12).tag("finish_reason", "stop"));
    }
}
