package dev.ringmeter.server.llmbench;

import com.sun.net.httpserver.HttpServer;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The runner's SSE reading against a real HTTP server that writes its stream in fragments cut anywhere (inside a
 * line, inside a JSON value, between CR and LF) at paced times: reasoning chunks count for TTFT, fragments are
 * joined, and a stream that stops without [DONE] or a finish reason is a failure.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class SseParsingTest {
    @TempDir
    Path dir;

    private HttpServer server;
    private EmbeddedStore store;
    private volatile List<String> fragments;

    @BeforeEach
    void open() throws Exception {
        store = EmbeddedStore.open(new StoreConfig().dataDirectory(dir.resolve("data")));
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/v1/chat/completions", ex -> {
            ex.getRequestBody().readAllBytes();
            ex.getResponseHeaders().set("Content-Type", "text/event-stream");
            ex.getResponseHeaders().set("x-request-id", "req-1");
            ex.sendResponseHeaders(200, 0);
            final long start = System.nanoTime();
            try (OutputStream out = ex.getResponseBody()) {
                for (final String f : fragments) {
                    if (f.startsWith("@")) {
                        final long at = start + TimeUnit.MILLISECONDS.toNanos(Long.parseLong(f.substring(1)));
                        for (long left = at - System.nanoTime(); left > 0; left = at - System.nanoTime()) {
                            java.util.concurrent.locks.LockSupport.parkNanos(left);
                        }
                        continue;
                    }
                    out.write(f.getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            }
        });
        server.start();
    }

    @AfterEach
    void close() {
        server.stop(0);
        store.close();
    }

    private BenchmarkResult.CellResult run() throws Exception {
        final BenchmarkSpec spec = BenchmarkSpec.builder()
            .target(BenchmarkSpec.Target.chat("http://127.0.0.1:" + server.getAddress().getPort() + "/v1"))
            .model("m").prompt(new BenchmarkSpec.Prompt("q", List.of(), "hello world", BenchmarkSpec.Match.EXACT))
            .load(BenchmarkSpec.Load.closed(1).withWarmup(new BenchmarkSpec.Phase(0, 1)))
            .stop(BenchmarkSpec.Stop.afterRequests(2)).build();
        try (LlmBenchmark b = LlmBenchmark.start(spec, new StoreSink(store))) {
            return b.await(Duration.ofSeconds(10)).cells().get(0);
        }
    }

    @Test
    void shouldTakeTtftAtTheFirstReasoningChunkAndJoinEventsCutAnywhere() throws Exception {
        fragments = List.of("@30", "data: {\"id\":\"c1\",\"choices\":[{\"delta\":{\"reasoning_content\":\"th",
            "ink\"},\"finish_reason\":null}]}\r", "\n\r\n", "@50", "data:{\"choices\":[{\"delta\":{\"content\":\"hel",
            "lo\"}}]}\n", "\n", "@70", "data: {\"choices\":[{\"delta\":{\"content\":\" world\"},",
            "\"finish_reason\":\"stop\"}]}\n\ndata: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,",
            "\"completion_tokens\":3}}\n\nda", "ta: [DONE]\n\n");
        final BenchmarkResult.CellResult c = run();
        assertEquals(2, c.succeeded(), c.errorsByType().toString());
        // the reasoning chunk at 30 ms sets TTFT, not the first content at 50 ms
        assertTrue(c.ttft().p50() >= 29 && c.ttft().p50() < 45, "TTFT " + c.ttft());
        // 3 tokens in 3 chunks: two gaps each (their values are checked against mock-llm in LlmBenchmarkTest)
        assertEquals(4, c.itl().count());
        assertEquals(3, c.outputTokensMean(), 1e-9);
        assertEquals(1.0, c.quality().get("match_exact"), 1e-9, "the answer is the content, not the reasoning");
    }

    @Test
    void shouldFailAStreamThatEndsWithoutDoneOrAFinishReason() throws Exception {
        fragments = List.of("@5", "data: {\"choices\":[{\"delta\":{\"content\":\"hel\"}}]}\n\n", "@10",
            "data: {\"choices\":[{\"delta\":{\"content\":\"lo\"}}]}\n\n");
        final BenchmarkResult.CellResult c = run();
        assertEquals(Map.of("incomplete_stream", 2L), c.errorsByType());
        assertEquals(0, c.succeeded());
    }
}
