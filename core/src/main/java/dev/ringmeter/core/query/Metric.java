package dev.ringmeter.core.query;

import java.util.function.ToDoubleFunction;

/**
 * A single number derived from a {@link WindowStats}, by name: what a time series plots.
 */
public enum Metric {
    COUNT("count", s -> s.count()),
    RPS("rps", WindowStats::requestsPerSecond),
    P50("p50", s -> s.latencyMs(50)),
    P90("p90", s -> s.latencyMs(90)),
    P95("p95", s -> s.latencyMs(95)),
    P99("p99", s -> s.latencyMs(99)),
    P999("p999", s -> s.latencyMs(99.9)),
    MAX("max", WindowStats::latencyMaxMs),
    MEAN("mean", WindowStats::latencyMeanMs),
    TTFT_P50("ttft_p50", s -> s.ttftMs(50)),
    TTFT_P95("ttft_p95", s -> s.ttftMs(95)),
    TTFT_P99("ttft_p99", s -> s.ttftMs(99)),
    QUEUE_WAIT_P95("queue_wait_p95", s -> s.queueWaitMs(95)),
    PROMPT_TOKENS("prompt_tokens", s -> s.promptTokens()),
    COMPLETION_TOKENS("completion_tokens", s -> s.completionTokens()),
    TOKENS_PER_SECOND("tokens_per_second", WindowStats::tokensPerSecond),
    OUTPUT_TOKENS_PER_SECOND("output_tokens_per_second", WindowStats::outputTokensPerSecond),
    ERROR_RATE("error_rate", WindowStats::errorRate),
    TIMEOUT_RATE("timeout_rate", WindowStats::timeoutRate),
    RETRY_RATE("retry_rate", WindowStats::retryRate),
    CACHE_HIT_RATE("cache_hit_rate", WindowStats::cacheHitRate),
    COST("cost_usd", WindowStats::costUsd),
    COST_PER_REQUEST("cost_per_request_usd", WindowStats::costPerRequestUsd);

    private static final Metric[] VALUES = values();

    private final String key;
    private final ToDoubleFunction<WindowStats> extractor;

    Metric(final String key, final ToDoubleFunction<WindowStats> extractor) {
        this.key = key;
        this.extractor = extractor;
    }

    /** @return the metric's name in the APIs, e.g. {@code p95} or {@code error_rate}. */
    public String key() {
        return key;
    }

    /**
     * @param stats a window's analytics.
     * @return this metric's value in them.
     */
    public double of(final WindowStats stats) {
        return extractor.applyAsDouble(stats);
    }

    /**
     * @param key a metric name as in {@link #key()}.
     * @return the metric.
     * @throws IllegalArgumentException listing the valid names when the name is unknown.
     */
    public static Metric parse(final String key) {
        for (final Metric m : VALUES) {
            if (m.key.equals(key)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown metric '" + key + "'; valid: " + keys());
    }

    /** @return the valid names, comma-separated. */
    public static String keys() {
        final StringBuilder b = new StringBuilder();
        for (final Metric m : VALUES) {
            if (b.length() > 0) {
                b.append(", ");
            }
            b.append(m.key);
        }
        return b.toString();
    }
}
