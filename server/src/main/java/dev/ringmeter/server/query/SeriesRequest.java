package dev.ringmeter.server.query;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.core.query.Metric;
import dev.ringmeter.core.query.Series;
import dev.ringmeter.core.query.SeriesMetric;
import dev.ringmeter.core.query.Subject;
import dev.ringmeter.server.http.ApiException;
import dev.ringmeter.server.http.QueryParams;
import dev.ringmeter.wire.FieldNames;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The parameters of a per-step query of one metric, as /api/v1/series and /api/v1/trends take them:
 * {@code model=|pipeline=&pipelineStep=|tool=|agent=} (none for all models), {@code metric=},
 * {@code window=|from=&to=} and {@code step=} (the point width, one minute unless given); or, instead of a subject,
 * {@code config=} (one configuration value, from the in-memory comparisons' 5-minute and hourly buckets), or
 * {@code customMetric=NAME} with any {@code tag=KEY:VALUE} filters ({@link TagFilters}), whose metric is one of
 * {@link SeriesMetric#CUSTOM_KEYS}. The one reader of them, so both routes check them alike.
 * <p>
 * Threading: an immutable value built per request; any thread.
 *
 * @param subject      the subject, or null for all models, a configuration or a custom metric.
 * @param config       the configuration value, or null.
 * @param customMetric the custom metric's name, or null.
 * @param tags         the custom metric's tag filters; empty for none.
 * @param metric       the metric per step.
 * @param fromMs  the window's start.
 * @param toMs    the window's end, exclusive.
 * @param stepMs  the width of a step.
 */
record SeriesRequest(Subject subject, String config, String customMetric, Map<String, String> tags,
                     SeriesMetric metric, long fromMs, long toMs, long stepMs) {
    /** The parameter that names a custom metric. */
    static final String CUSTOM_METRIC = "customMetric";
    /** The parameters the routes accept. */
    static final String[] PARAMS = {FieldNames.MODEL, "metric", "window", "from", "to", "step", FieldNames.PIPELINE,
        Subjects.SERIES_STEP, FieldNames.TOOL, FieldNames.AGENT, FieldNames.CONFIG, CUSTOM_METRIC, TagFilters.PARAM};
    private static final List<String> METRICS = Arrays.asList(Metric.keys().split(", "));

    /**
     * @param q         the request's parameters.
     * @param store     the store.
     * @param maxPoints the most steps the window may be cut into.
     * @return the request.
     * @throws ApiException 400 naming the bad parameter, 404 naming an unknown subject.
     */
    static SeriesRequest of(final QueryParams q, final EmbeddedStore store, final long maxPoints) {
        final String key = q.get("metric");
        final String customMetric = q.get(CUSTOM_METRIC);
        final Map<String, String> tags = TagFilters.of(q);
        if (customMetric == null && !tags.isEmpty()) {
            throw ApiException.badParameter(TagFilters.PARAM, "tag filters are for a custom metric's series: give "
                + CUSTOM_METRIC + "=NAME");
        }
        if (customMetric != null && (Subjects.any(q, Subjects.SERIES_STEP) || q.get(FieldNames.MODEL) != null)) {
            throw ApiException.badParameter(CUSTOM_METRIC, "a series is of one subject or one custom metric, not both");
        }
        if (customMetric != null && key == null) {
            throw ApiException.badParameter("metric", "metric is required; valid for a custom metric: "
                + SeriesMetric.CUSTOM_KEYS, Arrays.asList(SeriesMetric.CUSTOM_KEYS.split(", ")));
        }
        if (key == null) {
            throw ApiException.badParameter("metric", "metric is required; valid: " + Metric.keys() + ", "
                + SeriesMetric.QUALITY_PREFIX + "NAME", METRICS);
        }
        final SeriesMetric metric;
        try {
            metric = customMetric != null ? SeriesMetric.parseCustom(key) : SeriesMetric.parse(key);
        } catch (final IllegalArgumentException e) {
            throw ApiException.badParameter("metric", e.getMessage(), customMetric != null
                ? Arrays.asList(SeriesMetric.CUSTOM_KEYS.split(", ")) : METRICS);
        }
        final Subject subject = customMetric != null ? null : Subjects.of(q, Subjects.SERIES_STEP);
        if (subject == null && Subjects.any(q, Subjects.SERIES_STEP)) {
            throw ApiException.badParameter(FieldNames.MODEL, "a series is of one subject: model=, pipeline=, "
                + "pipeline= with " + Subjects.SERIES_STEP + "=, tool= or agent=, or none for all models");
        }
        final String config = q.get(FieldNames.CONFIG);
        if (config != null && (subject != null || customMetric != null || Subjects.any(q, Subjects.SERIES_STEP))) {
            throw ApiException.badParameter(FieldNames.CONFIG, "a series is of one subject, one configuration or one "
                + "custom metric");
        }
        if (config != null && (config.length() > store.config().maxStringLength()
            || store.dictionary().find(Dimension.CONFIG, config) == 0)) {
            throw ApiException.notFound(FieldNames.CONFIG, "unknown configuration '" + QueryController.truncate(config)
                + "'");
        }
        final long[] range = q.range(store.config().clock().time(), store.config().retentionMs(),
            QueryController.DEFAULT_WINDOW_MS);
        final String stepText = q.get("step");
        final long stepMs = stepText == null ? 60_000L : QueryParams.durationMs(stepText, "step");
        final long finestMs = store.config().tierWidthsMs()[0];
        if (stepMs % finestMs != 0) {
            throw ApiException.badParameter("step", "step must be a multiple of " + finestMs + " ms");
        }
        final long points = (range[1] - (range[0] - Math.floorMod(range[0], stepMs)) + stepMs - 1) / stepMs;
        if (points > maxPoints) {
            throw ApiException.badParameter("step", "the window cut in steps of " + stepText + " gives " + points
                + " points; at most " + maxPoints);
        }
        if (subject != null) {
            Subjects.known(store, subject);
        }
        if (customMetric != null && store.dictionary().find(Dimension.METRIC_NAME, customMetric) == 0) {
            throw ApiException.notFound(CUSTOM_METRIC, "no custom metric named '"
                + QueryController.truncate(customMetric) + "'");
        }
        return new SeriesRequest(subject, config, customMetric, tags, metric, range[0], range[1], stepMs);
    }

    /**
     * @param store  the store.
     * @param fromMs where the series starts (the window's start, or earlier).
     * @return the metric per step from fromMs to the window's end, from memory.
     * @throws ApiException 400 naming {@code step} if the store cannot cut the range in such steps.
     */
    Series series(final EmbeddedStore store, final long fromMs) {
        try {
            return config != null ? store.aggregates().configSeries(config, metric, fromMs, toMs, stepMs)
                : customMetric != null
                ? store.aggregates().metricSeries(customMetric, tags, metric, fromMs, toMs, stepMs)
                : store.aggregates().series(subject, metric, fromMs, toMs, stepMs);
        } catch (final IllegalArgumentException e) {
            throw ApiException.badParameter("step", e.getMessage());
        }
    }

    /**
     * Writes the subject's fields: {@code model} (all for all models), those of a pipeline, step, tool or agent,
     * {@code config}, or {@code customMetric} and its {@code tags}.
     */
    void writeSubject(final JsonGenerator g) throws IOException {
        if (config != null) {
            g.writeStringField(FieldNames.CONFIG, config);
        } else if (customMetric != null) {
            g.writeStringField(CUSTOM_METRIC, customMetric);
            g.writeObjectFieldStart("tags");
            for (final Map.Entry<String, String> t : tags.entrySet()) {
                g.writeStringField(t.getKey(), t.getValue());
            }
            g.writeEndObject();
        } else if (subject == null || subject.kind() == Subject.Kind.MODEL) {
            g.writeStringField(FieldNames.MODEL, subject == null ? "all" : subject.name());
        } else {
            StatsWriter.subject(g, subject);
        }
    }
}
