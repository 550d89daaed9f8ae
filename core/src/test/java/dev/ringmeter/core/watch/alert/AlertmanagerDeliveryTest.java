package dev.ringmeter.core.watch.alert;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.ringmeter.core.watch.alert.Outcomes.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Delivers to a real Prometheus Alertmanager (Debian's {@code prometheus-alertmanager}, which CI installs) started
 * by the test on free ports, and reads back what it holds through its v2 API.
 */
@Timeout(120)
class AlertmanagerDeliveryTest {

    @Test
    void shouldShowAFiringAlertActiveKeepItThroughRepostsAndResolveIt(@TempDir final Path dir) throws Exception {
        final Outcomes outcomes = new Outcomes();
        final long repostMs = 500;   // a firing alert's endsAt is 2 s ahead: the test sees it outlive that
        try (Alertmanager am = new Alertmanager(dir);
             NoticeDispatcher dispatcher = new NoticeDispatcher(DeliverySettings.DEFAULTS.withTimeouts(2_000, 2_000)
                 .withBackoff(100, 2.0, 1_000).withAlertmanagerRepostMs(repostMs), outcomes)) {
            final Target target = new Target(TargetKind.ALERTMANAGER, am.base());
            final long startMs = System.currentTimeMillis() - 60_000;
            final Map<String, String> labels = new LinkedHashMap<>();
            labels.put("model", "gpt-x");
            labels.put("metric", "p95");
            final Notice firing = new Notice("r-am/" + startMs + "/critical", "r-am", "Latency high",
                Severity.CRITICAL, true, labels, "p95 of gpt-x is 2.5 s", 2.5, 2.0, startMs, 0, "http://ringmeter/a");

            dispatcher.submit(1, firing, target);
            await("the firing delivery", 20_000, () -> outcomes.all().size() == 1);
            assertEquals(new Outcomes.Outcome(1, null), outcomes.all().get(0));
            final JsonNode alert = am.alert("r-am");
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
            final JsonNode kept = am.alert("r-am");
            assertNotNull(kept, "re-posted, so still there after its first endsAt");
            assertEquals("active", kept.get("status").get("state").asText());
            assertTrue(Instant.parse(kept.get("endsAt").asText()).isAfter(firstEndsAt));

            final Notice resolved = new Notice("r-am/" + startMs + "/resolved", "r-am", "Latency high",
                Severity.CRITICAL, false, labels, "p95 of gpt-x is back to 1.1 s", 1.1, 2.0, startMs,
                System.currentTimeMillis(), "http://ringmeter/a");
            dispatcher.submit(2, resolved, target);
            await("the resolved delivery", 20_000, () -> outcomes.all().size() == 2);
            assertEquals(new Outcomes.Outcome(2, null), outcomes.all().get(1));
            await("the alert to leave the active list", 20_000, () -> !am.active("r-am"));
            final long repostedThen = dispatcher.reposted(TargetKind.ALERTMANAGER);
            final long quietUntilNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(3 * repostMs);
            await("three re-post intervals", 10_000, () -> System.nanoTime() > quietUntilNs);
            assertEquals(repostedThen, dispatcher.reposted(TargetKind.ALERTMANAGER), "no re-post after resolving");
        }
    }
}
