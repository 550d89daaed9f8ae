package dev.ringmeter.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ringmeter.Event;
import dev.ringmeter.core.EmbeddedStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A group-by over a real server's journal stays within bounds: the largest groups and "other", a 503 past the scan
 * time limit, and a scan stopped when its client goes away.
 */
@Timeout(180)
class GroupByBoundsTest {
    @TempDir
    Path data;

    /** Records events straight into the server's store: task "t-(i mod 50,000)", run "heavy" every tenth, else "r-(i mod 9,000)". */
    private static void record(final TestServer server, final int events) throws InterruptedException {
        final EmbeddedStore store = server.server.store();
        final long now = System.currentTimeMillis();
        final Event e = new Event();
        for (int i = 0; i < events; i++) {
            store.record(e.reset().model("m").run(i % 10 == 0 ? "heavy" : "r-" + i % 9_000).task("t-" + i % 50_000).latencyMs(1)
                .timestampMs(now - 60_000 + i % 60_000));
        }
        assertTrue(store.flush(60, TimeUnit.SECONDS));
    }

    @Test
    void shouldAnswerTheLargestGroupsAndTheRestAsOther() throws Exception {
        try (TestServer server = TestServer.start(data)) {
            record(server, 10_000);
            final JsonNode j = server.get("/api/v1/analytics?window=5m&groupBy=run&limit=1").json();
            assertEquals(1, j.at("/groups").size());
            assertEquals("heavy", j.at("/groups/0/group").asText());
            assertEquals(1_000, j.at("/groups/0/count").asLong());
            assertEquals(9_000, j.at("/other/count").asLong());
            assertTrue(j.at("/twoPasses").asBoolean());
            final JsonNode all = server.get("/api/v1/analytics?window=5m&groupBy=status").json();
            assertTrue(all.at("/other").isNull());
            final TestServer.Reply bad = server.get("/api/v1/analytics?window=5m&groupBy=run&limit=1001");
            assertEquals(400, bad.status());
            assertEquals("limit", bad.json().get("field").asText());
        }
    }

    @Test
    void shouldAnswer503PastTheScanTimeLimit() throws Exception {
        try (TestServer server = new TestServer(new ServerConfig().scanTimeoutMs(1), data)) {
            record(server, 300_000);
            final TestServer.Reply r = server.get("/api/v1/analytics?window=5m&groupBy=task");
            assertEquals(503, r.status(), r.body());
            assertTrue(r.json().get("error").asText().contains("time limit of 1 ms"), r.body());
            assertEquals(1, server.get("/api/v1/system").json().at("/server/scansTimedOut").asLong());
        }
    }

    private static long cancelled(final TestServer server) {
        return server.get("/api/v1/system").json().at("/server/scansCancelled").asLong();
    }

    @Test
    void shouldStopAScanWhoseClientHasGone() throws Exception {
        try (TestServer server = TestServer.start(data)) {
            record(server, 1_000_000);
            final URI uri = URI.create(server.base);
            try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
                socket.getOutputStream().write(("GET /api/v1/analytics?window=5m&groupBy=task HTTP/1.1\r\nHost: "
                    + uri.getAuthority() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (cancelled(server) == 0 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertEquals(1, cancelled(server), "the scan stopped rather than ran to its end");
            assertEquals(200, server.get("/api/v1/analytics?window=5m&groupBy=run&limit=5").status(),
                "the next scan has its permit");
        }
    }
}
