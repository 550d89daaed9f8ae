package dev.ringmeter.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.internal.otlp.traces.TraceRequestMarshaler;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.AggregationTemporalitySelector;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real OpenTelemetry Java SDK and its OTLP/HTTP exporter send GenAI spans and metrics to a running server, over
 * protobuf (the exporter) and over OTLP JSON (the SDK's own JSON encoding of the same spans); the events and metric
 * series are then read back through /api/v1.
 */
@Timeout(120)
class OtlpSdkTest {
    private static final String TOKEN = "otlp-secret";

    @TempDir
    Path data;

    private static Span chat(final Tracer tracer, final String model, final Instant start) {
        final Span span = tracer.spanBuilder("chat " + model).setStartTimestamp(start)
            .setAttribute("gen_ai.operation.name", "chat")
            .setAttribute("gen_ai.provider.name", "openai")
            .setAttribute("gen_ai.request.model", "gpt-4o")
            .setAttribute("gen_ai.response.model", model)
            .setAttribute("gen_ai.usage.input_tokens", 120L)
            .setAttribute("gen_ai.usage.output_tokens", 30L)
            .setAttribute("gen_ai.usage.cache_read.input_tokens", 100L)
            .setAttribute("gen_ai.usage.reasoning.output_tokens", 10L)
            .setAttribute("gen_ai.response.time_to_first_chunk", 0.25)
            .setAttribute("gen_ai.conversation.id", "conv-7")
            .setAttribute("ringmeter.run.id", "run-1")
            .startSpan();
        span.addEvent("gen_ai.evaluation.result", Attributes.of(AttributeKey.stringKey("gen_ai.evaluation.name"),
            "relevance", AttributeKey.doubleKey("gen_ai.evaluation.score.value"), 0.75));
        span.end(start.plusMillis(800));
        return span;
    }

    private static void emit(final Tracer tracer, final String model) {
        final Instant start = Instant.now().minusSeconds(2);
        chat(tracer, model, start);
        final Span failed = tracer.spanBuilder("chat failed").setStartTimestamp(start)
            .setAttribute("gen_ai.operation.name", "chat").setAttribute("gen_ai.system", "anthropic")
            .setAttribute("gen_ai.request.model", model + "-failing").setAttribute("error.type", "rate_limited")
            .startSpan();
        failed.setStatus(StatusCode.ERROR);
        failed.end(start.plusMillis(50));
        tracer.spanBuilder("GET /index.html").setStartTimestamp(start).startSpan().end(start.plusMillis(5));
    }

    private static void assertChat(final TestServer server, final String model) {
        final TestServer.Reply recent = server.get("/api/v1/models/" + model + "/recent?limit=10");
        assertEquals(200, recent.status(), recent.body());
        final JsonNode events = recent.json().at("/events");
        assertEquals(1, events.size(), recent.body());
        final JsonNode e = events.get(0);
        assertEquals("chat", e.at("/operation").asText());
        assertEquals("openai", e.at("/provider").asText());
        assertEquals("run-1", e.at("/run").asText());
        assertEquals(800.0, e.at("/latencyMs").asDouble(), 1e-6);
        assertEquals(250.0, e.at("/ttftMs").asDouble(), 1e-6);
        assertEquals(120, e.at("/promptTokens").asLong());
        assertEquals(30, e.at("/completionTokens").asLong());
        assertEquals(100, e.at("/cachedTokens").asLong());
        assertEquals(10, e.at("/reasoningTokens").asLong());
        assertEquals("ok", e.at("/status").asText());
        final JsonNode stats = server.get("/api/v1/analytics?window=1h&model=" + model).json();
        assertEquals(0.75, stats.at("/qualityMeans/relevance").asDouble(), 1e-9, stats.toString());

        final JsonNode failed = server.get("/api/v1/models/" + model + "-failing/recent?limit=10").json()
            .at("/events/0");
        assertEquals("error", failed.at("/status").asText());
        assertEquals("rate_limited", failed.at("/errorType").asText());
        assertEquals("anthropic", failed.at("/provider").asText());
    }

    @Test
    void shouldStoreGenAiSpansSentByTheSdkOverProtobuf() {
        try (TestServer server = new TestServer(new ServerConfig().token(TOKEN), data)) {
            final OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder()
                .setEndpoint(server.base + "/v1/traces").addHeader("Authorization", "Bearer " + TOKEN)
                .setCompression("gzip").build();
            final SdkTracerProvider provider = SdkTracerProvider.builder()
                .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(
                    AttributeKey.stringKey("service.name"), "support-bot"))))
                .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
            emit(provider.get("test"), "gpt-4o-2024-08-06");
            assertTrue(provider.forceFlush().join(30, TimeUnit.SECONDS).isSuccess(), "the export succeeded");
            provider.shutdown().join(30, TimeUnit.SECONDS);

            assertChat(server, "gpt-4o-2024-08-06");
            final String metrics = server.get("/metrics").body();
            assertTrue(metrics.contains("ringmeter_otlp_spans_ignored_total 1"), metrics);
        }
    }

    /** Collects what the SDK exports, to encode it as OTLP JSON with the SDK's own marshaler. */
    private static final class Collecting implements SpanExporter {
        final List<SpanData> spans = new ArrayList<>();

        @Override
        public synchronized CompletableResultCode export(final Collection<SpanData> batch) {
            spans.addAll(batch);
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    }

    @Test
    void shouldStoreTheSameSpansSentAsOtlpJson() throws Exception {
        final Collecting collecting = new Collecting();
        final SdkTracerProvider provider = SdkTracerProvider.builder()
            .addSpanProcessor(SimpleSpanProcessor.create(collecting)).build();
        emit(provider.get("test"), "json-model");
        provider.shutdown().join(10, TimeUnit.SECONDS);
        final ByteArrayOutputStream json = new ByteArrayOutputStream();
        TraceRequestMarshaler.create(collecting.spans).writeJsonTo(json);
        assertTrue(json.toString().contains("\"traceId\":\"" + collecting.spans.get(0).getTraceId() + "\""),
            "the SDK writes hex ids: " + json);

        try (TestServer server = new TestServer(new ServerConfig().token(TOKEN), data)) {
            final TestServer.Reply r = server.send(server.request("/v1/traces").header("Content-Type",
                "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(json.toByteArray())).build());
            assertEquals(200, r.status(), r.body());
            assertEquals("application/json", r.raw().headers().firstValue("Content-Type").orElse(""));
            assertFalse(r.json().has("partialSuccess"), r.body());
            assertChat(server, "json-model");

            final TestServer.Reply anonymous = server.send(HttpRequest.newBuilder(URI.create(server.base
                + "/v1/traces")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json.toByteArray())).build());
            assertEquals(401, anonymous.status(), "the token guards /v1/* too");
            assertEquals(1, server.get("/api/v1/models/json-model/recent?limit=10").json().at("/events").size(),
                "the refused export stored nothing");
        }
    }

    /** Delta temporality, as docs/integrations.md advises: a cumulative point repeats its running total each export. */
    @Test
    void shouldKeepGenAiMetricsAsCustomMetricSeries() {
        try (TestServer server = new TestServer(new ServerConfig().token(TOKEN), data)) {
            final OtlpHttpMetricExporter exporter = OtlpHttpMetricExporter.builder()
                .setEndpoint(server.base + "/v1/metrics").addHeader("Authorization", "Bearer " + TOKEN)
                .setAggregationTemporalitySelector(AggregationTemporalitySelector.deltaPreferred()).build();
            final SdkMeterProvider meters = SdkMeterProvider.builder()
                .registerMetricReader(PeriodicMetricReader.builder(exporter).setInterval(Duration.ofHours(1)).build())
                .build();
            final DoubleHistogram duration = meters.get("test").histogramBuilder("gen_ai.client.operation.duration")
                .setUnit("s").build();
            final Attributes attributes = Attributes.builder().put("gen_ai.operation.name", "chat")
                .put("gen_ai.provider.name", "openai").put("gen_ai.request.model", "gpt-4o")
                .put("server.address", "api.openai.com").build();
            duration.record(0.5, attributes);
            duration.record(1.5, attributes);
            meters.get("test").counterBuilder("gen_ai.requests").build().add(3, attributes);
            assertTrue(meters.forceFlush().join(30, TimeUnit.SECONDS).isSuccess(), "the export succeeded");
            meters.shutdown().join(30, TimeUnit.SECONDS);

            final JsonNode hist = server.get("/api/v1/metrics?name=gen_ai.client.operation.duration&window=1h"
                + "&tag=model:gpt-4o&tag=provider:openai&tag=operation:chat&tag=server.address:api.openai.com")
                .json();
            assertEquals(2, hist.at("/count").asLong(), "each observation of the point's buckets: " + hist);
            assertEquals(1.0, hist.at("/mean").asDouble(), 1e-9, "bucket (0, 5] clamped to min and max: " + hist);
            final JsonNode sum = server.get("/api/v1/metrics?name=gen_ai.requests&window=1h").json();
            assertEquals(3.0, sum.at("/sum").asDouble(), 1e-9, sum.toString());
        }
    }
}
