package dev.ringmeter.core.report;

import com.sun.net.httpserver.HttpServer;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.watch.alert.DeliverySettings;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static dev.ringmeter.core.report.ReportTest.H0;
import static dev.ringmeter.core.report.ReportTest.HOUR;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scheduled reports land in a directory and at a real HTTP receiver, one per period, a 503 retried, a refusal
 * tried again at the next check, and none written twice across a restart of the store and the schedule.
 */
@Timeout(60)
class ReportScheduleTest {
    @TempDir
    Path data;
    @TempDir
    Path out;

    private final CachedEpochClock clock = new CachedEpochClock();
    private final List<String> received = new CopyOnWriteArrayList<>();
    /** Statuses the receiver answers first, one per request, before 200s. */
    private final List<Integer> refusals = new CopyOnWriteArrayList<>();
    private final AtomicInteger requests = new AtomicInteger();
    private HttpServer receiver;
    private URI url;

    @BeforeEach
    void receive() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/reports", x -> {
            final String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.incrementAndGet();
            final int status = refusals.isEmpty() ? 200 : refusals.remove(0);
            if (status == 200) {
                received.add(body);
            }
            x.sendResponseHeaders(status, -1);
            x.close();
        });
        receiver.start();
        url = URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/reports");
    }

    @AfterEach
    void stop() {
        receiver.stop(0);
    }

    private StoreConfig config() {
        return new StoreConfig().dataDirectory(data).clock(clock).shutdownHook(false)
            .fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK);
    }

    private ReportSchedule schedule(final EmbeddedStore store) {
        return new ReportSchedule(store, HOUR, out, url, DeliverySettings.DEFAULTS.withBackoff(10, 2, 50));
    }

    private List<String> files() throws IOException {
        try (Stream<Path> s = Files.list(out)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void onePerPeriodInTheDirectoryAndAtTheWebhookNotTwiceAcrossARestart() throws Exception {
        clock.update(H0 + 55 * 60_000L);
        try (EmbeddedStore store = EmbeddedStore.open(config()); ReportSchedule schedule = schedule(store)) {
            ReportTest.fill(store);
            assertEquals(0, schedule.runDue(), "the first period has not ended");
            clock.update(H0 + 2 * HOUR + 1);
            refusals.add(503);
            assertEquals(2, schedule.runDue());
            assertEquals(3, requests.get(), "the 503 was retried");
            assertEquals(H0 + 2 * HOUR, schedule.lastEndMs());
        }
        assertEquals(List.of("report-2026-01-01T000000Z.html", "report-2026-01-01T000000Z.md",
            "report-2026-01-01T010000Z.html", "report-2026-01-01T010000Z.md"), files());
        assertEquals(2, received.size());
        assertTrue(received.get(0).startsWith("{\"from\":\"2026-01-01T00:00:00"), received.get(0));
        assertTrue(received.get(0).contains("| all | 200 | 10 | 5.00% |"), "the first hour's numbers");
        final String md = Files.readString(out.resolve("report-2026-01-01T000000Z.md"));
        assertTrue(md.contains("| all | 200 | 10 | 5.00% |"), md);
        ReportTest.xml(Files.readString(out.resolve("report-2026-01-01T000000Z.html")));

        try (EmbeddedStore store = EmbeddedStore.open(config()); ReportSchedule schedule = schedule(store)) {
            assertEquals(H0 + 2 * HOUR, schedule.lastEndMs(), "resumed from the data directory");
            assertEquals(0, schedule.runDue(), "nothing delivered twice");
            assertEquals(2, received.size());
            clock.update(H0 + 3 * HOUR);
            refusals.add(400);
            final RuntimeException refused = assertThrows(RuntimeException.class, schedule::runDue);
            assertTrue(refused.getMessage().contains("400"), refused.getMessage());
            assertEquals(H0 + 2 * HOUR, schedule.lastEndMs(), "a refused period is not counted as delivered");
            schedule.start();
            final long deadline = System.nanoTime() + 20_000_000_000L;
            while (received.size() < 3 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertEquals(3, received.size(), "the started schedule delivered the refused period");
            assertTrue(received.get(2).startsWith("{\"from\":\"2026-01-01T02:00:00"), received.get(2));
        }
        assertEquals(6, files().size());
    }

    @Test
    void badSettingsAreRefused() {
        clock.update(H0);
        try (EmbeddedStore store = EmbeddedStore.open(config())) {
            assertThrows(IllegalArgumentException.class, () -> new ReportSchedule(store, 10, out, null,
                DeliverySettings.DEFAULTS));
            assertThrows(IllegalArgumentException.class, () -> new ReportSchedule(store, HOUR, null, null,
                DeliverySettings.DEFAULTS));
            assertThrows(IllegalArgumentException.class, () -> new ReportSchedule(store, HOUR, null,
                URI.create("ftp://x/"), DeliverySettings.DEFAULTS));
        }
    }
}
