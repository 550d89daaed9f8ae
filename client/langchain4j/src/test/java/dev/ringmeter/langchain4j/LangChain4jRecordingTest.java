package dev.ringmeter.langchain4j;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.ChatRequestOptions;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiEmbeddingModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.service.tool.DefaultToolExecutor;
import dev.langchain4j.service.tool.ToolExecutor;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.server.mockllm.MockLlm;
import dev.ringmeter.server.mockllm.MockLlmConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real LangChain4j OpenAI models against mock-llm, recording into an embedded store in a temp directory; the events
 * are read back from the store's export.
 */
@Timeout(120)
class LangChain4jRecordingTest {
    private static final long TTFT_MS = 60;
    private static final long ITL_MS = 5;
    private static final int TOKENS = 8;

    @TempDir
    Path dir;
    private EmbeddedStore store;
    private MockLlm mock;
    private RingmeterLangChain4j ringmeter;

    @BeforeEach
    void start() throws Exception {
        store = EmbeddedStore.open(new StoreConfig().dataDirectory(dir));
        mock = MockLlm.start(MockLlmConfig.builder().ttft(Duration.ofMillis(TTFT_MS))
            .interToken(Duration.ofMillis(ITL_MS)).defaultOutputTokens(TOKENS).build());
        ringmeter = RingmeterLangChain4j.recordingTo(store);
    }

    @AfterEach
    void stop() {
        mock.close();
        store.close();
    }

    private List<JsonNode> events() throws Exception {
        return StoreEvents.of(store);
    }

    private static double ms(final JsonNode row, final String field) {
        return row.get(field).asDouble();
    }

    private ChatModel chatModel(final MockLlm endpoint) {
        return OpenAiChatModel.builder().baseUrl(endpoint.baseUrl()).apiKey("test").modelName("gpt-mock")
            .maxRetries(0).listeners(List.of(ringmeter.chatListener())).build();
    }

    @Test
    void aChatCallIsRecordedWithModelProviderLatencyTokensFinishReasonAndCallAttributes() throws Exception {
        final ChatResponse response = chatModel(mock).chat(
            ChatRequest.builder().messages(UserMessage.from("0123456789abcdef0123")).build(),
            ChatRequestOptions.builder().addListenerAttribute(CallAttributes.RUN, "nightly-1")
                .addListenerAttribute(CallAttributes.TAG_PREFIX + "tenant", "acme").build());
        final List<JsonNode> events = events();
        assertEquals(1, events.size(), events.toString());
        final JsonNode e = events.get(0);
        assertEquals("gpt-mock", e.get("model").asText());
        assertEquals("openai", e.get("provider").asText());
        assertEquals("chat", e.get("operation").asText());
        assertEquals("nightly-1", e.get("run").asText());
        assertTrue(ms(e, "latencyMs") >= TTFT_MS + (TOKENS - 1) * ITL_MS, e.toString());
        assertEquals(response.tokenUsage().inputTokenCount(), e.get("promptTokens").asInt());
        assertEquals(5, e.get("promptTokens").asInt());   // mock-llm: 20 characters / 4
        assertEquals(TOKENS, e.get("completionTokens").asInt());
        assertEquals("ok", e.get("status").asText());
        assertTrue(e.toString().contains("acme") && e.toString().contains("stop"), e.toString());
    }

    @Test
    void aStreamedCallRecordsTheTimeToTheFirstChunk() throws Exception {
        final StreamingChatModel model = ringmeter.streaming(OpenAiStreamingChatModel.builder()
            .baseUrl(mock.baseUrl()).apiKey("test").modelName("gpt-stream")
            .listeners(List.of(ringmeter.chatListener())).build());
        final CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        final List<String> parts = new ArrayList<>();
        model.chat("hello there", new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(final String partial) {
                parts.add(partial);
            }

            @Override
            public void onCompleteResponse(final ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(final Throwable error) {
                done.completeExceptionally(error);
            }
        });
        final ChatResponse response = done.get(30, TimeUnit.SECONDS);
        assertEquals(TOKENS, parts.size());
        final List<JsonNode> events = events();
        assertEquals(1, events.size(), events.toString());
        final JsonNode e = events.get(0);
        assertEquals("gpt-stream", e.get("model").asText());
        assertTrue(ms(e, "ttftMs") >= TTFT_MS, e.toString());
        assertTrue(ms(e, "ttftMs") < ms(e, "latencyMs"), e.toString());
        assertTrue(ms(e, "latencyMs") >= TTFT_MS + (TOKENS - 1) * ITL_MS, e.toString());
        assertEquals(response.tokenUsage().outputTokenCount(), e.get("completionTokens").asInt());
        assertEquals(TOKENS, e.get("completionTokens").asInt());
        assertEquals(3, e.get("promptTokens").asInt());   // 11 characters / 4, rounded up
    }

    @Test
    void aFailedCallIsRecordedWithItsErrorType() throws Exception {
        try (MockLlm failing = MockLlm.start(MockLlmConfig.builder().ttft(Duration.ofMillis(TTFT_MS))
            .errors(1, MockLlmConfig.ErrorKind.HTTP_500).build())) {
            final RuntimeException thrown = assertThrows(RuntimeException.class, () -> chatModel(failing).chat("hi"));
            final List<JsonNode> events = events();
            assertEquals(1, events.size(), events.toString());
            final JsonNode e = events.get(0);
            assertEquals("error", e.get("status").asText());
            assertEquals(thrown.getClass().getSimpleName(), e.get("errorType").asText(), e.toString());
            assertEquals("gpt-mock", e.get("model").asText());
            assertTrue(ms(e, "latencyMs") >= TTFT_MS, e.toString());
        }
    }

    @Test
    void anEmbeddingCallIsRecordedWithItsInputTokens() throws Exception {
        final EmbeddingModel model = ringmeter.embeddings(OpenAiEmbeddingModel.builder().baseUrl(mock.baseUrl())
            .apiKey("test").modelName("emb-mock").maxRetries(0).build());
        assertEquals(8, model.embed("abcdefgh").content().dimension());
        final List<JsonNode> events = events();
        assertEquals(1, events.size(), events.toString());
        final JsonNode e = events.get(0);
        assertEquals("embeddings", e.get("operation").asText());
        assertEquals("emb-mock", e.get("model").asText());
        assertEquals("openai", e.get("provider").asText());
        assertEquals(2, e.get("promptTokens").asInt());
        assertTrue(ms(e, "latencyMs") >= TTFT_MS, e.toString());
    }

    /** Tools of an AI service. */
    public static final class Calculator {
        @Tool("adds two numbers")
        public int add(final int a, final int b) {
            return a + b;
        }

        @Tool("divides")
        public int divide(final int a, final int b) {
            return a / b;
        }
    }

    @Test
    void toolExecutionsAreRecordedInTheToolDimension() throws Exception {
        final Calculator calculator = new Calculator();
        final ToolExecutor add = RingmeterToolExecutor.wrap(ringmeter, "add", new DefaultToolExecutor(calculator,
            Calculator.class.getMethod("add", int.class, int.class)));
        final ToolExecutor divide = RingmeterToolExecutor.wrap(ringmeter, "divide", new DefaultToolExecutor(calculator,
            Calculator.class.getMethod("divide", int.class, int.class)));
        assertEquals("5", add.execute(ToolExecutionRequest.builder().id("1").name("add")
            .arguments("{\"a\":2,\"b\":3}").build(), null));
        final String failed = divide.execute(ToolExecutionRequest.builder().id("2").name("divide")
            .arguments("{\"a\":1,\"b\":0}").build(), null);
        final List<JsonNode> events = events();
        assertEquals(2, events.size(), events.toString());
        assertEquals("add", events.get(0).get("tool").asText());
        assertEquals("execute_tool", events.get(0).get("operation").asText());
        assertEquals("ok", events.get(0).get("status").asText());
        assertEquals("divide", events.get(1).get("tool").asText());
        System.out.println("divide by zero: " + failed + " -> " + events.get(1));
        assertFalse(events.get(1).get("latencyMs").isNull());
        assertEquals(0, ringmeter.failedEvents());
    }
}
