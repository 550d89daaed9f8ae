package dev.ringmeter.core.watch.alert;

import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.journal.Snapshot;
import dev.ringmeter.core.test.ChildJvm;
import dev.ringmeter.core.test.DataDirectories;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Alert rules, their states, silences and undelivered notices survive a restart: a close and reopen (from the
 * snapshot, and from the journal alone), and a process killed with SIGKILL after a rule fired, whose notice the
 * reopened store hands to the sink again with the same dedup key.
 */
@Timeout(120)
class AlertRecoveryTest {
    @TempDir
    Path dir;

    @Test
    void shouldKeepRulesStatesSilencesAndUndeliveredNoticesAcrossARestart() throws Exception {
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(AlertRulesTest.T0);
        final Path data = dir.resolve("a");
        final String dedupKey;
        final String silenceId;
        try (EmbeddedStore store = EmbeddedStore.open(AlertRulesTest.config(data, clock, null))) {
            store.alerts().putRule(AlertRulesTest.latencyRule("kept", 0, List.of(AlertRulesTest.HOOK,
                new Target(TargetKind.SLACK, "https://hooks.example.com/x"))));
            silenceId = store.alerts().putSilence(Map.of("rule", "other"), 0, AlertRulesTest.T0 + 3_600_000, "c")
                .id();
            AlertRulesTest.calls(store, clock, AlertRulesTest.T0, 200, 10);
            final AlertTransition fired = store.alertEvaluator().tick(AlertRulesTest.T0 + 1).get(0);
            dedupKey = fired.notice().dedupKey();
            assertEquals(2, store.alerts().outboxSize(), "no sink: both deliveries wait");
        }
        final Path journalOnly = DataDirectories.copy(data, dir.resolve("b"));
        Files.delete(journalOnly.resolve(Snapshot.FILE));
        for (final Path d : List.of(data, journalOnly)) {
            final RecordingSink sink = new RecordingSink();
            try (EmbeddedStore store = EmbeddedStore.open(AlertRulesTest.config(d, clock, sink))) {
                final AlertStatus s = store.alerts().rule("kept");
                assertNotNull(s, d.toString());
                assertEquals(AlertState.FIRING, s.state());
                assertEquals(Severity.WARNING, s.severity());
                assertEquals(AlertRulesTest.T0 + 1, s.startsAtMs());
                assertEquals(silenceId, store.alerts().silences().get(0).id());
                assertEquals(1, store.alerts().history(10, null).size());
                store.alertEvaluator().tick(AlertRulesTest.T0 + 2);   // hands the outbox to the new sink
                assertEquals(2, sink.submitted.size(), d.toString());
                assertEquals(dedupKey, sink.submitted.get(0).notice().dedupKey());
                assertEquals(dedupKey, sink.submitted.get(1).notice().dedupKey());
                store.alerts().delivered(sink.submitted.get(0).deliveryId());
                store.alerts().abandoned(sink.submitted.get(1).deliveryId(), "410 Gone");
                assertTrue(store.flush(10, TimeUnit.SECONDS));
                assertEquals(0, store.alerts().outboxSize());
            }
            final RecordingSink again = new RecordingSink();
            try (EmbeddedStore store = EmbeddedStore.open(AlertRulesTest.config(d, clock, again))) {
                store.alertEvaluator().tick(AlertRulesTest.T0 + 3);
                assertTrue(again.submitted.isEmpty(), "an outcome journaled: not sent again");
                assertEquals(AlertState.FIRING, store.alerts().rule("kept").state());
            }
        }
    }

    @Test
    void shouldHandTheNoticeOfAKilledProcessToTheSinkAgainWithTheSameDedupKey() throws Exception {
        final Path data = dir.resolve("crash");
        final Process child = new ProcessBuilder(ChildJvm.command(AlertCrashChild.class, data.toString()))
            .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String dedupKey = null;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
            StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("FIRED ")) {
                    dedupKey = line.substring("FIRED ".length());
                    child.toHandle().destroyForcibly();   // SIGKILL: no outcome, no close, no snapshot
                    break;
                }
            }
        } finally {
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        }
        assertNotNull(dedupKey, "the child fired its rule");
        assertFalse(Files.exists(data.resolve(Snapshot.FILE)), "recovered from the journal alone");
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(AlertRulesTest.T0 + 10);
        final RecordingSink sink = new RecordingSink();
        try (EmbeddedStore store = EmbeddedStore.open(AlertRulesTest.config(data, clock, sink))) {
            assertEquals(AlertState.FIRING, store.alerts().rule("crash").state());
            store.alertEvaluator().tick(AlertRulesTest.T0 + 10);
            assertEquals(1, sink.submitted.size());
            assertEquals(dedupKey, sink.submitted.get(0).notice().dedupKey());
            assertTrue(sink.submitted.get(0).notice().firing());
        }
    }
}
