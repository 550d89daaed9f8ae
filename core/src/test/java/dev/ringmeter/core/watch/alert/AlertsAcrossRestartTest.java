package dev.ringmeter.core.watch.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static dev.ringmeter.core.watch.alert.AlertRulesTest.T0;
import static dev.ringmeter.core.watch.alert.AlertRulesTest.calls;
import static dev.ringmeter.core.watch.alert.AlertRulesTest.latencyRule;
import static dev.ringmeter.core.watch.alert.Outcomes.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An alert rule fires and resolves across a restart, delivered by the store's own {@link NoticeDispatcher} to real
 * receivers: a webhook receiver that refuses the resolved notice until the store has closed, and a real
 * Alertmanager that must keep a firing alert after the store that fired it restarted.
 */
@Timeout(120)
class AlertsAcrossRestartTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final CachedEpochClock clock = new CachedEpochClock();

    /** The store's real dispatcher with these settings; rules evaluated by the test's ticks. */
    private StoreConfig config(final DeliverySettings delivery) {
        return new StoreConfig().dataDirectory(dir.resolve("data")).clock(clock).shutdownHook(false)
            .journalBlockBytes(1 << 20).fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK).alertEvaluationIntervalMs(0)
            .anomalyDetection(false).noticeSink(listener -> new NoticeDispatcher(delivery, listener));
    }

    @Test
    void shouldFireThenResolveAcrossARestartLosingNoNotice() throws Exception {
        final DeliverySettings quick = DeliverySettings.DEFAULTS.withTimeouts(2_000, 2_000).withBackoff(50, 2.0, 500);
        final DeliverySettings never = quick.withBackoff(600_000, 2.0, 600_000);   // no retry before the close
        try (HttpReceiver hook = new HttpReceiver(HttpReceiver.Reply.of(200), HttpReceiver.Reply.of(503))) {
            final Target target = new Target(TargetKind.WEBHOOK, hook.url());
            clock.update(T0);
            try (EmbeddedStore store = EmbeddedStore.open(config(quick))) {
                store.alerts().putRule(latencyRule("e2e", 0, List.of(target)));
                calls(store, clock, T0, 200, 10);
                assertEquals(AlertTransition.Kind.FIRING, store.alertEvaluator().tick(T0 + 1).get(0).kind());
                await("the firing notice delivered and its outcome journaled", 20_000,
                    () -> hook.received().size() == 1 && store.alerts().outboxSize() == 0);
            }
            try (EmbeddedStore store = EmbeddedStore.open(config(never))) {
                assertEquals(AlertState.FIRING, store.alerts().rule("e2e").state(), "firing across the restart");
                calls(store, clock, T0 + 120_000, 20, 10);
                assertEquals(AlertTransition.Kind.RESOLVED,
                    store.alertEvaluator().tick(T0 + 120_001).get(0).kind());
                await("the resolved notice refused once", 20_000, () -> hook.received().size() == 2);
                assertEquals(1, store.alerts().outboxSize(), "refused: no outcome, so it waits");
            }
            try (EmbeddedStore store = EmbeddedStore.open(config(quick))) {
                await("the resolved notice sent again by the reopened store", 20_000,
                    () -> hook.received().size() == 3 && store.alerts().outboxSize() == 0);
                assertEquals(AlertState.INACTIVE, store.alerts().rule("e2e").state());
            }
            final List<JsonNode> bodies = new java.util.ArrayList<>();
            for (final HttpReceiver.Received r : hook.received()) {
                bodies.add(JSON.readTree(r.body()));
            }
            assertEquals(List.of("firing", "resolved", "resolved"), bodies.stream().map(b -> b.get("status").asText())
                .toList());
            assertEquals(bodies.get(1).get("dedupKey"), bodies.get(2).get("dedupKey"), "the same notice, repeated");
            assertNotEquals(bodies.get(0).get("dedupKey"), bodies.get(1).get("dedupKey"));
            for (final JsonNode b : bodies) {
                assertEquals("e2e", b.get("rule").get("id").asText());
                assertEquals(Instant.ofEpochMilli(T0 + 1).toString(), b.get("startsAt").asText());
            }
            assertEquals(Instant.ofEpochMilli(T0 + 120_001).toString(), bodies.get(2).get("endsAt").asText());
        }
    }

    @Test
    void shouldKeepAFiringAlertInAlertmanagerAfterTheStoreRestarts() throws Exception {
        final long repostMs = 500;   // endsAt 2 s ahead of each post
        final DeliverySettings delivery = DeliverySettings.DEFAULTS.withTimeouts(2_000, 2_000)
            .withBackoff(50, 2.0, 500).withAlertmanagerRepostMs(repostMs);
        try (Alertmanager am = new Alertmanager(dir.resolve("am"))) {
            final Target target = new Target(TargetKind.ALERTMANAGER, am.base());
            clock.update(T0);
            try (EmbeddedStore store = EmbeddedStore.open(config(delivery))) {
                store.alerts().putRule(latencyRule("am-e2e", 0, List.of(target)));
                calls(store, clock, T0, 200, 10);
                store.alertEvaluator().tick(T0 + 1);
                await("the firing alert in Alertmanager", 20_000,
                    () -> am.active("am-e2e") && store.alerts().outboxSize() == 0);
            }
            final Instant endsAtAtClose = Instant.parse(am.alert("am-e2e").get("endsAt").asText());
            try (EmbeddedStore store = EmbeddedStore.open(config(delivery))) {
                await("the alert re-posted by the reopened store past the endsAt it had at the close", 20_000,
                    () -> Instant.parse(am.alert("am-e2e").get("endsAt").asText()).isAfter(endsAtAtClose));
                await("that endsAt passed", 20_000, () -> Instant.now().isAfter(endsAtAtClose.plusMillis(repostMs)));
                assertTrue(am.active("am-e2e"), "still active once the endsAt of before the restart has passed");
                calls(store, clock, T0 + 120_000, 20, 10);
                assertEquals(AlertTransition.Kind.RESOLVED,
                    store.alertEvaluator().tick(T0 + 120_001).get(0).kind());
                await("the alert resolved in Alertmanager", 20_000, () -> !am.active("am-e2e"));
            }
        }
    }
}
