package dev.ringmeter.core.query;

import dev.ringmeter.core.decide.Direction;

/**
 * What a time series plots, by its API name: one of the {@link Metric}s, or {@code quality:NAME}, the mean of the
 * quality score NAME over each step (NaN where no event of the step carried it). The one parser of a series'
 * {@code metric} parameter.
 * <p>
 * Threading: immutable; any thread.
 */
public final class SeriesMetric {
    /** The prefix of a quality score's metric, e.g. {@code quality:f1}. */
    public static final String QUALITY_PREFIX = "quality:";

    private final String key;
    private final Metric metric;
    private final String qualityName;
    /** What a custom metric's series plots per step, or null for a subject's metric. */
    private final java.util.function.ToDoubleFunction<WindowStats> custom;

    private SeriesMetric(final String key, final Metric metric, final String qualityName) {
        this(key, metric, qualityName, null);
    }

    private SeriesMetric(final String key, final Metric metric, final String qualityName,
                         final java.util.function.ToDoubleFunction<WindowStats> custom) {
        this.key = key;
        this.metric = metric;
        this.qualityName = qualityName;
        this.custom = custom;
    }

    /** The keys a custom metric's series takes: the {@link Metric}s that mean the same of values, and its own. */
    public static final String CUSTOM_KEYS = "count, sum, mean, min, max, p50, p90, p95, p99, p999, rate";

    /**
     * @param key what to plot of a custom metric's samples per step: {@link #CUSTOM_KEYS}; the percentiles, mean
     *            and max are of the samples' values ({@link WindowStats#valuePercentile}), rate their sum per second.
     * @return the metric.
     * @throws IllegalArgumentException listing the valid names when the name is unknown.
     */
    public static SeriesMetric parseCustom(final String key) {
        final java.util.function.ToDoubleFunction<WindowStats> f;
        switch (key) {
            case "count": f = s -> s.count(); break;
            case "sum": f = WindowStats::valueSum; break;
            case "mean": f = WindowStats::valueMean; break;
            case "min": f = WindowStats::valueMin; break;
            case "max": f = WindowStats::valueMax; break;
            case "p50": f = s -> s.valuePercentile(50); break;
            case "p90": f = s -> s.valuePercentile(90); break;
            case "p95": f = s -> s.valuePercentile(95); break;
            case "p99": f = s -> s.valuePercentile(99); break;
            case "p999": f = s -> s.valuePercentile(99.9); break;
            case "rate": f = WindowStats::valueRate; break;
            default:
                throw new IllegalArgumentException("unknown custom metric statistic '" + key + "'; valid: "
                    + CUSTOM_KEYS);
        }
        return new SeriesMetric(key, null, null, f);
    }

    /** @return the series of one of the fixed metrics. */
    public static SeriesMetric of(final Metric metric) {
        return new SeriesMetric(metric.key(), metric, null);
    }

    /**
     * @param key a {@link Metric} key, or {@code quality:NAME}.
     * @return the metric.
     * @throws IllegalArgumentException listing the valid names when the name is unknown.
     */
    public static SeriesMetric parse(final String key) {
        if (key.startsWith(QUALITY_PREFIX)) {
            if (key.length() == QUALITY_PREFIX.length()) {
                throw new IllegalArgumentException("quality: needs a score name, e.g. quality:f1");
            }
            return new SeriesMetric(key, null, key.substring(QUALITY_PREFIX.length()));
        }
        try {
            return of(Metric.parse(key));
        } catch (final IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + ", " + QUALITY_PREFIX + "NAME");
        }
    }

    /** @return the API name, e.g. {@code p95} or {@code quality:f1}. */
    public String key() {
        return key;
    }

    /** @return the quality score's name, or null for one of the fixed metrics. */
    public String qualityName() {
        return qualityName;
    }

    /**
     * @param stats a window's analytics.
     * @return this metric's value in them.
     */
    public double of(final WindowStats stats) {
        return custom != null ? custom.applyAsDouble(stats) : metric != null ? metric.of(stats)
            : stats.qualityMean(qualityName);
    }

    /**
     * @return which way the metric improves: lower latency, TTFT, queue wait, error, timeout and retry rates and
     *         cost; higher tokens per second, cache hit rate and quality; null for count, rps and token counts,
     *         which are neither better nor worse higher, and for a custom metric's statistics.
     */
    public Direction direction() {
        if (custom != null) {
            return null;
        }
        if (metric == null) {
            return Direction.HIGHER_IS_BETTER;
        }
        switch (metric) {
            case COUNT:
            case RPS:
            case PROMPT_TOKENS:
            case COMPLETION_TOKENS:
                return null;
            case TOKENS_PER_SECOND:
            case OUTPUT_TOKENS_PER_SECOND:
            case CACHE_HIT_RATE:
                return Direction.HIGHER_IS_BETTER;
            default:
                return Direction.LOWER_IS_BETTER;
        }
    }
}
