package dev.ringmeter.server.otlp;

import dev.ringmeter.Event;
import dev.ringmeter.InvalidEventException;
import dev.ringmeter.MetricSample;
import dev.ringmeter.core.ingest.EventRules;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;

import java.util.List;
import java.util.function.IntFunction;

/**
 * Turns the data points of an OTLP metrics export into custom metric samples (docs/integrations.md has the table):
 * one sample per data point, named as the metric. A gauge's or sum's point is its value. A histogram's,
 * exponential histogram's or summary's point is its mean, {@code sum / count}, as one sample: the store's custom
 * metric series keep one value per sample, not weighted buckets, so a point's buckets are not kept; a point with no
 * count or no sum is refused. The point's time is the sample's.
 * <p>
 * Tags (at most {@link Event#MAX_TAGS}): the GenAI attributes first, as {@code model} (gen_ai.response.model, else
 * gen_ai.request.model), {@code operation} (gen_ai.operation.name), {@code provider} (gen_ai.provider.name, else
 * gen_ai.system), {@code token_type} (gen_ai.token.type), {@code error_type} (error.type); then the point's other
 * attributes, under their own keys, in their order, until the tags are full. A value longer than the store's longest
 * string is left out.
 * <p>
 * Threading: stateless after construction; any thread.
 */
final class GenAiMetrics {
    private static final String[][] NAMED = {
        {"model", "gen_ai.response.model", "gen_ai.request.model"},
        {"operation", "gen_ai.operation.name"},
        {"provider", "gen_ai.provider.name", "gen_ai.system"},
        {"token_type", "gen_ai.token.type"},
        {"error_type", "error.type"},
    };

    private final int maxStringLength;

    /**
     * @param maxStringLength the store's longest string.
     */
    GenAiMetrics(final int maxStringLength) {
        this.maxStringLength = maxStringLength;
    }

    /**
     * @param request  the export.
     * @param item     the batch's i-th sample, reset.
     * @param maxBatch most samples of one request.
     * @param rules    the store's rules.
     * @param refused  told of each data point refused.
     * @return the samples filled.
     * @throws dev.ringmeter.server.http.ApiException 413 if the request holds more than {@code maxBatch} data
     *                                                points, refused or not.
     */
    int fill(final ExportMetricsServiceRequest request, final IntFunction<MetricSample> item, final int maxBatch,
             final EventRules rules, final Refusals refused) {
        final Points points = new Points(item, maxBatch, rules, refused);
        for (final ResourceMetrics rm : request.getResourceMetricsList()) {
            for (final ScopeMetrics sm : rm.getScopeMetricsList()) {
                for (final Metric m : sm.getMetricsList()) {
                    metric(m, points);
                }
            }
        }
        return points.n;
    }

    private void metric(final Metric m, final Points points) {
        final String name = m.getName();
        switch (m.getDataCase()) {
            case GAUGE:
                for (final NumberDataPoint p : m.getGauge().getDataPointsList()) {
                    points.add(name, p.getTimeUnixNano(), p.getAttributesList(), value(p), this);
                }
                break;
            case SUM:
                for (final NumberDataPoint p : m.getSum().getDataPointsList()) {
                    points.add(name, p.getTimeUnixNano(), p.getAttributesList(), value(p), this);
                }
                break;
            case HISTOGRAM:
                for (final HistogramDataPoint p : m.getHistogram().getDataPointsList()) {
                    points.add(name, p.getTimeUnixNano(), p.getAttributesList(),
                        mean(p.hasSum(), p.getSum(), p.getCount()), this);
                }
                break;
            case EXPONENTIAL_HISTOGRAM:
                for (final ExponentialHistogramDataPoint p : m.getExponentialHistogram().getDataPointsList()) {
                    points.add(name, p.getTimeUnixNano(), p.getAttributesList(),
                        mean(p.hasSum(), p.getSum(), p.getCount()), this);
                }
                break;
            case SUMMARY:
                for (final SummaryDataPoint p : m.getSummary().getDataPointsList()) {
                    points.add(name, p.getTimeUnixNano(), p.getAttributesList(),
                        mean(true, p.getSum(), p.getCount()), this);
                }
                break;
            default:
                points.refused.refuse("metric " + name, "has no data");
                break;
        }
    }

    private static double value(final NumberDataPoint p) {
        return p.getValueCase() == NumberDataPoint.ValueCase.AS_INT ? p.getAsInt() : p.getAsDouble();
    }

    private static double mean(final boolean hasSum, final double sum, final long count) {
        return hasSum && count > 0 ? sum / count : Double.NaN;
    }

    private void tags(final List<KeyValue> attributes, final MetricSample s) {
        int tags = 0;
        for (final String[] named : NAMED) {
            for (int k = 1; k < named.length && tags < Event.MAX_TAGS; k++) {
                final String v = find(attributes, named[k]);
                if (v != null) {
                    s.tag(named[0], v);
                    tags++;
                    break;
                }
            }
        }
        for (int i = 0; i < attributes.size() && tags < Event.MAX_TAGS; i++) {
            final String key = attributes.get(i).getKey();
            if (!isNamed(key)) {
                final String v = scalar(attributes.get(i).getValue());
                if (v != null && !key.isEmpty() && key.length() <= maxStringLength) {
                    s.tag(key, v);
                    tags++;
                }
            }
        }
    }

    private static boolean isNamed(final String key) {
        for (final String[] named : NAMED) {
            for (int k = 1; k < named.length; k++) {
                if (named[k].equals(key)) {
                    return true;
                }
            }
        }
        return false;
    }

    private String find(final List<KeyValue> attributes, final String key) {
        for (int i = 0; i < attributes.size(); i++) {
            if (attributes.get(i).getKey().equals(key)) {
                return scalar(attributes.get(i).getValue());
            }
        }
        return null;
    }

    /** @return a string, integer, double or boolean attribute as a string within the store's length, else null. */
    private String scalar(final AnyValue v) {
        final String s;
        switch (v.getValueCase()) {
            case STRING_VALUE:
                s = v.getStringValue();
                break;
            case INT_VALUE:
                s = Long.toString(v.getIntValue());
                break;
            case DOUBLE_VALUE:
                s = Double.toString(v.getDoubleValue());
                break;
            case BOOL_VALUE:
                s = Boolean.toString(v.getBoolValue());
                break;
            default:
                return null;
        }
        return s.isEmpty() || s.length() > maxStringLength ? null : s;
    }

    /** The samples of one request as they are filled. */
    private static final class Points {
        private final IntFunction<MetricSample> item;
        private final int maxBatch;
        private final EventRules rules;
        private final Refusals refused;
        private int n;
        private int index;

        Points(final IntFunction<MetricSample> item, final int maxBatch, final EventRules rules,
               final Refusals refused) {
            this.item = item;
            this.maxBatch = maxBatch;
            this.rules = rules;
            this.refused = refused;
        }

        void add(final String name, final long timeUnixNano, final List<KeyValue> attributes, final double value,
                 final GenAiMetrics metrics) {
            final int i = index++;
            if (i == maxBatch) {
                throw dev.ringmeter.server.http.ApiException.tooLarge("the request holds more than " + maxBatch
                    + " data points (--max-batch); send smaller batches");
            }
            final MetricSample s = item.apply(n);
            try {
                if (Double.isNaN(value)) {
                    throw new InvalidEventException("value", "a histogram or summary point needs a sum and a count"
                        + " above 0");
                }
                s.name(name).value(value).timestampMs(timeUnixNano / 1_000_000);
                metrics.tags(attributes, s);
                rules.check(s);
                n++;
            } catch (final InvalidEventException e) {
                refused.refuse("data point " + i + " (" + name + ")", e.getMessage());
            }
        }
    }
}
