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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class MockLlmTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The timing accuracy stated in docs/cli.md: the median error of a chunk's arrival, as a client sees it. */
    private static final long ACCURACY_NS = Duration.ofMillis(3).toNanos();

    private final HttpClient client = HttpClient.newHttpClient();

    /** A streamed reply: the arrival instant of each data line, and the lines. */
    private record Stream(int status, String requestId, List<Long> arrivalsNs, List<String> data, long sentNs) {
    }

    private Stream stream(final MockLlm mock, final String path, final String body) throws Exception {
        final long sent = System.nanoTime();
        final HttpResponse<java.io.InputStream> r = client.send(post(mock, path, body),
            HttpResponse.BodyHandlers.ofInputStream());
        final List<Long> arrivals = new ArrayList<>();
        final List<String> data = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("data: ")) {
                    arrivals.add(System.nanoTime());
                    data.add(line.substring(6));
                }
            }
        }
        return new Stream(r.statusCode(), r.headers().firstValue("x-request-id").orElse(null), arrivals, data, sent);
    }

    private HttpRequest post(final MockLlm mock, final String path, final String body) {
        return HttpRequest.newBuilder(URI.create(mock.baseUrl() + path)).timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private HttpResponse<String> call(final MockLlm mock, final String path, final String body) throws Exception {
        return client.send(post(mock, path, body), HttpResponse.BodyHandlers.ofString());
    }

    private static String chat(final String extra) {
        return "{\"model\":\"m1\",\"messages\":[{\"role\":\"user\",\"content\":\"0123456789abcdef\"}]" + extra + "}";
    }

    @Test
    void streamedChunksArriveOnTheInjectedScheduleWithinTheStatedAccuracy() throws Exception {
        final MockLlmConfig config = MockLlmConfig.builder().ttft(Duration.ofMillis(80))
            .interToken(Duration.ofMillis(10)).tokensPerChunk(2).defaultOutputTokens(20).build();
        try (MockLlm mock = MockLlm.start(config)) {
            stream(mock, "/chat/completions", chat(",\"stream\":true"));   // warms up both sides
            final long[] errors = new long[10 * 5];
            int n = 0;
            for (int round = 0; round < 5; round++) {
                final Stream s = stream(mock, "/chat/completions", chat(",\"stream\":true"));
                assertEquals(200, s.status);
                final long ttft = s.arrivalsNs.get(0) - s.sentNs;
                assertTrue(ttft >= config.ttftNs(), "TTFT " + ttft + " ns before the injected " + config.ttftNs());
                errors[n++] = ttft - config.ttftNs();
                for (int c = 1; c < 10; c++) {
                    assertTrue(s.arrivalsNs.get(c) - s.sentNs >= config.chunkOffsetNs(c), "chunk " + c + " early");
                    final long gap = s.arrivalsNs.get(c) - s.arrivalsNs.get(c - 1);
                    errors[n++] = Math.abs(gap - 2 * config.interTokenNs());
                }
            }
            Arrays.sort(errors, 0, n);
            System.out.println("mock-llm timing error: median " + errors[n / 2] / 1000 + " us, p90 "
                + errors[n * 9 / 10] / 1000 + " us, max " + errors[n - 1] / 1000 + " us over " + n + " chunks");
            assertTrue(errors[n / 2] <= ACCURACY_NS, "median timing error " + errors[n / 2] + " ns");
        }
    }

    @Test
    void aStreamEndsWithFinishReasonUsageAndDone() throws Exception {
        try (MockLlm mock = MockLlm.start(MockLlmConfig.builder().ttft(Duration.ZERO).interToken(Duration.ZERO)
            .defaultOutputTokens(7).tokensPerChunk(3).build())) {
            final Stream s = stream(mock, "/chat/completions",
                chat(",\"stream\":true,\"stream_options\":{\"include_usage\":true}"));
            // 3 content chunks (3+3+1 tokens), the finish chunk, the usage chunk, [DONE]
            assertEquals(6, s.data.size(), s.data.toString());
            assertEquals("[DONE]", s.data.get(5));
            final JsonNode first = JSON.readTree(s.data.get(0));
            assertEquals("chatcmpl-" + s.requestId, first.get("id").asText());
            assertEquals("chat.completion.chunk", first.get("object").asText());
            assertEquals("m1", first.get("model").asText());
            assertEquals("assistant", first.at("/choices/0/delta/role").asText());
            assertEquals(" lorem ipsum dolor", first.at("/choices/0/delta/content").asText());
            assertEquals("stop", JSON.readTree(s.data.get(3)).at("/choices/0/finish_reason").asText());
            final JsonNode usage = JSON.readTree(s.data.get(4)).get("usage");
            assertEquals(4, usage.get("prompt_tokens").asInt());      // 16 characters / 4
            assertEquals(7, usage.get("completion_tokens").asInt());
            assertEquals(11, usage.get("total_tokens").asInt());

            final Stream plain = stream(mock, "/completions", "{\"model\":\"m2\",\"prompt\":\"abcd\",\"stream\":true}");
            assertEquals(5, plain.data.size(), "3 chunks, finish, [DONE]: no usage unless asked");
            assertEquals("text_completion", JSON.readTree(plain.data.get(0)).get("object").asText());
        }
    }

    @Test
    void aWholeReplyCarriesUsageAndHonoursMaxMinTokensAndIgnoreEos() throws Exception {
        try (MockLlm mock = MockLlm.start(MockLlmConfig.builder().ttft(Duration.ofMillis(30))
            .interToken(Duration.ofMillis(2)).defaultOutputTokens(10).build())) {
            final long start = System.nanoTime();
            final HttpResponse<String> r = call(mock, "/chat/completions", chat(""));
            final long elapsed = System.nanoTime() - start;
            assertTrue(elapsed >= Duration.ofMillis(30 + 9 * 2).toNanos(), "the reply left at its last chunk");
            final JsonNode body = JSON.readTree(r.body());
            assertEquals(200, r.statusCode());
            assertEquals("chatcmpl-" + r.headers().firstValue("x-request-id").orElseThrow(), body.get("id").asText());
            assertEquals(10, body.at("/usage/completion_tokens").asInt());
            assertEquals("stop", body.at("/choices/0/finish_reason").asText());
            assertEquals(10, body.at("/choices/0/message/content").asText().trim().split(" ").length);

            final JsonNode capped = JSON.readTree(call(mock, "/chat/completions", chat(",\"max_tokens\":4")).body());
            assertEquals(4, capped.at("/usage/completion_tokens").asInt());
            assertEquals("length", capped.at("/choices/0/finish_reason").asText());
            final JsonNode eos = JSON.readTree(call(mock, "/chat/completions",
                chat(",\"max_tokens\":25,\"ignore_eos\":true")).body());
            assertEquals(25, eos.at("/usage/completion_tokens").asInt());
            final JsonNode min = JSON.readTree(call(mock, "/completions",
                "{\"model\":\"m\",\"prompt\":[\"ab\",\"cd\"],\"min_tokens\":12,\"max_completion_tokens\":40}").body());
            assertEquals(12, min.at("/usage/completion_tokens").asInt());
            assertEquals(1, min.at("/usage/prompt_tokens").asInt());
        }
    }

    @Test
    void injectedErrorsAreHttpStatusesOrAnErrorEventMidStream() throws Exception {
        try (MockLlm m500 = MockLlm.start(MockLlmConfig.builder().errors(1, MockLlmConfig.ErrorKind.HTTP_500).build());
             MockLlm m429 = MockLlm.start(MockLlmConfig.builder().errors(1, MockLlmConfig.ErrorKind.HTTP_429).build());
             MockLlm mid = MockLlm.start(MockLlmConfig.builder().ttft(Duration.ZERO).interToken(Duration.ZERO)
                 .defaultOutputTokens(8).errors(1, MockLlmConfig.ErrorKind.STREAM).build())) {
            final HttpResponse<String> r500 = call(m500, "/chat/completions", chat(""));
            assertEquals(500, r500.statusCode());
            assertEquals("server_error", JSON.readTree(r500.body()).at("/error/type").asText());
            final HttpResponse<String> r429 = call(m429, "/chat/completions", chat(",\"stream\":true"));
            assertEquals(429, r429.statusCode());
            assertEquals("rate_limit_exceeded", JSON.readTree(r429.body()).at("/error/code").asText());
            final Stream s = stream(mid, "/chat/completions", chat(",\"stream\":true"));
            assertEquals(200, s.status);
            assertEquals(5, s.data.size(), "4 chunks, then the error event: " + s.data);
            assertEquals("injected_error", JSON.readTree(s.data.get(4)).at("/error/code").asText());
            assertFalse(s.data.contains("[DONE]"));
        }
    }

    @Test
    void aStallDelaysTheChunksAfterIt() throws Exception {
        try (MockLlm mock = MockLlm.start(MockLlmConfig.builder().ttft(Duration.ZERO).interToken(Duration.ZERO)
            .defaultOutputTokens(6).stall(Duration.ofMillis(150), 3).build())) {
            final Stream s = stream(mock, "/chat/completions", chat(",\"stream\":true"));
            final long third = s.arrivalsNs.get(3) - s.sentNs;
            assertTrue(third >= Duration.ofMillis(150).toNanos(), "chunk 3 at " + third + " ns, before the stall");
            assertTrue(s.arrivalsNs.get(2) - s.sentNs < Duration.ofMillis(100).toNanos(), "no stall before");
        }
    }

    @Test
    void badInputIsA400InOpenAisErrorShapeNamingTheField() throws Exception {
        try (MockLlm mock = MockLlm.start(MockLlmConfig.builder().maxBodyBytes(512).build())) {
            assertBad(call(mock, "/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"),
                "model");
            assertBad(call(mock, "/chat/completions", "{\"model\":\"m\",\"messages\":[]}"), "messages");
            assertBad(call(mock, "/chat/completions", chat(",\"max_tokens\":0")), "max_tokens");
            assertBad(call(mock, "/chat/completions", chat(",\"max_tokens\":\"ten\"")), "max_tokens");
            assertBad(call(mock, "/chat/completions", chat(",\"stream_options\":{\"include_usage\":true}")),
                "stream_options");
            assertBad(call(mock, "/chat/completions", chat(",\"stream\":\"yes\"")), "stream");
            final HttpResponse<String> numbers = call(mock, "/completions", "{\"model\":\"m\",\"prompt\":[1]}");
            assertEquals(400, numbers.statusCode());
            assertBad(call(mock, "/embeddings", "{\"model\":\"e\"}"), "input");
            assertBad(call(mock, "/chat/completions", chat(",\"max_tokens\":2,\"min_tokens\":3")), "min_tokens");
            final HttpResponse<String> notJson = call(mock, "/chat/completions", "{\"model\":");
            assertEquals(400, notJson.statusCode());
            assertTrue(JSON.readTree(notJson.body()).at("/error/message").asText().contains("not valid JSON"));
            final HttpResponse<String> big = call(mock, "/chat/completions", chat("," + "\"x\":\"" + "y".repeat(600)
                + "\""));
            assertEquals(413, big.statusCode());
        }
    }

    private static void assertBad(final HttpResponse<String> r, final String param) throws Exception {
        assertEquals(400, r.statusCode(), r.body());
        final JsonNode error = JSON.readTree(r.body()).get("error");
        assertEquals("invalid_request_error", error.get("type").asText());
        assertEquals(param, error.get("param").asText(), r.body());
        assertTrue(error.get("message").asText().contains(param), r.body());
    }

    @Test
    void callsBeyondTheConcurrencyLimitAreRefusedAt429() throws Exception {
        try (MockLlm mock = MockLlm.start(MockLlmConfig.builder().maxConcurrentStreams(1).ttft(Duration.ZERO)
            .interToken(Duration.ofMillis(500)).defaultOutputTokens(3).build())) {
            // the stream's headers have arrived once send returns: it holds the one permit until its last chunk
            final HttpResponse<java.io.InputStream> slow = client.send(post(mock, "/chat/completions",
                chat(",\"stream\":true")), HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, slow.statusCode());
            final HttpResponse<String> refused = call(mock, "/chat/completions", chat(""));
            assertEquals(429, refused.statusCode());
            assertEquals("too_many_concurrent_calls", JSON.readTree(refused.body()).at("/error/code").asText());
            try (java.io.InputStream in = slow.body()) {
                assertTrue(new String(in.readAllBytes(), StandardCharsets.UTF_8).endsWith("data: [DONE]\n\n"));
            }
        }
    }

    @Test
    void embeddingsAreUnitVectorsWithUsage() throws Exception {
        try (MockLlm mock = MockLlm.start(MockLlmConfig.builder().ttft(Duration.ofMillis(20)).build())) {
            final long start = System.nanoTime();
            final HttpResponse<String> r = call(mock, "/embeddings",
                "{\"model\":\"e\",\"input\":[\"abcdefgh\",\"ijkl\"],\"dimensions\":4}");
            assertTrue(System.nanoTime() - start >= Duration.ofMillis(20).toNanos());
            final JsonNode body = JSON.readTree(r.body());
            assertEquals(2, body.get("data").size());
            assertEquals(4, body.at("/data/1/embedding").size());
            assertEquals(0.5, body.at("/data/1/embedding/0").asDouble());
            assertEquals(3, body.at("/usage/prompt_tokens").asInt());
        }
    }

    @Test
    void modelsAreListed() throws Exception {
        try (MockLlm mock = MockLlm.start(MockLlmConfig.builder().models(List.of("a", "b")).build())) {
            final HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(mock.baseUrl() + "/models"))
                .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            final JsonNode body = JSON.readTree(r.body());
            assertEquals("a", body.at("/data/0/id").asText());
            assertEquals("b", body.at("/data/1/id").asText());
            assertTrue(r.headers().firstValue("x-request-id").isPresent());
        }
    }
}
