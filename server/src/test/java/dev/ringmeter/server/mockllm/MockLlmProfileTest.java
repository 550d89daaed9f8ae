package dev.ringmeter.server.mockllm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Per-model behaviour, drawn delays, reasoning chunks, stall rate and the concurrency slope, seen by a client. */
@Timeout(90)
class MockLlmProfileTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newHttpClient();

    private record Stream(List<Long> arrivalsNs, List<JsonNode> data, long sentNs) {
        long ttftNs() {
            return arrivalsNs.get(0) - sentNs;
        }
    }

    private Stream stream(final MockLlm mock, final String model) throws Exception {
        final String body = "{\"model\":\"" + model + "\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        final long sent = System.nanoTime();
        final HttpResponse<java.io.InputStream> r = client.send(HttpRequest.newBuilder(
                URI.create(mock.baseUrl() + "/chat/completions")).timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
            HttpResponse.BodyHandlers.ofInputStream());
        final List<Long> arrivals = new ArrayList<>();
        final List<JsonNode> data = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("data: ") && !line.equals("data: [DONE]")) {
                    arrivals.add(System.nanoTime());
                    data.add(JSON.readTree(line.substring(6)));
                }
            }
        }
        return new Stream(arrivals, data, sent);
    }

    private static long median(final long[] v) {
        final long[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    @Test
    void eachModelAnswersWithItsOwnProfile() throws Exception {
        final MockLlmConfig config = MockLlmConfig.builder().ttft(Distribution.fixed(20)).interToken(Distribution.fixed(2))
            .defaultOutputTokens(4).model("slow", "ttft:120,itl:15,output:6,chunk:2").build();
        assertEquals(List.of("mock-llm", "slow"), config.models());
        try (MockLlm mock = MockLlm.start(config)) {
            stream(mock, "fast");
            final Stream fast = stream(mock, "fast");
            final Stream slow = stream(mock, "slow");
            assertTrue(fast.ttftNs() >= 20_000_000 && fast.ttftNs() < 60_000_000, "fast TTFT " + fast.ttftNs());
            assertTrue(slow.ttftNs() >= 120_000_000 && slow.ttftNs() < 160_000_000, "slow TTFT " + slow.ttftNs());
            assertEquals(4 + 1 + 1, fast.data.size(), "4 one-token chunks, finish, usage");
            assertEquals(3 + 1 + 1, slow.data.size(), "3 two-token chunks, finish, usage");
            final long gap = slow.arrivalsNs.get(2) - slow.arrivalsNs.get(1);
            assertTrue(gap >= 28_000_000 && gap < 45_000_000, "2 tokens x 15 ms, was " + gap);
            assertEquals(6, slow.data.get(4).at("/usage/completion_tokens").asInt());
        }
    }

    @Test
    void drawnTtftsFillTheInjectedRangeAroundItsMedian() throws Exception {
        final MockLlmConfig config = MockLlmConfig.builder().ttft(Distribution.parse("uniform:20,60"))
            .interToken(Distribution.fixed(0)).defaultOutputTokens(1).build();
        try (MockLlm mock = MockLlm.start(config)) {
            stream(mock, "m");
            final long[] ttfts = new long[60];
            for (int i = 0; i < ttfts.length; i++) {
                ttfts[i] = stream(mock, "m").ttftNs();
            }
            final long[] sorted = ttfts.clone();
            Arrays.sort(sorted);
            assertTrue(sorted[0] >= 20_000_000, "none before the low bound: " + sorted[0]);
            final long p10 = sorted[sorted.length / 10];
            final long p90 = sorted[sorted.length * 9 / 10];
            assertTrue(p90 < 64_000_000, "p90 " + p90 + " beyond the high bound (56 ms) and the stated accuracy");
            // the median of 60 uniform draws over 40 ms varies by 1.9 ms (one standard deviation): 5 of them either
            // side, and the measured TTFT also holds the request's trip (a few ms on a loaded machine) above it
            final long median = median(ttfts);
            assertTrue(median > 31_000_000 && median < 52_000_000, "median " + median + " ns, drawn around 40 ms");
            assertTrue(p90 - p10 > 20_000_000, "p10-p90 " + (p90 - p10) + " ns: a spread of 32 ms, not one value");
        }
    }

    @Test
    void reasoningChunksComeFirstAndCountInUsage() throws Exception {
        final MockLlmConfig config = MockLlmConfig.builder().ttft(Distribution.fixed(5)).interToken(Distribution.fixed(1))
            .defaultOutputTokens(3).reasoningTokens(Distribution.fixed(4)).tokensPerChunk(2).build();
        try (MockLlm mock = MockLlm.start(config)) {
            final Stream s = stream(mock, "m");
            assertEquals(" lorem ipsum", s.data.get(0).at("/choices/0/delta/reasoning_content").asText());
            assertTrue(s.data.get(0).at("/choices/0/delta/content").isMissingNode());
            assertEquals(" dolor sit", s.data.get(1).at("/choices/0/delta/reasoning_content").asText());
            assertEquals(" lorem ipsum", s.data.get(2).at("/choices/0/delta/content").asText());
            assertEquals(" dolor", s.data.get(3).at("/choices/0/delta/content").asText());
            final JsonNode usage = s.data.get(s.data.size() - 1).get("usage");
            assertEquals(7, usage.get("completion_tokens").asInt());
            assertEquals(4, usage.at("/completion_tokens_details/reasoning_tokens").asInt());
        }
    }

    @Test
    void onlyTheStatedShareOfStreamsStalls() throws Exception {
        final MockLlmConfig config = MockLlmConfig.builder().ttft(Distribution.fixed(1)).interToken(Distribution.fixed(0))
            .defaultOutputTokens(2).stall(Duration.ofMillis(40), 1).stallRate(0.5).build();
        try (MockLlm mock = MockLlm.start(config)) {
            int stalled = 0;
            final int n = 80;
            for (int i = 0; i < n; i++) {
                final Stream s = stream(mock, "m");
                if (s.arrivalsNs.get(1) - s.arrivalsNs.get(0) >= 20_000_000) {     // 40 ms or about 0
                    stalled++;
                }
            }
            assertTrue(stalled >= 24 && stalled <= 56, stalled + " of " + n + " stalled; 40 expected (3 sigma: 27-53)");
        }
    }

    @Test
    void delaysGrowWithTheCallsInFlight() throws Exception {
        final MockLlmConfig config = MockLlmConfig.builder().ttft(Distribution.fixed(50)).interToken(Distribution.fixed(0))
            .defaultOutputTokens(1).concurrencySlope(0.5).build();
        try (MockLlm mock = MockLlm.start(config)) {
            final long alone = stream(mock, "m").ttftNs();
            final ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                final List<Future<Stream>> calls = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    calls.add(pool.submit(() -> stream(mock, "m")));
                }
                long slowest = 0;
                for (final Future<Stream> f : calls) {
                    slowest = Math.max(slowest, f.get().ttftNs());
                }
                assertTrue(alone < 80_000_000, "alone " + alone);
                assertTrue(slowest >= 50_000_000 * (1 + 0.5 * 3), "with 8 in flight the last admitted waits at least"
                    + " x2.5, was " + slowest);
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
