package dev.ringmeter.core.watch;

import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.journal.Snapshot;
import dev.ringmeter.core.query.Subject;
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
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static dev.ringmeter.core.watch.AnomalyWorkload.minute;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The store's anomaly watch on a real store with a fixed clock, ticked by hand: a latency shift opens an anomaly at
 * its first minute and ends it when the latency returns; steady noise opens none; the anomalies survive a close
 * and reopen, with and without the snapshot; after a SIGKILL with one open, the reopened store continues it while
 * the primed detector still sees it, and ends it once it does not.
 */
@Timeout(120)
class AnomalyWatchTest {
    private static final Subject M = Subject.model("m");
    private static final AnomalyLog.Query ALL = new AnomalyLog.Query(null, null, 0, 0, false, 100);

    @TempDir
    Path dir;

    /** Steady minutes [0, shiftAt), ×3 for [shiftAt, backAt), steady again to {@code end}. */
    private static void run(final EmbeddedStore store, final CachedEpochClock clock, final int shiftAt,
                            final int backAt, final int end) throws InterruptedException {
        final SplittableRandom random = new SplittableRandom(13);
        for (int i = 0; i < end; i++) {
            minute(store, clock, random, i, i >= shiftAt && i < backAt ? 3 : 1);
            if (i == shiftAt) {
                final Anomaly open = store.anomalyView().open(M, "p95");
                assertNotNull(open, "a tripled P95 is an anomaly at its first minute");
                assertEquals(minute(shiftAt), open.startMs());
                assertTrue(open.open());
            }
        }
    }

    private static Anomaly onlyP95(final EmbeddedStore store) {
        final List<Anomaly> p95 = store.anomalies(new AnomalyLog.Query("m", "p95", 0, 0, false, 100));
        assertEquals(1, p95.size(), p95.toString());
        return p95.get(0);
    }

    @Test
    void shouldOpenAnAnomalyAtAShiftAndEndItWhenTheLatencyReturns() throws Exception {
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(minute(0));
        try (EmbeddedStore store = EmbeddedStore.open(AnomalyWorkload.config(null, clock))) {
            run(store, clock, 70, 80, 85);
            final Anomaly a = onlyP95(store);
            assertEquals(minute(70), a.startMs());
            assertEquals(minute(80), a.endMs(), "ended at the first minute back");
            assertEquals(AnomalyDetector.Kind.SHIFT, a.kind(), "ten minutes out is a shift");
            assertEquals(1000, a.expected(), 100);
            assertTrue(a.observed() > 2500 && a.score() > 6, a.toString());
            assertNull(store.anomalyView().open(M, "p95"));
            assertEquals(List.of("p95", "p99"), store.anomalies(ALL).stream().map(Anomaly::metric).sorted().toList(),
                "only the latency moved: no error rate, cost or tokens/s anomaly");
            assertEquals(List.of(), store.anomalies(new AnomalyLog.Query("m", "p95", minute(80), 0, false, 10)),
                "an anomaly that ended at 80 does not overlap [80, ...)");
            assertEquals(List.of(), store.anomalies(new AnomalyLog.Query("other", null, 0, 0, false, 10)));
            assertEquals(List.of(), store.anomalies(new AnomalyLog.Query(null, null, 0, 0, true, 10)));
        }
    }

    @Test
    void shouldOpenNoAnomalyOnSteadyNoise() throws Exception {
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(minute(0));
        try (EmbeddedStore store = EmbeddedStore.open(AnomalyWorkload.config(null, clock))) {
            run(store, clock, Integer.MAX_VALUE, Integer.MAX_VALUE, 88);
            assertEquals(List.of(), store.anomalies(ALL));
            assertEquals(1, store.aggregates().models().size());
        }
    }

    @Test
    void shouldKeepTheAnomaliesOverACloseWithAndWithoutTheSnapshot() throws Exception {
        final Path data = dir.resolve("data");
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(minute(0));
        final List<Anomaly> before;
        try (EmbeddedStore store = EmbeddedStore.open(AnomalyWorkload.config(data, clock))) {
            run(store, clock, 70, 80, 82);
            before = store.anomalies(ALL);
            assertEquals(2, before.size(), before.toString());
        }
        final Path withoutSnapshot = DataDirectories.copy(data, dir.resolve("without-snapshot"));
        Files.delete(withoutSnapshot.resolve(Snapshot.FILE));
        try (EmbeddedStore store = EmbeddedStore.open(AnomalyWorkload.config(data, clock))) {
            assertTrue(store.recovery().snapshotLoaded());
            assertEquals(before, store.anomalies(ALL), "from the snapshot");
        }
        try (EmbeddedStore store = EmbeddedStore.open(AnomalyWorkload.config(withoutSnapshot, clock))) {
            assertTrue(!store.recovery().snapshotLoaded());
            assertEquals(before, store.anomalies(ALL), "replayed from the journal");
        }
    }

    @Test
    void shouldKeepOnlyTheMostAnomaliesDroppingTheOldestEndedFirst() {
        final AnomalyLog log = new AnomalyLog(2);
        log.put(new Anomaly(1, M, "p95", AnomalyDetector.Kind.SPIKE, minute(1), 0, 1, 2, 7));
        log.put(new Anomaly(2, M, "p99", AnomalyDetector.Kind.SPIKE, minute(2), minute(3), 1, 2, 7));
        log.put(new Anomaly(3, M, "ttft_p95", AnomalyDetector.Kind.SPIKE, minute(4), minute(5), 1, 2, 7));
        assertEquals(List.of(3L, 1L), log.list(ALL).stream().map(Anomaly::id).toList(),
            "the oldest ended one went, the open one stayed");
        assertNotNull(log.open(M, "p95"));
        assertThrows(IllegalArgumentException.class, () -> new AnomalyLog.Query(null, null, 5, 5, false, 1));
        assertThrows(IllegalArgumentException.class, () -> new AnomalyLog.Query(null, null, 0, 0, false, 0));
    }

    @Test
    void shouldContinueOrEndAnAnomalyOpenAtAKillAsThePrimedDetectorSeesIt() throws Exception {
        final Path data = dir.resolve("data");
        final Path errors = dir.resolve("child.err");
        final Process child = new ProcessBuilder(ChildJvm.command(AnomalyCrashChild.class, data.toString()))
            .redirectError(errors.toFile()).start();
        final List<String> lines = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
            StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                lines.add(line);
                if (line.startsWith("OPEN ") || line.equals("NONE")) {
                    child.toHandle().destroyForcibly();   // SIGKILL: no close, no last snapshot
                    break;
                }
            }
        } finally {
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        }
        assertTrue(!lines.isEmpty() && lines.get(lines.size() - 1).startsWith("OPEN "),
            lines + " " + Files.readString(errors, StandardCharsets.UTF_8));
        final String[] open = lines.get(lines.size() - 1).split(" ");
        final long id = Long.parseLong(open[1]);
        assertEquals(minute(AnomalyCrashChild.STEADY), Long.parseLong(open[2]));
        final int last = AnomalyCrashChild.STEADY + AnomalyCrashChild.SHIFTED - 1;
        final Path ended = DataDirectories.copy(data, dir.resolve("ended"));

        // reopened where it stopped: the primed detector is still in the anomaly, so it goes on, then ends
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(AnomalyWorkload.closedAt(last));
        try (EmbeddedStore store = EmbeddedStore.open(AnomalyWorkload.config(data, clock))) {
            assertEquals(id, store.anomalyView().open(M, "p95").id(), "journaled before the kill");
            AnomalyWorkload.tick(store);
            assertEquals(id, store.anomalyView().open(M, "p95").id(), "continued after priming");
            final SplittableRandom random = new SplittableRandom(99);
            AnomalyWorkload.minute(store, clock, random, last + 1, 3);
            assertEquals(id, store.anomalyView().open(M, "p95").id());
            AnomalyWorkload.minute(store, clock, random, last + 2, 1);
            final Anomaly a = onlyP95(store);
            assertEquals(id, a.id());
            assertEquals(minute(AnomalyCrashChild.STEADY), a.startMs());
            assertEquals(minute(last + 2), a.endMs());
        }

        // reopened after the latency came back: the primed detector ended it at the first minute back
        clock.update(AnomalyWorkload.closedAt(last + 2));
        try (EmbeddedStore store = EmbeddedStore.open(AnomalyWorkload.config(ended, clock))) {
            final SplittableRandom random = new SplittableRandom(99);
            assertTrue(store.record(new dev.ringmeter.Event().model("m").latencyMs(1000)
                .timestampMs(minute(last + 1))));
            for (int j = 0; j < 20; j++) {
                assertTrue(store.record(new dev.ringmeter.Event().model("m").status(dev.ringmeter.Status.OK)
                    .latencyMs((long)(1000 * (1 + 0.01 * random.nextDouble()))).timestampMs(minute(last + 2) + j)));
            }
            assertTrue(store.flush(10, TimeUnit.SECONDS));
            assertEquals(id, store.anomalyView().open(M, "p95").id());
            AnomalyWorkload.tick(store);
            assertNull(store.anomalyView().open(M, "p95"), "the primed detector no longer sees it");
            final Anomaly a = onlyP95(store);
            assertEquals(id, a.id());
            assertEquals(minute(last + 1), a.endMs(), "ended at the first minute back within bounds");
        }
    }
}
