package dev.ringmeter.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The OTLP/HTTP receiver with recorded OTLP JSON payloads in the shapes the Python and JavaScript SDKs send (hex ids
 * in either case, 64-bit integers as strings or numbers, enums as integers, unknown fields), gzip, partial success,
 * and each refusal of the OTLP/HTTP specification with its google.rpc.Status body.
 */
@Timeout(60)
class OtlpReceiverTest {
    @TempDir
    Path data;

    /** A recorded payload, its times (1700000000 s and after) moved to now, so the store's retention keeps it. */
    private static byte[] payload(final String name) throws IOException {
        try (InputStream in = OtlpReceiverTest.class.getResourceAsStream("/otlp/" + name)) {
            final String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            final long recent = (System.currentTimeMillis() / 1000 - 10) / 10;   // the times' first 9 digits
            return json.replace("170000000", Long.toString(recent)).getBytes(StandardCharsets.UTF_8);
        }
    }

    private static TestServer.Reply post(final TestServer server, final String path, final String type,
                                         final String encoding, final byte[] body) {
        final HttpRequest.Builder b = server.request(path).header("Content-Type", type)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (encoding != null) {
            b.header("Content-Encoding", encoding);
        }
        return server.send(b.build());
    }

    private static byte[] gzip(final byte[] raw) throws IOException {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(raw);
        }
        return out.toByteArray();
    }

    @Test
    void shouldReadPythonShapedJsonAndCountWhatItRefuses() throws Exception {
        try (TestServer server = new TestServer(new ServerConfig().otlpRunAttribute("session.run"), data)) {
            final TestServer.Reply r = post(server, "/v1/traces", "application/json", "gzip",
                gzip(payload("python-chat-traces.json")));
            assertEquals(200, r.status(), r.body());
            assertEquals("application/json", r.raw().headers().firstValue("Content-Type").orElse(""));
            assertEquals("1", r.json().at("/partialSuccess/rejectedSpans").asText(), r.body());
            assertTrue(r.json().at("/partialSuccess/errorMessage").asText().contains("model"), r.body());

            final JsonNode e = server.get("/api/v1/models/py-model/recent?limit=10").json().at("/events/0");
            assertEquals("openai", e.at("/provider").asText(), "gen_ai.system when there is no provider.name");
            assertEquals(1250.0, e.at("/latencyMs").asDouble(), 1e-6, "string int64 times");
            assertEquals(42, e.at("/promptTokens").asLong(), "a string intValue");
            assertEquals(7, e.at("/completionTokens").asLong());
            assertEquals("py-run", e.at("/run").asText(), "the run from --otlp-run-attribute");
            final JsonNode tags = server.get("/api/v1/analytics?window=1h&model=py-model").json();
            assertEquals(1, tags.at("/count").asLong(), tags.toString());
            assertTrue(server.get("/metrics").body().contains("ringmeter_otlp_spans_ignored_total 1"));
        }
    }

    @Test
    void shouldReadJsShapedJsonWithNumbersAndUpperCaseHexIds() throws Exception {
        try (TestServer server = TestServer.start(data)) {
            final TestServer.Reply r = post(server, "/v1/traces", "application/json", null,
                payload("js-tool-traces.json"));
            assertEquals(200, r.status(), r.body());
            assertEquals("{}", r.body(), "a full success has no partialSuccess");
            final JsonNode tool = server.get("/api/v1/analytics?window=1h&tool=get_weather").json();
            assertEquals(1, tool.at("/count").asLong(), tool.toString());
            final JsonNode agent = server.get("/api/v1/analytics?window=1h&agent=planner").json();
            assertEquals(1, agent.at("/count").asLong(), agent.toString());
        }
    }

    private static ExportTraceServiceRequest request(final String model, final int spans) {
        final long now = System.currentTimeMillis() * 1_000_000L;
        final ScopeSpans.Builder scope = ScopeSpans.newBuilder();
        for (int i = 0; i < spans; i++) {
            scope.addSpans(Span.newBuilder().setTraceId(ByteString.copyFrom(new byte[16]))
                .setSpanId(ByteString.copyFrom(new byte[8])).setName("chat").setStartTimeUnixNano(now - 5_000_000)
                .setEndTimeUnixNano(now)
                .addAttributes(KeyValue.newBuilder().setKey("gen_ai.operation.name")
                    .setValue(AnyValue.newBuilder().setStringValue("chat")))
                .addAttributes(KeyValue.newBuilder().setKey("gen_ai.request.model")
                    .setValue(AnyValue.newBuilder().setStringValue(model)))
                .addAttributes(KeyValue.newBuilder().setKey("gen_ai.usage.input_tokens")
                    .setValue(AnyValue.newBuilder().setIntValue(i % 2 == 0 ? 5 : -5))));
        }
        return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
            .addScopeSpans(scope)).build();
    }

    /** A reply read as bytes. */
    private record Bytes(int status, byte[] body, String type) {
    }

    private static Bytes postProtobuf(final TestServer server, final byte[] body) throws Exception {
        final HttpResponse<byte[]> r = server.client.send(server.request("/v1/traces")
            .header("Content-Type", "application/x-protobuf")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
        return new Bytes(r.statusCode(), r.body(), r.headers().firstValue("Content-Type").orElse(""));
    }

    @Test
    void shouldAnswerProtobufWithProtobufPartialSuccess() throws Exception {
        try (TestServer server = TestServer.start(data)) {
            final Bytes r = postProtobuf(server, request("proto-model", 4).toByteArray());
            assertEquals(200, r.status());
            assertEquals("application/x-protobuf", r.type());
            final ExportTraceServiceResponse reply = ExportTraceServiceResponse.parseFrom(r.body());
            assertEquals(2, reply.getPartialSuccess().getRejectedSpans(), "the spans with negative tokens");
            assertTrue(reply.getPartialSuccess().getErrorMessage().contains("promptTokens"),
                reply.getPartialSuccess().getErrorMessage());
            assertEquals(2, server.count("proto-model"));
        }
    }

    @Test
    void shouldRefuseBadDataWithAStatusInTheRequestsEncoding() throws Exception {
        try (TestServer server = new TestServer(new ServerConfig().maxBatch(3), data)) {
            final Bytes bad = postProtobuf(server, new byte[] {0x0a, 0x7f, 0x01});   // a length past the end
            assertEquals(400, bad.status());
            assertEquals("application/x-protobuf", bad.type());
            final CodedInputStream in = CodedInputStream.newInstance(bad.body());
            assertEquals(1 << 3, in.readTag());
            assertEquals(3, in.readInt32(), "INVALID_ARGUMENT");
            assertEquals(2 << 3 | 2, in.readTag());
            assertTrue(in.readString().contains("ExportTraceServiceRequest"));

            final TestServer.Reply badHex = post(server, "/v1/traces", "application/json", null,
                ("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"W47/95gDgQPSabYzgT/GDA==\"}]}]}]}")
                    .getBytes(StandardCharsets.UTF_8));
            assertEquals(400, badHex.status(), "a base64 id, as plain proto3 JSON would write it");
            assertEquals(3, badHex.json().at("/code").asInt());
            assertTrue(badHex.json().at("/message").asText().contains("traceId"), badHex.body());

            final TestServer.Reply notJson = post(server, "/v1/traces", "application/json", null,
                "{\"resourceSpans\":[".getBytes(StandardCharsets.UTF_8));
            assertEquals(400, notJson.status(), notJson.body());

            final TestServer.Reply tooMany = post(server, "/v1/traces", "application/json", null,
                ("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[" + String.join(",", java.util.Collections.nCopies(4,
                    "{\"startTimeUnixNano\":\"1\",\"endTimeUnixNano\":\"2\",\"attributes\":[{\"key\":"
                        + "\"gen_ai.operation.name\",\"value\":{\"stringValue\":\"chat\"}}]}")) + "]}]}]}")
                    .getBytes(StandardCharsets.UTF_8));
            assertEquals(413, tooMany.status(), tooMany.body());

            final TestServer.Reply text = post(server, "/v1/traces", "text/plain", null, new byte[] {1});
            assertEquals(415, text.status());
            final byte[] spaces = new byte[8 << 20];
            java.util.Arrays.fill(spaces, (byte)' ');
            final TestServer.Reply bomb = post(server, "/v1/metrics", "application/json", "gzip", gzip(spaces));
            assertEquals(413, bomb.status(), bomb.body());
            assertEquals(3, bomb.json().at("/code").asInt(), bomb.body());
            assertEquals(0, server.count(null), "nothing of a refused export is stored");
        }
    }

    private static Bytes status(final HttpResponse<byte[]> r) {
        return new Bytes(r.statusCode(), r.body(), r.headers().firstValue("Retry-After").orElse(""));
    }

    private static int code(final byte[] status) throws IOException {
        final CodedInputStream in = CodedInputStream.newInstance(status);
        assertEquals(1 << 3, in.readTag());
        return in.readInt32();
    }

    @Test
    void shouldShedWith429AndAnswer503AsTheNdjsonIngestDoes() throws Exception {
        try (TestServer server = new TestServer(new ServerConfig().maxInFlight(1).ringSize(64).flushTimeoutMs(1_000),
            data)) {
            final dev.ringmeter.core.aggregate.Aggregates aggregates = server.server.store().aggregates();
            final java.util.concurrent.CompletableFuture<HttpResponse<byte[]>> first;
            aggregates.lock();   // the aggregate thread stops at its next span: the ring fills, the request waits
            try {
                first = server.client.sendAsync(server.request("/v1/traces").header("Content-Type",
                    "application/x-protobuf").POST(HttpRequest.BodyPublishers.ofByteArray(
                        request("stalled", 200).toByteArray())).build(), HttpResponse.BodyHandlers.ofByteArray());
                final long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
                while (server.server.store().stats().published() < 64) {
                    assertTrue(System.nanoTime() < deadline, "the first export fills the ring");
                    Thread.onSpinWait();
                }
                final Bytes shed = status(server.client.send(server.request("/v1/traces").header("Content-Type",
                    "application/x-protobuf").POST(HttpRequest.BodyPublishers.ofByteArray(
                        request("shed", 2).toByteArray())).build(), HttpResponse.BodyHandlers.ofByteArray()));
                assertEquals(429, shed.status());
                assertEquals("1", shed.type(), "Retry-After");
                assertEquals(8, code(shed.body()), "RESOURCE_EXHAUSTED");
                final Bytes stalled = status(first.get(30, java.util.concurrent.TimeUnit.SECONDS));
                assertEquals(503, stalled.status(), "the ring stayed full past the flush timeout");
                assertEquals("1", stalled.type(), "Retry-After");
                assertEquals(14, code(stalled.body()), "UNAVAILABLE");
            } finally {
                aggregates.unlock();
            }
            assertEquals(0, server.count("shed"));
            assertEquals(200, postProtobuf(server, request("after", 2).toByteArray()).status(),
                "a freed ring takes exports again");
            assertEquals(1, server.count("after"), "one of the two spans has negative tokens");
        }
    }
}
