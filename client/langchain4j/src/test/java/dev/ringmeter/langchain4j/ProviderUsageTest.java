package dev.ringmeter.langchain4j;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.anthropic.AnthropicTokenUsage;
import dev.langchain4j.model.chat.listener.ChatModelRequestContext;
import dev.langchain4j.model.chat.listener.ChatModelResponseContext;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiTokenUsage;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The provider modules' token counts, through the listener as LangChain4j calls it, into an embedded store. */
@Timeout(60)
class ProviderUsageTest {
    @TempDir
    Path dir;

    private static void call(final RingmeterLangChain4j ringmeter, final ModelProvider provider, final String model,
                             final TokenUsage usage, final Map<Object, Object> attributes) {
        final ChatRequest request = ChatRequest.builder().messages(dev.langchain4j.data.message.UserMessage.from("hi"))
            .modelName(model).build();
        ringmeter.chatListener().onRequest(new ChatModelRequestContext(request, provider, attributes));
        final ChatResponse response = ChatResponse.builder().aiMessage(AiMessage.from("hello")).modelName(model)
            .tokenUsage(usage).finishReason(FinishReason.LENGTH).build();
        ringmeter.chatListener().onResponse(new ChatModelResponseContext(response, request, provider, attributes));
    }

    @Test
    void openAiCachedAndReasoningAndAnthropicCacheTokensAreRecorded() throws Exception {
        try (EmbeddedStore store = EmbeddedStore.open(new StoreConfig().dataDirectory(dir))) {
            final RingmeterLangChain4j ringmeter = RingmeterLangChain4j.recordingTo(store);
            call(ringmeter, ModelProvider.OPEN_AI, "o4", OpenAiTokenUsage.builder().inputTokenCount(100)
                .inputTokensDetails(OpenAiTokenUsage.InputTokensDetails.builder().cachedTokens(40).build())
                .outputTokenCount(50)
                .outputTokensDetails(OpenAiTokenUsage.OutputTokensDetails.builder().reasoningTokens(20).build())
                .build(), new ConcurrentHashMap<>());
            call(ringmeter, ModelProvider.ANTHROPIC, "claude", AnthropicTokenUsage.builder().inputTokenCount(10)
                .cacheReadInputTokens(30).cacheCreationInputTokens(5).outputTokenCount(7).build(),
                new ConcurrentHashMap<>());
            final List<JsonNode> events = StoreEvents.of(store);
            assertEquals(2, events.size(), events.toString());
            final JsonNode openAi = events.get(0);
            assertEquals("openai", openAi.get("provider").asText());
            assertEquals(100, openAi.get("promptTokens").asInt());
            assertEquals(40, openAi.get("cachedTokens").asInt());
            assertEquals(50, openAi.get("completionTokens").asInt());
            assertEquals(20, openAi.get("reasoningTokens").asInt());
            assertEquals("length", openAi.at("/tags/finish_reason").asText());
            final JsonNode anthropic = events.get(1);
            assertEquals("anthropic", anthropic.get("provider").asText());
            assertEquals(45, anthropic.get("promptTokens").asInt(), "cache reads and writes counted inside");
            assertEquals(30, anthropic.get("cachedTokens").asInt());
            assertEquals(5, anthropic.get("cacheWriteTokens").asInt());
            assertEquals(7, anthropic.get("completionTokens").asInt());
        }
    }

    @Test
    void anEventTheRecorderRefusesIsCountedAndTheCallGoesOn() throws Exception {
        try (EmbeddedStore store = EmbeddedStore.open(new StoreConfig().dataDirectory(dir))) {
            final RingmeterLangChain4j ringmeter = RingmeterLangChain4j.recordingTo(store);
            final Map<Object, Object> attributes = new ConcurrentHashMap<>();
            for (int i = 0; i < 4; i++) {   // with finish_reason, a fifth tag: more than an event holds
                attributes.put(CallAttributes.TAG_PREFIX + "k" + i, "v");
            }
            call(ringmeter, ModelProvider.OPEN_AI, "m", new TokenUsage(1, 1), attributes);
            assertEquals(1, ringmeter.failedEvents());
            call(ringmeter, ModelProvider.OPEN_AI, "m", new TokenUsage(1, 1), new ConcurrentHashMap<>());
            final List<JsonNode> events = StoreEvents.of(store);
            assertEquals(1, events.size(), events.toString());
            assertTrue(events.get(0).get("latencyMs").asDouble() >= 0);
        }
    }
}
