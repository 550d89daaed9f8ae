package dev.ringmeter.server.mockllm;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Random;

/**
 * One completion request as mock-llm reads it, checked field by field: a bad field is a {@link BadRequest} naming it,
 * which the server answers with a 400 in OpenAI's error shape.
 * <p>
 * Output length: the configured default, raised to {@code min_tokens}, capped by {@code max_tokens} (or
 * {@code max_completion_tokens}); with {@code ignore_eos} it is exactly {@code max_tokens}. The finish reason is
 * {@code length} when the cap cut the reply (or {@code ignore_eos} set it), {@code stop} otherwise. Prompt tokens are
 * approximated as one per four characters of the prompt's text (at least one): no tokenizer is at hand.
 * <p>
 * Threading: immutable once parsed.
 */
final class MockLlmRequest {
    final boolean chat;
    final String model;
    final boolean stream;
    final boolean includeUsage;
    final int promptTokens;
    final int outputTokens;
    final boolean cutByLength;

    /** A field of the request is wrong; {@code param} names it, as OpenAI's error body does. */
    static final class BadRequest extends Exception {
        private static final long serialVersionUID = 1L;
        final String param;

        BadRequest(final String param, final String message) {
            super(message, null, false, false);
            this.param = param;
        }
    }

    private MockLlmRequest(final boolean chat, final String model, final boolean stream, final boolean includeUsage,
                           final int promptTokens, final int outputTokens, final boolean cutByLength) {
        this.chat = chat;
        this.model = model;
        this.stream = stream;
        this.includeUsage = includeUsage;
        this.promptTokens = promptTokens;
        this.outputTokens = outputTokens;
        this.cutByLength = cutByLength;
    }

    /**
     * @param chat   true for {@code /v1/chat/completions}, false for {@code /v1/completions}.
     * @param body   the parsed body.
     * @param config for the natural output length of the model named.
     * @param random to draw that length with.
     * @return the request.
     * @throws BadRequest naming the first bad field.
     */
    static MockLlmRequest parse(final boolean chat, final JsonNode body, final MockLlmConfig config,
                                final Random random) throws BadRequest {
        if (body == null || !body.isObject()) {
            throw new BadRequest(null, "the body must be a JSON object");
        }
        final JsonNode model = body.get("model");
        if (model == null || !model.isTextual() || model.asText().isBlank()) {
            throw new BadRequest("model", "'model' is required and must be a non-empty string");
        }
        final long chars = chat ? messageChars(body.get("messages")) : promptChars(body.get("prompt"));
        final boolean stream = bool(body, "stream");
        final JsonNode options = body.get("stream_options");
        boolean includeUsage = false;
        if (options != null && !options.isNull()) {
            if (!stream) {
                throw new BadRequest("stream_options", "'stream_options' is only allowed when 'stream' is true");
            }
            if (!options.isObject()) {
                throw new BadRequest("stream_options", "'stream_options' must be an object");
            }
            includeUsage = bool(options, "include_usage");
        }
        int max = positiveInt(body, "max_tokens", 1);
        final int maxCompletion = positiveInt(body, "max_completion_tokens", 1);
        if (max == 0 || (maxCompletion != 0 && maxCompletion < max)) {
            max = maxCompletion;
        }
        final int min = positiveInt(body, "min_tokens", 0);
        final boolean ignoreEos = bool(body, "ignore_eos");
        if (max != 0 && min > max) {
            throw new BadRequest("min_tokens", "'min_tokens' (" + min + ") must not exceed 'max_tokens' (" + max + ")");
        }
        final int drawn = (int)Math.max(1, Math.min(MockLlmConfig.MAX_OUTPUT_TOKENS,
            Math.round(config.profile(model.asText()).outputTokens().sample(random))));
        final int natural = Math.max(drawn, min);
        final int output;
        final boolean cut;
        if (max == 0) {
            output = natural;
            cut = false;
        } else if (ignoreEos) {
            output = max;
            cut = true;
        } else {
            output = Math.min(natural, max);
            cut = natural > max;
        }
        final int promptTokens = (int)Math.max(1, Math.min(Integer.MAX_VALUE, (chars + 3) / 4));
        return new MockLlmRequest(chat, model.asText(), stream, includeUsage, promptTokens, output, cut);
    }

    /**
     * Reads an embeddings request: {@code model}, {@code input} (a string or an array of strings) and the optional
     * {@code dimensions} (1 to 4096, default 8).
     *
     * @param body the parsed body.
     * @return {@code [inputs, promptTokens, dimensions]}.
     * @throws BadRequest naming the first bad field.
     */
    static int[] parseEmbeddings(final JsonNode body) throws BadRequest {
        if (body == null || !body.isObject()) {
            throw new BadRequest(null, "the body must be a JSON object");
        }
        final JsonNode model = body.get("model");
        if (model == null || !model.isTextual() || model.asText().isBlank()) {
            throw new BadRequest("model", "'model' is required and must be a non-empty string");
        }
        final JsonNode input = body.get("input");
        final int inputs = input != null && input.isArray() ? input.size() : 1;
        if (input == null || (!input.isTextual() && !input.isArray()) || (input.isArray() && input.isEmpty())) {
            throw new BadRequest("input", "'input' is required and must be a string or a non-empty array of strings");
        }
        final long chars = promptChars(input);
        final JsonNode dims = body.get("dimensions");
        int dimensions = 8;
        if (dims != null && !dims.isNull()) {
            if (!dims.isIntegralNumber() || dims.asInt() < 1 || dims.asInt() > 4096) {
                throw new BadRequest("dimensions", "'dimensions' must be an integer between 1 and 4096");
            }
            dimensions = dims.asInt();
        }
        return new int[] {inputs, (int)Math.max(1, Math.min(Integer.MAX_VALUE, (chars + 3) / 4)), dimensions};
    }

    private static long messageChars(final JsonNode messages) throws BadRequest {
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw new BadRequest("messages", "'messages' is required and must be a non-empty array");
        }
        long chars = 0;
        for (int i = 0; i < messages.size(); i++) {
            final JsonNode m = messages.get(i);
            final String at = "messages[" + i + "]";
            if (!m.isObject()) {
                throw new BadRequest(at, "'" + at + "' must be an object");
            }
            final JsonNode role = m.get("role");
            if (role == null || !role.isTextual()) {
                throw new BadRequest(at + ".role", "'" + at + ".role' is required and must be a string");
            }
            final JsonNode content = m.get("content");
            if (content == null || content.isNull()) {
                continue;
            }
            if (content.isTextual()) {
                chars += content.asText().length();
            } else if (content.isArray()) {
                for (final JsonNode part : content) {
                    final JsonNode text = part.get("text");
                    if (text != null && text.isTextual()) {
                        chars += text.asText().length();
                    }
                }
            } else {
                throw new BadRequest(at + ".content", "'" + at + ".content' must be a string or an array of parts");
            }
        }
        return chars;
    }

    private static long promptChars(final JsonNode prompt) throws BadRequest {
        if (prompt != null && prompt.isTextual()) {
            return prompt.asText().length();
        }
        if (prompt != null && prompt.isArray() && !prompt.isEmpty()) {
            long chars = 0;
            for (final JsonNode p : prompt) {
                if (!p.isTextual()) {
                    throw new BadRequest(null, "each prompt or input must be a string");
                }
                chars += p.asText().length();
            }
            return chars;
        }
        throw new BadRequest("prompt", "'prompt' is required and must be a string or a non-empty array of strings");
    }

    private static boolean bool(final JsonNode node, final String field) throws BadRequest {
        final JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw new BadRequest(field, "'" + field + "' must be a boolean");
        }
        return v.booleanValue();
    }

    /** @return the field's value, or 0 when absent. */
    private static int positiveInt(final JsonNode node, final String field, final int min) throws BadRequest {
        final JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return 0;
        }
        if (!v.isIntegralNumber() || v.asLong() < min || v.asLong() > MockLlmConfig.MAX_OUTPUT_TOKENS) {
            throw new BadRequest(field, "'" + field + "' must be an integer between " + min + " and "
                + MockLlmConfig.MAX_OUTPUT_TOKENS);
        }
        return v.intValue();
    }
}
