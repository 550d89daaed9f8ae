package dev.ringmeter.remote;

import dev.ringmeter.Event;
import dev.ringmeter.MetricSample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The remote recorder against a scripted fake server; the tests against the real server are in the server module. */
@Timeout(60)
class RemoteRecorderTest {
    private final Event event = new Event();

    private Event event(final int i) {
        return event.reset().model("m").latencyNs(i).tag("i", Integer.toString(i));
    }

    private static RemoteConfig config(final FakeServer server) {
        return new RemoteConfig().uri(server.uri()).initialBackoffMs(10).maxBackoffMs(50).lingerMs(5);
    }

    @Test
    void shouldPostBatchesOfNdjsonWithTheToken() throws Exception {
        try (FakeServer server = new FakeServer(n -> FakeServer.Reply.accepted());
             RemoteRecorder r = new RemoteRecorder(config(server).batchSize(10).token("s3cret"))) {
            for (int i = 0; i < 25; i++) {
                assertTrue(r.record(event(i)));
            }
            r.record(new MetricSample().name("gpu_memory_gb").value(1.5));
            assertTrue(r.flush(10, TimeUnit.SECONDS));
            final Set<String> seen = new HashSet<>();
            for (final FakeServer.Request q : server.requests) {
                assertEquals("application/x-ndjson", q.contentType());
                assertEquals("Bearer s3cret", q.authorization());
                assertTrue(q.lines().size() <= 10, q.body());
                if (q.path().equals("/api/v1/events")) {
                    seen.addAll(q.lines());
                } else {
                    assertEquals("/api/v1/metrics", q.path());
                    assertTrue(q.body().startsWith("{\"name\":\"gpu_memory_gb\",\"value\":1.5,"), q.body());
                }
            }
            assertEquals(25, seen.size());
            final RemoteRecorder.Stats s = r.stats();
            assertEquals(26, s.recorded());
            assertEquals(26, s.acknowledged());
            assertEquals(26, s.sent());
            assertEquals(0, s.pending() + s.dropped() + s.rejected() + s.failed() + s.retried());
        }
    }

    @Test
    void shouldRetryA503AfterTheRetryAfterItAsks() throws Exception {
        try (FakeServer server = new FakeServer(n -> n == 0 ? new FakeServer.Reply(503, "{\"error\":\"busy\"}", "1")
            : FakeServer.Reply.accepted());
             RemoteRecorder r = new RemoteRecorder(config(server))) {
            for (int i = 0; i < 5; i++) {
                r.record(event(i));
            }
            assertTrue(r.flush(10, TimeUnit.SECONDS));
            assertEquals(2, server.requests.size());
            assertEquals(server.requests.get(0).body(), server.requests.get(1).body());
            final long gapMs = TimeUnit.NANOSECONDS.toMillis(server.requests.get(1).atNs()
                - server.requests.get(0).atNs());
            assertTrue(gapMs >= 950, "waited " + gapMs + " ms for Retry-After: 1");
            final RemoteRecorder.Stats s = r.stats();
            assertEquals(5, s.acknowledged());
            assertEquals(10, s.sent());
            assertEquals(1, s.retried());
            assertTrue(s.lastError().contains("503"), s.lastError());
        }
    }

    @Test
    void shouldRejectWithoutRetryOnA4xx() throws Exception {
        try (FakeServer server = new FakeServer(n -> new FakeServer.Reply(400, "{\"error\":\"malformed JSON\"}", null));
             RemoteRecorder r = new RemoteRecorder(config(server))) {
            for (int i = 0; i < 5; i++) {
                r.record(event(i));
            }
            assertFalse(r.flush(10, TimeUnit.SECONDS), "a rejected batch is not acknowledged");
            final RemoteRecorder.Stats s = r.stats();
            assertEquals(1, server.requests.size());
            assertEquals(5, s.rejected());
            assertEquals(0, s.retried());
            assertEquals(0, s.pending());
            assertTrue(s.lastError().contains("400") && s.lastError().contains("malformed JSON"), s.lastError());
        }
    }

    @Test
    void shouldCutOutTheItemTheServerNamesAndSendTheRest() throws Exception {
        try (FakeServer server = new FakeServer(n -> n == 0
            ? new FakeServer.Reply(422, "{\"error\":\"bad\",\"field\":\"model\",\"index\":2}", null)
            : FakeServer.Reply.accepted());
             RemoteRecorder r = new RemoteRecorder(config(server).lingerMs(1_000))) {
            for (int i = 0; i < 5; i++) {
                r.record(event(i));
            }
            assertFalse(r.flush(10, TimeUnit.SECONDS));
            assertEquals(2, server.requests.size());
            final String resent = server.requests.get(1).body();
            assertEquals(4, server.requests.get(1).lines().size());
            assertFalse(resent.contains("\"i\":\"2\""), resent);
            final RemoteRecorder.Stats s = r.stats();
            assertEquals(1, s.rejected());
            assertEquals(4, s.acknowledged());
            assertEquals(0, s.retried());
        }
    }

    @Test
    void shouldGiveUpAfterMaxRetriesAndCountTheItemsAsFailed() throws Exception {
        try (FakeServer server = new FakeServer(n -> new FakeServer.Reply(500, "{\"error\":\"boom\"}", null));
             RemoteRecorder r = new RemoteRecorder(config(server).maxRetries(2))) {
            for (int i = 0; i < 3; i++) {
                r.record(event(i));
            }
            assertFalse(r.flush(10, TimeUnit.SECONDS));
            final RemoteRecorder.Stats s = r.stats();
            assertEquals(3, server.requests.size());
            assertEquals(2, s.retried());
            assertEquals(3, s.failed());
            assertEquals(9, s.sent());
        }
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)   // a record() that blocks fails here
    void shouldDropAndCountWhenTheBufferIsFullWhileTheServerStalls() throws Exception {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        try (FakeServer server = new FakeServer(n -> {
            entered.countDown();
            try {
                release.await();
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return FakeServer.Reply.accepted();
        });
             RemoteRecorder r = new RemoteRecorder(config(server).bufferCapacity(16).batchSize(8))) {
            assertTrue(r.record(event(0)));
            assertTrue(entered.await(30, TimeUnit.SECONDS), "the sender posts the first event");
            // the sender now waits for the stalled server: the caller goes on, the buffer fills, then drops
            int accepted = 0;
            for (int i = 1; i <= 200; i++) {
                if (r.record(event(i))) {
                    accepted++;
                }
            }
            assertEquals(16, accepted, "the buffer takes what it holds, then record() drops");
            assertEquals(200 - 16, r.stats().dropped(), "every drop is counted");
            assertEquals(1, r.stats().sent(), "the sender is still in its first request");
            release.countDown();
            assertTrue(r.flush(10, TimeUnit.SECONDS));
            assertEquals(1 + 16, r.stats().acknowledged());
            assertEquals(1 + 16, server.lines());
        }
    }

    @Test
    void shouldRunOneNamedDaemonSenderAndRefuseRecordsAfterClose() throws Exception {
        final RemoteRecorder r = new RemoteRecorder(new RemoteConfig().uri("http://127.0.0.1:1").closeTimeoutMs(0));
        final Thread sender = Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().equals(RemoteRecorder.SENDER_THREAD_NAME)).findFirst().orElse(null);
        assertNotNull(sender);
        assertTrue(sender.isDaemon());
        r.record(event(1));
        r.close();
        r.close();
        assertThrows(IllegalStateException.class, () -> r.record(event(2)));
        assertEquals(1, r.stats().failed(), "unsent at close");
        sender.join(5_000);
        assertFalse(sender.isAlive());
    }

    @Test
    void shouldNotAllocateWhenRecordingNorWhenDropping() throws Exception {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long me = Thread.currentThread().getId();
        // a port with nothing listening and a long backoff: the sender makes no progress, the buffer fills
        final int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (RemoteRecorder r = new RemoteRecorder(new RemoteConfig().uri("http://127.0.0.1:" + port)
            .bufferCapacity(1 << 18).initialBackoffMs(60_000).maxBackoffMs(60_000).closeTimeoutMs(0))) {
            final Event e = new Event().model("gpt-4o").operation("chat").latencyNs(1_000).promptTokens(10)
                .completionTokens(20).tag("region", "eu").quality("f1", 0.5);
            for (int i = 0; i < 50_000; i++) {
                r.record(e);
            }
            long before = threads.getThreadAllocatedBytes(me);
            for (int i = 0; i < 150_000; i++) {
                assertTrue(r.record(e));
            }
            final long accepting = threads.getThreadAllocatedBytes(me) - before;
            for (int i = 0; i < 100_000; i++) {
                r.record(e);
            }
            before = threads.getThreadAllocatedBytes(me);
            for (int i = 0; i < 500_000; i++) {
                assertFalse(r.record(e));
            }
            final long dropping = threads.getThreadAllocatedBytes(me) - before;
            assertTrue(accepting < 4_096, "accepting 150,000 records allocated " + accepting + " bytes");
            assertTrue(dropping < 4_096, "dropping 500,000 records allocated " + dropping + " bytes");
        }
    }
}
