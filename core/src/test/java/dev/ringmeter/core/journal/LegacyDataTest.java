package dev.ringmeter.core.journal;

import dev.ringmeter.Event;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.query.Subject;
import dev.ringmeter.core.query.WindowStats;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Data directories written by earlier formats open, with and without their snapshots, keep working, and are
 * upgraded to the current format. Two fixtures, each made by the store of its time, hold the same events.
 * <p>
 * legacy-dict-v1: written before ids were released (journal records of version 1, a snapshot of version 2).
 * The fixture: at 2026-01-01T00:00:01Z a price for gpt-a, six events (gpt-a and gpt-b, runs run-1..3, tag env=prod,
 * the last an error) and a metric sample, then a close (snapshot); at 00:01:00 four more events (gpt-a and gpt-c,
 * runs run-1 and run-4, the last tagged env=dev), journaled after the snapshot. It has no FORMAT file: data format 1,
 * upgraded to the current one as it opens.
 * <p>
 * legacy-format-2: data format 2 (journal records of version 3 with document checksums, a snapshot of version 3),
 * written before events had a provider, tool, agent or token parts; the same events, and two quality scores
 * (accuracy 0.5 and 1.0 on gpt-a), the last four journaled after the snapshot by a store that was never closed.
 * <p>
 * legacy-format-3: data format 3 (journal records of version 4, a snapshot of version 5), written before the store
 * kept watch state (anomalies, alert rules); the same events, now with provider, token parts and a pipeline step,
 * and a run {@code fx-run} (created with parameters, one tool call of its own, completed), the last four journaled
 * after the snapshot by a store that was never closed.
 */
@Timeout(60)
class LegacyDataTest {
    private static final long T = 1_767_225_600_000L;

    @TempDir
    Path dir;

    private final CachedEpochClock clock = new CachedEpochClock();

    private StoreConfig config() {
        return new StoreConfig().dataDirectory(dir).clock(clock).shutdownHook(false)
            .fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK).journalBlockBytes(128 << 10);
    }

    private void copyFixture() throws IOException, URISyntaxException {
        copyFixture("/legacy-dict-v1");
    }

    private void copyFixture(final String name) throws IOException, URISyntaxException {
        copyFixture(name, dir);
    }

    /**
     * @param name of a fixture directory among the test resources, e.g. {@code /legacy-format-2}.
     * @param dir  to copy it into.
     */
    static void copyFixture(final String name, final Path dir) throws IOException, URISyntaxException {
        final Path fixture = Path.of(LegacyDataTest.class.getResource(name).toURI());
        try (Stream<Path> files = Files.walk(fixture)) {
            for (final Path p : (Iterable<Path>)files::iterator) {
                final Path target = dir.resolve(fixture.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /** @param extraRun1 events recorded since the fixture, each gpt-a, run-1, env=prod. */
    private static void assertFixture(final EmbeddedStore store, final long extraRun1) {
        assertFixture(store, extraRun1, Map.of());
    }

    /**
     * @param extraRun1 events recorded since the fixture, each gpt-a, run-1, env=prod.
     * @param otherRuns events of runs beyond run-1..4 (untagged), by run.
     */
    private static void assertFixture(final EmbeddedStore store, final long extraRun1,
                                      final Map<String, Long> otherRuns) {
        final WindowStats s = store.aggregates().newWindowStats();
        assertEquals(List.of("gpt-a", "gpt-b", "gpt-c"), store.aggregates().models());
        assertEquals(5 + extraRun1, store.aggregates().window("gpt-a", T, T + 180_000, s).count());
        assertEquals(3, store.aggregates().window("gpt-b", T, T + 180_000, s).count());
        assertEquals(1, s.errorCount());
        assertEquals(2, store.aggregates().window("gpt-c", T, T + 180_000, s).count());
        assertArrayEquals(new double[] {1.0, 2.0}, store.aggregates().price("gpt-a"));
        assertEquals(List.of("queue.depth"), store.aggregates().metricNames());
        assertEquals("run-4", store.aggregates().recent("gpt-c", 1).get(0).run());
        assertEquals("task-x", store.aggregates().recent("gpt-b", 1).get(0).task());
        final Map<String, Long> runs = new java.util.HashMap<>(otherRuns);
        runs.putAll(Map.of("run-1", 4L + extraRun1, "run-2", 2L, "run-3", 2L, "run-4", 2L));
        assertEquals(runs, SelfSufficientJournalTest.counts(new JournalScan(store).between(T, T + 3_600_000)
                .groupBy(JournalScan.GroupBy.RUN).run()));
        final Map<String, Long> env = new java.util.HashMap<>(Map.of("prod", 9L + extraRun1, "dev", 1L));
        final long untagged = otherRuns.values().stream().mapToLong(Long::longValue).sum();
        if (untagged > 0) {
            env.put("", untagged);
        }
        assertEquals(env, SelfSufficientJournalTest.counts(new JournalScan(store)
            .between(T, T + 3_600_000).groupByTag("env").run()));
    }

    @Test
    void opensWithItsVersion2SnapshotReplaysVersion1RecordsAndKeepsWorking() throws Exception {
        copyFixture();
        clock.update(T + 120_000);
        try (EmbeddedStore store = EmbeddedStore.open(config())) {
            assertTrue(store.recovery().snapshotLoaded());
            assertEquals(7, store.recovery().replayedRecords(), "the tail: 4 events, 3 DICT records of new values");
            assertFixture(store, 0);
            store.record(new Event().model("gpt-a").run("run-1").tag("env", "prod").latencyMs(3)
                .timestampMs(T + 120_000));
            assertTrue(store.flush(10, TimeUnit.SECONDS));
            assertFixture(store, 1);
        }
        try (EmbeddedStore store = EmbeddedStore.open(config())) {
            assertTrue(store.recovery().snapshotLoaded());
            assertFixture(store, 1);
        }
        Files.delete(dir.resolve(Snapshot.FILE));
        try (EmbeddedStore store = EmbeddedStore.open(config())) {
            assertFalse(store.recovery().snapshotLoaded(), "versions 1 and 2 replayed from one cycle file");
            assertFixture(store, 1);
        }
    }

    @Test
    void opensAsThePreviousFormatAndIsUpgradedToTheCurrentOne() throws Exception {
        copyFixture();
        assertFalse(Files.exists(dir.resolve("FORMAT")), "the previous format has no FORMAT file");
        clock.update(T + 120_000);
        try (EmbeddedStore store = EmbeddedStore.open(config())) {
            assertFixture(store, 0);
        }
        assertEquals("ringmeter-data " + FormatVersion.DATA + "\n", Files.readString(dir.resolve("FORMAT")));
        try (EmbeddedStore store = EmbeddedStore.open(config())) {
            assertFixture(store, 0);
        }
    }

    @Test
    void replaysAVersion1JournalWithoutItsSnapshot() throws Exception {
        copyFixture();
        Files.delete(dir.resolve(Snapshot.FILE));
        clock.update(T + 120_000);
        try (EmbeddedStore store = EmbeddedStore.open(config())) {
            assertFalse(store.recovery().snapshotLoaded());
            assertFixture(store, 0);
        }
    }

    @Test
    void opensFormat2WithItsVersion3SnapshotUpgradesAndTakesTheNewFields() throws Exception {
        copyFixture("/legacy-format-2");
        assertEquals("ringmeter-data 2", Files.readString(dir.resolve("FORMAT")).strip());
        clock.update(T + 120_000);
        try (EmbeddedStore store = EmbeddedStore.open(config())) {
            assertTrue(store.recovery().snapshotLoaded(), "a version-3 snapshot is read");
            assertFixture(store, 0);
            final WindowStats s = store.aggregates().window("gpt-a", T, T + 180_000,
                store.aggregates().newWindowStats());
            final WindowStats.QualityScore accuracy = s.qualityScores().get("accuracy");
            assertEquals(2, accuracy.count());
            assertEquals(0.75, accuracy.mean(), 1e-12);
            assertEquals(0.0, s.reasoningTokens(), "no token parts before version 4");
            assertEquals("ringmeter-data " + FormatVersion.DATA, Files.readString(dir.resolve("FORMAT")).strip());
            store.record(new Event().model("gpt-a").run("run-1").tag("env", "prod").latencyMs(3)
                .timestampMs(T + 120_000).provider("openai").tool("search").agent("planner")
                .promptTokens(100).cachedTokens(60).cacheWriteTokens(10).completionTokens(50).reasoningTokens(20));
            assertTrue(store.flush(10, TimeUnit.SECONDS));
            assertFixture(store, 1);
        }
        for (final boolean withSnapshot : new boolean[] {true, false}) {
            if (!withSnapshot) {
                Files.delete(dir.resolve(Snapshot.FILE));
            }
            try (EmbeddedStore store = EmbeddedStore.open(config())) {
                assertEquals(withSnapshot, store.recovery().snapshotLoaded());
                assertFixture(store, 1);
                final Event newest = store.aggregates().recent("gpt-a", 1).get(0);
                assertEquals(List.of("openai", "search", "planner", 60L, 10L, 20L), List.of(newest.provider(),
                    newest.tool(), newest.agent(), newest.cachedTokens(), newest.cacheWriteTokens(),
                    newest.reasoningTokens()), withSnapshot ? "from the version-4 snapshot" : "from the journal");
                final WindowStats s = store.aggregates().window("gpt-a", T, T + 180_000,
                    store.aggregates().newWindowStats());
                assertEquals(List.of(60L, 10L, 20L), List.of(s.cachedTokens(), s.cacheWriteTokens(),
                    s.reasoningTokens()));
                assertEquals(Map.of("", 10L, "openai", 1L), SelfSufficientJournalTest.counts(new JournalScan(store)
                    .between(T, T + 3_600_000).groupBy(JournalScan.GroupBy.PROVIDER).run()),
                    "a scan reads records of versions 3 and 4 in one cycle");
            }
        }
    }

    @Test
    void opensFormat3WithItsVersion5SnapshotUpgradesAndKeepsItsRuns() throws Exception {
        copyFixture("/legacy-format-3");
        assertEquals("ringmeter-data 3", Files.readString(dir.resolve("FORMAT")).strip());
        clock.update(T + 120_000);
        final Map<String, Long> fxRun = Map.of("fx-run", 1L);
        try (EmbeddedStore store = EmbeddedStore.open(config())) {
            assertTrue(store.recovery().snapshotLoaded(), "a version-5 snapshot is read");
            assertFixture(store, 0, fxRun);
            assertFormat3Content(store, 0);
            assertEquals("ringmeter-data " + FormatVersion.DATA, Files.readString(dir.resolve("FORMAT")).strip());
            store.record(new Event().model("gpt-a").run("run-1").tag("env", "prod").latencyMs(3)
                .timestampMs(T + 120_000));
            assertTrue(store.flush(10, TimeUnit.SECONDS));
        }
        for (final boolean withSnapshot : new boolean[] {true, false}) {
            if (!withSnapshot) {
                Files.delete(dir.resolve(Snapshot.FILE));
            }
            try (EmbeddedStore store = EmbeddedStore.open(config())) {
                assertEquals(withSnapshot, store.recovery().snapshotLoaded(),
                    withSnapshot ? "the snapshot written as the upgraded store closed" : "journal records of version 4");
                assertFixture(store, 1, fxRun);
                assertFormat3Content(store, 1);
            }
        }
    }

    /**
     * What legacy-format-3 holds beyond the events the fixtures share.
     *
     * @param extra events recorded since the fixture, without a provider.
     */
    private static void assertFormat3Content(final EmbeddedStore store, final long extra) {
        final dev.ringmeter.core.run.RunSummary run = store.runs().get("fx-run");
        assertEquals(dev.ringmeter.core.run.RunStatus.COMPLETED, run.status());
        assertEquals(Map.of("temperature", 0.2, "prompt", "v3"), run.parameters());
        assertEquals(1, run.events());
        final WindowStats s = store.aggregates().window("gpt-a", T, T + 180_000, store.aggregates().newWindowStats());
        assertEquals(3 * 40L, s.cachedTokens(), "the token parts of the three gpt-a events before the snapshot");
        assertEquals(1, store.aggregates().subjectWindow(Subject.step("rag", "retrieve"), T, T + 180_000,
            store.aggregates().newWindowStats()).count());
        assertEquals(Map.of("openai", 6L, "anthropic", 4L, "", 1L + extra), SelfSufficientJournalTest.counts(
            new JournalScan(store).between(T, T + 3_600_000).groupBy(JournalScan.GroupBy.PROVIDER).run()));
    }
}
