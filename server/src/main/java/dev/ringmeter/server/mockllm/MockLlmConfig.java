package dev.ringmeter.server.mockllm;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * How {@link MockLlm} answers: its delays, output lengths, errors and limits. Immutable; built with {@link #builder()}.
 * <p>
 * Timing of a reply: the first chunk leaves {@link #ttftNs()} after the request's body was read, each next chunk
 * {@link #tokensPerChunk()} × {@link #interTokenNs()} after the one before, and once, after the chunk that carries
 * token {@link #stallAfterTokens()}, the stream pauses a further {@link #stallNs()}. A reply that is not streamed
 * leaves when its last chunk would have.
 * <p>
 * Threading: immutable, so safe to share between threads.
 */
public final class MockLlmConfig {
    /** The highest output length a request may ask for. */
    public static final int MAX_OUTPUT_TOKENS = 1 << 20;

    /** What a failed call looks like. */
    public enum ErrorKind {
        /** An HTTP 500 with an OpenAI error body before any chunk. */
        HTTP_500,
        /** An HTTP 429 with an OpenAI error body before any chunk. */
        HTTP_429,
        /** A stream that starts, then carries an error event half-way and ends without {@code [DONE]}; a call that
         * is not streamed gets a 500. */
        STREAM;

        /**
         * @param text e.g. {@code 500}, {@code 429} or {@code stream}.
         * @return the kind.
         * @throws IllegalArgumentException naming the accepted values.
         */
        public static ErrorKind parse(final String text) {
            switch (text.toLowerCase(Locale.ROOT)) {
                case "500": return HTTP_500;
                case "429": return HTTP_429;
                case "stream": return STREAM;
                default: throw new IllegalArgumentException("error kind must be one of 500, 429, stream but was '"
                    + text + "'");
            }
        }
    }

    private final long ttftNs;
    private final long interTokenNs;
    private final int defaultOutputTokens;
    private final int tokensPerChunk;
    private final double errorRate;
    private final ErrorKind errorKind;
    private final long stallNs;
    private final int stallAfterTokens;
    private final int maxConcurrentStreams;
    private final int maxBodyBytes;
    private final List<String> models;

    private MockLlmConfig(final Builder b) {
        this.ttftNs = b.ttftNs;
        this.interTokenNs = b.interTokenNs;
        this.defaultOutputTokens = b.defaultOutputTokens;
        this.tokensPerChunk = b.tokensPerChunk;
        this.errorRate = b.errorRate;
        this.errorKind = b.errorKind;
        this.stallNs = b.stallNs;
        this.stallAfterTokens = b.stallAfterTokens;
        this.maxConcurrentStreams = b.maxConcurrentStreams;
        this.maxBodyBytes = b.maxBodyBytes;
        this.models = List.copyOf(b.models);
    }

    /** @return a builder with the defaults: TTFT 50 ms, 10 ms per token, 16 tokens, one per chunk, no errors, no
     * stall, 256 concurrent calls, 1 MiB bodies, model {@code mock-llm}. */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the defaults. */
    public static MockLlmConfig defaults() {
        return builder().build();
    }

    public long ttftNs() {
        return ttftNs;
    }

    public long interTokenNs() {
        return interTokenNs;
    }

    public int defaultOutputTokens() {
        return defaultOutputTokens;
    }

    public int tokensPerChunk() {
        return tokensPerChunk;
    }

    public double errorRate() {
        return errorRate;
    }

    public ErrorKind errorKind() {
        return errorKind;
    }

    public long stallNs() {
        return stallNs;
    }

    public int stallAfterTokens() {
        return stallAfterTokens;
    }

    public int maxConcurrentStreams() {
        return maxConcurrentStreams;
    }

    public int maxBodyBytes() {
        return maxBodyBytes;
    }

    /** @return the models {@code GET /v1/models} lists; a request may name any model. */
    public List<String> models() {
        return models;
    }

    /**
     * @param outputTokens of a reply.
     * @return nanoseconds from the body read to the chunk that carries the last token.
     */
    long lastChunkOffsetNs(final int outputTokens) {
        final int chunks = Math.max(1, (outputTokens + tokensPerChunk - 1) / tokensPerChunk);
        return chunkOffsetNs(chunks - 1);
    }

    /**
     * @param chunk index, from 0.
     * @return nanoseconds from the body read to that chunk, the stall included once passed.
     */
    long chunkOffsetNs(final int chunk) {
        long offset = ttftNs + (long)chunk * tokensPerChunk * interTokenNs;
        if (stallNs > 0 && (long)chunk * tokensPerChunk >= stallAfterTokens) {
            offset += stallNs;
        }
        return offset;
    }

    /** Builds a {@link MockLlmConfig}; each setter checks its value. Not thread-safe. */
    public static final class Builder {
        private long ttftNs = Duration.ofMillis(50).toNanos();
        private long interTokenNs = Duration.ofMillis(10).toNanos();
        private int defaultOutputTokens = 16;
        private int tokensPerChunk = 1;
        private double errorRate;
        private ErrorKind errorKind = ErrorKind.HTTP_500;
        private long stallNs;
        private int stallAfterTokens;
        private int maxConcurrentStreams = 256;
        private int maxBodyBytes = 1 << 20;
        private List<String> models = List.of("mock-llm");

        private Builder() {
        }

        public Builder ttft(final Duration ttft) {
            this.ttftNs = nonNegative("ttft", ttft);
            return this;
        }

        public Builder interToken(final Duration interToken) {
            this.interTokenNs = nonNegative("inter-token delay", interToken);
            return this;
        }

        public Builder defaultOutputTokens(final int tokens) {
            this.defaultOutputTokens = range("default output tokens", tokens, 1, MAX_OUTPUT_TOKENS);
            return this;
        }

        public Builder tokensPerChunk(final int tokens) {
            this.tokensPerChunk = range("tokens per chunk", tokens, 1, MAX_OUTPUT_TOKENS);
            return this;
        }

        /**
         * @param rate share of calls that fail, 0 to 1.
         * @param kind how they fail.
         * @return this.
         */
        public Builder errors(final double rate, final ErrorKind kind) {
            if (!(rate >= 0 && rate <= 1)) {
                throw new IllegalArgumentException("error rate must be between 0 and 1 but was " + rate);
            }
            if (kind == null) {
                throw new IllegalArgumentException("error kind must be given");
            }
            this.errorRate = rate;
            this.errorKind = kind;
            return this;
        }

        /**
         * @param stall       how long the stream pauses once.
         * @param afterTokens after how many tokens it pauses.
         * @return this.
         */
        public Builder stall(final Duration stall, final int afterTokens) {
            this.stallNs = nonNegative("stall", stall);
            this.stallAfterTokens = range("stall after tokens", afterTokens, 0, MAX_OUTPUT_TOKENS);
            return this;
        }

        public Builder maxConcurrentStreams(final int max) {
            this.maxConcurrentStreams = range("max concurrent streams", max, 1, 65_536);
            return this;
        }

        public Builder maxBodyBytes(final int max) {
            this.maxBodyBytes = range("max body bytes", max, 1, 64 << 20);
            return this;
        }

        public Builder models(final List<String> models) {
            if (models == null || models.isEmpty() || models.stream().anyMatch(m -> m == null || m.isBlank())) {
                throw new IllegalArgumentException("models must be one or more non-blank names");
            }
            this.models = List.copyOf(models);
            return this;
        }

        public MockLlmConfig build() {
            return new MockLlmConfig(this);
        }

        private static long nonNegative(final String name, final Duration d) {
            if (d == null || d.isNegative() || d.compareTo(Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException(name + " must be between 0 and 1 hour but was " + d);
            }
            return d.toNanos();
        }

        private static int range(final String name, final int value, final int min, final int max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(name + " must be between " + min + " and " + max + " but was "
                    + value);
            }
            return value;
        }
    }
}
