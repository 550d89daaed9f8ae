package dev.ringmeter.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ringmeter.Event;
import dev.ringmeter.EventRecorder;
import dev.ringmeter.MetricSample;
import dev.ringmeter.Ringmeter;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.remote.RemoteConfig;
import dev.ringmeter.remote.RemoteRecorder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client module's {@link RemoteRecorder} against a real server (in-process, free port, temporary data
 * directory). It lives here because the server module depends on the client, not the other way round.
 */
@Timeout(120)
class RemoteRecorderTest {
    @TempDir
    Path data;

    private static RemoteConfig fastRetries(final String uri) {
        return new RemoteConfig().uri(uri).initialBackoffMs(20).maxBackoffMs(200).lingerMs(5);
    }

    private static Event event(final Event e, final String model, final int i) {
        return e.reset().model(model).operation("chat").latencyNs(1_000_000L + i).promptTokens(i % 100)
            .completionTokens(7).pipeline("rag").step("answer").tag("region", "eu").quality("f1", 0.5);
    }

    @Test
    void shouldDeliverEveryRecordedEventExactlyOnce() throws Exception {
        try (TestServer server = TestServer.start(data);
             RemoteRecorder r = new RemoteRecorder(fastRetries(server.base))) {
            final Event e = new Event();
            for (int i = 0; i < 25_000; i++) {
                assertTrue(r.record(event(e, "remote-once", i)));
            }
            final MetricSample m = new MetricSample();
            for (int i = 0; i < 300; i++) {
                assertTrue(r.record(m.reset().name("remote_gpu_gb").value(i)));
            }
            assertTrue(r.flush(30, TimeUnit.SECONDS), r.stats().toString());
            assertEquals(25_000, server.count("remote-once"));
            final JsonNode metric = server.get("/api/v1/metrics?name=remote_gpu_gb&window=1h").json();
            assertEquals(300, metric.get("count").asLong());
            final RemoteRecorder.Stats s = r.stats();
            assertEquals(25_300, s.recorded());
            assertEquals(25_300, s.acknowledged());
            assertEquals(25_300, s.sent(), "no retry, so nothing was sent twice");
            assertEquals(0, s.dropped() + s.rejected() + s.failed() + s.retried() + s.pending());
        }
    }

    @Test
    void shouldDeliverGzipCompressedBatches() throws Exception {
        try (TestServer server = TestServer.start(data);
             RemoteRecorder r = new RemoteRecorder(fastRetries(server.base).gzip(true))) {
            final Event e = new Event();
            for (int i = 0; i < 5_000; i++) {
                assertTrue(r.record(event(e, "remote-gzip", i)));
            }
            assertTrue(r.flush(30, TimeUnit.SECONDS), r.stats().toString());
            assertEquals(5_000, server.count("remote-gzip"));
            assertEquals(5_000, r.stats().acknowledged());
            assertEquals(0, r.stats().rejected() + r.stats().retried());
        }
    }

    @Test
    void shouldCountExactlyWhenManyThreadsRecordAtOnce() throws Exception {
        final int threads = 8;
        final int each = 20_000;
        try (TestServer server = TestServer.start(data);
             RemoteRecorder r = new RemoteRecorder(fastRetries(server.base).bufferCapacity(1 << 18))) {
            final CountDownLatch go = new CountDownLatch(1);
            final List<Thread> workers = new ArrayList<>();
            final long[] refused = new long[threads];
            for (int w = 0; w < threads; w++) {
                final int id = w;
                final Thread t = new Thread(() -> {
                    final Event e = new Event();
                    try {
                        go.await();
                    } catch (final InterruptedException ex) {
                        return;
                    }
                    for (int i = 0; i < each; i++) {
                        if (!r.record(event(e, "remote-many", i).tag("worker", Integer.toString(id)))) {
                            refused[id]++;
                        }
                    }
                });
                t.start();
                workers.add(t);
            }
            go.countDown();
            for (final Thread t : workers) {
                t.join();
            }
            assertTrue(r.flush(60, TimeUnit.SECONDS), r.stats().toString());
            assertEquals(0, Arrays.stream(refused).sum(), "the buffer holds every event: nothing may drop");
            assertEquals((long)threads * each, server.count("remote-many"));
            final JsonNode byWorker = server.get("/api/v1/analytics?window=1h&model=remote-many&groupBy=tag:worker")
                .json();
            assertEquals(threads, byWorker.get("groups").size());
            for (final JsonNode g : byWorker.get("groups")) {
                assertEquals(each, g.get("count").asLong(), g.toString());
            }
            assertEquals((long)threads * each, r.stats().acknowledged());
        }
    }

    @Test
    void shouldBufferWhileTheServerIsDownThenCatchUpAndCountWhatDidNotFit() throws Exception {
        final int port = freePort();
        try (RemoteRecorder r = new RemoteRecorder(fastRetries("http://127.0.0.1:" + port)
            .bufferCapacity(1_024).batchSize(100).connectTimeoutMs(500))) {
            final Event e = new Event();
            int accepted = 0;
            for (int i = 0; i < 3_000; i++) {
                if (r.record(event(e, "remote-late", i))) {
                    accepted++;
                }
            }
            // the buffer (1,024) plus the one batch (100) the sender holds while it retries
            assertTrue(accepted >= 1_024 && accepted <= 1_124, "accepted " + accepted);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (r.stats().retried() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(r.stats().retried() >= 2, "retries while down: " + r.stats());
            assertTrue(r.stats().lastError().contains("ConnectException"), r.stats().lastError());
            assertFalse(r.flush(100, TimeUnit.MILLISECONDS), "nothing can be acknowledged while the server is down");

            try (RingmeterServer server = RingmeterServer.start(new ServerConfig().port(port).bind("127.0.0.1")
                .dataDirectory(data))) {
                assertTrue(r.flush(30, TimeUnit.SECONDS), r.stats().toString());
                assertEquals(accepted, count("http://127.0.0.1:" + server.port(), "remote-late"));
                final RemoteRecorder.Stats s = r.stats();
                assertEquals(accepted, s.recorded());
                assertEquals(accepted, s.acknowledged());
                assertEquals(3_000 - accepted, s.dropped());
                assertEquals(0, s.failed() + s.rejected() + s.pending());
            }
        }
    }

    @Test
    void shouldRejectTheBadItemWithoutRetryAndDeliverTheRestOfItsBatch() throws Exception {
        try (TestServer server = new TestServer(new ServerConfig().maxStringLength(32), data);
             RemoteRecorder r = new RemoteRecorder(fastRetries(server.base).lingerMs(2_000).batchSize(12))) {
            final Event e = new Event();
            for (int i = 0; i < 10; i++) {
                r.record(event(e, "remote-bad", i));
            }
            r.record(event(e, "remote-bad", 10).timestampMs(System.currentTimeMillis() + 3_600_000));  // 422
            r.record(event(e, "remote-bad-" + "x".repeat(40), 11));                                  // 422
            assertFalse(r.flush(30, TimeUnit.SECONDS), "rejected items are not acknowledged");
            final RemoteRecorder.Stats s = r.stats();
            assertEquals(2, s.rejected(), s.toString());
            assertEquals(10, s.acknowledged(), s.toString());
            assertEquals(0, s.retried(), "a 4xx other than 429 is not retried");
            assertTrue(s.lastError().startsWith("HTTP 4"), s.lastError());
            assertEquals(10, server.count("remote-bad"));
        }
    }

    @Test
    void shouldReportA422ForABatchWithoutRetrying() throws Exception {
        try (TestServer server = TestServer.start(data);
             RemoteRecorder r = new RemoteRecorder(fastRetries(server.base))) {
            final Event e = new Event();
            r.record(event(e, "remote-future", 0).timestampMs(System.currentTimeMillis() + 3_600_000));
            assertFalse(r.flush(30, TimeUnit.SECONDS));
            final RemoteRecorder.Stats s = r.stats();
            assertEquals(1, s.rejected());
            assertEquals(1, s.sent(), "sent once, not retried");
            assertEquals(0, s.retried());
            assertTrue(s.lastError().contains("HTTP 422") && s.lastError().contains("timestamp"), s.lastError());
            assertEquals(0, server.count("remote-future"));
        }
    }

    @Test
    void shouldRejectEverythingWithoutRetryWhenTheTokenIsWrong() throws Exception {
        try (TestServer server = new TestServer(new ServerConfig().token("right-token"), data);
             RemoteRecorder wrong = new RemoteRecorder(fastRetries(server.base).token("wrong-token"));
             EventRecorder right = Ringmeter.open(server.base, "right-token")) {
            final Event e = new Event();
            for (int i = 0; i < 5; i++) {
                wrong.record(event(e, "remote-auth", i));
                right.record(event(e, "remote-auth", i));
            }
            assertFalse(wrong.flush(30, TimeUnit.SECONDS));
            assertTrue(right.flush(30, TimeUnit.SECONDS));
            assertEquals(5, wrong.stats().rejected());
            assertEquals(0, wrong.stats().retried());
            assertTrue(wrong.stats().lastError().contains("HTTP 401"), wrong.stats().lastError());
            assertFalse(wrong.stats().lastError().contains("right-token"));
            assertEquals(5, server.count("remote-auth"));
        }
    }

    @Test
    // a record() that waited for the stalled request would wait out its ten-minute timeout: fail at one minute
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldNeverBlockTheCallerWhileTheServerStalls() throws Exception {
        try (ServerSocket stalled = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            final List<Socket> held = new ArrayList<>();
            final CountDownLatch connected = new CountDownLatch(1);
            final Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        held.add(stalled.accept());   // accept, read nothing, answer nothing
                        connected.countDown();
                    }
                } catch (final IOException closed) {
                    // the test is over
                }
            }, "stalled-server");
            acceptor.setDaemon(true);
            acceptor.start();
            try (RemoteRecorder r = new RemoteRecorder(fastRetries("http://127.0.0.1:" + stalled.getLocalPort())
                .bufferCapacity(4_096).requestTimeoutMs(600_000).closeTimeoutMs(0))) {
                final Event e = new Event();
                assertTrue(r.record(event(e, "remote-stalled", 0)));
                assertTrue(connected.await(30, TimeUnit.SECONDS), "the sender posts the first event");
                assertEquals(1, r.stats().sent());
                // the sender now waits for a reply that never comes: the caller goes on, the buffer fills
                final int n = 200_000;
                int accepted = 0;
                for (int i = 1; i <= n; i++) {
                    if (r.record(event(e, "remote-stalled", i))) {
                        accepted++;
                    }
                }
                assertEquals(4_096, accepted, "the buffer takes what it holds, then record() drops");
                final RemoteRecorder.Stats s = r.stats();
                assertEquals(1 + 4_096, s.recorded());
                assertEquals(n - 4_096, s.dropped(), "every drop is counted");
                assertEquals(1, s.sent(), "the sender is still in its first request");
                assertEquals(0, s.acknowledged() + s.rejected() + s.failed() + s.retried());
                assertEquals(1 + 4_096, s.pending());
            }
            for (final Socket s : held) {
                s.close();
            }
        }
    }

    @Test
    void shouldOpenTheEmbeddedStoreForFileAndMemUrisThroughTheProvider() throws Exception {
        try (EventRecorder mem = Ringmeter.open("mem:")) {
            final EmbeddedStore store = assertInstanceOf(EmbeddedStore.class, mem);
            store.record(new Event().model("embedded").latencyNs(5));
            assertTrue(store.flush(5, TimeUnit.SECONDS));
            assertEquals(List.of("embedded"), store.aggregates().models());
        }
        final Path dir = data.resolve("embedded-data");
        try (EventRecorder file = Ringmeter.open("file:" + dir)) {
            assertInstanceOf(EmbeddedStore.class, file);
            file.record(new Event().model("embedded").latencyNs(5));
            assertTrue(file.flush(5, TimeUnit.SECONDS));
        }
        assertTrue(Files.isDirectory(dir.resolve("journal")), "durable: the journal is in " + dir);
        try (EventRecorder file = Ringmeter.open(dir.toUri())) {
            assertTrue(((EmbeddedStore)file).aggregates().models().contains("embedded"), "recovered");
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static long count(final String base, final String model) throws Exception {
        final HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create(base + "/api/v1/analytics?window=1h&model=" + model)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return TestServer.MAPPER.readTree(r.body()).get("count").asLong();
    }
}
