package dev.ringmeter.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The server and its store read one clock, the one its configuration gives: default query windows end at its now,
 * /health, /api/v1/system and /metrics tell its time, and snapshots are stamped with it.
 */
@Timeout(60)
class ServerClockTest {
    private static final long T0 = 1_600_000_000_000L;   // 2020-09-13, long before any real clock reading here
    private final CachedEpochClock clock = new CachedEpochClock();

    @TempDir
    Path data;

    private static String iso(final long epochMs) {
        return Instant.ofEpochMilli(epochMs).toString();
    }

    @Test
    void shouldAnswerDefaultWindowsHealthAndSnapshotTimesByTheConfiguredClock() {
        clock.update(T0);
        try (TestServer server = new TestServer(new ServerConfig().clock(clock), data)) {
            assertEquals(iso(T0), server.get("/health").json().get("time").asText());
            assertEquals(iso(T0), server.get("/api/v1/system").json().get("server").get("startTime").asText());
            assertTrue(server.get("/metrics").body().contains("\nringmeter_server_start_time_seconds 1600000000\n"),
                "the start time by the configured clock");

            assertEquals(202, server.post("/api/v1/events", TestServer.JSON,
                "[{\"model\":\"m\",\"latencyMs\":5},"
                    + "{\"model\":\"m\",\"latencyMs\":6,\"timestamp\":" + (T0 - 240_000) + "},"
                    + "{\"model\":\"m\",\"latencyMs\":7,\"timestamp\":" + (T0 - 400_000) + "}]").status());
            final JsonNode window = server.get("/api/v1/analytics?model=m").json();
            assertEquals(2, window.get("count").asLong(), "the default 5-minute window ends at the clock's now: "
                + window);
            final JsonNode all = server.get("/api/v1/analytics").json();
            assertEquals(iso(T0 + 1 - 300_000), all.get("from").asText());
            assertEquals(iso(T0 + 1), all.get("to").asText());
            assertEquals(2, server.get("/api/v1/models").json().get("models").get(0).get("last5m").get("count")
                .asLong());

            clock.update(T0 + 360_000);   // six minutes on: a snapshot is due at the next batch
            assertEquals(iso(T0 + 360_000), server.get("/health").json().get("time").asText());
            assertEquals(0, server.get("/api/v1/analytics?model=m").json().get("count").asLong(),
                "the default window moved with the clock: it no longer holds the events of T0 and before");
            assertEquals(202, server.post("/api/v1/events", TestServer.JSON, "[{\"model\":\"m\",\"latencyMs\":8}]")
                .status());
            assertEquals(iso(T0 + 360_000), snapshotWrittenAt(server));
            clock.update(T0 + 420_000);
        }
        clock.update(T0 + 480_000);
        try (TestServer server = new TestServer(new ServerConfig().clock(clock), data)) {
            assertEquals(iso(T0 + 420_000), snapshotWrittenAt(server), "the time the snapshot at close wrote");
            assertEquals(iso(T0 + 480_000), server.get("/api/v1/system").json().get("server").get("startTime")
                .asText());
            assertEquals(1, server.get("/api/v1/analytics?model=m").json().get("count").asLong(),
                "of the four events, only the one stamped at T0 + 6 min lies in the 5 minutes before T0 + 8 min");
        }
    }

    /** Polls /api/v1/system until the store reports a snapshot, for at most 10 s. */
    private static String snapshotWrittenAt(final TestServer server) {
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            final JsonNode at = server.get("/api/v1/system").json().get("store").get("snapshotWrittenAt");
            if (at != null && at.isTextual()) {
                return at.asText();
            }
            LockSupport.parkNanos(10_000_000L);
        }
        fail("no snapshot reported within 10 s");
        return null;
    }
}
