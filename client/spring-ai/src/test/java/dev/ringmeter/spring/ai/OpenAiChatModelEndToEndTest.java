package dev.ringmeter.spring.ai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.server.mockllm.MockLlm;
import dev.ringmeter.server.mockllm.MockLlmConfig;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.openai.OpenAiChatModel;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.ai.openai.api.OpenAiApi;
import org.springframework.retry.support.RetryTemplate;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Spring AI's own OpenAI chat model, observed by a real Micrometer registry holding the handler, calls the project's
 * mock-llm over HTTP; what the handler recorded into a real embedded store is read back: the model, the provider,
 * the tokens mock-llm's usage reports, and a latency no shorter than the delays mock-llm injected.
 */
@Timeout(120)
class OpenAiChatModelEndToEndTest {
    private static final Duration TTFT = Duration.ofMillis(60);
    private static final Duration PER_TOKEN = Duration.ofMillis(5);
    private static final int TOKENS = 12;

    @TempDir
    Path dir;

    private EmbeddedStore store;
    private RingmeterObservationHandler handler;

    @BeforeEach
    void open() {
        store = StoreEvents.open(dir);
        handler = new RingmeterObservationHandler(store);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private OpenAiChatModel model(final MockLlm llm) {
        final ObservationRegistry registry = ObservationRegistry.create();
        registry.observationConfig().observationHandler(handler);
        final OpenAiApi api = OpenAiApi.builder().baseUrl(llm.baseUrl().replaceFirst("/v1$", ""))
            .apiKey("not-checked").build();
        return OpenAiChatModel.builder().openAiApi(api)
            .defaultOptions(OpenAiChatOptions.builder().model("mock-gpt").maxTokens(TOKENS).build())
            .observationRegistry(registry)
            .retryTemplate(RetryTemplate.builder().maxAttempts(2).fixedBackoff(10).build())   // not minutes of backoff
            .build();
    }

    @Test
    void shouldRecordACallSpringAiMadeToAnOpenAiCompatibleServer() throws Exception {
        try (MockLlm llm = MockLlm.start(MockLlmConfig.builder().ttft(TTFT).interToken(PER_TOKEN)
            .defaultOutputTokens(64).build())) {
            final ChatResponse response = model(llm).call(new Prompt("Say hello"));
            final int completion = response.getMetadata().getUsage().getCompletionTokens();
            assertEquals(TOKENS, completion, "max_tokens caps mock-llm's reply");

            final List<JsonNode> events = StoreEvents.events(store);
            assertEquals(1, events.size(), events.toString());
            final JsonNode e = events.get(0);
            assertEquals("mock-gpt", e.get("model").asText());
            assertEquals("openai", e.get("provider").asText());
            assertEquals("chat", e.get("operation").asText());
            assertEquals("ok", e.get("status").asText());
            assertEquals(response.getMetadata().getUsage().getPromptTokens().longValue(),
                e.get("promptTokens").asLong());
            assertEquals(TOKENS, e.get("completionTokens").asLong());
            final double injectedMs = TTFT.toMillis() + (TOKENS - 1) * PER_TOKEN.toMillis();
            assertTrue(e.get("latencyMs").asDouble() >= injectedMs,
                "latency " + e.get("latencyMs") + " ms covers the " + injectedMs + " ms mock-llm waited");
        }
    }

    @Test
    void shouldRecordTheErrorOfACallTheServerRefused() throws Exception {
        try (MockLlm llm = MockLlm.start(MockLlmConfig.builder().ttft(Duration.ZERO)
            .errors(1.0, MockLlmConfig.ErrorKind.HTTP_500).build())) {
            final OpenAiChatModel model = model(llm);
            assertThrows(RuntimeException.class, () -> model.call(new Prompt("Say hello")));

            final List<JsonNode> events = StoreEvents.events(store);
            // Spring AI observes the call once, its retries inside the observation: one event, the call's outcome
            assertEquals(1, events.size(), events.toString());
            final JsonNode e = events.get(0);
            assertEquals("mock-gpt", e.get("model").asText());
            assertEquals("error", e.get("status").asText(), e.toString());
            assertEquals("TransientAiException", e.get("errorType").asText(), "Spring AI's type for a 5xx");
        }
    }
}
