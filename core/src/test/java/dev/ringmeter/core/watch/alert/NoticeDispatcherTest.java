package dev.ringmeter.core.watch.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ringmeter.core.watch.alert.HttpReceiver.Received;
import dev.ringmeter.core.watch.alert.HttpReceiver.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import static dev.ringmeter.core.watch.alert.Outcomes.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Delivery against a real HTTP receiver that fails, stalls and recovers. */
@Timeout(60)
class NoticeDispatcherTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Short delays so that retries happen within a test. */
    private static final DeliverySettings FAST = DeliverySettings.DEFAULTS.withTimeouts(1_000, 1_000)
        .withBackoff(100, 2.0, 2_000);

    static Notice notice(final String dedupKey, final boolean firing) {
        final long start = 1_780_000_000_000L;
        return new Notice(dedupKey, "r-1", "p95 too high", Severity.CRITICAL, firing,
            Map.of("model", "gpt-x", "metric", "p95"), "p95 of gpt-x is 2.5 s", 2.5, 2.0, start,
            firing ? 0 : start + 60_000, "http://ringmeter.local/alerts/r-1");
    }

    private static String dedupKeyOf(final Received r) {
        try {
            return JSON.readTree(r.body()).get("dedupKey").asText();
        } catch (final Exception e) {
            throw new AssertionError("not JSON: " + r.body(), e);
        }
    }

    @Test
    void shouldDeliverOnceAfterTwoServerErrorsBackingOffBetweenAttempts() throws Exception {
        final Outcomes outcomes = new Outcomes();
        try (HttpReceiver receiver = new HttpReceiver(Reply.of(500), Reply.of(500));
             NoticeDispatcher dispatcher = new NoticeDispatcher(FAST, outcomes)) {
            dispatcher.submit(7, notice("k-7", true), new Target(TargetKind.WEBHOOK, receiver.url()));
            await("the delivery", 10_000, () -> !outcomes.all().isEmpty());

            assertEquals(List.of(new Outcomes.Outcome(7, null)), outcomes.all());
            final List<Received> got = receiver.received();
            assertEquals(3, got.size(), "two failures and the acknowledged attempt");
            got.forEach(r -> assertEquals("k-7", dedupKeyOf(r)));
            final long firstGapMs = TimeUnit.NANOSECONDS.toMillis(got.get(1).atNs() - got.get(0).atNs());
            final long secondGapMs = TimeUnit.NANOSECONDS.toMillis(got.get(2).atNs() - got.get(1).atNs());
            assertTrue(firstGapMs >= 50, "first retry after at least half of 100 ms: " + firstGapMs);
            assertTrue(secondGapMs >= 100, "second retry after at least half of 200 ms: " + secondGapMs);
            assertEquals(1, dispatcher.delivered(TargetKind.WEBHOOK));
            assertEquals(2, dispatcher.retried(TargetKind.WEBHOOK));
            assertEquals(0, dispatcher.pending(TargetKind.WEBHOOK));
        }
    }

    @Test
    void shouldRetryAStalledTargetWhileAHealthyOneGetsItsNotices() throws Exception {
        final Outcomes outcomes = new Outcomes();
        final DeliverySettings settings = FAST.withTimeouts(1_000, 2_000);   // the healthy lane has 2 s to finish first
        try (HttpReceiver stalled = new HttpReceiver(Reply.stalling());
             HttpReceiver healthy = new HttpReceiver();
             NoticeDispatcher dispatcher = new NoticeDispatcher(settings, outcomes)) {
            dispatcher.submit(1, notice("slow", true), new Target(TargetKind.WEBHOOK, stalled.url()));
            await("the stalled request", 5_000, () -> stalled.received().size() == 1);
            for (int i = 0; i < 3; i++) {
                dispatcher.submit(10 + i, notice("fast-" + i, true), new Target(TargetKind.SLACK, healthy.url()));
            }
            await("the healthy target's notices", 5_000, () -> outcomes.all().size() >= 3);
            assertEquals(List.of(10L, 11L, 12L), outcomes.all().stream().map(Outcomes.Outcome::id).toList(),
                "the healthy target's notices came first, in order, while the other stalled");

            await("the stalled target's retry", 10_000, () -> outcomes.all().size() == 4);
            assertEquals(new Outcomes.Outcome(1, null), outcomes.all().get(3));
            assertTrue(stalled.received().size() >= 2, "retried after the request timeout");
            assertTrue(dispatcher.retried(TargetKind.WEBHOOK) >= 1);
            assertEquals(0, dispatcher.retried(TargetKind.SLACK));
        }
    }

    @Test
    void shouldAbandonARefusedNoticeWithTheStatusAndBody() throws Exception {
        final Outcomes outcomes = new Outcomes();
        try (HttpReceiver receiver = new HttpReceiver(new Reply(400, "bad payload: no channel", null, false));
             NoticeDispatcher dispatcher = new NoticeDispatcher(FAST, outcomes)) {
            dispatcher.submit(3, notice("k-3", true), new Target(TargetKind.WEBHOOK, receiver.url()));
            await("the outcome", 10_000, () -> !outcomes.all().isEmpty());

            final Outcomes.Outcome o = outcomes.all().get(0);
            assertEquals(3, o.id());
            assertTrue(o.reason().contains("HTTP 400") && o.reason().contains("bad payload: no channel"), o.reason());
            assertEquals(1, receiver.received().size(), "a 4xx is not retried");
            assertEquals(1, dispatcher.abandoned(TargetKind.WEBHOOK));
            assertEquals(0, dispatcher.retried(TargetKind.WEBHOOK));
        }
    }

    @Test
    void shouldWaitTheRetryAfterOfA429() throws Exception {
        final Outcomes outcomes = new Outcomes();
        final DeliverySettings tinyBackoff = FAST.withBackoff(10, 2.0, 5_000);
        try (HttpReceiver receiver = new HttpReceiver(new Reply(429, "slow down", "1", false));
             NoticeDispatcher dispatcher = new NoticeDispatcher(tinyBackoff, outcomes)) {
            dispatcher.submit(4, notice("k-4", true), new Target(TargetKind.WEBHOOK, receiver.url()));
            await("the delivery", 10_000, () -> !outcomes.all().isEmpty());

            assertEquals(List.of(new Outcomes.Outcome(4, null)), outcomes.all());
            final List<Received> got = receiver.received();
            assertEquals(2, got.size());
            final long gapMs = TimeUnit.NANOSECONDS.toMillis(got.get(1).atNs() - got.get(0).atNs());
            assertTrue(gapMs >= 1_000, "waited the 1 s asked for, not the 10 ms backoff: " + gapMs);
        }
    }

    @Test
    void shouldSendResolvedAfterFiringEvenWhenTheFiringAttemptFails() throws Exception {
        final Outcomes outcomes = new Outcomes();
        try (HttpReceiver receiver = new HttpReceiver(Reply.of(503));
             NoticeDispatcher dispatcher = new NoticeDispatcher(FAST, outcomes)) {
            final Target target = new Target(TargetKind.WEBHOOK, receiver.url());
            dispatcher.submit(1, notice("fire", true), target);
            dispatcher.submit(2, notice("resolve", false), target);
            await("both deliveries", 10_000, () -> outcomes.all().size() == 2);

            assertEquals(List.of(new Outcomes.Outcome(1, null), new Outcomes.Outcome(2, null)), outcomes.all());
            assertEquals(List.of("fire", "fire", "resolve"),
                receiver.received().stream().map(NoticeDispatcherTest::dedupKeyOf).toList());
        }
    }

    @Test
    void shouldRefuseLoudlyPastTheMostPendingAndTakeAgainOnceThereIsRoom() throws Exception {
        final Outcomes outcomes = new Outcomes();
        try (HttpReceiver stalled = new HttpReceiver(Reply.stalling());
             NoticeDispatcher dispatcher = new NoticeDispatcher(FAST.withTimeouts(1_000, 500).withMaxPending(2),
                 outcomes)) {
            final Target target = new Target(TargetKind.WEBHOOK, stalled.url());
            dispatcher.submit(1, notice("a", true), target);
            dispatcher.submit(2, notice("b", true), target);
            final RejectedExecutionException e = assertThrows(RejectedExecutionException.class,
                () -> dispatcher.submit(3, notice("c", true), target));
            assertTrue(e.getMessage().contains("maxPending"), e.getMessage());
            assertEquals(1, dispatcher.refused(TargetKind.WEBHOOK));
            assertEquals(2, dispatcher.pending(TargetKind.WEBHOOK));

            await("room", 10_000, () -> dispatcher.pending(TargetKind.WEBHOOK) < 2);
            dispatcher.submit(3, notice("c", true), target);
            await("all three", 10_000, () -> outcomes.all().size() == 3);
            assertEquals(List.of(1L, 2L, 3L), outcomes.all().stream().map(Outcomes.Outcome::id).toList());
        }
    }

    @Test
    void shouldAbandonADeliveryStillFailingPastTheLongestTime() throws Exception {
        final Outcomes outcomes = new Outcomes();
        final Reply[] failures = new Reply[50];
        java.util.Arrays.fill(failures, Reply.of(502));
        try (HttpReceiver receiver = new HttpReceiver(failures);
             NoticeDispatcher dispatcher = new NoticeDispatcher(FAST.withBackoff(50, 1.0, 50).withMaxAgeMs(400),
                 outcomes)) {
            dispatcher.submit(9, notice("k-9", true), new Target(TargetKind.WEBHOOK, receiver.url()));
            await("the outcome", 10_000, () -> !outcomes.all().isEmpty());

            final Outcomes.Outcome o = outcomes.all().get(0);
            assertEquals(9, o.id());
            assertTrue(o.reason().startsWith("undelivered after") && o.reason().contains("HTTP 502"), o.reason());
            assertTrue(receiver.received().size() >= 2);
        }
    }

    @Test
    void shouldReportNothingAfterClose() throws Exception {
        final Outcomes outcomes = new Outcomes();
        final HttpReceiver stalled = new HttpReceiver(Reply.stalling());
        final NoticeDispatcher dispatcher = new NoticeDispatcher(FAST.withTimeouts(1_000, 5_000), outcomes);
        try {
            dispatcher.submit(1, notice("a", true), new Target(TargetKind.WEBHOOK, stalled.url()));
            await("the request", 5_000, () -> stalled.received().size() == 1);
        } finally {
            dispatcher.close();
            stalled.close();   // the receiver answers 200 now; too late, the dispatcher closed
        }
        assertTrue(outcomes.all().isEmpty(), "nothing reported: " + outcomes.all());
        assertThrows(RejectedExecutionException.class,
            () -> dispatcher.submit(2, notice("b", true), new Target(TargetKind.WEBHOOK, stalled.url())));
    }

    @Test
    void shouldKeepDeliveringWhenTheListenerThrows() throws Exception {
        final Outcomes outcomes = new Outcomes();
        final DeliveryListener throwing = new DeliveryListener() {
            @Override
            public void delivered(final long deliveryId) {
                outcomes.delivered(deliveryId);
                if (deliveryId == 1) {
                    throw new IllegalStateException("listener failure");
                }
            }

            @Override
            public void abandoned(final long deliveryId, final String reason) {
                outcomes.abandoned(deliveryId, reason);
            }
        };
        try (HttpReceiver receiver = new HttpReceiver();
             NoticeDispatcher dispatcher = new NoticeDispatcher(FAST, throwing)) {
            final Target target = new Target(TargetKind.WEBHOOK, receiver.url());
            dispatcher.submit(1, notice("a", true), target);
            dispatcher.submit(2, notice("b", true), target);
            await("both deliveries", 10_000, () -> outcomes.all().size() == 2);
            assertEquals(List.of(1L, 2L), outcomes.all().stream().map(Outcomes.Outcome::id).toList());
        }
    }

    @Test
    void shouldSendEachKindItsPayload() throws Exception {
        final Outcomes outcomes = new Outcomes();
        try (HttpReceiver receiver = new HttpReceiver();
             NoticeDispatcher dispatcher = new NoticeDispatcher(FAST, outcomes)) {
            dispatcher.submit(1, notice("k", true), new Target(TargetKind.SLACK, receiver.url()));
            dispatcher.submit(2, notice("k", true), new Target(TargetKind.ALERTMANAGER, receiver.url() + "/am/"));
            await("both", 10_000, () -> outcomes.all().size() == 2);
            final List<Received> got = receiver.received();
            final Received slack = got.stream().filter(r -> r.path().equals("/hook")).findFirst().orElseThrow();
            final Received am = got.stream().filter(r -> !r.path().equals("/hook")).findFirst().orElseThrow();
            assertTrue(JSON.readTree(slack.body()).has("blocks"));
            assertEquals("/hook/am/api/v2/alerts", am.path());
            final JsonNode alert = JSON.readTree(am.body()).get(0);
            assertEquals("k", alert.get("annotations").get("dedup_key").asText());
        }
    }
}
