package dev.ringmeter.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Several threads ingest while others query; every acknowledged event is counted, exactly. */
@Tag("slow")
@Timeout(120)
class ConcurrentIngestTest {
    private static final int WRITERS = 4;
    private static final int BATCHES = 40;
    private static final int EVENTS_PER_BATCH = 250;

    @TempDir
    static Path data;
    static TestServer server;

    @BeforeAll
    static void start() {
        // a small ring, so that writers wait for free slots (BLOCK) while readers query
        server = new TestServer(new ServerConfig().ringSize(1024), data);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void shouldCountEveryAcknowledgedEventExactlyUnderConcurrentIngestAndQueries() throws Exception {
        final ExecutorService pool = Executors.newFixedThreadPool(WRITERS + 2);
        final AtomicBoolean writing = new AtomicBoolean(true);
        final AtomicLong queries = new AtomicLong();
        final List<Future<Long>> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            final String model = "model-" + (w % 2);
            final boolean ndjson = w % 2 == 1;
            writers.add(pool.submit(() -> {
                long accepted = 0;
                for (int b = 0; b < BATCHES; b++) {
                    final StringBuilder body = new StringBuilder(ndjson ? "" : "[");
                    for (int i = 0; i < EVENTS_PER_BATCH; i++) {
                        if (!ndjson && i > 0) {
                            body.append(',');
                        }
                        body.append("{\"model\":\"").append(model).append("\",\"latencyMs\":").append(1 + i)
                            .append(",\"promptTokens\":10,\"completionTokens\":5}");
                        if (ndjson) {
                            body.append('\n');
                        }
                    }
                    if (!ndjson) {
                        body.append(']');
                    }
                    final TestServer.Reply r = server.post("/api/v1/events",
                        ndjson ? TestServer.NDJSON : TestServer.JSON, body.toString());
                    assertEquals(202, r.status(), r.body());
                    accepted += r.json().get("accepted").asLong();
                }
                return accepted;
            }));
        }
        final List<Future<?>> readers = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            readers.add(pool.submit(() -> {
                long last = 0;
                while (writing.get()) {
                    final long count = server.count(null);
                    assertTrue(count >= last, "counts never go back");
                    last = count;
                    assertEquals(200, server.get("/metrics").status());
                    queries.incrementAndGet();
                }
                return null;
            }));
        }
        long accepted = 0;
        for (final Future<Long> f : writers) {
            accepted += f.get(100, TimeUnit.SECONDS);
        }
        writing.set(false);
        for (final Future<?> f : readers) {
            f.get(10, TimeUnit.SECONDS);
        }
        pool.shutdown();

        final long expected = (long)WRITERS * BATCHES * EVENTS_PER_BATCH;
        assertEquals(expected, accepted);
        assertEquals(expected, server.count(null));
        assertEquals(expected / 2, server.count("model-0"));
        assertEquals(expected / 2, server.count("model-1"));
        final JsonNode all = server.get("/api/v1/analytics?window=1h").json().get("all");
        assertEquals(expected * 10, all.get("tokens").get("input").asLong());
        assertEquals(expected * 5, all.get("tokens").get("output").asLong());
        assertEquals(0, server.get("/api/v1/system").json().get("store").get("dropped").asLong());
        final String metrics = server.get("/metrics").body();
        assertTrue(metrics.contains("ringmeter_requests_total{gen_ai_request_model=\"model-0\",status=\"ok\"} "
            + expected / 2), metrics);
        assertTrue(queries.get() > 0);
    }
}
