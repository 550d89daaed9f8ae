package dev.ringmeter.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ringmeter.Event;
import dev.ringmeter.Status;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.query.WindowStats;
import dev.ringmeter.otlp.export.ExponentialBuckets;
import dev.ringmeter.otlp.export.OtlpMetricsExport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The OTLP export of a store's aggregates, received by a real Ringmeter server's own OTLP receiver and checked
 * against the source's aggregates: counts, token and cost sums exactly, percentiles within the conversion's stated
 * error plus the receiving series' own precision; a receiver that is down and then up gets the data later; the
 * backlog retried is bounded; a server started with an OTLP export pushes on its own.
 */
@Timeout(120)
class OtlpExportTest {
    /** The receiving series keep one significant digit: within 1/32, or 0.001, of each value. */
    private static final double SERIES_PRECISION = 1.0 / 32;

    @TempDir
    Path source;
    @TempDir
    Path target;
    @TempDir
    Path target2;

    /** A store whose finest tier (1 s x 700) holds a backlog of minutes, so the export aligns to 1 s. */
    private EmbeddedStore openSource() {
        return EmbeddedStore.open(new StoreConfig().dataDirectory(source)
            .tiers(new long[] {1_000, 60_000, 3_600_000}, new int[] {700, 90, 24}));
    }

    /** Records {@code n} calls of {@code model} at {@code atMs}, latencies 200 ms to 3 s spread over 4 octaves. */
    private static void record(final EmbeddedStore store, final String model, final int n, final long atMs) {
        final Event e = new Event();
        for (int i = 0; i < n; i++) {
            final double latency = 200 * Math.pow(15, (double)i / n);
            e.reset().model(model).provider("openai").operation("chat").timestampMs(atMs + i % 1_000)
                .latencyMs(latency).ttftMs(latency / 4).promptTokens(100 + i % 50).completionTokens(20 + i % 7)
                .costUsd(0.001).status(i % 10 == 0 ? Status.ERROR : Status.OK);
            if (i % 10 == 0) {
                e.errorType("rate_limit");
            }
            assertTrue(store.record(e));
        }
    }

    private static JsonNode series(final TestServer server, final String name, final String tags) {
        final TestServer.Reply r = server.get("/api/v1/metrics?name=" + name + "&window=1h" + tags);
        assertEquals(200, r.status(), r.body());
        return r.json();
    }

    private static void poll(final BooleanSupplier condition, final String what) {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "in time: " + what);
            Thread.onSpinWait();
        }
    }

    /** Compares what the receiver holds for a model with the source's window over the same interval. */
    private static void assertReceived(final TestServer receiver, final EmbeddedStore store, final String model,
                                       final long fromMs, final long toMs) {
        final WindowStats w = store.aggregates().window(model, fromMs, toMs, store.aggregates().newWindowStats());
        final String tag = "&tag=model:" + model;
        final JsonNode d = series(receiver, "gen_ai.client.operation.duration", tag);
        assertEquals(w.count(), d.at("/count").asLong(), "every call counted once: " + d);
        // the exported point's scale: 200 ms to 3 s is 3.9 octaves, 64 buckets at scale 4, 128 at scale 5
        final double error = (1 + ExponentialBuckets.worstRelativeError(5, 2)) * (1 + SERIES_PRECISION) - 1;
        for (final String p : new String[] {"50", "90", "99"}) {
            final double truth = w.latencyMs(Double.parseDouble(p)) / 1000;
            assertEquals(truth, d.at("/p" + p).asDouble(), truth * error + 0.001, "p" + p + " in s: " + d);
        }
        final JsonNode ttft = series(receiver, "gen_ai.server.time_to_first_token", tag);
        assertEquals(w.count(), ttft.at("/count").asLong(), ttft.toString());
        final double truth = w.ttftMs(50) / 1000;
        assertEquals(truth, ttft.at("/p50").asDouble(), truth * error + 0.001, ttft.toString());
        final JsonNode input = series(receiver, "gen_ai.client.token.usage", tag + "&tag=token_type:input");
        assertEquals(w.count(), input.at("/count").asLong(), input.toString());
        assertEquals(w.promptTokens(), input.at("/sum").asDouble(), 1e-6, "tokens: " + input);
        final JsonNode output = series(receiver, "gen_ai.client.token.usage", tag + "&tag=token_type:output");
        assertEquals(w.completionTokens(), output.at("/sum").asDouble(), 1e-6, output.toString());
        assertEquals(w.count(), series(receiver, "ringmeter.requests", tag).at("/sum").asDouble(), 1e-9);
        assertEquals(w.errorCount(), series(receiver, "ringmeter.errors", tag).at("/sum").asDouble(), 1e-9);
        assertEquals(w.costUsd(), series(receiver, "ringmeter.cost", tag).at("/sum").asDouble(), 1e-9);
    }

    @Test
    void shouldDeliverEachModelsIntervalToARingmeterReceiverAsTheSourceHoldsIt() throws Exception {
        final long now = System.currentTimeMillis();
        try (TestServer receiver = TestServer.start(target); EmbeddedStore store = openSource()) {
            record(store, "gpt-a", 2_000, now - 40_000);
            record(store, "claude-b", 300, now - 20_000);
            assertTrue(store.flush(30, TimeUnit.SECONDS));
            try (OtlpMetricsExport export = OtlpMetricsExport.builder(store, receiver.base + "/v1/metrics")
                .from(now - 60_000).lateness(Duration.ZERO).interval(Duration.ofSeconds(1)).build()) {
                assertEquals(1_000, export.alignmentMs());
                assertTrue(export.exportNow(), "the export succeeded");
                final long to = export.stats().exportedToMs();
                assertTrue(to > now - 20_000 + 1_000, "the interval reaches past the calls: " + export.stats());
                assertReceived(receiver, store, "gpt-a", now - 60_000, to);
                assertReceived(receiver, store, "claude-b", now - 60_000, to);
                assertTrue(export.exportNow(), "nothing new: nothing sent, or an empty interval");
                assertEquals(2_000, series(receiver, "ringmeter.requests", "&tag=model:gpt-a").at("/sum").asLong(),
                    "the next export does not send the same interval again");
                final JsonNode d = series(receiver, "gen_ai.client.operation.duration", "&tag=model:gpt-a");
                assertEquals("openai", d.at("/tags/provider/0").asText(), "GenAI attributes: " + d);
                assertEquals("chat", d.at("/tags/operation/0").asText(), d.toString());
            }
        }
    }

    /** The receiving series' request count of a model: 0 while the name has none of it, -1 while it has no series. */
    private static long requests(final TestServer receiver, final String model) {
        final TestServer.Reply r = receiver.get("/api/v1/metrics?name=ringmeter.requests&window=1h&tag=model:" + model);
        return r.status() == 200 ? r.json().at("/sum").asLong() : -1;
    }

    @Test
    void shouldDeliverLaterWhatADownReceiverMissed() throws Exception {
        final long now = System.currentTimeMillis();
        final int port;
        try (TestServer probe = TestServer.start(target2)) {
            port = probe.server.port();   // a port that was free; nobody listens on it once the probe closed
        }
        try (EmbeddedStore store = openSource();
             OtlpMetricsExport export = OtlpMetricsExport.builder(store, "http://127.0.0.1:" + port + "/v1/metrics")
                 .from(now - 60_000).lateness(Duration.ZERO).interval(Duration.ofSeconds(1))
                 .timeout(Duration.ofSeconds(2)).build()) {
            record(store, "gpt-a", 500, now - 30_000);
            assertTrue(store.flush(30, TimeUnit.SECONDS));
            assertFalse(export.exportNow(), "nobody listens");
            assertEquals(1, export.stats().failures());
            assertEquals(0, export.stats().exports());
            assertEquals(now - 60_000 - Math.floorMod(now - 60_000, 1_000), export.stats().exportedToMs(),
                "nothing counted as exported");
            record(store, "gpt-a", 700, now - 5_000);   // more while it is down
            assertTrue(store.flush(30, TimeUnit.SECONDS));
            // up again on the port the export sends to: the next export carries both batches, once
            final RingmeterServer up = RingmeterServer.start(new ServerConfig().port(port).bind("127.0.0.1")
                .dataDirectory(target2));
            try {
                assertTrue(export.exportNow(), "delivered once the receiver is up: " + export.stats());
                assertEquals(1, export.stats().exports());
                final java.net.http.HttpResponse<String> got = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port
                        + "/api/v1/metrics?name=ringmeter.requests&window=1h&tag=model:gpt-a")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
                assertEquals(200, got.statusCode(), got.body());
                assertEquals(1_200, TestServer.MAPPER.readTree(got.body()).at("/sum").asLong(),
                    "both batches, each once: " + got.body());
            } finally {
                up.close();
            }
        }
    }

    @Test
    void shouldSkipAndCountWhatIsOlderThanTheBacklogRatherThanHoldIt() throws Exception {
        final long now = System.currentTimeMillis();
        try (TestServer receiver = TestServer.start(target); EmbeddedStore store = openSource();
             OtlpMetricsExport export = OtlpMetricsExport.builder(store, receiver.base + "/v1/metrics")
                 .from(now - 300_000).maxBacklog(Duration.ofMinutes(1)).lateness(Duration.ZERO)
                 .interval(Duration.ofSeconds(1)).build()) {
            record(store, "old", 100, now - 180_000);   // 3 min back: past the backlog of 1 min
            record(store, "new", 100, now - 30_000);
            assertTrue(store.flush(30, TimeUnit.SECONDS));
            assertTrue(export.exportNow());
            assertTrue(export.stats().skippedMs() >= 239_000, "about 4 of the 5 minutes skipped: " + export.stats());
            assertEquals(100, requests(receiver, "new"));
            assertEquals(0, requests(receiver, "old"), "older than the backlog: skipped, not sent");
        }
    }

    @Test
    void shouldPushFromAServerStartedWithAnOtlpExport() {
        try (TestServer receiver = TestServer.start(target);
             TestServer sender = new TestServer(new ServerConfig().otlpExport(receiver.base + "/v1/metrics")
                 .otlpExportIntervalMs(1_000), source)) {
            final StringBuilder batch = new StringBuilder("[");
            for (int i = 0; i < 50; i++) {
                batch.append(i == 0 ? "" : ",").append("{\"model\":\"served\",\"latencyMs\":").append(300 + i)
                    .append(",\"promptTokens\":10,\"completionTokens\":5}");
            }
            assertEquals(202, sender.post("/api/v1/events", TestServer.JSON, batch.append(']').toString()).status());
            poll(() -> requests(receiver, "served") == 50, "the server's own export delivered the calls");
            final JsonNode d = series(receiver, "gen_ai.client.operation.duration", "&tag=model:served");
            assertEquals(50, d.at("/count").asLong(), d.toString());
        }
    }

    @Test
    void shouldReadTheExportOptionsAndRefuseBadOnesClearly() {
        final ServerConfig c = ServerConfig.parse(new String[] {"--otlp-export", "http://mimir:9009/otlp/v1/metrics",
            "--otlp-export-interval", "30s", "--otlp-export-headers", "X-Scope-OrgID=t1,Authorization=Bearer a=b",
            "--otlp-export-temporality", "cumulative"}, java.util.Map.of());
        assertEquals("http://mimir:9009/otlp/v1/metrics", c.otlpExport());
        assertEquals(30_000, c.otlpExportIntervalMs());
        assertEquals(java.util.Map.of("X-Scope-OrgID", "t1", "Authorization", "Bearer a=b"), c.otlpExportHeaders());
        assertTrue(c.otlpExportCumulative());
        for (final String[] bad : new String[][] {{"--otlp-export", "mimir:9009"},
            {"--otlp-export-headers", "novalue"}, {"--otlp-export-temporality", "both"},
            {"--otlp-export-interval", "500ms"}}) {
            final IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, () -> ServerConfig.parse(bad, java.util.Map.of()));
            assertTrue(e.getMessage().contains(bad[0]), e.getMessage());
        }
    }

    /** Polls the clock (no sleep) until it passes {@code ms}. */
    private static void until(final long ms) {
        poll(() -> System.currentTimeMillis() > ms, "the clock passes " + ms);
    }

    @Test
    void shouldSendCumulativePointsThatAReceiverTurnsIntoWhatEachIntervalAdded() throws Exception {
        try (TestServer receiver = TestServer.start(target); EmbeddedStore store = openSource()) {
            final long from = (System.currentTimeMillis() / 1_000 + 1) * 1_000;   // after the receiver started
            try (OtlpMetricsExport export = OtlpMetricsExport.builder(store, receiver.base + "/v1/metrics")
                .from(from).lateness(Duration.ZERO).interval(Duration.ofSeconds(1)).cumulative(true).build()) {
                until(from + 10);
                final Event e = new Event();
                for (int i = 0; i < 100; i++) {
                    assertTrue(store.record(e.reset().model("cum").latencyMs(100 + i).timestampMs(from + 10)));
                }
                assertTrue(store.flush(30, TimeUnit.SECONDS));
                until(from + 1_000);
                assertTrue(export.exportNow());
                assertEquals(100, requests(receiver, "cum"), "a first point started after the receiver: whole");
                final long second = System.currentTimeMillis();
                for (int i = 0; i < 150; i++) {
                    assertTrue(store.record(e.reset().model("cum").latencyMs(200 + i).timestampMs(second)));
                }
                assertTrue(store.flush(30, TimeUnit.SECONDS));
                until(second / 1_000 * 1_000 + 1_000);
                assertTrue(export.exportNow());
                assertEquals(250, requests(receiver, "cum"), "the second point's total less the first's, once");
                final JsonNode d = series(receiver, "gen_ai.client.operation.duration", "&tag=model:cum");
                assertEquals(250, d.at("/count").asLong(), "the histogram's buckets too: " + d);
            }
        }
    }
}
