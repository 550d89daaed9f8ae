package dev.ringmeter.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.run.RunQuery;
import dev.ringmeter.core.run.RunStatus;
import dev.ringmeter.core.run.RunSummary;
import dev.ringmeter.server.benchmark.LlmBenchmarks;
import dev.ringmeter.server.llmbench.BenchmarkSpec;
import dev.ringmeter.server.mockllm.Distribution;
import dev.ringmeter.server.mockllm.MockLlm;
import dev.ringmeter.server.mockllm.MockLlmConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The LLM benchmark API against a real server and a real mock-llm: start, progress, result, cancel, bad specs, the
 * bound on running benchmarks, and a server that stops while one runs.
 */
@Timeout(120)
class LlmBenchmarkApiTest {
    private static final double TTFT_MS = 20;
    private static final String BASE = "/api/v1/llm-benchmarks";

    @TempDir
    Path dir;

    private MockLlm mock;
    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        mock = MockLlm.start(MockLlmConfig.builder().ttft(Distribution.fixed(TTFT_MS))
            .interToken(Distribution.fixed(1)).defaultOutputTokens(4).build());
        server = TestServer.start(dir);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        mock.close();
    }

    private BenchmarkSpec.Builder spec(final String model) {
        return BenchmarkSpec.builder().name("api").target(BenchmarkSpec.Target.chat(mock.baseUrl())).model(model)
            .synthetic(new BenchmarkSpec.Synthetic(16, 4, 10, true));
    }

    private static String longRunning(final BenchmarkSpec.Builder b) {
        return b.stop(BenchmarkSpec.Stop.after(Duration.ofSeconds(60))).requestTimeout(Duration.ofSeconds(5)).build()
            .toJson();
    }

    private JsonNode poll(final String id, final Predicate<JsonNode> until) {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            final TestServer.Reply r = server.get(BASE + "/" + id);
            assertEquals(200, r.status(), r.body());
            final JsonNode j = r.json();
            if (until.test(j)) {
                return j;
            }
            assertTrue(System.nanoTime() < deadline, "not reached within 60 s: " + j);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));   // between polls of the condition
        }
    }

    @Test
    void aBenchmarkStartedOverHttpReportsProgressThenItsResultAndItsRunIsInTheStore() {
        final TestServer.Reply started = server.post(BASE, TestServer.JSON, spec("m1").stop(
            BenchmarkSpec.Stop.afterRequests(20)).load(BenchmarkSpec.Load.closed(2)).build().toJson());
        assertEquals(202, started.status(), started.body());
        final String id = started.json().get("id").asText();
        assertEquals(BASE + "/" + id, started.raw().headers().firstValue("Location").orElseThrow());
        assertEquals("running", started.json().get("status").asText());
        final JsonNode done = poll(id, j -> j.has("result"));
        assertEquals("completed", done.get("status").asText());
        assertEquals("done", done.at("/progress/phase").asText());
        final JsonNode cell = done.at("/result/cells/0");
        assertEquals(20, cell.get("requests").asLong(), cell.toString());
        assertTrue(cell.at("/ttftMs/p50").asDouble() >= TTFT_MS, cell.toString());
        assertEquals("m1", done.at("/spec/models/0").asText());

        final JsonNode list = server.get(BASE).json();
        assertEquals(LlmBenchmarks.DEFAULT_MAX_RUNNING, list.get("maxRunning").asInt());
        assertEquals(id, list.at("/benchmarks/0/id").asText());
        final JsonNode runs = server.get("/api/v1/runs?tag=llm-bench").json().get("runs");
        assertEquals(1, runs.size(), runs.toString());
        assertEquals("completed", runs.get(0).get("status").asText());
        assertEquals(20, runs.get(0).get("events").asLong());
    }

    @Test
    void cancelKeepsWhatWasMeasuredMarkedCancelled() {
        final String id = server.post(BASE, TestServer.JSON, longRunning(spec("m2"))).json().get("id").asText();
        poll(id, j -> j.at("/progress/done").asLong() > 3);
        final TestServer.Reply cancelled = server.post(BASE + "/" + id + "/cancel", TestServer.JSON, "");
        assertEquals(202, cancelled.status(), cancelled.body());
        final JsonNode done = poll(id, j -> j.has("result"));
        assertEquals("cancelled", done.get("status").asText());
        assertTrue(done.at("/result/cells/0/requests").asLong() > 0, done.toString());
        final JsonNode run = server.get("/api/v1/runs?tag=llm-bench").json().at("/runs/0");
        assertEquals("cancelled", run.get("status").asText(), run.toString());
        assertEquals(404, server.post(BASE + "/nope/cancel", TestServer.JSON, "").status());
        assertEquals("id", server.get(BASE + "/nope").json().get("field").asText());
    }

    @Test
    void badSpecsAre400sNamingTheField() {
        final String good = spec("m3").build().toJson();
        final TestServer.Reply notJson = server.post(BASE, TestServer.JSON, "{");
        assertEquals(400, notJson.status(), notJson.body());
        assertField("models", server.post(BASE, TestServer.JSON, good.replace("\"models\":[\"m3\"]", "\"models\":[]")));
        assertField("targets[0].apiKey", server.post(BASE, TestServer.JSON, good.replace("\"stream\":true",
            "\"stream\":true,\"apiKey\":\"sk-secret\"")));
        assertField("targets[0].apiKeyEnv", server.post(BASE, TestServer.JSON, good.replace("\"stream\":true",
            "\"stream\":true,\"apiKeyEnv\":\"RINGMETER_TEST_NO_SUCH_VARIABLE\"")));
        assertField("work.promptsFile", server.post(BASE, TestServer.JSON, BenchmarkSpec.builder()
            .target(BenchmarkSpec.Target.chat(mock.baseUrl())).model("m3").promptsFile("/etc/passwd").build()
            .toJson()));
        assertEquals(0, server.get(BASE).json().get("benchmarks").size(), "none started");
    }

    private static void assertField(final String field, final TestServer.Reply r) {
        assertEquals(400, r.status(), r.body());
        assertEquals(field, r.json().get("field").asText(), r.body());
    }

    @Test
    void atMostTwoRunAtOnceAndAStoppingServerCancelsThem() {
        final String a = server.post(BASE, TestServer.JSON, longRunning(spec("a"))).json().get("id").asText();
        final String b = server.post(BASE, TestServer.JSON, longRunning(spec("b"))).json().get("id").asText();
        final TestServer.Reply third = server.post(BASE, TestServer.JSON, longRunning(spec("c")));
        assertEquals(429, third.status(), third.body());
        assertTrue(third.raw().headers().firstValue("Retry-After").isPresent());
        poll(a, j -> j.at("/progress/done").asLong() > 0);
        poll(b, j -> j.at("/progress/done").asLong() > 0);
        server.close();
        server = null;
        try (EmbeddedStore store = EmbeddedStore.open(new StoreConfig().dataDirectory(dir))) {
            final List<RunSummary> runs = store.runs().list(new RunQuery(null, null, null, 0, Long.MAX_VALUE, null,
                false, 0, 50)).runs();
            assertEquals(2, runs.size(), runs.toString());
            for (final RunSummary r : runs) {
                assertEquals(RunStatus.CANCELLED, r.status(), r.toString());
                assertTrue(r.events() > 0, r.toString());
            }
        }
    }
}
