package dev.ringmeter.core.watch.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.ringmeter.core.watch.alert.Outcomes.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Delivers to a real Prometheus Alertmanager (Debian's {@code prometheus-alertmanager}, which CI installs) started
 * by the test on free ports, and reads back what it holds through its v2 API.
 */
@Timeout(120)
class AlertmanagerDeliveryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BINARY = "prometheus-alertmanager";
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void shouldShowAFiringAlertActiveKeepItThroughRepostsAndResolveIt(@TempDir final Path dir) throws Exception {
        final File binary = findOnPath(BINARY);
        if (binary == null) {
            fail(BINARY + " is not installed: install it (apt-get install prometheus-alertmanager; .ci/run does)"
                + " to run the Alertmanager delivery test");
        }
        final Path config = dir.resolve("alertmanager.yml");
        Files.writeString(config, "route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n");
        final int port = freePort();
        final String base = "http://127.0.0.1:" + port;
        final Process am = new ProcessBuilder(binary.getPath(), "--config.file=" + config,
            "--storage.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
            "--cluster.listen-address=").redirectErrorStream(true)
            .redirectOutput(dir.resolve("alertmanager.log").toFile()).start();
        final Outcomes outcomes = new Outcomes();
        final long repostMs = 500;   // a firing alert's endsAt is 2 s ahead: the test sees it outlive that
        try (NoticeDispatcher dispatcher = new NoticeDispatcher(DeliverySettings.DEFAULTS.withTimeouts(2_000, 2_000)
            .withBackoff(100, 2.0, 1_000).withAlertmanagerRepostMs(repostMs), outcomes)) {
            await("Alertmanager's /-/ready", 30_000, () -> status(base + "/-/ready") == 200);
            final Target target = new Target(TargetKind.ALERTMANAGER, base);
            final long startMs = System.currentTimeMillis() - 60_000;
            final Map<String, String> labels = new LinkedHashMap<>();
            labels.put("model", "gpt-x");
            labels.put("metric", "p95");
            final Notice firing = new Notice("r-am/" + startMs + "/critical", "r-am", "Latency high",
                Severity.CRITICAL, true, labels, "p95 of gpt-x is 2.5 s", 2.5, 2.0, startMs, 0, "http://ringmeter/a");

            dispatcher.submit(1, firing, target);
            await("the firing delivery", 20_000, () -> outcomes.all().size() == 1);
            assertEquals(new Outcomes.Outcome(1, null), outcomes.all().get(0));
            final JsonNode alert = ours(alerts(base));
            assertNotNull(alert, "Alertmanager lists the alert");
            assertEquals("active", alert.get("status").get("state").asText());
            assertEquals("Latency high", alert.get("labels").get("alertname").asText());
            assertEquals("critical", alert.get("labels").get("severity").asText());
            assertEquals("gpt-x", alert.get("labels").get("model").asText());
            assertEquals("p95", alert.get("labels").get("metric").asText());
            assertEquals("p95 of gpt-x is 2.5 s", alert.get("annotations").get("summary").asText());
            assertEquals(firing.dedupKey(), alert.get("annotations").get("dedup_key").asText());
            final Instant firstEndsAt = Instant.parse(alert.get("endsAt").asText());

            await("the first endsAt to pass with re-posts", 20_000,
                () -> Instant.now().isAfter(firstEndsAt.plusMillis(repostMs))
                    && dispatcher.reposted(TargetKind.ALERTMANAGER) >= 2);
            final JsonNode kept = ours(alerts(base));
            assertNotNull(kept, "re-posted, so still there after its first endsAt");
            assertEquals("active", kept.get("status").get("state").asText());
            assertTrue(Instant.parse(kept.get("endsAt").asText()).isAfter(firstEndsAt));

            final Notice resolved = new Notice("r-am/" + startMs + "/resolved", "r-am", "Latency high",
                Severity.CRITICAL, false, labels, "p95 of gpt-x is back to 1.1 s", 1.1, 2.0, startMs,
                System.currentTimeMillis(), "http://ringmeter/a");
            dispatcher.submit(2, resolved, target);
            await("the resolved delivery", 20_000, () -> outcomes.all().size() == 2);
            assertEquals(new Outcomes.Outcome(2, null), outcomes.all().get(1));
            await("the alert to leave the active list", 20_000, () -> {
                final JsonNode left = ours(alerts(base));
                return left == null || !"active".equals(left.get("status").get("state").asText());
            });
            final long repostedThen = dispatcher.reposted(TargetKind.ALERTMANAGER);
            final long quietUntilNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(3 * repostMs);
            await("three re-post intervals", 10_000, () -> System.nanoTime() > quietUntilNs);
            assertEquals(repostedThen, dispatcher.reposted(TargetKind.ALERTMANAGER), "no re-post after resolving");
        } finally {
            am.destroyForcibly();
            assertTrue(am.waitFor(10, TimeUnit.SECONDS), "Alertmanager stopped");
        }
    }

    /** @return our alert in Alertmanager's list, or null. */
    private static JsonNode ours(final JsonNode alerts) {
        for (final JsonNode a : alerts) {
            if ("r-am".equals(a.get("labels").path("rule_id").asText())) {
                return a;
            }
        }
        return null;
    }

    private JsonNode alerts(final String base) {
        try {
            final HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v2/alerts"))
                .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            return JSON.readTree(r.body());
        } catch (final IOException | InterruptedException e) {
            throw new AssertionError("GET /api/v2/alerts", e);
        }
    }

    private int status(final String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).GET().build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (final IOException e) {
            return -1;
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static File findOnPath(final String name) {
        final String path = System.getenv("PATH");
        for (final String dir : (path == null ? "" : path).split(File.pathSeparator)) {
            final File f = new File(dir, name);
            if (f.isFile() && f.canExecute()) {
                return f;
            }
        }
        return null;
    }
}
