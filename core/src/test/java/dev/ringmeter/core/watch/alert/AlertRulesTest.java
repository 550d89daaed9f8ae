package dev.ringmeter.core.watch.alert;

import dev.ringmeter.Event;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The alert state machine at its edges, on a real store fed with real events and a fixed clock, evaluated by calling
 * {@link AlertEvaluator#tick} directly: the {@code for} duration, escalation and de-escalation, no data, resolve,
 * silences; and the rule's refusals, each naming its field.
 */
@Timeout(60)
class AlertRulesTest {
    static final long T0 = 1_760_000_400_000L;
    static final Target HOOK = new Target(TargetKind.WEBHOOK, "http://127.0.0.1:9/hook");

    @TempDir
    Path dir;

    final CachedEpochClock clock = new CachedEpochClock();
    final RecordingSink sink = new RecordingSink();
    EmbeddedStore store;

    static StoreConfig config(final Path data, final CachedEpochClock clock, final NoticeSink sink) {
        return new StoreConfig().dataDirectory(data).clock(clock).shutdownHook(false).journalBlockBytes(1 << 20)
            .fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK).alertEvaluationIntervalMs(0)
            .noticeSink(sink == null ? null : listener -> sink);
    }

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    private EmbeddedStore open() {
        clock.update(T0);
        store = EmbeddedStore.open(config(dir.resolve("data"), clock, sink));
        return store;
    }

    /** p95 latency of model m over the last minute: warning above 100 ms, critical above 300 ms. */
    static AlertRule latencyRule(final String id, final long forMs, final List<Target> targets) {
        return new AlertRule(id, "slow m", AlertScope.parse("model:m"), AlertMetric.parse("p95"), 60_000,
            AlertRule.Comparator.GT, 100, 300, forMs, 5, targets, Map.of("team", "llm"), "");
    }

    /** Records n calls of model m taking latencyMs at time t, and moves the clock there. */
    static void calls(final EmbeddedStore store, final CachedEpochClock clock, final long t, final double latencyMs,
                      final int n) throws InterruptedException {
        clock.update(t);
        final Event e = new Event();
        for (int i = 0; i < n; i++) {
            store.record(e.reset().model("m").operation("chat").timestampMs(t).latencyNs((long)(latencyMs * 1e6)));
        }
        assertTrue(store.flush(10, TimeUnit.SECONDS));
    }

    /** Records 10 calls at t of the given latency, then evaluates at t + 1 ms. */
    private List<AlertTransition> tickWith(final long t, final double latencyMs) throws InterruptedException {
        calls(store, clock, t, latencyMs, 10);
        clock.update(t + 1);
        return store.alertEvaluator().tick(t + 1);
    }

    private static AlertTransition.Kind only(final List<AlertTransition> ts) {
        assertEquals(1, ts.size(), ts.toString());
        return ts.get(0).kind();
    }

    @Test
    void shouldStayPendingUntilTheForDurationElapsedThenFireOnce() throws Exception {
        open().alerts().putRule(latencyRule("r1", 120_000, List.of(HOOK)));
        assertEquals(AlertTransition.Kind.PENDING, only(tickWith(T0, 200)));
        assertEquals(AlertState.PENDING, store.alerts().rule("r1").state());
        assertTrue(tickWith(T0 + 60_000, 200).isEmpty(), "60 s of 120: still pending");
        assertTrue(tickWith(T0 + 119_999, 200).isEmpty(), "1 ms short of the for");
        assertTrue(sink.submitted.isEmpty());
        final List<AlertTransition> fired = tickWith(T0 + 120_000, 200);
        assertEquals(AlertTransition.Kind.FIRING, only(fired));
        assertEquals(Severity.WARNING, fired.get(0).severity());
        assertTrue(tickWith(T0 + 150_000, 200).isEmpty(), "firing at the same severity says nothing again");
        assertEquals(1, sink.submitted.size());
        final Notice n = sink.submitted.get(0).notice();
        assertEquals(HOOK, sink.submitted.get(0).target());
        assertEquals("r1:" + (T0 + 120_001) + ":warning:firing", n.dedupKey());
        assertEquals("llm", n.labels().get("team"));
        assertEquals("model:m", n.labels().get("scope"));
        assertTrue(n.value() > 100 && n.firing(), n.toString());
        assertEquals(AlertState.FIRING, store.alerts().active().get(0).state());
    }

    @Test
    void shouldSendANewNoticeOnEachEscalationAndDeEscalationAndOneResolvedNotice() throws Exception {
        open().alerts().putRule(latencyRule("r2", 0, List.of(HOOK)));
        assertEquals(AlertTransition.Kind.FIRING, only(tickWith(T0, 200)));
        // windows are read whole buckets at a time: steps 3 minutes apart see only their own calls
        final List<AlertTransition> up = tickWith(T0 + 180_000, 500);
        assertEquals(Severity.CRITICAL, up.get(0).severity());
        final List<AlertTransition> down = tickWith(T0 + 360_000, 200);
        assertEquals(Severity.WARNING, down.get(0).severity());
        final List<AlertTransition> resolved = tickWith(T0 + 540_000, 50);
        assertEquals(AlertTransition.Kind.RESOLVED, only(resolved));
        assertEquals(AlertState.INACTIVE, store.alerts().rule("r2").state());
        final List<String> keys = sink.submitted.stream().map(s -> s.notice().dedupKey()).toList();
        final long start = T0 + 1;
        assertEquals(List.of("r2:" + start + ":warning:firing", "r2:" + start + ":critical:firing",
            "r2:" + start + ":warning:firing", "r2:" + start + ":warning:resolved"), keys);
        final Notice last = sink.submitted.get(3).notice();
        assertFalse(last.firing());
        assertEquals(T0 + 540_001, last.endsAtMs());
        assertEquals(4, store.alerts().history(10, "r2").size());
    }

    @Test
    void shouldClearAPendingAlertWithoutDataAndKeepAFiringOneFiring() throws Exception {
        open().alerts().putRule(latencyRule("pending", 600_000, List.of()));
        store.alerts().putRule(latencyRule("firing", 0, List.of()));
        final List<AlertTransition> first = tickWith(T0, 200);
        assertEquals(2, first.size());
        calls(store, clock, T0 + 1_000, 200, 4);   // 14 calls in the window: enough
        // two minutes later the window holds no call: no data
        clock.update(T0 + 121_000);
        final List<AlertTransition> none = store.alertEvaluator().tick(T0 + 121_000);
        assertEquals(1, none.size(), none.toString());
        assertEquals("pending", none.get(0).ruleId());
        assertEquals(AlertTransition.Kind.CLEARED, none.get(0).kind());
        assertEquals(AlertState.FIRING, store.alerts().rule("firing").state(), "no data keeps a firing alert");
        assertTrue(Double.isNaN(store.alerts().rule("firing").value()));
        // four calls is below minEvents 5: still no data
        calls(store, clock, T0 + 122_000, 10, 4);
        assertTrue(store.alertEvaluator().tick(T0 + 122_001).isEmpty());
        assertEquals(AlertTransition.Kind.RESOLVED, only(tickWith(T0 + 123_000, 10)));
    }

    @Test
    void shouldRecordASilencedAlertInTheHistoryWithoutSendingItUntilTheSilenceEnds() throws Exception {
        open().alerts().putRule(latencyRule("r3", 0, List.of(HOOK)));
        final Silence s = store.alerts().putSilence(Map.of("rule", "r3", "team", "llm"), 0, T0 + 100_000, "deploy");
        assertEquals(List.of(s), store.alerts().silences());
        final AlertTransition fired = tickWith(T0, 200).get(0);
        assertTrue(fired.silenced());
        assertTrue(sink.submitted.isEmpty());
        assertEquals(0, store.alerts().outboxSize());
        assertTrue(store.alerts().history(1, null).get(0).silenced());
        final AlertTransition critical = tickWith(T0 + 100_000, 900).get(0);   // the silence has ended
        assertFalse(critical.silenced());
        assertEquals(1, sink.submitted.size());
        assertTrue(store.alerts().silences().isEmpty(), "an ended silence is not listed");
        final Silence other = store.alerts().putSilence(Map.of("rule", "nope"), 0, T0 + 500_000, "");
        assertEquals(AlertTransition.Kind.RESOLVED, only(tickWith(T0 + 200_000, 10)));
        assertEquals(2, sink.submitted.size(), "a silence that does not match mutes nothing");
        assertTrue(store.alerts().deleteSilence(other.id()));
        assertFalse(store.alerts().deleteSilence(other.id()));
    }

    @Test
    void shouldRefuseABadRuleNamingTheField() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new AlertRule("a b", "n", AlertScope.ALL,
            AlertMetric.parse("p95"), 60_000, AlertRule.Comparator.GT, 1, 2, 0, 1, null, null, null))
            .getMessage().startsWith("id "));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> AlertMetric.parse("p97"))
            .getMessage().startsWith("metric: "));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> AlertScope.parse("region:eu"))
            .getMessage().startsWith("scope "));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new AlertRule("a", "n", AlertScope.ALL,
            AlertMetric.parse("p95"), 59_999, AlertRule.Comparator.GT, 1, 2, 0, 1, null, null, null))
            .getMessage().startsWith("window "));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new AlertRule("a", "n", AlertScope.ALL,
            AlertMetric.parse("p95"), 60_000, AlertRule.Comparator.GT, Double.NaN, Double.NaN, 0, 1, null, null,
            null)).getMessage().startsWith("warning or critical"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new AlertRule("a", "n", AlertScope.ALL,
            AlertMetric.parse("p95"), 60_000, AlertRule.Comparator.LT, 1, 2, 0, 1, null, null, null))
            .getMessage().startsWith("critical must be beyond warning"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new AlertRule("a", "n", AlertScope.ALL,
            AlertMetric.parse("p95"), 60_000, AlertRule.Comparator.GT, 1, 2, 0, 1,
            java.util.Collections.nCopies(9, HOOK), null, null)).getMessage().startsWith("targets"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new AlertRule("a", "n", AlertScope.ALL,
            AlertMetric.parse("anomaly:p95"), 60_000, AlertRule.Comparator.GT, 3, Double.NaN, 0, 1, null, null,
            null)).getMessage().startsWith("metric: "));
    }

    @Test
    void shouldReplaceAndDeleteRules() throws Exception {
        open().alerts().putRule(latencyRule("r4", 0, List.of()));
        assertEquals(AlertTransition.Kind.FIRING, only(tickWith(T0, 200)));
        final AlertRule higher = new AlertRule("r4", "slower", AlertScope.parse("model:m"), AlertMetric.parse("p95"),
            60_000, AlertRule.Comparator.GT, 1_000, Double.NaN, 0, 5, List.of(), null, "");
        assertEquals(AlertState.FIRING, store.alerts().putRule(higher).state(), "a replaced rule's alert goes on");
        assertEquals(AlertTransition.Kind.RESOLVED, only(tickWith(T0 + 1_000, 200)));
        assertTrue(store.alerts().deleteRule("r4"));
        assertNull(store.alerts().rule("r4"));
        assertFalse(store.alerts().deleteRule("r4"));
    }

    @Test
    void shouldWatchOneConfigurationValueFromTheInMemoryComparisons() throws Exception {
        open().alerts().putRule(new AlertRule("cfg", "hot config errs", AlertScope.parse("config:temp-0.9"),
            AlertMetric.parse("error_rate"), 300_000, AlertRule.Comparator.GE, 0.2, 0.5, 0, 10, List.of(), null,
            "{name}: {value}"));
        final Event e = new Event();
        for (int i = 0; i < 40; i++) {   // temp-0.9: 12 errors in 20 calls; temp-0.2: 20 calls, none failed
            store.record(e.reset().model("m").operation("chat").timestampMs(T0 + i).latencyMs(10)
                .config(i % 2 == 0 ? "temp-0.9" : "temp-0.2")
                .status(i % 2 == 0 && i % 10 < 6 ? dev.ringmeter.Status.ERROR : dev.ringmeter.Status.OK));
        }
        assertTrue(store.flush(10, TimeUnit.SECONDS));
        clock.update(T0 + 1_000);
        final List<AlertTransition> fired = store.alertEvaluator().tick(T0 + 1_000);
        assertEquals(AlertTransition.Kind.FIRING, only(fired));
        assertEquals(Severity.CRITICAL, fired.get(0).severity());
        assertEquals(0.6, fired.get(0).value(), 1e-12, "12 of 20 calls of temp-0.9, not of all 40");
        assertEquals("hot config errs: 0.6000", fired.get(0).notice().summary());
    }

    @Test
    void shouldFireAnAnomalyRuleWhileTheAnomalyViewReportsOneUnderWay() throws Exception {
        open().alerts().putRule(new AlertRule("anom", "p95 anomaly", AlertScope.parse("model:m"),
            AlertMetric.parse("anomaly:p95"), 60_000, AlertRule.Comparator.GE, 4, 8, 0, 1, List.of(HOOK), null,
            null));
        clock.update(T0 + 1);
        assertTrue(store.alertEvaluator().tick(T0 + 1).isEmpty(), "no anomaly watch: no data");
        final java.util.concurrent.atomic.AtomicReference<dev.ringmeter.core.watch.Anomaly> open =
            new java.util.concurrent.atomic.AtomicReference<>();
        store.alertEvaluator().anomalyView((subject, metric) -> subject.equals(dev.ringmeter.core.query.Subject
            .model("m")) && metric.equals("p95") ? open.get() : null);
        assertTrue(store.alertEvaluator().tick(T0 + 2).isEmpty(), "no anomaly under way");
        open.set(new dev.ringmeter.core.watch.Anomaly(1, dev.ringmeter.core.query.Subject.model("m"), "p95",
            dev.ringmeter.core.watch.AnomalyDetector.Kind.values()[0], T0, 0, 100, 400, 5.5));
        final List<AlertTransition> fired = store.alertEvaluator().tick(T0 + 3);
        assertEquals(Severity.WARNING, fired.get(0).severity());
        assertEquals(5.5, fired.get(0).value());
        open.set(null);
        assertEquals(AlertTransition.Kind.RESOLVED, only(store.alertEvaluator().tick(T0 + 4)));
        assertEquals(2, sink.submitted.size());
    }

    @Test
    void shouldHandANoticeTheSinkRejectedToItAgainAtTheNextTick() throws Exception {
        clock.update(T0);
        final java.util.concurrent.atomic.AtomicBoolean full = new java.util.concurrent.atomic.AtomicBoolean(true);
        final NoticeSink rejecting = (id, notice, target) -> {
            if (full.get()) {
                throw new java.util.concurrent.RejectedExecutionException("the sink holds its most deliveries");
            }
            sink.submit(id, notice, target);
        };
        store = EmbeddedStore.open(config(dir.resolve("data"), clock, rejecting));
        store.alerts().putRule(latencyRule("r5", 0, List.of(HOOK)));
        assertEquals(AlertTransition.Kind.FIRING, only(tickWith(T0, 200)), "a rejection does not undo the firing");
        assertTrue(sink.submitted.isEmpty());
        full.set(false);
        assertTrue(tickWith(T0 + 1_000, 200).isEmpty());
        assertEquals(1, sink.submitted.size(), "handed again once the sink has room");
        assertEquals("r5:" + (T0 + 1) + ":warning:firing", sink.submitted.get(0).notice().dedupKey());
    }

    @Test
    void shouldCloseACloseableSinkWhenTheStoreCloses() {
        clock.update(T0);
        final java.util.concurrent.atomic.AtomicInteger closed = new java.util.concurrent.atomic.AtomicInteger();
        final class ClosingSink implements NoticeSink, AutoCloseable {
            @Override
            public void submit(final long deliveryId, final Notice notice, final Target target) {
                sink.submit(deliveryId, notice, target);
            }

            @Override
            public void close() {
                closed.incrementAndGet();
            }
        }
        final EmbeddedStore s = EmbeddedStore.open(config(dir.resolve("data"), clock, new ClosingSink()));
        assertEquals(0, closed.get());
        s.close();
        s.close();
        assertEquals(1, closed.get(), "closed once, by the first close");
    }
}
