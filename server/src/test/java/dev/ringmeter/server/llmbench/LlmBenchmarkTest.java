package dev.ringmeter.server.llmbench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.run.RunComparison;
import dev.ringmeter.core.run.RunStatus;
import dev.ringmeter.core.run.RunSummary;
import dev.ringmeter.server.mockllm.MockLlm;
import dev.ringmeter.server.mockllm.MockLlmConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The runner against a real mock-llm on a free port, its results in a real embedded store in a temporary directory.
 * mock-llm's injected delays are the ground truth; the error allowed is stated in each test.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LlmBenchmarkTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private EmbeddedStore store;
    private final List<MockLlm> mocks = new ArrayList<>();

    @BeforeEach
    void open() {
        store = EmbeddedStore.open(new StoreConfig().dataDirectory(dir.resolve("data")));
    }

    @AfterEach
    void close() {
        mocks.forEach(MockLlm::close);
        store.close();
    }

    private MockLlm mock(final MockLlmConfig.Builder config) throws Exception {
        final MockLlm m = MockLlm.start(config.build());
        mocks.add(m);
        return m;
    }

    private static MockLlmConfig.Builder fast() {
        return MockLlmConfig.builder().ttft(Duration.ofMillis(20)).interToken(Duration.ofMillis(2))
            .defaultOutputTokens(8);
    }

    private static BenchmarkSpec.Builder spec(final MockLlm m) {
        return BenchmarkSpec.builder().name("t").target(BenchmarkSpec.Target.chat(m.baseUrl())).model("mock-llm")
            .prompt(BenchmarkSpec.Prompt.of("hello there"));
    }

    private BenchmarkResult run(final BenchmarkSpec spec) throws Exception {
        try (LlmBenchmark b = LlmBenchmark.start(spec, new StoreSink(store))) {
            return b.await(Duration.ofSeconds(25));
        }
    }

    private RunSummary runOf(final BenchmarkResult.CellResult cell) throws Exception {
        assertTrue(store.flush(5, TimeUnit.SECONDS));
        return store.runs().get(cell.runId());
    }

    @Test
    void shouldMeasureTtftItlAndTpotAsMockLlmInjectedThem() throws Exception {
        final MockLlm m = mock(MockLlmConfig.builder().ttft(Duration.ofMillis(40)).interToken(Duration.ofMillis(5))
            .defaultOutputTokens(20));
        final StringWriter lines = new StringWriter();
        final BenchmarkResult r;
        try (RequestLog log = RequestLog.to(lines);
             LlmBenchmark b = LlmBenchmark.start(spec(m).load(BenchmarkSpec.Load.closed(4))
                 .stop(BenchmarkSpec.Stop.afterRequests(40)).build(), new StoreSink(store), log)) {
            r = b.await(Duration.ofSeconds(20));
        }
        assertEquals(BenchmarkResult.Status.COMPLETED, r.status());
        final BenchmarkResult.CellResult c = r.cells().get(0);
        assertEquals(40, c.requests());
        assertEquals(40, c.succeeded());
        // measured on this 2-core machine at load average 6-7 (three runs of 40): TTFT median 43.0-43.2 ms (the +3 ms
        // is the request's way to mock-llm, which counts from reading it), ITL median 4.98-5.00 ms, TPOT median
        // 5.00-5.03 ms, e2e median 138.8-139.5 ms. Allowed: TTFT +5 ms, ITL and TPOT +-1 ms, e2e +7 ms
        assertBetween(40, 45, c.ttft().p50(), "TTFT p50");
        assertBetween(4, 6, c.itl().p50(), "ITL p50");
        assertEquals(40L * 19, c.itl().count(), "one ITL per token after the first");
        assertBetween(4, 6, c.tpot().p50(), "TPOT p50");
        assertBetween(135, 142, c.e2e().p50(), "e2e p50 = 40 + 19 x 5");
        assertEquals(20, c.outputTokensMean(), 1e-9);
        assertBetween(20 / 0.142, 20 / 0.135, c.outputTokensPerSecPerRequest().p50(), "tokens/s per request");
        assertBetween(4 / 0.160, 4 / 0.134, c.requestsPerSec(), "4 in flight / e2e");
        final String[] logged = lines.toString().split("\n");
        assertEquals(40, logged.length);
        final JsonNode first = JSON.readTree(logged[0]);
        assertTrue(first.path("requestId").asText().length() > 0, logged[0]);
        assertEquals(20, first.path("completionTokens").asInt());
        assertEquals("ok", first.path("status").asText());
        assertEquals(19, first.path("itl").path("count").asInt());
    }

    @Test
    void shouldSpreadAChunkOfSeveralTokensOverItsTokens() throws Exception {
        final MockLlm m = mock(MockLlmConfig.builder().ttft(Duration.ofMillis(20)).interToken(Duration.ofMillis(5))
            .defaultOutputTokens(16).tokensPerChunk(4));
        final BenchmarkResult.CellResult c = run(spec(m).stop(BenchmarkSpec.Stop.afterRequests(10)).build())
            .cells().get(0);
        // chunks of 4 tokens 20 ms apart: 5 ms a token, 12 per request (the first chunk's 4 have no gap)
        assertBetween(4, 6, c.itl().p50(), "ITL p50");
        assertEquals(10L * 12, c.itl().count());
        // TPOT = (e2e - TTFT) / 15 = 60 / 15 = 4 ms
        assertBetween(3.0, 5.0, c.tpot().p50(), "TPOT p50");
        assertEquals(16, c.outputTokensMean(), 1e-9);
    }

    @Test
    void shouldSweepConcurrencyAndFindTheHighestThatMeetsTheSlo() throws Exception {
        // mock-llm answers 429 past 3 streams at once (a stream's slot frees just after its last byte, so 3, not 2):
        // at 8 most requests fail the SLO
        final MockLlm m = mock(fast().maxConcurrentStreams(3));
        // two warm-up requests per cell open its connections, so the 1-worker cell pays for no cold start
        final BenchmarkResult r = run(spec(m).load(BenchmarkSpec.Load.closed(1, 2, 8)
                .withWarmup(new BenchmarkSpec.Phase(0, 2)))
            .stop(BenchmarkSpec.Stop.afterRequests(24)).slo(new BenchmarkSpec.Slo(null, null, 500.0, 0.9)).build());
        assertEquals(3, r.cells().size());
        final BenchmarkResult.Sweep s = r.sweeps().get(0);
        assertEquals(3, s.curve().size());
        assertTrue(s.curve().get(0).meetsSlo() && s.curve().get(1).meetsSlo(), s.toString());
        assertTrue(!s.curve().get(2).meetsSlo(), s.toString());
        assertEquals(2, s.bestPoint());
        assertTrue(r.cells().get(2).errorsByType().getOrDefault("http_429", 0L) > 0);
        assertTrue(r.cells().get(1).requestsPerSec() > r.cells().get(0).requestsPerSec(), "2 in flight serve more");
        assertEquals(r.cells().get(1).requestsPerSec(), s.bestRequestsPerSec(), 1e-9);
    }

    @Test
    void shouldSendAtAConstantRateOnSchedule() throws Exception {
        final MockLlm m = mock(fast());
        final BenchmarkResult.CellResult c = run(spec(m).load(BenchmarkSpec.Load.constantRate(50))
            .stop(BenchmarkSpec.Stop.after(Duration.ofMillis(1000))).build()).cells().get(0);
        // 50/s for 1 s: 50 sends (+-1 at the window's edges)
        assertBetween(49, 51, c.requests(), "requests");
        // each send's lag behind its schedule is recorded (the first, cold, one can be tens of ms late)
        assertEquals(50, c.scheduleLag().count(), 1);
        assertTrue(c.scheduleLag().p50() < 5, "lag " + c.scheduleLag());
        assertEquals(0, c.failed());
    }

    @Test
    void shouldSendPoissonArrivalsAtTheAskedMeanRate() throws Exception {
        final MockLlm m = mock(fast());
        final BenchmarkResult.CellResult c = run(spec(m).load(BenchmarkSpec.Load.poisson(1.0, 100))
            .stop(BenchmarkSpec.Stop.after(Duration.ofMillis(2000))).build()).cells().get(0);
        // 200 expected; a Poisson count has sd sqrt(200) = 14: allow 4 sd
        assertBetween(144, 256, c.requests(), "requests");
    }

    @Test
    void shouldDrawGammaInterArrivalsWithTheAskedMeanAndBurstiness() {
        for (final double burstiness : new double[]{1.0, 0.25}) {
            final Arrivals a = new Arrivals(true, 1000, burstiness, 0, 0, 7);
            final int n = 20_000;
            double sum = 0;
            double sumSq = 0;
            long prev = a.takeNs();
            for (int i = 0; i < n; i++) {
                final long next = a.takeNs();
                final double gap = next - prev;
                sum += gap;
                sumSq += gap * gap;
                prev = next;
            }
            final double mean = sum / n;
            final double cv = Math.sqrt(sumSq / n - mean * mean) / mean;
            assertBetween(0.97e6, 1.03e6, mean, "mean gap at 1000/s");
            // the gamma's CV is 1/sqrt(shape): 1 for Poisson, 2 at burstiness 0.25
            assertBetween(0.95 / Math.sqrt(burstiness), 1.05 / Math.sqrt(burstiness), cv, "CV");
        }
        final Arrivals constant = new Arrivals(false, 200, 1, 0, 1000, 7);
        assertEquals(1000, constant.takeNs());
        assertEquals(1000 + 5_000_000, constant.takeNs());
    }

    @Test
    void shouldRampClosedLoopWorkersUpEvenly() throws Exception {
        final MockLlm m = mock(fast().ttft(Duration.ofMillis(100)));
        final StringWriter lines = new StringWriter();
        try (RequestLog log = RequestLog.to(lines);
             LlmBenchmark b = LlmBenchmark.start(spec(m).load(BenchmarkSpec.Load.closed(4)
                 .withRampUp(Duration.ofMillis(800))).stop(BenchmarkSpec.Stop.afterRequests(12)).build(),
                 new StoreSink(store), log)) {
            assertEquals(12, b.await(Duration.ofSeconds(20)).cells().get(0).requests());
        }
        final List<Long> starts = new ArrayList<>();
        for (final String line : lines.toString().split("\n")) {
            starts.add(JSON.readTree(line).path("startMs").asLong());
        }
        // one worker for the first 200 ms of the ramp (4 at once without it): the second send waits for the first
        // answer, about 115 ms later
        assertTrue(starts.get(1) - starts.get(0) >= 100, "sends at " + starts);
    }

    @Test
    void shouldExcludeWarmupAndCooldownFromResultsAndRuns() throws Exception {
        final MockLlm m = mock(fast());
        final StringWriter lines = new StringWriter();
        final BenchmarkResult r;
        try (RequestLog log = RequestLog.to(lines);
             LlmBenchmark b = LlmBenchmark.start(spec(m).load(BenchmarkSpec.Load.closed(1)
                 .withWarmup(new BenchmarkSpec.Phase(0, 5)).withCooldown(new BenchmarkSpec.Phase(0, 3)))
                 .stop(BenchmarkSpec.Stop.afterRequests(10)).build(), new StoreSink(store), log)) {
            r = b.await(Duration.ofSeconds(20));
        }
        final BenchmarkResult.CellResult c = r.cells().get(0);
        assertEquals(10, c.requests());
        assertEquals(10, runOf(c).events());
        final Map<String, Integer> phases = new java.util.HashMap<>();
        for (final String line : lines.toString().split("\n")) {
            phases.merge(JSON.readTree(line).path("phase").asText(), 1, Integer::sum);
        }
        assertEquals(Map.of("warm-up", 5, "measuring", 10, "cool-down", 3), phases);
    }

    @Test
    void shouldStopAfterItsDuration() throws Exception {
        final MockLlm m = mock(fast());
        final long t0 = System.nanoTime();
        final BenchmarkResult.CellResult c = run(spec(m).load(BenchmarkSpec.Load.closed(2))
            .stop(BenchmarkSpec.Stop.after(Duration.ofMillis(400))).build()).cells().get(0);
        assertEquals("duration", c.stoppedBy());
        assertTrue(c.measuringMs() >= 400 && c.measuringMs() < 600, "measuring " + c.measuringMs());
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(3));
        assertTrue(c.requests() > 10, "requests " + c.requests());
    }

    @Test
    void shouldStopAtTheErrorCountAndCountHttpErrorsByStatus() throws Exception {
        final MockLlm five = mock(fast().errors(1.0, MockLlmConfig.ErrorKind.HTTP_500));
        final MockLlm limited = mock(fast().errors(1.0, MockLlmConfig.ErrorKind.HTTP_429));
        final BenchmarkResult r = run(BenchmarkSpec.builder().target(new BenchmarkSpec.Target("five",
                five.baseUrl(), BenchmarkSpec.Api.CHAT, true, null))
            .target(new BenchmarkSpec.Target("limited", limited.baseUrl(), BenchmarkSpec.Api.CHAT, true, null))
            .model("mock-llm").prompt(BenchmarkSpec.Prompt.of("x")).load(BenchmarkSpec.Load.closed(1))
            .stop(new BenchmarkSpec.Stop(0, 1000, 5, 0, 0)).build());
        final BenchmarkResult.CellResult a = r.cells().get(0);
        final BenchmarkResult.CellResult b = r.cells().get(1);
        assertEquals("errors", a.stoppedBy());
        assertEquals(Map.of("http_500", 5L), a.errorsByType());
        assertEquals(Map.of("http_429", 5L), b.errorsByType());
        assertEquals(5, a.failed());
        assertEquals(0, a.succeeded());
        assertEquals(5L, runOf(a).byErrorType().get("http_500"));
    }

    @Test
    void shouldCountAStreamWithAnErrorEventAsAFailure() throws Exception {
        final MockLlm m = mock(fast().errors(1.0, MockLlmConfig.ErrorKind.STREAM));
        final BenchmarkResult.CellResult c = run(spec(m).stop(BenchmarkSpec.Stop.afterRequests(4)).build())
            .cells().get(0);
        assertEquals(4, c.failed());
        assertEquals(Map.of("stream_error", 4L), c.errorsByType());
        assertEquals(0, c.ttft().count());
    }

    @Test
    void shouldTimeOutARequestThatTakesTooLong() throws Exception {
        final MockLlm m = mock(fast().ttft(Duration.ofSeconds(5)));
        final long t0 = System.nanoTime();
        final BenchmarkResult.CellResult c = run(spec(m).requestTimeout(Duration.ofMillis(200))
            .load(BenchmarkSpec.Load.closed(2)).stop(BenchmarkSpec.Stop.afterRequests(2)).build()).cells().get(0);
        assertEquals(2, c.timedOut());
        assertEquals(Map.of("timeout", 2L), c.errorsByType());
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(3), "ended at the timeout, not the answer");
    }

    @Test
    void shouldStopAnOpenLoopCellWhenItSaturatesAndSkipTheSweepsHigherRates() throws Exception {
        final MockLlm m = mock(fast().ttft(Duration.ofMillis(200)));
        final BenchmarkResult r = run(spec(m).load(BenchmarkSpec.Load.constantRate(200, 400).withMaxInFlight(2))
            .stop(new BenchmarkSpec.Stop(5000, 0, 0, 0, 10)).build());
        assertEquals(1, r.cells().size(), "the 400/s point is skipped");
        assertEquals("saturation", r.cells().get(0).stoppedBy());
        assertTrue(r.cells().get(0).scheduleLag().max() > 0);
    }

    @Test
    void shouldCountGoodputUnderTheSlo() throws Exception {
        final MockLlm m = mock(fast().ttft(Duration.ofMillis(30)));
        final BenchmarkResult.CellResult strict = run(spec(m).stop(BenchmarkSpec.Stop.afterRequests(5))
            .slo(new BenchmarkSpec.Slo(20.0, null, null, 0.9)).build()).cells().get(0);
        // a warm-up request opens the connection, so no measured request pays for it
        final BenchmarkResult.CellResult loose = run(spec(m).stop(BenchmarkSpec.Stop.afterRequests(5))
            .load(BenchmarkSpec.Load.closed(1).withWarmup(new BenchmarkSpec.Phase(0, 1)))
            .slo(new BenchmarkSpec.Slo(100.0, 10.0, 1000.0, 0.9)).build()).cells().get(0);
        assertEquals(0, strict.goodRequests());
        assertTrue(!strict.meetsSlo());
        assertEquals(5, loose.goodRequests());
        assertTrue(loose.meetsSlo());
        assertEquals(loose.requestsPerSec(), loose.goodputPerSec(), 1e-9);
    }

    @Test
    void shouldCancelMidRunKeepingWhatWasMeasured() throws Exception {
        final MockLlm m = mock(fast());
        final LlmBenchmark b = LlmBenchmark.start(spec(m).load(BenchmarkSpec.Load.closed(2))
            .stop(BenchmarkSpec.Stop.after(Duration.ofSeconds(60))).build(), new StoreSink(store));
        try {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (b.progress().done() < 6) {
                assertTrue(System.nanoTime() < deadline, "no progress: " + b.progress());
                Thread.onSpinWait();
            }
            assertEquals(BenchmarkProgress.Phase.MEASURING, b.progress().phase());
            assertTrue(b.progress().etaMs() > 0);
            b.cancel();
            final BenchmarkResult r = b.await(Duration.ofSeconds(5));
            assertEquals(BenchmarkResult.Status.CANCELLED, r.status());
            assertEquals("cancelled", r.cells().get(0).stoppedBy());
            assertTrue(r.cells().get(0).succeeded() >= 6);
            assertEquals(RunStatus.CANCELLED, runOf(r.cells().get(0)).status());
            assertEquals(BenchmarkProgress.Phase.DONE, b.progress().phase());
        } finally {
            b.close();
        }
    }

    @Test
    void shouldScoreQualityAgainstExpectedAnswers() throws Exception {
        final MockLlm m = mock(fast());
        final BenchmarkResult.CellResult c = run(BenchmarkSpec.builder()
            .target(BenchmarkSpec.Target.chat(m.baseUrl())).model("mock-llm")
            .prompt(new BenchmarkSpec.Prompt("a", List.of(), "lorem ipsum", BenchmarkSpec.Match.EXACT))
            .prompt(new BenchmarkSpec.Prompt("b", List.of(), "ipsum", BenchmarkSpec.Match.CONTAINS))
            .prompt(new BenchmarkSpec.Prompt("c", List.of(), "^\\s*lor.m\\s", BenchmarkSpec.Match.REGEX))
            .prompt(new BenchmarkSpec.Prompt("d", List.of(), "lorem dolor", BenchmarkSpec.Match.F1))
            .prompt(new BenchmarkSpec.Prompt("e", List.of(), "dolor", BenchmarkSpec.Match.EXACT))
            .configuration(new BenchmarkSpec.Configuration("two", null, 2, null, Map.of())).build()).cells().get(0);
        // mock-llm answers " lorem ipsum" to max_tokens 2
        assertEquals(0.5, c.quality().get("match_exact"), 1e-9);
        assertEquals(1.0, c.quality().get("match_contains"), 1e-9);
        assertEquals(1.0, c.quality().get("match_regex"), 1e-9);
        assertEquals(0.5, c.quality().get("match_f1"), 1e-9);
        final RunSummary run = runOf(c);
        assertEquals(0.5, run.quality().get("match_f1").mean(), 1e-9);
        assertEquals(2, run.quality().get("match_exact").count());
    }

    @Test
    void shouldMakeEachCellARunWithItsConfigurationThatRunsCompare() throws Exception {
        final MockLlm m = mock(fast());
        final BenchmarkResult r = run(spec(m).configuration(new BenchmarkSpec.Configuration("cold", 0.0, 8, null,
                Map.of("ignore_eos", true)))
            .configuration(new BenchmarkSpec.Configuration("warm", 1.0, 4, 0.9, Map.of()))
            .tag("nightly").stop(BenchmarkSpec.Stop.afterRequests(20)).build());
        assertEquals(2, r.cells().size());
        final RunSummary cold = runOf(r.cells().get(0));
        final RunSummary warm = runOf(r.cells().get(1));
        assertEquals(RunStatus.COMPLETED, cold.status());
        assertEquals("cold", cold.parameters().get("config"));
        assertEquals(0.0, ((Number)cold.parameters().get("temperature")).doubleValue());
        assertEquals(8L, ((Number)cold.parameters().get("max_tokens")).longValue());
        assertEquals(true, cold.parameters().get("ignore_eos"));
        assertEquals(1L, ((Number)cold.parameters().get("concurrency")).longValue());
        assertEquals("warm", warm.parameters().get("config"));
        assertTrue(cold.tags().contains("nightly") && cold.tags().contains(BenchmarkSink.TAG));
        assertEquals(20, cold.latency().count());
        assertEquals(160, cold.tokens().completion());
        assertEquals(80, warm.tokens().completion());
        final RunComparison compared = store.runs().compare(List.of(cold.id(), warm.id()));
        assertNotNull(compared.verdicts().get(warm.id()).get("latencyP95Ms"));
    }

    @Test
    void shouldMeasureCompletionsAndNonStreamedAnswers() throws Exception {
        // tokens 40 ms apart, so a first token (20 ms) and a whole answer (20 + 5 x 40 ms) stay apart on a starved
        // machine: a 5 ms band around the TTFT once failed at 76 ms when other builds held the cores
        final MockLlm m = mock(fast().interToken(Duration.ofMillis(40)));
        final BenchmarkResult r = run(BenchmarkSpec.builder()
            .target(new BenchmarkSpec.Target("text", m.baseUrl(), BenchmarkSpec.Api.COMPLETIONS, true, null))
            .target(new BenchmarkSpec.Target("whole", m.baseUrl(), BenchmarkSpec.Api.CHAT, false, null))
            .model("mock-llm").synthetic(new BenchmarkSpec.Synthetic(100, 6, 3, true))
            .load(BenchmarkSpec.Load.closed(1).withWarmup(new BenchmarkSpec.Phase(0, 1)))
            .stop(BenchmarkSpec.Stop.afterRequests(3)).build());
        final BenchmarkResult.CellResult text = r.cells().get(0);
        final BenchmarkResult.CellResult whole = r.cells().get(1);
        assertEquals(3, text.succeeded());
        assertBetween(20, 200, text.ttft().p50(), "completions TTFT: its first token, not its last");
        assertEquals(6, text.outputTokensMean(), 1e-9, "ignore_eos + min_tokens fix the length");
        // 75 words of 4-7 letters: mock-llm counts characters / 4
        assertBetween(75, 160, text.promptTokensMean(), "prompt tokens from usage");
        assertEquals(3, whole.succeeded());
        assertEquals(0, whole.ttft().count(), "no TTFT without a stream");
        // only the floor is asserted (the answer is whole only after its last token)
        assertTrue(whole.e2e().p50() >= 220, "20 + 5 x 40 ms: " + whole.e2e());
        assertTrue(text.e2e().p50() >= 220, "20 + 5 x 40 ms: " + text.e2e());
    }

    @Test
    void shouldReadItsJsonFormBackAndNameTheFieldOfABadValue() {
        final BenchmarkSpec s = BenchmarkSpec.builder().name("n").tag("x")
            .target(new BenchmarkSpec.Target("a", "http://h:1/v1", BenchmarkSpec.Api.COMPLETIONS, false, "KEY_VAR"))
            .model("m").prompt(new BenchmarkSpec.Prompt(null, List.of(new BenchmarkSpec.Message("user", "hi")), "hi",
                BenchmarkSpec.Match.F1))
            .configuration(new BenchmarkSpec.Configuration("c", 0.5, 10, 0.9, Map.of("min_tokens", 3L)))
            .load(BenchmarkSpec.Load.poisson(0.5, 2, 4).withRampUp(Duration.ofSeconds(1))
                .withWarmup(new BenchmarkSpec.Phase(100, 2)))
            .stop(new BenchmarkSpec.Stop(1000, 5, 1, 0.9, 7)).slo(new BenchmarkSpec.Slo(1.0, 2.0, 3.0, 0.95))
            .requestTimeout(Duration.ofSeconds(9)).trials(3).build();
        assertEquals(s, BenchmarkSpec.fromJson(s.toJson()));
        assertTrue(!s.toJson().contains("secret"));
        final BenchmarkSpecException bad = assertThrows(BenchmarkSpecException.class, () -> BenchmarkSpec.fromJson(
            "{\"targets\":[{\"baseUrl\":\"http://h/v1\"}],\"models\":[\"m\"],\"work\":{\"prompts\":[{\"prompt\":\"x\"}]},"
                + "\"load\":{\"concurrency\":[1,0]}}"));
        assertEquals("load.concurrency[1]", bad.field());
        assertEquals("targets[0].api", assertThrows(BenchmarkSpecException.class, () -> BenchmarkSpec.fromJson(
            "{\"targets\":[{\"baseUrl\":\"http://h/v1\",\"api\":\"embed\"}],\"models\":[\"m\"],"
                + "\"work\":{\"prompts\":[{\"prompt\":\"x\"}]}}")).field());
        assertEquals("work", assertThrows(BenchmarkSpecException.class, () -> BenchmarkSpec.fromJson(
            "{\"targets\":[{\"baseUrl\":\"http://h/v1\"}],\"models\":[\"m\"],\"work\":{}}")).field());
        assertEquals("targets[0].apiKeyEnv", assertThrows(BenchmarkSpecException.class, () -> LlmBenchmark.start(
            BenchmarkSpec.builder().target(new BenchmarkSpec.Target("a", "http://h/v1", BenchmarkSpec.Api.CHAT, true,
                "RINGMETER_TEST_UNSET_KEY")).model("m").prompt(BenchmarkSpec.Prompt.of("x")).build(),
            new StoreSink(store))).field());
    }

    private static void assertBetween(final double low, final double high, final double value, final String what) {
        assertTrue(value >= low && value <= high, what + ": " + value + " not in [" + low + ", " + high + "]");
    }
}
