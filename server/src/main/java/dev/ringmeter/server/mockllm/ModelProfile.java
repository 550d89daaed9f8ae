package dev.ringmeter.server.mockllm;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How one model of {@link MockLlm} behaves: the distributions of its time to first token and inter-token delay (in
 * milliseconds), of its natural output length and of the reasoning tokens it streams before the content (in tokens),
 * and how many tokens each streamed chunk carries. {@link MockLlmConfig} holds a default profile and one per model
 * named with overrides ({@code --model slow=ttft:400,itl:lognormal:30,0.2,chunk:4}).
 * <p>
 * Threading: immutable, so safe to share.
 */
public final class ModelProfile {
    private static final List<String> KEYS = List.of("ttft", "itl", "output", "reasoning", "chunk");

    private final Distribution ttftMs;
    private final Distribution itlMs;
    private final Distribution outputTokens;
    private final Distribution reasoningTokens;
    private final int tokensPerChunk;

    ModelProfile(final Distribution ttftMs, final Distribution itlMs, final Distribution outputTokens,
                 final Distribution reasoningTokens, final int tokensPerChunk) {
        this.ttftMs = ttftMs;
        this.itlMs = itlMs;
        this.outputTokens = outputTokens;
        this.reasoningTokens = reasoningTokens;
        if (tokensPerChunk < 1 || tokensPerChunk > MockLlmConfig.MAX_OUTPUT_TOKENS) {
            throw new IllegalArgumentException("tokens per chunk must be between 1 and "
                + MockLlmConfig.MAX_OUTPUT_TOKENS + " but was " + tokensPerChunk);
        }
        this.tokensPerChunk = tokensPerChunk;
    }

    /** @return the time to the first chunk, in milliseconds. */
    public Distribution ttftMs() {
        return ttftMs;
    }

    /** @return the delay per output token after the first chunk, in milliseconds. */
    public Distribution itlMs() {
        return itlMs;
    }

    /** @return the natural output length, in tokens (at least 1 is sent). */
    public Distribution outputTokens() {
        return outputTokens;
    }

    /** @return the reasoning tokens streamed before the content, in tokens (chat only). */
    public Distribution reasoningTokens() {
        return reasoningTokens;
    }

    /** @return tokens in each streamed chunk. */
    public int tokensPerChunk() {
        return tokensPerChunk;
    }

    /**
     * @param overrides e.g. {@code ttft:400,itl:lognormal:30,0.2,output:uniform:10,50,reasoning:20,chunk:4}: keys
     *                  {@code ttft}, {@code itl}, {@code output}, {@code reasoning}, {@code chunk}, each with a value
     *                  {@link Distribution#parse} reads ({@code chunk} an integer).
     * @return this profile with the overrides.
     * @throws IllegalArgumentException naming the bad key or value.
     */
    public ModelProfile with(final String overrides) {
        Distribution ttft = ttftMs;
        Distribution itl = itlMs;
        Distribution output = outputTokens;
        Distribution reasoning = reasoningTokens;
        int chunk = tokensPerChunk;
        for (final String[] kv : pairs(overrides)) {
            switch (kv[0]) {
                case "ttft": ttft = Distribution.parse(kv[1]); break;
                case "itl": itl = Distribution.parse(kv[1]); break;
                case "output": output = Distribution.parse(kv[1]); break;
                case "reasoning": reasoning = Distribution.parse(kv[1]); break;
                default:
                    try {
                        chunk = Integer.parseInt(kv[1].trim());
                    } catch (final NumberFormatException e) {
                        throw new IllegalArgumentException("chunk must be an integer but was '" + kv[1] + "'");
                    }
            }
        }
        return new ModelProfile(ttft, itl, output, reasoning, chunk);
    }

    /** Splits {@code key:value,key:value}, where a value may itself hold commas (a distribution's arguments). */
    private static List<String[]> pairs(final String overrides) {
        final List<String[]> out = new ArrayList<>();
        for (final String piece : overrides.split(",", -1)) {
            final int colon = piece.indexOf(':');
            final String key = colon < 0 ? "" : piece.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            if (KEYS.contains(key)) {
                out.add(new String[] {key, piece.substring(colon + 1)});
            } else if (!out.isEmpty() && !piece.isBlank()) {
                final String[] last = out.get(out.size() - 1);
                last[1] = last[1] + "," + piece;
            } else {
                throw new IllegalArgumentException("'" + piece + "' in '" + overrides + "' is not key:value with a key"
                    + " among " + KEYS);
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "ttft:" + ttftMs + " itl:" + itlMs + " output:" + outputTokens + " reasoning:" + reasoningTokens
            + " chunk:" + tokensPerChunk;
    }
}
