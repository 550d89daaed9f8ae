package dev.ringmeter.server.mockllm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How {@link MockLlm} answers: its delays, output lengths, errors and limits. Immutable; built with {@link #builder()}.
 * <p>
 * Timing of a reply, for the {@link ModelProfile} of the model it names: one TTFT is drawn per call and the first
 * chunk leaves that long after the request's body was read; before each next chunk one inter-token delay is drawn and
 * the chunk leaves its tokens × that delay after the one before; a share {@link #stallRate()} of streams pauses once
 * a further {@link #stallNs()} after the chunk that carries token {@link #stallAfterTokens()}. Every delay is
 * multiplied by {@code 1 + }{@link #concurrencySlope()}{@code  × (calls in flight − 1)}. Reasoning chunks (chat only)
 * come first and are paced like content. A reply that is not streamed leaves when its last chunk would have.
 * <p>
 * Memory: the profiles given (one per named model), nothing per call.
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

    private final ModelProfile defaultProfile;
    private final Map<String, ModelProfile> profiles;
    private final double errorRate;
    private final ErrorKind errorKind;
    private final long stallNs;
    private final int stallAfterTokens;
    private final double stallRate;
    private final double concurrencySlope;
    private final int maxConcurrentStreams;
    private final int maxBodyBytes;
    private final List<String> models;

    private MockLlmConfig(final Builder b) {
        this.defaultProfile = new ModelProfile(b.ttftMs, b.itlMs, b.outputTokens, b.reasoningTokens, b.tokensPerChunk);
        final Map<String, ModelProfile> named = new LinkedHashMap<>();
        for (final Map.Entry<String, String> e : b.overrides.entrySet()) {
            named.put(e.getKey(), defaultProfile.with(e.getValue()));
        }
        this.profiles = Collections.unmodifiableMap(named);
        this.errorRate = b.errorRate;
        this.errorKind = b.errorKind;
        this.stallNs = b.stallNs;
        this.stallAfterTokens = b.stallAfterTokens;
        this.stallRate = b.stallRate;
        this.concurrencySlope = b.concurrencySlope;
        this.maxConcurrentStreams = b.maxConcurrentStreams;
        this.maxBodyBytes = b.maxBodyBytes;
        final List<String> all = new ArrayList<>(b.models);
        for (final String m : named.keySet()) {
            if (!all.contains(m)) {
                all.add(m);
            }
        }
        this.models = List.copyOf(all);
    }

    /** @return a builder with the defaults: TTFT 50 ms, 10 ms per token, 16 tokens, one per chunk, no reasoning, no
     * errors, no stall, no slope, 256 concurrent calls, 1 MiB bodies, model {@code mock-llm}. */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the defaults. */
    public static MockLlmConfig defaults() {
        return builder().build();
    }

    /** @return the default profile's mean TTFT, in nanoseconds. */
    public long ttftNs() {
        return Math.round(defaultProfile.ttftMs().mean() * 1e6);
    }

    /** @return the default profile's mean delay per token, in nanoseconds. */
    public long interTokenNs() {
        return Math.round(defaultProfile.itlMs().mean() * 1e6);
    }

    /** @return the default profile's mean natural output length. */
    public int defaultOutputTokens() {
        return (int)Math.max(1, Math.round(defaultProfile.outputTokens().mean()));
    }

    /** @return the default profile's tokens per chunk. */
    public int tokensPerChunk() {
        return defaultProfile.tokensPerChunk();
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

    /** @return the share of streams that stall once. */
    public double stallRate() {
        return stallRate;
    }

    /** @return how much every delay grows per call in flight beyond the first: delays are multiplied by
     * {@code 1 + slope × (calls in flight − 1)}, counted when the call's body has been read. */
    public double concurrencySlope() {
        return concurrencySlope;
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

    /** @return the profile of models not named with overrides. */
    public ModelProfile defaultProfile() {
        return defaultProfile;
    }

    /**
     * @param model as the request names it.
     * @return its profile, or the default one.
     */
    public ModelProfile profile(final String model) {
        return profiles.getOrDefault(model, defaultProfile);
    }

    /**
     * @param chunk index, from 0.
     * @return nanoseconds from the body read to that chunk for the default profile's mean delays, one call in flight
     * and a stream that stalls: the exact schedule when the delays are fixed.
     */
    long chunkOffsetNs(final int chunk) {
        long offset = ttftNs() + (long)chunk * tokensPerChunk() * interTokenNs();
        if (stallNs > 0 && (long)chunk * tokensPerChunk() >= stallAfterTokens) {
            offset += stallNs;
        }
        return offset;
    }

    /** Builds a {@link MockLlmConfig}; each setter checks its value. Not thread-safe. */
    public static final class Builder {
        private Distribution ttftMs = Distribution.fixed(50);
        private Distribution itlMs = Distribution.fixed(10);
        private Distribution outputTokens = Distribution.fixed(16);
        private Distribution reasoningTokens = Distribution.fixed(0);
        private int tokensPerChunk = 1;
        private final Map<String, String> overrides = new LinkedHashMap<>();
        private double errorRate;
        private ErrorKind errorKind = ErrorKind.HTTP_500;
        private long stallNs;
        private int stallAfterTokens;
        private double stallRate = 1;
        private double concurrencySlope;
        private int maxConcurrentStreams = 256;
        private int maxBodyBytes = 1 << 20;
        private List<String> models = List.of("mock-llm");

        private Builder() {
        }

        public Builder ttft(final Duration ttft) {
            return ttft(Distribution.fixed(nonNegative("ttft", ttft) / 1e6));
        }

        /** @param ttftMs the default profile's time to first token, in milliseconds. @return this. */
        public Builder ttft(final Distribution ttftMs) {
            this.ttftMs = required("ttft", ttftMs);
            return this;
        }

        public Builder interToken(final Duration interToken) {
            return interToken(Distribution.fixed(nonNegative("inter-token delay", interToken) / 1e6));
        }

        /** @param itlMs the default profile's delay per token, in milliseconds. @return this. */
        public Builder interToken(final Distribution itlMs) {
            this.itlMs = required("inter-token delay", itlMs);
            return this;
        }

        public Builder defaultOutputTokens(final int tokens) {
            return outputTokens(Distribution.fixed(range("default output tokens", tokens, 1, MAX_OUTPUT_TOKENS)));
        }

        /** @param tokens the default profile's natural output length. @return this. */
        public Builder outputTokens(final Distribution tokens) {
            this.outputTokens = required("output tokens", tokens);
            return this;
        }

        /** @param tokens the default profile's reasoning tokens, streamed before the content. @return this. */
        public Builder reasoningTokens(final Distribution tokens) {
            this.reasoningTokens = required("reasoning tokens", tokens);
            return this;
        }

        /**
         * @param name      a model; {@code /v1/models} lists it.
         * @param overrides of the default profile, as {@link ModelProfile#with} reads them (checked at
         *                  {@link #build()}).
         * @return this.
         */
        public Builder model(final String name, final String overrides) {
            if (name == null || name.isBlank() || overrides == null) {
                throw new IllegalArgumentException("a model needs a non-blank name and overrides");
            }
            if (overrides.isBlank()) {
                this.overrides.remove(name);
            } else {
                this.overrides.put(name, overrides);
            }
            return this;
        }

        /**
         * @param rate share of streams that stall once, 0 to 1 (default 1: every stream, when a stall is set).
         * @return this.
         */
        public Builder stallRate(final double rate) {
            if (!(rate >= 0 && rate <= 1)) {
                throw new IllegalArgumentException("stall rate must be between 0 and 1 but was " + rate);
            }
            this.stallRate = rate;
            return this;
        }

        /**
         * @param slope how much delays grow per call in flight beyond the first, 0 to 100.
         * @return this.
         */
        public Builder concurrencySlope(final double slope) {
            if (!(slope >= 0 && slope <= 100)) {
                throw new IllegalArgumentException("concurrency slope must be between 0 and 100 but was " + slope);
            }
            this.concurrencySlope = slope;
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

        private static Distribution required(final String name, final Distribution d) {
            if (d == null) {
                throw new IllegalArgumentException(name + " must be given");
            }
            return d;
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
