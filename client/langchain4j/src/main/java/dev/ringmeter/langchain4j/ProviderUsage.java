package dev.ringmeter.langchain4j;

import dev.langchain4j.model.anthropic.AnthropicTokenUsage;
import dev.langchain4j.model.openai.OpenAiTokenUsage;
import dev.langchain4j.model.output.TokenUsage;
import dev.ringmeter.Event;

/**
 * Token counts of a LangChain4j {@link TokenUsage} into an event, with the provider-specific counts of the provider
 * modules a service has: OpenAI's cached and reasoning tokens ({@code langchain4j-open-ai}), Anthropic's cache read and
 * cache write tokens ({@code langchain4j-anthropic}). Both modules are optional dependencies: each is read through a
 * nested class that names its type, loaded only when that type is on the class path, so a service without the module
 * never loads it.
 * <p>
 * Threading: stateless; any thread. Allocates nothing.
 */
final class ProviderUsage {
    private static final boolean OPEN_AI = present("dev.langchain4j.model.openai.OpenAiTokenUsage");
    private static final boolean ANTHROPIC = present("dev.langchain4j.model.anthropic.AnthropicTokenUsage");

    private ProviderUsage() {
    }

    /**
     * @param usage of a call, or null.
     * @param event to fill: prompt, completion, cached, cache write and reasoning tokens, where known.
     */
    static void read(final TokenUsage usage, final Event event) {
        if (usage == null) {
            return;
        }
        long prompt = count(usage.inputTokenCount());
        if (ANTHROPIC && Anthropic.is(usage)) {
            // Anthropic counts cache reads and writes apart from input_tokens; the event counts them inside
            prompt = Anthropic.read(usage, event, prompt);
        } else if (OPEN_AI && OpenAi.is(usage)) {
            OpenAi.read(usage, event);
        }
        if (prompt >= 0) {
            event.promptTokens(prompt);
        }
        final long completion = count(usage.outputTokenCount());
        if (completion >= 0) {
            event.completionTokens(completion);
        }
    }

    private static long count(final Integer n) {
        return n == null ? -1 : n;
    }

    private static boolean present(final String className) {
        try {
            Class.forName(className, false, ProviderUsage.class.getClassLoader());
            return true;
        } catch (final ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Loaded only when langchain4j-open-ai is present. */
    private static final class OpenAi {
        static boolean is(final TokenUsage usage) {
            return usage instanceof OpenAiTokenUsage;
        }

        static void read(final TokenUsage usage, final Event event) {
            final OpenAiTokenUsage u = (OpenAiTokenUsage)usage;
            if (u.inputTokensDetails() != null && u.inputTokensDetails().cachedTokens() != null) {
                event.cachedTokens(u.inputTokensDetails().cachedTokens());
            }
            if (u.outputTokensDetails() != null && u.outputTokensDetails().reasoningTokens() != null) {
                event.reasoningTokens(u.outputTokensDetails().reasoningTokens());
            }
        }
    }

    /** Loaded only when langchain4j-anthropic is present. */
    private static final class Anthropic {
        static boolean is(final TokenUsage usage) {
            return usage instanceof AnthropicTokenUsage;
        }

        /** @return the prompt tokens with the cache reads and writes added. */
        static long read(final TokenUsage usage, final Event event, final long input) {
            final AnthropicTokenUsage u = (AnthropicTokenUsage)usage;
            long prompt = input;
            if (u.cacheReadInputTokens() != null) {
                event.cachedTokens(u.cacheReadInputTokens());
                prompt = Math.max(prompt, 0) + u.cacheReadInputTokens();
            }
            if (u.cacheCreationInputTokens() != null) {
                event.cacheWriteTokens(u.cacheCreationInputTokens());
                prompt = Math.max(prompt, 0) + u.cacheCreationInputTokens();
            }
            return prompt;
        }
    }
}
