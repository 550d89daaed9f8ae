package dev.ringmeter.spring.ai;

import dev.ringmeter.Event;
import org.springframework.ai.openai.api.OpenAiApi;

/**
 * Reads the token counts that Spring AI's portable {@link org.springframework.ai.chat.metadata.Usage} leaves out
 * from a provider's native usage: OpenAI's cached prompt tokens and reasoning completion tokens
 * ({@link OpenAiApi.Usage}). The provider module is an optional dependency: {@link #forClasspath()} checks once
 * whether it is present, and the class that names it ({@link OpenAi}) is loaded only then, so a service without
 * {@code spring-ai-openai} never meets a {@link NoClassDefFoundError}.
 * <p>
 * Threading: immutable; any thread. Allocates nothing.
 */
class NativeUsage {
    private static final NativeUsage NONE = new NativeUsage();

    /**
     * @return the reader for the provider modules on the classpath.
     */
    static NativeUsage forClasspath() {
        try {
            Class.forName("org.springframework.ai.openai.api.OpenAiApi$Usage", false,
                NativeUsage.class.getClassLoader());
            return new OpenAi();
        } catch (final ClassNotFoundException | LinkageError e) {
            return NONE;
        }
    }

    /**
     * Sets the event's token parts that the native usage carries; leaves the others as they are.
     *
     * @param event       to fill.
     * @param nativeUsage the provider's usage object, or null.
     */
    void fill(final Event event, final Object nativeUsage) {
    }

    /** OpenAI's (and OpenAI-compatible servers'): cached prompt tokens and reasoning tokens. */
    private static final class OpenAi extends NativeUsage {
        @Override
        void fill(final Event event, final Object nativeUsage) {
            if (!(nativeUsage instanceof OpenAiApi.Usage usage)) {
                return;
            }
            final OpenAiApi.Usage.PromptTokensDetails prompt = usage.promptTokensDetails();
            if (prompt != null && prompt.cachedTokens() != null) {
                event.cachedTokens(prompt.cachedTokens());
            }
            final OpenAiApi.Usage.CompletionTokenDetails completion = usage.completionTokenDetails();
            if (completion != null && completion.reasoningTokens() != null) {
                event.reasoningTokens(completion.reasoningTokens());
            }
        }
    }
}
