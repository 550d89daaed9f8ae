package dev.ringmeter.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ringmeter.core.aggregate.Aggregates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a write request waits for, and for how long: its body (a slow upload gets 408 once the body timeout passes and
 * never holds a write permit), a write permit (none free: 429 at once), and a ring slot (a stalled store: 503 once
 * the flush timeout passes). Slow clients are plain sockets; the stalled store is the real one, its aggregate
 * thread held at the aggregates' lock.
 */
@Timeout(60)
class OverloadTest {
    @TempDir
    Path data;

    private static String events(final String model, final int n) {
        final StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : ",").append("{\"model\":\"").append(model).append("\",\"latencyMs\":1}");
        }
        return b.append(']').toString();
    }

    private static JsonNode system(final TestServer server) {
        return server.get("/api/v1/system").json().get("server");
    }

    private static void await(final BooleanSupplier condition, final String what) {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() - deadline < 0, "timed out waiting until " + what);
            Thread.onSpinWait();
        }
    }

    @Test
    void shouldShedWritesWith429WhenEveryPermitIsTaken() throws Exception {
        try (TestServer server = new TestServer(new ServerConfig().maxInFlight(1).ringSize(64).flushTimeoutMs(30_000),
            data)) {
            final Aggregates aggregates = server.server.store().aggregates();
            final CompletableFuture<HttpResponse<String>> first;
            aggregates.lock();   // the aggregate thread stops at its next event: the ring fills, the request waits
            try {
                first = server.client.sendAsync(server.request("/api/v1/events").header("Content-Type", TestServer.JSON)
                    .POST(HttpRequest.BodyPublishers.ofString(events("slow", 100))).build(),
                    HttpResponse.BodyHandlers.ofString());
                await(() -> server.server.store().stats().published() >= 64, "the first request fills the ring");

                final TestServer.Reply second = server.post("/api/v1/events", TestServer.JSON, events("fast", 1));
                assertEquals(429, second.status(), second.body());
                assertEquals("1", second.raw().headers().firstValue("Retry-After").orElse(""));
                assertTrue(second.json().get("error").asText().contains("in flight"));
            } finally {
                aggregates.unlock();
            }
            assertEquals(202, first.get(30, TimeUnit.SECONDS).statusCode());
            assertEquals(1, system(server).get("writesRejected").asLong());
            assertEquals(100, server.count("slow"));
            assertEquals(0, server.count("fast"));
            assertEquals(202, server.post("/api/v1/events", TestServer.JSON, events("fast", 1)).status(),
                "the permit is back once the first request is done");
        }
    }

    @Test
    void shouldAnswer503WhenTheRingStaysFullForTheFlushTimeout() throws Exception {
        try (TestServer server = new TestServer(new ServerConfig().ringSize(64).flushTimeoutMs(500), data)) {
            final Aggregates aggregates = server.server.store().aggregates();
            final TestServer.Reply stalled;
            aggregates.lock();   // the aggregate thread stops at its next event and the ring stays full
            try {
                stalled = server.post("/api/v1/events", TestServer.JSON, events("stalled", 100));
            } finally {
                aggregates.unlock();
            }
            assertEquals(503, stalled.status(), stalled.body());
            assertEquals("1", stalled.raw().headers().firstValue("Retry-After").orElse(""));
            assertTrue(stalled.json().get("error").asText().contains("ring stayed full for 500 ms"), stalled.body());
            assertEquals(1, server.server.store().stats().dropped(), "the one item refused is counted");
            assertEquals(202, server.post("/api/v1/events", TestServer.JSON, events("after", 100)).status(),
                "a freed ring takes writes again");
            assertEquals(100, server.count("after"));
            assertEquals(64, server.count("stalled"), "what entered the ring before the refusal is kept, unacknowledged");
        }
    }

    /** A client that sends a request's headers and part of its body, then nothing more (or a byte now and then). */
    private static final class SlowUpload implements AutoCloseable {
        final Socket socket;
        final CompletableFuture<String> reply = new CompletableFuture<>();

        SlowUpload(final TestServer server, final String head) throws IOException {
            socket = new Socket("127.0.0.1", server.server.port());
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(("POST /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                + TestServer.JSON + "\r\nContent-Length: 100000\r\n\r\n" + head).getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            final Thread reader = new Thread(this::readReply, "slow-upload-reader");
            reader.setDaemon(true);
            reader.start();
        }

        /** Reads the reply as it comes, so a reset after it (bytes still arriving at a closed socket) loses none. */
        private void readReply() {
            final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            final byte[] buffer = new byte[4096];
            try (InputStream in = socket.getInputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    bytes.write(buffer, 0, n);
                }
            } catch (final SocketException e) {
                // the server closed the connection; what was read before is the reply
            } catch (final IOException e) {
                reply.completeExceptionally(e);
                return;
            }
            reply.complete(bytes.toString(StandardCharsets.UTF_8));
        }

        /** Sends a space of the body now and then until the reply comes: never idle, never done. */
        void trickle() {
            final Thread t = new Thread(() -> {
                try {
                    final OutputStream out = socket.getOutputStream();
                    while (!reply.isDone()) {
                        out.write(' ');
                        out.flush();
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));   // the client's pace
                    }
                } catch (final IOException e) {
                    // closed by the server
                }
            }, "slow-upload-trickle");
            t.setDaemon(true);
            t.start();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    void shouldServeWritersWhileMoreSlowUploadsThanPermitsHangAndAnswerThem408() throws Exception {
        final int permits = 2;
        final int slow = 5;
        try (TestServer server = new TestServer(new ServerConfig().maxInFlight(permits).bodyTimeoutMs(2_000), data)) {
            final List<SlowUpload> uploads = new ArrayList<>();
            try {
                for (int i = 0; i < slow; i++) {
                    uploads.add(new SlowUpload(server, "[{\"model\":\"slow\",\"latencyMs\":1}"));
                }
                uploads.get(0).trickle();   // a client that is never idle still meets the bound on the whole body
                // every slow request is in the server: reading its body, or (as the server once did) holding a permit
                await(() -> {
                    final JsonNode s = system(server);
                    return s.path("bodiesReading").asInt() == slow || s.get("writesInFlight").asInt() == permits;
                }, "the slow uploads are being read");
                assertEquals(0, system(server).get("writesInFlight").asInt(), "a body being read holds no permit");

                final TestServer.Reply normal = server.post("/api/v1/events", TestServer.JSON, events("normal", 3));
                assertEquals(202, normal.status(), normal.body());
                assertEquals(3, server.count("normal"));

                for (final SlowUpload upload : uploads) {
                    final String reply = upload.reply.get(20, TimeUnit.SECONDS);
                    assertTrue(reply.startsWith("HTTP/1.1 408 "), reply);
                    assertTrue(reply.toLowerCase().contains("connection: close"), reply);
                    assertTrue(reply.contains("{\"error\":\"the request body did not arrive within 2000 ms"), reply);
                }
            } finally {
                for (final SlowUpload upload : uploads) {
                    upload.close();
                }
            }
            final JsonNode s = system(server);
            assertEquals(0, s.get("bodiesReading").asInt());
            assertEquals(slow, s.get("bodyTimeouts").asInt());
            assertEquals(0, s.get("writesInFlight").asInt());
            assertEquals(0, s.get("writesRejected").asInt());
            assertEquals(0, server.count("slow"));
        }
    }
}
