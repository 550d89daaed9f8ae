package dev.ringmeter.spring.ai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ringmeter.core.EmbeddedStore;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.metadata.ChatGenerationMetadata;
import org.springframework.ai.chat.metadata.ChatResponseMetadata;
import org.springframework.ai.chat.metadata.DefaultUsage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.observation.ChatModelObservationContext;
import org.springframework.ai.chat.observation.ChatModelObservationDocumentation;
import org.springframework.ai.chat.observation.DefaultChatModelObservationConvention;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.embedding.Embedding;
import org.springframework.ai.embedding.EmbeddingOptions;
import org.springframework.ai.embedding.EmbeddingRequest;
import org.springframework.ai.embedding.EmbeddingResponse;
import org.springframework.ai.embedding.EmbeddingResponseMetadata;
import org.springframework.ai.embedding.observation.DefaultEmbeddingModelObservationConvention;
import org.springframework.ai.embedding.observation.EmbeddingModelObservationContext;
import org.springframework.ai.embedding.observation.EmbeddingModelObservationDocumentation;
import org.springframework.ai.openai.api.OpenAiApi;
import org.springframework.ai.tool.definition.DefaultToolDefinition;
import org.springframework.ai.tool.observation.DefaultToolCallingObservationConvention;
import org.springframework.ai.tool.observation.ToolCallingObservationContext;
import org.springframework.ai.tool.observation.ToolCallingObservationDocumentation;

import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Spring AI's own observation support (its observation documentations and default conventions, a real Micrometer
 * {@link ObservationRegistry}) drives the real handler, which records into a real embedded store in a temporary
 * directory; the events are read back from the store's export, every field the handler sets.
 */
@Timeout(120)
class RingmeterObservationHandlerTest {
    @TempDir
    Path dir;

    private EmbeddedStore store;
    private RingmeterObservationHandler handler;
    private ObservationRegistry registry;

    @BeforeEach
    void open() {
        store = StoreEvents.open(dir);
        handler = new RingmeterObservationHandler(store);
        registry = ObservationRegistry.create();
        registry.observationConfig().observationHandler(handler);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private Observation chat(final ChatModelObservationContext context) {
        return ChatModelObservationDocumentation.CHAT_MODEL_OPERATION.observation(null,
            new DefaultChatModelObservationConvention(), () -> context, registry);
    }

    private static ChatModelObservationContext chatContext(final String requestModel) {
        return ChatModelObservationContext.builder()
            .prompt(new Prompt("What is the capital of France?", ChatOptions.builder().model(requestModel).build()))
            .provider("openai").build();
    }

    private static ChatResponse reply(final String model, final DefaultUsage usage, final String finishReason) {
        return new ChatResponse(List.of(new Generation(new AssistantMessage("Paris."),
            ChatGenerationMetadata.builder().finishReason(finishReason).build())),
            ChatResponseMetadata.builder().id("chatcmpl-1").model(model).usage(usage).build());
    }

    @Test
    void shouldRecordAChatCallWithItsResponseModelTokensFinishReasonAndLatency() throws Exception {
        final OpenAiApi.Usage openAi = new OpenAiApi.Usage(40, 120, 160,
            new OpenAiApi.Usage.PromptTokensDetails(null, 64), new OpenAiApi.Usage.CompletionTokenDetails(16, null,
            null, null));
        final ChatModelObservationContext context = chatContext("gpt-4o");
        final long modelCallNs = TimeUnit.MILLISECONDS.toNanos(30);
        final long before = System.currentTimeMillis();
        chat(context).observe(() -> {
            LockSupport.parkNanos(modelCallNs); // the model's time to answer, measured by the observation
            context.setResponse(reply("gpt-4o-2024-08-06", new DefaultUsage(120, 40, 160, openAi), "STOP"));
        });

        final List<JsonNode> events = StoreEvents.events(store);
        assertEquals(1, events.size(), events.toString());
        final JsonNode e = events.get(0);
        assertEquals("gpt-4o-2024-08-06", e.get("model").asText(), "the response's model wins over the request's");
        assertEquals("chat", e.get("operation").asText());
        assertEquals("openai", e.get("provider").asText());
        assertEquals(120, e.get("promptTokens").asLong());
        assertEquals(40, e.get("completionTokens").asLong());
        assertEquals(64, e.get("cachedTokens").asLong());
        assertEquals(16, e.get("reasoningTokens").asLong());
        assertEquals("ok", e.get("status").asText());
        assertEquals("STOP", e.get("tags").get(RingmeterObservationHandler.FINISH_REASON_TAG).asText(), e.toString());
        final double latencyMs = e.get("latencyMs").asDouble();
        assertTrue(latencyMs >= 30 && latencyMs < 10_000, "latency " + latencyMs);
        final long timestampMs = e.get("timestamp").asLong();
        assertTrue(timestampMs >= before - 1 && timestampMs <= before + 1_000, "the call's start, " + timestampMs
            + " against " + before);
        assertEquals(1, handler.recorded());
    }

    @Test
    void shouldTakeTheRequestModelWhenTheResponseNamesNone() throws Exception {
        final ChatModelObservationContext context = chatContext("llama3.1");
        chat(context).observe(() -> context.setResponse(reply(null, new DefaultUsage(7, 3), "STOP")));

        final JsonNode e = StoreEvents.events(store).get(0);
        assertEquals("llama3.1", e.get("model").asText());
        assertEquals(7, e.get("promptTokens").asLong());
        assertEquals(3, e.get("completionTokens").asLong());
        assertFalse(e.hasNonNull("cachedTokens") && e.get("cachedTokens").asLong() != 0, e.toString());
    }

    @Test
    void shouldRecordAFailedChatCallWithItsStatusAndErrorTypeAndRethrow() throws Exception {
        final ChatModelObservationContext context = chatContext("gpt-4o");
        final IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> chat(context).observe(
            () -> {
                throw new IllegalStateException("HTTP 500 from the model");
            }));
        assertEquals("HTTP 500 from the model", thrown.getMessage());
        final ChatModelObservationContext timedOut = chatContext("gpt-4o-mini");
        final Observation observation = chat(timedOut).start();
        observation.error(new SocketTimeoutException("Read timed out"));
        observation.stop();

        final List<JsonNode> events = StoreEvents.events(store);
        assertEquals(2, events.size(), events.toString());
        assertEquals("gpt-4o", events.get(0).get("model").asText());
        assertEquals("error", events.get(0).get("status").asText());
        assertEquals("IllegalStateException", events.get(0).get("errorType").asText());
        assertEquals("gpt-4o-mini", events.get(1).get("model").asText());
        assertEquals("timeout", events.get(1).get("status").asText());
        assertEquals("SocketTimeoutException", events.get(1).get("errorType").asText());
    }

    @Test
    void shouldRecordAnEmbeddingCall() throws Exception {
        final EmbeddingModelObservationContext context = EmbeddingModelObservationContext.builder()
            .embeddingRequest(new EmbeddingRequest(List.of("a", "b"),
                EmbeddingOptions.builder().model("text-embedding-3-small").build()))
            .provider("openai").build();
        EmbeddingModelObservationDocumentation.EMBEDDING_MODEL_OPERATION.observation(null,
            new DefaultEmbeddingModelObservationConvention(), () -> context, registry).observe(() ->
            context.setResponse(new EmbeddingResponse(List.of(new Embedding(new float[]{0.1f}, 0)),
                new EmbeddingResponseMetadata("text-embedding-3-small", new DefaultUsage(8, 0)))));

        final JsonNode e = StoreEvents.events(store).get(0);
        assertEquals("embeddings", e.get("operation").asText());
        assertEquals("text-embedding-3-small", e.get("model").asText());
        assertEquals("openai", e.get("provider").asText());
        assertEquals(8, e.get("promptTokens").asLong());
    }

    @Test
    void shouldRecordAToolCallUnderItsToolName() throws Exception {
        final ToolCallingObservationContext context = ToolCallingObservationContext.builder()
            .toolDefinition(DefaultToolDefinition.builder().name("current_weather").description("The weather")
                .inputSchema("{\"type\":\"object\"}").build())
            .toolCallArguments("{\"city\":\"Paris\"}").build();
        ToolCallingObservationDocumentation.TOOL_CALL.observation(null,
            new DefaultToolCallingObservationConvention(), () -> context, registry)
            .observe(() -> context.setToolCallResult("sunny"));

        final JsonNode e = StoreEvents.events(store).get(0);
        assertEquals("execute_tool", e.get("operation").asText());
        assertEquals("current_weather", e.get("tool").asText());
        assertFalse(e.hasNonNull("model") && !e.get("model").asText().isEmpty(), e.toString());
    }

    @Test
    void shouldRecordAStreamedCallStartedOnOneThreadAndStoppedOnAnother() throws Exception {
        final ChatModelObservationContext context = chatContext("gpt-4o-mini");
        final Observation observation = chat(context).start();
        final Thread streamEnd = new Thread(() -> {
            context.setResponse(reply("gpt-4o-mini", new DefaultUsage(9, 4), "STOP"));
            observation.stop();
        }, "stream-end");
        streamEnd.start();
        streamEnd.join(30_000);
        assertFalse(streamEnd.isAlive());

        final List<JsonNode> events = StoreEvents.events(store);
        assertEquals(1, events.size(), events.toString());
        assertEquals("gpt-4o-mini", events.get(0).get("model").asText());
        assertEquals(4, events.get(0).get("completionTokens").asLong());
    }

    @Test
    void shouldCountACallTheStoreRefusesWithoutFailingIt() throws Exception {
        final ChatModelObservationContext context = ChatModelObservationContext.builder()
            .prompt(new Prompt("no model named", ChatOptions.builder().build())).provider("openai").build();
        chat(context).observe(() -> context.setResponse(reply(null, new DefaultUsage(1, 1), "STOP")));

        assertEquals(1, handler.refused());
        assertEquals(0, handler.recorded());
        assertTrue(StoreEvents.events(store).isEmpty());
    }
}
