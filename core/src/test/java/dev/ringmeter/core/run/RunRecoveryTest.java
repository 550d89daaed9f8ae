package dev.ringmeter.core.run;

import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.test.RunWorkload;
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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs survive a restart: from the snapshot and from the journal alone they come back with the same summaries, and
 * a run still open when its process was killed with SIGKILL comes back interrupted, with every acknowledged event
 * counted.
 */
@Timeout(120)
class RunRecoveryTest {
    @TempDir
    Path dir;

    private static StoreConfig config(final Path data, final CachedEpochClock clock) {
        return new StoreConfig().dataDirectory(data).clock(clock).shutdownHook(false).journalBlockBytes(1 << 20)
            .fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK);
    }

    @Test
    void shouldComeBackWithTheSameSummariesFromTheSnapshotAndFromTheJournalAlone() throws Exception {
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(RunLifecycleTest.T0);
        final Path data = dir.resolve("a");
        try (EmbeddedStore store = EmbeddedStore.open(config(data, clock))) {
            store.runs().create("done", "finished run", Map.of("model", "m", "k", 3), List.of("x"), 40);
            store.runs().create("open", "open run", null, null, -1);
            new RunWorkload().record(store, "done", 0, 40, 5);
            new RunWorkload().record(store, "open", 0, 25, 3);
            assertTrue(store.flush(10, TimeUnit.SECONDS));
            clock.update(RunLifecycleTest.T0 + 10_000);
            store.runs().finish("done", RunStatus.COMPLETED, null);
            store.runs().update("open", "renamed", null, null, 99);
        }
        final Path journalOnly = DataDirectories.copy(data, dir.resolve("b"));
        Files.delete(journalOnly.resolve(Snapshot.FILE));
        clock.update(RunLifecycleTest.T0 + 20_000);
        try (EmbeddedStore fromSnapshot = EmbeddedStore.open(config(data, clock));
             EmbeddedStore fromJournal = EmbeddedStore.open(config(journalOnly, clock))) {
            assertTrue(fromSnapshot.recovery().snapshotLoaded());
            assertTrue(!fromJournal.recovery().snapshotLoaded());
            for (final String id : List.of("done", "open")) {
                assertEquals(fromJournal.runs().get(id), fromSnapshot.runs().get(id), id);
            }
            final RunSummary open = fromSnapshot.runs().get("open");
            assertEquals(RunStatus.INTERRUPTED, open.status(), "open when its store closed: interrupted at open");
            assertEquals("renamed", open.name());
            assertEquals(25, open.tasks().done());
            assertEquals(RunStatus.COMPLETED, fromSnapshot.runs().get("done").status());
            assertEquals(40, fromSnapshot.runs().get("done").tasks().done());
        }
    }

    @Test
    void shouldRecoverARunKilledMidwayAsInterruptedWithEveryAcknowledgedEvent() throws Exception {
        final Path data = dir.resolve("crash");
        final Process child = new ProcessBuilder(ChildJvm.command(RunCrashChild.class, data.toString()))
            .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        long ackedTasks = 0;
        long ackedEvents = 0;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
            StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("ACK ")) {
                    final String[] parts = line.split(" ");
                    ackedTasks = Long.parseLong(parts[1]);
                    ackedEvents = Long.parseLong(parts[2]);
                    if (ackedTasks >= 500) {
                        child.toHandle().destroyForcibly();   // SIGKILL: no close, no snapshot
                        break;
                    }
                }
            }
        } finally {
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        }
        assertTrue(ackedTasks >= 500, "the child acknowledged " + ackedTasks + " tasks");
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(System.currentTimeMillis());
        final RunSummary s;
        try (EmbeddedStore store = EmbeddedStore.open(config(data, clock))) {
            s = store.runs().get("crash");
        }
        assertEquals(RunStatus.INTERRUPTED, s.status());
        assertTrue(s.events() >= ackedEvents, s.events() + " events counted, " + ackedEvents + " acknowledged");
        assertTrue(s.tasks().done() >= ackedTasks, s.tasks().done() + " tasks, " + ackedTasks + " acknowledged");
        // a task's event follows its two calls: the journal holds whole tasks and at most two calls of the next
        assertTrue(s.events() >= 3 * s.tasks().done() && s.events() <= 3 * s.tasks().done() + 2, s.toString());
        try (EmbeddedStore again = EmbeddedStore.open(config(data, clock))) {
            assertEquals(s.events(), again.runs().get("crash").events());
            assertEquals(RunStatus.INTERRUPTED, again.runs().get("crash").status(), "journaled: it stays so");
        }
    }
}
