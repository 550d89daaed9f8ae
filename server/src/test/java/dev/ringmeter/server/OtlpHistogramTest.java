package dev.ringmeter.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.sdk.metrics.Aggregation;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.AggregationTemporalitySelector;
import io.opentelemetry.sdk.metrics.export.DefaultAggregationSelector;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * OTLP histogram points enter by their buckets (one weighted sample a non-empty bucket), and cumulative points by
 * what changed since their series' last point: the real OpenTelemetry SDK and its OTLP/HTTP exporter (cumulative by
 * default, and delta) send to a running server, and OTLP JSON written here drives resets and the state's limit; the
 * series are read back through /api/v1/metrics.
 */
@Timeout(120)
class OtlpHistogramTest {
    /** The series' value histogram keeps one significant digit: a percentile within 1/32 of its bucket's value. */
    private static final double SERIES_PRECISION = 1.0 / 32;

    @TempDir
    Path data;

    private static SdkMeterProvider meters(final TestServer server, final boolean delta, final boolean exponential) {
        final io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporterBuilder exporter = OtlpHttpMetricExporter.builder()
            .setEndpoint(server.base + "/v1/metrics");
        if (delta) {
            exporter.setAggregationTemporalitySelector(AggregationTemporalitySelector.deltaPreferred());
        }
        if (exponential) {
            exporter.setDefaultAggregationSelector(DefaultAggregationSelector.getDefault()
                .with(InstrumentType.HISTOGRAM, Aggregation.base2ExponentialBucketHistogram()));
        }
        return SdkMeterProvider.builder().registerMetricReader(PeriodicMetricReader.builder(exporter.build())
            .setInterval(Duration.ofHours(1)).build()).build();
    }

    private static void flush(final SdkMeterProvider meters) {
        assertTrue(meters.forceFlush().join(30, TimeUnit.SECONDS).isSuccess(), "the export succeeded");
    }

    private static JsonNode series(final TestServer server, final String name) {
        final TestServer.Reply r = server.get("/api/v1/metrics?name=" + name + "&window=1h");
        assertEquals(200, r.status(), r.body());
        return r.json();
    }

    /** Records 1, 2, ..., 1000 (true p50 500, p95 950) and reads the percentiles back within the stated precision. */
    private static void assertPercentiles(final JsonNode s, final double bucketError) {
        assertEquals(1000, s.at("/count").asLong(), "every observation counted once: " + s);
        assertEquals(500, s.at("/p50").asDouble(), bucketError * 500 + 500 * SERIES_PRECISION + 5, s.toString());
        assertEquals(950, s.at("/p95").asDouble(), bucketError * 950 + 950 * SERIES_PRECISION + 5, s.toString());
        assertTrue(s.at("/min").asDouble() >= 1 && s.at("/max").asDouble() <= 1000,
            "representative values clamped to the point's min and max: " + s);
    }

    @Test
    void shouldGivePercentilesOfExplicitBucketsWithinHalfABucket() {
        try (TestServer server = TestServer.start(data)) {
            final SdkMeterProvider meters = meters(server, true, false);
            final List<Double> bounds = new ArrayList<>();
            for (int b = 0; b <= 1000; b += 10) {
                bounds.add((double)b);
            }
            final DoubleHistogram h = meters.get("test").histogramBuilder("llm.latency").setUnit("ms")
                .setExplicitBucketBoundariesAdvice(bounds).build();
            for (int v = 1; v <= 1000; v++) {
                h.record(v, Attributes.empty());
            }
            flush(meters);
            meters.shutdown().join(30, TimeUnit.SECONDS);
            // buckets 10 wide: a representative value within 5 of every value of its bucket
            assertPercentiles(series(server, "llm.latency"), 0);
        }
    }

    @Test
    void shouldGivePercentilesOfAnExponentialHistogramWithinItsScale() {
        try (TestServer server = TestServer.start(data)) {
            final SdkMeterProvider meters = meters(server, false, true);
            final DoubleHistogram h = meters.get("test").histogramBuilder("llm.latency").setUnit("ms").build();
            for (int v = 1; v <= 1000; v++) {
                h.record(v, Attributes.empty());
            }
            flush(meters);
            meters.shutdown().join(30, TimeUnit.SECONDS);
            // 160 buckets over 1 to 1000 (10 octaves): scale 4, a bucket's midpoint within 2^(1/32) - 1 of its values
            assertPercentiles(series(server, "llm.latency"), Math.pow(2, 1.0 / 32) - 1);
        }
    }

    @Test
    void shouldStoreWhatTwoCumulativeExportsAddedNotTheirTotalsTwice() {
        try (TestServer server = TestServer.start(data)) {
            final SdkMeterProvider meters = meters(server, false, false);   // the SDK's default: cumulative
            final LongCounter requests = meters.get("test").counterBuilder("gen_ai.requests").build();
            final DoubleHistogram duration = meters.get("test").histogramBuilder("gen_ai.client.operation.duration")
                .setUnit("s").build();
            final Attributes chat = Attributes.builder().put("gen_ai.operation.name", "chat").build();
            requests.add(3, chat);
            duration.record(0.5, chat);
            duration.record(1.5, chat);
            flush(meters);
            flush(meters);   // the same totals again: nothing new
            requests.add(4, chat);
            duration.record(1.0, chat);
            flush(meters);
            meters.shutdown().join(30, TimeUnit.SECONDS);

            final JsonNode counted = series(server, "gen_ai.requests");
            assertEquals(7.0, counted.at("/sum").asDouble(), 1e-9, "3 then 4 more: " + counted);
            assertEquals(2, counted.at("/count").asLong(), "a sample for each rise: " + counted);
            final JsonNode d = series(server, "gen_ai.client.operation.duration");
            assertEquals(3, d.at("/count").asLong(), "three observations: " + d);
            assertTrue(d.at("/min").asDouble() >= 0.5 && d.at("/max").asDouble() <= 1.5,
                "bucket (0, 5] clamped to the points' min and max: " + d);
        }
    }

    private static String sum(final String series, final long startNanos, final long value) {
        return "{\"resourceMetrics\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":"
            + "{\"stringValue\":\"bot\"}}]},\"scopeMetrics\":[{\"scope\":{\"name\":\"s\"},\"metrics\":[{\"name\":"
            + "\"requests\",\"sum\":{\"aggregationTemporality\":2,\"isMonotonic\":true,\"dataPoints\":[{"
            + "\"attributes\":[{\"key\":\"route\",\"value\":{\"stringValue\":\"" + series + "\"}}],"
            + "\"startTimeUnixNano\":\"" + startNanos + "\",\"timeUnixNano\":\"" + System.currentTimeMillis()
            * 1_000_000 + "\",\"asInt\":\"" + value + "\"}]}}]}]}]}";
    }

    /** @return an export of the series' points, each {@code {route, value}}, all started at {@code startNanos}. */
    private static String sums(final long startNanos, final String[]... points) {
        final StringBuilder b = new StringBuilder();
        for (final String[] p : points) {
            final String one = sum(p[0], startNanos, Long.parseLong(p[1]));
            final int from = one.indexOf("\"dataPoints\":[") + "\"dataPoints\":[".length();
            b.append(b.length() == 0 ? "" : ",").append(one, from, one.indexOf("]}}]}]}]}"));
        }
        final String first = sum("x", startNanos, 0);
        return first.substring(0, first.indexOf("\"dataPoints\":[") + "\"dataPoints\":[".length()) + b + "]}}]}]}]}";
    }

    private static void export(final TestServer server, final String body) {
        final TestServer.Reply r = server.post("/v1/metrics", TestServer.JSON, body);
        assertEquals(200, r.status(), r.body());
        assertFalse(r.json().has("partialSuccess"), r.body());
    }

    /** @return a time in nanoseconds after the server started (its clock's milliseconds, polled to pass them). */
    private static long afterStart() {
        final long startedBy = System.currentTimeMillis();
        long now = startedBy;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (now <= startedBy && System.nanoTime() < deadline) {
            now = System.currentTimeMillis();
        }
        return now * 1_000_000;
    }

    @Test
    void shouldStartACumulativeSeriesAnewWhenItResets() {
        try (TestServer server = TestServer.start(data)) {
            final long s1 = afterStart();
            export(server, sum("a", s1, 10));        // started after the server: stored whole
            export(server, sum("a", s1, 15));        // +5
            export(server, sum("a", s1 + 1, 4));     // a new start time: a reset, 4 since it
            export(server, sum("a", s1 + 1, 3));     // went down: a reset again, 3
            final JsonNode s = series(server, "requests");
            assertEquals(10 + 5 + 4 + 3, s.at("/sum").asDouble(), 1e-9, s.toString());
            assertEquals(4, s.at("/count").asLong(), s.toString());
        }
    }

    @Test
    void shouldKeepAtMostTheConfiguredSeriesForgettingTheLeastRecent() {
        try (TestServer server = new TestServer(new ServerConfig().otlpCumulativeSeries(2), data)) {
            final long before = (System.currentTimeMillis() - 3_600_000) * 1_000_000;   // before the server started
            export(server, sum("a", before, 100));   // each first point only sets its series' baseline
            export(server, sum("b", before, 100));
            export(server, sum("c", before, 100));   // forgets a
            assertEquals(404, server.get("/api/v1/metrics?name=requests&window=1h").status(),
                "baselines store nothing");
            export(server, sum("c", before, 130));   // +30
            export(server, sum("a", before, 150));   // forgotten: a baseline again, nothing stored
            final JsonNode s = series(server, "requests");
            assertEquals(30.0, s.at("/sum").asDouble(), 1e-9, s.toString());
            assertEquals(1, s.at("/count").asLong(), s.toString());
        }
    }

    @Test
    void shouldLeaveTheCumulativeStateAsItWasWhenAnExportIsRefused() {
        try (TestServer server = new TestServer(new ServerConfig().maxBatch(2), data)) {
            final long s1 = afterStart();
            export(server, sum("a", s1, 10));
            final TestServer.Reply tooMany = server.post("/v1/metrics", TestServer.JSON,
                sums(s1, new String[] {"a", "20"}, new String[] {"b", "5"}, new String[] {"c", "5"}));
            assertEquals(413, tooMany.status(), tooMany.body());
            export(server, sum("a", s1, 20));   // sent again: +10 since the last point stored, not 0
            final JsonNode s = series(server, "requests");
            assertEquals(20.0, s.at("/sum").asDouble(), 1e-9, s.toString());
        }
    }

    private static String summary(final long startNanos, final long count, final double sum) {
        return "{\"resourceMetrics\":[{\"scopeMetrics\":[{\"metrics\":[{\"name\":\"rpc.seconds\",\"summary\":{"
            + "\"dataPoints\":[{\"startTimeUnixNano\":\"" + startNanos + "\",\"timeUnixNano\":\""
            + System.currentTimeMillis() * 1_000_000 + "\",\"count\":\"" + count + "\",\"sum\":" + sum
            + ",\"quantileValues\":[{\"quantile\":0.5,\"value\":1.0},{\"quantile\":1.0,\"value\":9.0}]}]}}]}]}]}";
    }

    /** A summary's quantiles are not a distribution: its mean enters, weighted by its count, as a delta. */
    @Test
    void shouldKeepASummaryAsItsWeightedMean() {
        try (TestServer server = TestServer.start(data)) {
            final long s1 = afterStart();
            export(server, summary(s1, 4, 8.0));    // 4 observations, mean 2
            export(server, summary(s1, 6, 16.0));   // cumulative: 2 more, of mean 4
            final JsonNode s = series(server, "rpc.seconds");
            assertEquals(6, s.at("/count").asLong(), s.toString());
            assertEquals(16.0, s.at("/sum").asDouble(), 1e-9, s.toString());
            assertEquals(4.0, s.at("/max").asDouble(), 1e-9, "the means, not the quantiles: " + s);
        }
    }

    /**
     * Each refused point is named for its own fault: a gauge's value that is not a number is a bad value, and only a
     * histogram point with neither bounds, min and max nor a sum lacks its sum.
     */
    @Test
    void shouldNameWhatIsWrongWithAGaugeAndWithAHistogramPointOfItsOwn() {
        try (TestServer server = TestServer.start(data)) {
            final String gauge = "{\"resourceMetrics\":[{\"scopeMetrics\":[{\"metrics\":[{\"name\":\"g\",\"gauge\":"
                + "{\"dataPoints\":[{\"asDouble\":\"NaN\"}]}}]}]}]}";
            final TestServer.Reply g = server.post("/v1/metrics", TestServer.JSON, gauge);
            assertEquals(200, g.status(), g.body());
            assertEquals("data point 0 (g): value must be a finite number but was NaN",
                g.json().at("/partialSuccess/errorMessage").asText(), g.body());

            final String histogram = "{\"resourceMetrics\":[{\"scopeMetrics\":[{\"metrics\":[{\"name\":\"h\","
                + "\"histogram\":{\"aggregationTemporality\":1,\"dataPoints\":[{\"count\":\"3\"}]}}]}]}]}";
            final TestServer.Reply h = server.post("/v1/metrics", TestServer.JSON, histogram);
            assertEquals(200, h.status(), h.body());
            assertEquals("data point 0 (h): sum is needed by a histogram point with neither bounds nor min and max",
                h.json().at("/partialSuccess/errorMessage").asText(), h.body());
        }
    }
}
