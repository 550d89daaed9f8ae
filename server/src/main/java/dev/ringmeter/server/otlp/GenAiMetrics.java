package dev.ringmeter.server.otlp;

import dev.ringmeter.Event;
import dev.ringmeter.InvalidEventException;
import dev.ringmeter.MetricSample;
import dev.ringmeter.core.ingest.EventRules;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
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
 * Turns the data points of an OTLP metrics export into custom metric samples (docs/integrations.md has the table),
 * named as the metric, at the point's time:
 * <ul>
 * <li>a gauge's point is one sample of its value; a sum's too, of its value or, sent with cumulative temporality and
 * monotonic, of what it rose by since the series' last point ({@link CumulativeSeries});</li>
 * <li>an explicit-bucket histogram's point is one weighted sample ({@link MetricSample#count(long)}) per non-empty
 * bucket, of the bucket's count at its representative value: the midpoint of its bounds, each bound first clamped to
 * the point's min and max when it has them; an open lower bound with no min is 0 if the upper bound is above 0 (the
 * bucket's upper bound otherwise), an open upper bound with no max is the lower bound. A point with no bounds and
 * neither min nor max is one sample of its mean;</li>
 * <li>an exponential histogram's point likewise: each bucket at the geometric midpoint of its bounds,
 * {@code base^(index + 1/2)} with {@code base = 2^(2^-scale)} (negative buckets negated), the zero bucket at 0, all
 * clamped to min and max;</li>
 * <li>a summary's point is not a distribution (its quantiles cannot be merged): one sample of its mean,
 * {@code sum / count}, weighted by its count.</li>
 * </ul>
 * Histograms, sums and summaries of cumulative temporality enter by what changed since their series' last point
 * ({@link CumulativeSeries}); a point with no observations (or none new) stores nothing. A histogram point of more
 * than {@link #MAX_BUCKETS} buckets, or a bucket above {@link MetricSample#MAX_COUNT}, is refused.
 * <p>
 * Tags (at most {@link Event#MAX_TAGS}): the GenAI attributes first, as {@code model} (gen_ai.response.model, else
 * gen_ai.request.model), {@code operation} (gen_ai.operation.name), {@code provider} (gen_ai.provider.name, else
 * gen_ai.system), {@code token_type} (gen_ai.token.type), {@code error_type} (error.type); then the point's other
 * attributes, under their own keys, in their order, until the tags are full. A value longer than the store's longest
 * string is left out.
 * <p>
 * Threading: stateless after construction; any thread. The cumulative state is the caller's {@link
 * CumulativeSeries.Changes}, one export's.
 */
final class GenAiMetrics {
    /** The most buckets of a histogram point (explicit, or an exponential one's positive and negative together). */
    static final int MAX_BUCKETS = 320;
    private static final String[][] NAMED = {
        {"model", "gen_ai.response.model", "gen_ai.request.model"},
        {"operation", "gen_ai.operation.name"},
        {"provider", "gen_ai.provider.name", "gen_ai.system"},
        {"token_type", "gen_ai.token.type"},
        {"error_type", "error.type"},
    };
    private static final long[] NO_COUNTS = new long[0];

    private final int maxStringLength;

    /**
     * @param maxStringLength the store's longest string.
     */
    GenAiMetrics(final int maxStringLength) {
        this.maxStringLength = maxStringLength;
    }

    /**
     * @param request    the export.
     * @param item       the batch's i-th sample, reset.
     * @param maxBatch   most samples of one request.
     * @param rules      the store's rules.
     * @param refused    told of each data point refused.
     * @param cumulative the changes of this export to the cumulative series.
     * @return the samples filled.
     * @throws dev.ringmeter.server.http.ApiException 413 if the request makes more than {@code maxBatch} samples,
     *                                                refused or not.
     */
    int fill(final ExportMetricsServiceRequest request, final IntFunction<MetricSample> item, final int maxBatch,
             final EventRules rules, final Refusals refused, final CumulativeSeries.Changes cumulative) {
        final Points points = new Points(item, maxBatch, rules, refused, this);
        final SeriesKeys keys = new SeriesKeys();
        for (final ResourceMetrics rm : request.getResourceMetricsList()) {
            for (final ScopeMetrics sm : rm.getScopeMetricsList()) {
                for (final Metric m : sm.getMetricsList()) {
                    keys.metric(rm, sm, m);
                    metric(m, points, keys, cumulative);
                }
            }
        }
        return points.n;
    }

    private void metric(final Metric m, final Points points, final SeriesKeys keys,
                        final CumulativeSeries.Changes cumulative) {
        final String name = m.getName();
        switch (m.getDataCase()) {
            case GAUGE:
                for (final NumberDataPoint p : m.getGauge().getDataPointsList()) {
                    points.begin(name, p.getTimeUnixNano(), p.getAttributesList());
                    points.add(value(p), 1);
                }
                break;
            case SUM: {
                // a delta sum is what it counted; an up-down counter's value is a level, kept as it is
                final boolean asIs = !m.getSum().getIsMonotonic() || m.getSum().getAggregationTemporality()
                    != AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE;
                for (final NumberDataPoint p : m.getSum().getDataPointsList()) {
                    points.begin(name, p.getTimeUnixNano(), p.getAttributesList());
                    double v = value(p);
                    if (!asIs) {
                        final CumulativeSeries.Last point = new CumulativeSeries.Last(p.getStartTimeUnixNano(), v, 0,
                            NO_COUNTS, 0, 0, 0, 0, NO_COUNTS);
                        final CumulativeSeries.Last base = cumulative.baseline(keys.point(p.getAttributesList()),
                            point);
                        if (base != null && v >= base.sum) {
                            v -= base.sum;
                        }
                        if (base == point || v == 0) {
                            continue;
                        }
                    }
                    points.add(v, 1);
                }
                break;
            }
            case HISTOGRAM: {
                final boolean cumulativeTemporality = m.getHistogram().getAggregationTemporality()
                    == AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE;
                for (final HistogramDataPoint p : m.getHistogram().getDataPointsList()) {
                    points.begin(name, p.getTimeUnixNano(), p.getAttributesList());
                    histogram(p, cumulativeTemporality ? keys.point(p.getAttributesList()) : null, cumulative,
                        points);
                }
                break;
            }
            case EXPONENTIAL_HISTOGRAM: {
                final boolean cumulativeTemporality = m.getExponentialHistogram().getAggregationTemporality()
                    == AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE;
                for (final ExponentialHistogramDataPoint p : m.getExponentialHistogram().getDataPointsList()) {
                    points.begin(name, p.getTimeUnixNano(), p.getAttributesList());
                    exponential(p, cumulativeTemporality ? keys.point(p.getAttributesList()) : null, cumulative,
                        points);
                }
                break;
            }
            case SUMMARY:
                for (final SummaryDataPoint p : m.getSummary().getDataPointsList()) {
                    points.begin(name, p.getTimeUnixNano(), p.getAttributesList());
                    summary(p, keys.point(p.getAttributesList()), cumulative, points);
                }
                break;
            default:
                points.refused.refuse("metric " + name, "has no data");
                break;
        }
    }

    private static void histogram(final HistogramDataPoint p, final CumulativeSeries.Key key,
                                  final CumulativeSeries.Changes cumulative, final Points points) {
        if (p.getBucketCountsCount() > MAX_BUCKETS) {
            points.refuse("bucketCounts", "has " + p.getBucketCountsCount() + " buckets, more than " + MAX_BUCKETS);
            return;
        }
        if (p.getBucketCountsCount() != 0 && p.getBucketCountsCount() != p.getExplicitBoundsCount() + 1) {
            points.refuse("bucketCounts", "must be one more than the explicit bounds, "
                + (p.getExplicitBoundsCount() + 1) + ", but has " + p.getBucketCountsCount());
            return;
        }
        long[] counts = new long[p.getBucketCountsCount()];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = p.getBucketCounts(i);
        }
        long count = p.getCount();
        double sum = p.getSum();
        if (key != null) {
            final CumulativeSeries.Last point = new CumulativeSeries.Last(p.getStartTimeUnixNano(), sum, count,
                counts, 0, 0, 0, 0, NO_COUNTS);
            final CumulativeSeries.Last base = cumulative.baseline(key, point);
            if (base == point) {
                return;
            }
            if (base != null && base.counts.length == counts.length) {
                final long[] delta = new long[counts.length];
                boolean reset = false;
                for (int i = 0; i < counts.length; i++) {
                    delta[i] = counts[i] - base.counts[i];
                    reset |= delta[i] < 0;
                }
                if (!reset) {
                    counts = delta;
                    count -= base.count;
                    sum -= base.sum;
                }
            }
        }
        if (count == 0) {
            return;
        }
        final double min = p.hasMin() ? p.getMin() : Double.NEGATIVE_INFINITY;
        final double max = p.hasMax() ? p.getMax() : Double.POSITIVE_INFINITY;
        if (counts.length <= 1 && !p.hasMin() && !p.hasMax() || counts.length == 0) {
            if (p.hasSum()) {
                points.add(Math.max(min, Math.min(max, sum / count)), count);
            } else {
                points.refuse("sum", "is needed by a histogram point with neither bounds nor min and max");
            }
            return;
        }
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] == 0) {
                continue;
            }
            double lo = Math.max(i == 0 ? Double.NEGATIVE_INFINITY : p.getExplicitBounds(i - 1), min);
            double hi = Math.min(i == counts.length - 1 ? Double.POSITIVE_INFINITY : p.getExplicitBounds(i), max);
            if (lo == Double.NEGATIVE_INFINITY) {
                lo = hi > 0 ? 0 : hi;
            }
            if (hi == Double.POSITIVE_INFINITY) {
                hi = lo;
            }
            points.add(lo / 2 + hi / 2, counts[i]);
        }
    }

    private static void exponential(final ExponentialHistogramDataPoint p, final CumulativeSeries.Key key,
                                    final CumulativeSeries.Changes cumulative, final Points points) {
        final int buckets = p.getPositive().getBucketCountsCount() + p.getNegative().getBucketCountsCount();
        if (buckets > MAX_BUCKETS) {
            points.refuse("positive", "has " + buckets + " buckets, more than " + MAX_BUCKETS);
            return;
        }
        if (p.getScale() < -10 || p.getScale() > 20) {
            points.refuse("scale", "must be -10 to 20 but was " + p.getScale());
            return;
        }
        long[] positive = counts(p.getPositive());
        long[] negative = counts(p.getNegative());
        int offset = p.getPositive().getOffset();
        int negativeOffset = p.getNegative().getOffset();
        long zero = p.getZeroCount();
        long count = p.getCount();
        if (key != null) {
            final CumulativeSeries.Last point = new CumulativeSeries.Last(p.getStartTimeUnixNano(), p.getSum(), count,
                positive, p.getScale(), zero, offset, negativeOffset, negative);
            final CumulativeSeries.Last base = cumulative.baseline(key, point);
            if (base == point) {
                return;
            }
            if (base != null && base.scale >= p.getScale() && zero >= base.zeroCount) {
                final long[] dp = minus(positive, offset, base.counts, base.offset, base.scale - p.getScale());
                final long[] dn = minus(negative, negativeOffset, base.negative, base.negativeOffset,
                    base.scale - p.getScale());
                if (dp != null && dn != null) {
                    positive = dp;
                    negative = dn;
                    zero -= base.zeroCount;
                    count -= base.count;
                }
            }
        }
        if (count == 0) {
            return;
        }
        final double min = p.hasMin() ? p.getMin() : Double.NEGATIVE_INFINITY;
        final double max = p.hasMax() ? p.getMax() : Double.POSITIVE_INFINITY;
        if (zero > 0) {
            points.add(Math.max(min, Math.min(max, 0)), zero);
        }
        for (int i = 0; i < positive.length; i++) {
            if (positive[i] > 0) {
                points.add(Math.max(min, Math.min(max, midpoint(offset + i, p.getScale()))), positive[i]);
            }
        }
        for (int i = 0; i < negative.length; i++) {
            if (negative[i] > 0) {
                points.add(Math.max(min, Math.min(max, -midpoint(negativeOffset + i, p.getScale()))), negative[i]);
            }
        }
    }

    /** @return the geometric midpoint of the bucket {@code (base^index, base^(index + 1)]}. */
    static double midpoint(final int index, final int scale) {
        return Math.pow(2, Math.scalb(index + 0.5, -scale));
    }

    private static long[] counts(final ExponentialHistogramDataPoint.Buckets b) {
        final long[] c = new long[b.getBucketCountsCount()];
        for (int i = 0; i < c.length; i++) {
            c[i] = b.getBucketCounts(i);
        }
        return c;
    }

    /**
     * @param counts     a point's buckets from {@code offset}.
     * @param baseCounts the last point's, from {@code baseOffset}, at a scale {@code shift} finer.
     * @return the counts minus the last point's brought to their scale, or null if one would go below 0 (a reset).
     */
    private static long[] minus(final long[] counts, final int offset, final long[] baseCounts, final int baseOffset,
                                final int shift) {
        final long[] d = counts.clone();
        for (int i = 0; i < baseCounts.length; i++) {
            if (baseCounts[i] == 0) {
                continue;
            }
            final int at = ((baseOffset + i) >> shift) - offset;
            if (at < 0 || at >= d.length) {
                return null;
            }
            d[at] -= baseCounts[i];
            if (d[at] < 0) {
                return null;
            }
        }
        return d;
    }

    private static void summary(final SummaryDataPoint p, final CumulativeSeries.Key key,
                                final CumulativeSeries.Changes cumulative, final Points points) {
        long count = p.getCount();
        double sum = p.getSum();
        final CumulativeSeries.Last point = new CumulativeSeries.Last(p.getStartTimeUnixNano(), sum, count, NO_COUNTS,
            0, 0, 0, 0, NO_COUNTS);
        final CumulativeSeries.Last base = cumulative.baseline(key, point);
        if (base == point) {
            return;
        }
        if (base != null) {
            count -= base.count;
            sum -= base.sum;
        }
        if (count > 0) {
            points.add(sum / count, count);
        }
    }

    private static double value(final NumberDataPoint p) {
        return p.getValueCase() == NumberDataPoint.ValueCase.AS_INT ? p.getAsInt() : p.getAsDouble();
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

    /** The series keys of one request: the hash of the resource, scope and metric, then of each point. */
    private static final class SeriesKeys {
        private final java.security.MessageDigest digest;
        private byte[] metric;

        SeriesKeys() {
            try {
                digest = java.security.MessageDigest.getInstance("SHA-256");
            } catch (final java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException("every JVM has SHA-256", e);
            }
        }

        void metric(final ResourceMetrics rm, final ScopeMetrics sm, final Metric m) {
            digest.update(rm.getResource().toByteArray());
            digest.update((byte)0);
            digest.update(sm.getScope().getNameBytes().toByteArray());
            digest.update((byte)0);
            digest.update(m.getNameBytes().toByteArray());
            metric = digest.digest();
        }

        CumulativeSeries.Key point(final List<KeyValue> attributes) {
            digest.update(metric);
            for (final KeyValue kv : attributes) {
                digest.update(kv.toByteArray());
            }
            final java.nio.ByteBuffer h = java.nio.ByteBuffer.wrap(digest.digest());
            return new CumulativeSeries.Key(h.getLong(), h.getLong());
        }
    }

    /** The samples of one request as they are filled. */
    private static final class Points {
        private final IntFunction<MetricSample> item;
        private final int maxBatch;
        private final EventRules rules;
        private final Refusals refused;
        private final GenAiMetrics metrics;
        private int n;
        private int index;
        private String name;
        private long timeUnixNano;
        private List<KeyValue> attributes;
        private int point = -1;
        private boolean pointRefused;
        /** The first sample of the current data point: a point refused takes back the samples it made. */
        private int pointStart;

        Points(final IntFunction<MetricSample> item, final int maxBatch, final EventRules rules,
               final Refusals refused, final GenAiMetrics metrics) {
            this.item = item;
            this.maxBatch = maxBatch;
            this.rules = rules;
            this.refused = refused;
            this.metrics = metrics;
        }

        /** Starts the samples of the next data point. */
        void begin(final String metricName, final long time, final List<KeyValue> pointAttributes) {
            name = metricName;
            timeUnixNano = time;
            attributes = pointAttributes;
            point++;
            pointRefused = false;
            pointStart = n;
        }

        /** Refuses the current data point (once, whatever its samples). */
        void refuse(final String field, final String reason) {
            if (!pointRefused) {
                pointRefused = true;
                n = pointStart;
                refused.refuse("data point " + point + " (" + name + ")", field + " " + reason);
            }
        }

        /** Adds a sample of the current data point: its value, standing for {@code count} observations. */
        void add(final double value, final long count) {
            if (index++ == maxBatch) {
                throw dev.ringmeter.server.http.ApiException.tooLarge("the request makes more than " + maxBatch
                    + " samples (--max-batch: a data point each, a histogram point one a non-empty bucket); send"
                    + " smaller batches");
            }
            if (pointRefused) {
                return;
            }
            final MetricSample s = item.apply(n);
            try {
                s.name(name).value(value).count(count).timestampMs(timeUnixNano / 1_000_000);
                metrics.tags(attributes, s);
                rules.check(s);
                n++;
            } catch (final InvalidEventException e) {
                s.reset();
                pointRefused = true;
                n = pointStart;
                refused.refuse("data point " + point + " (" + name + ")", e.getMessage());
            }
        }
    }
}
