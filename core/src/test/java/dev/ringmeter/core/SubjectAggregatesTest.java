package dev.ringmeter.core;

import dev.ringmeter.CardinalityLimitException;
import dev.ringmeter.Event;
import dev.ringmeter.InvalidEventException;
import dev.ringmeter.Status;
import dev.ringmeter.core.aggregate.CallTotals;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.core.journal.JournalScan;
import dev.ringmeter.core.journal.Snapshot;
import dev.ringmeter.core.query.Series;
import dev.ringmeter.core.query.SeriesMetric;
import dev.ringmeter.core.query.Subject;
import dev.ringmeter.core.query.WindowStats;
import dev.ringmeter.wire.FieldNames;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Events that are not model calls, and the in-memory windows, series and totals of pipelines, pipeline steps, tools
 * and agents, on a durable store: against a journal scan over the same events, and across restarts.
 */
@Timeout(120)
class SubjectAggregatesTest {
    private static final long T0 = 1_760_000_400_000L;
    private static final int EVENTS = 6_000;

    @TempDir
    Path dir;

    private final CachedEpochClock clock = new CachedEpochClock();

    private StoreConfig config(final Path data) {
        return new StoreConfig().dataDirectory(data).clock(clock).shutdownHook(false)
            .fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK).journalBlockBytes(1 << 20);
    }

    /**
     * Records, 10 ms apart: model calls of step "generate" of pipeline "rag"; retrievals of step "retrieve" of
     * "rag", a tool call with no model; and the same step names in pipeline "qa", agent steps with no model.
     */
    private void record(final EmbeddedStore store, final int from, final int to) throws InterruptedException {
        final Event e = new Event();
        for (int i = from; i < to; i++) {
            clock.update(T0 + i * 10L);
            e.reset().timestampMs(T0 + i * 10L).latencyNs(1_000_000L + (i * 7919L) % 400_000_000L)
                .status(i % 13 == 0 ? Status.ERROR : Status.OK).quality("f1", (i % 10) / 10.0);
            switch (i % 3) {
                case 0:
                    e.model("gpt-4o").operation("chat").pipeline("rag").step("generate").promptTokens(100);
                    break;
                case 1:
                    e.operation("execute_tool").tool("web_search").pipeline("rag").step("retrieve");
                    break;
                default:
                    e.operation("invoke_agent").agent("planner").pipeline("qa").step("retrieve");
                    break;
            }
            store.record(e);
        }
        assertTrue(store.flush(30, TimeUnit.SECONDS));
    }

    @Test
    void shouldAcceptToolCallsAndPipelineStepsWithoutAModelAndAnswerPerSubjectFromMemory() throws Exception {
        clock.update(T0);
        try (EmbeddedStore store = EmbeddedStore.open(config(dir.resolve("data")))) {
            record(store, 0, EVENTS);
            final WindowStats s = new WindowStats();
            final long to = T0 + EVENTS * 10L;
            assertEquals(EVENTS / 3, store.aggregates().subjectWindow(Subject.tool("web_search"), T0, to, s).count());
            assertEquals(EVENTS / 3, store.aggregates().subjectWindow(Subject.agent("planner"), T0, to, s).count());
            assertEquals(2 * EVENTS / 3, store.aggregates().subjectWindow(Subject.pipeline("rag"), T0, to, s).count());
            assertEquals(EVENTS / 3,
                store.aggregates().subjectWindow(Subject.step("rag", "retrieve"), T0, to, s).count());
            assertEquals(EVENTS / 3,
                store.aggregates().subjectWindow(Subject.step("qa", "retrieve"), T0, to, s).count(),
                "a step is kept within its pipeline");
            assertEquals(0, store.aggregates().subjectWindow(Subject.step(null, "retrieve"), T0, to, s).count());
            assertEquals(EVENTS / 3, store.aggregates().window((String)null, T0, to, s).count(),
                "all models: the model calls only");
            assertEquals(List.of("gpt-4o"), store.aggregates().models());
            assertEquals(List.of(Subject.step("rag", "generate"), Subject.step("rag", "retrieve"),
                Subject.step("qa", "retrieve")), store.aggregates().subjects(Subject.Kind.STEP));

            final Series p95 = store.aggregates().series(Subject.step("rag", "retrieve"), SeriesMetric.parse("p95"),
                T0, to, 60_000);
            final Series f1 = store.aggregates().series(Subject.tool("web_search"), SeriesMetric.parse("quality:f1"),
                T0, to, 60_000);
            for (int i = 0; i < p95.size(); i++) {
                final long from = p95.startMs()[i];
                store.aggregates().subjectWindow(Subject.step("rag", "retrieve"), from, from + 60_000, s);
                assertEquals(s.latencyMs(95), p95.values()[i], 0, "point " + i);
                store.aggregates().subjectWindow(Subject.tool("web_search"), from, from + 60_000, s);
                assertEquals(s.qualityMean("f1"), f1.values()[i], 1e-12, "point " + i);
            }
            assertEquals("quality:f1", f1.metric());

            final SortedMap<Subject, CallTotals> tools = store.aggregates().totals(Subject.Kind.TOOL);
            assertEquals(EVENTS / 3, tools.get(Subject.tool("web_search")).requests());
            double sum = 0;
            for (int i = 1; i < EVENTS; i += 3) {
                sum += (i % 10) / 10.0;
            }
            assertEquals(sum, tools.get(Subject.tool("web_search")).quality().get("f1").sum(), 1e-6);
            assertEquals(EVENTS / 3, store.aggregates().totals().get("gpt-4o").quality().get("f1").count());
        }
    }

    @Test
    void shouldRefuseAnEventWithoutAModelUnlessItsOperationIsNotAModelCall() {
        clock.update(T0);
        try (EmbeddedStore store = EmbeddedStore.open(new StoreConfig().clock(clock).shutdownHook(false))) {
            for (final String op : new String[] {null, "chat", "text_completion", "embeddings", "generate_content"}) {
                final InvalidEventException e = assertThrows(InvalidEventException.class,
                    () -> store.record(new Event().operation(op).step("s").latencyMs(5)), String.valueOf(op));
                assertEquals(FieldNames.MODEL, e.field());
                assertTrue(e.getMessage().contains("required for a model call"), e.getMessage());
            }
            for (final String op : new String[] {"execute_tool", "invoke_agent", "pipeline_step", "task"}) {
                store.record(new Event().operation(op).latencyMs(5));
            }
        }
    }

    @Test
    void shouldGiveTheSameStepPercentileFromMemoryAsAJournalScan() throws Exception {
        clock.update(T0);
        try (EmbeddedStore store = EmbeddedStore.open(config(dir.resolve("data")))) {
            record(store, 0, EVENTS);
            final WindowStats memory = new WindowStats();
            for (final long[] w : new long[][] {{T0, T0 + 60_000}, {T0 + 13_000, T0 + 47_000}}) {
                store.aggregates().subjectWindow(Subject.step("rag", "retrieve"), w[0], w[1], memory);
                final Map<String, WindowStats> scan = new JournalScan(store).between(w[0], w[1])
                    .where(Dimension.PIPELINE, "rag").where(Dimension.STEP, "retrieve").run();
                final WindowStats journal = scan.values().iterator().next();
                assertEquals(journal.count(), memory.count());
                assertTrue(memory.count() > 1_000, "enough events: " + memory.count());
                for (final double p : new double[] {50, 95, 99}) {
                    // both are HdrHistograms of 2 significant digits over the same values: within 1 % of each other
                    assertEquals(journal.latencyMs(p), memory.latencyMs(p), journal.latencyMs(p) * 0.01, "p" + p);
                }
                assertEquals(journal.errorCount(), memory.errorCount());
            }
        }
    }

    @Test
    void shouldKeepSubjectsAcrossARestartFromTheSnapshotAndFromTheJournal() throws Exception {
        clock.update(T0);
        final Path data = dir.resolve("data");
        final long to = T0 + EVENTS * 10L;
        final WindowStats before = new WindowStats();
        try (EmbeddedStore store = EmbeddedStore.open(config(data))) {
            record(store, 0, EVENTS);
            store.aggregates().subjectWindow(Subject.step("rag", "retrieve"), T0, to, before);
        }
        try (EmbeddedStore fromSnapshot = EmbeddedStore.open(config(data))) {
            assertTrue(fromSnapshot.recovery().snapshotLoaded());
            assertEquals(0, fromSnapshot.recovery().replayedRecords());
            assertSame(before, fromSnapshot);
            record(fromSnapshot, EVENTS, EVENTS + 3);   // a new pipeline step after the restart gets its own id
        }
        Files.delete(data.resolve(Snapshot.FILE));
        try (EmbeddedStore fromJournal = EmbeddedStore.open(config(data))) {
            assertFalse(fromJournal.recovery().snapshotLoaded());
            final WindowStats after = new WindowStats();
            fromJournal.aggregates().subjectWindow(Subject.step("rag", "retrieve"), T0, to, after);
            assertEquals(before.count(), after.count());
            assertEquals(before.latencyMs(95), after.latencyMs(95));
            assertEquals(EVENTS / 3 + 1,
                fromJournal.aggregates().totals(Subject.Kind.TOOL).get(Subject.tool("web_search")).requests());
        }
    }

    private static void assertSame(final WindowStats before, final EmbeddedStore store) {
        final WindowStats after = new WindowStats();
        store.aggregates().subjectWindow(Subject.step("rag", "retrieve"), before.fromMs(), before.toMs(), after);
        assertEquals(before.count(), after.count());
        assertEquals(before.latencyMs(95), after.latencyMs(95));
        assertEquals(before.errorCount(), after.errorCount());
        assertEquals(EVENTS / 3,
            store.aggregates().totals(Subject.Kind.TOOL).get(Subject.tool("web_search")).requests());
        assertEquals(EVENTS / 3, store.aggregates().totals(Subject.Kind.STEP).get(Subject.step("qa", "retrieve"))
            .quality().get("f1").count());
    }

    @Test
    void shouldRefusePipelineStepsPastTheStepLimit() throws InterruptedException {
        clock.update(T0);
        try (EmbeddedStore store = EmbeddedStore.open(new StoreConfig().clock(clock).shutdownHook(false)
            .cardinalityLimit(Dimension.STEP, 2))) {
            store.record(new Event().operation("pipeline_step").pipeline("rag").step("retrieve").latencyMs(1));
            store.record(new Event().operation("pipeline_step").pipeline("qa").step("retrieve").latencyMs(1));
            final CardinalityLimitException refused = assertThrows(CardinalityLimitException.class, () ->
                store.record(new Event().operation("pipeline_step").pipeline("etl").step("retrieve").latencyMs(1)));
            assertEquals(FieldNames.STEP, refused.field());
            assertTrue(refused.getMessage().contains("2 pipeline steps"), refused.getMessage());
            store.record(new Event().operation("pipeline_step").pipeline("rag").step("retrieve").latencyMs(1));
            assertTrue(store.flush(10, TimeUnit.SECONDS));
            assertEquals(2, store.aggregates().subjects(Subject.Kind.STEP).size());
            assertFalse(store.aggregates().totals(Subject.Kind.PIPELINE).containsKey(Subject.pipeline("etl")),
                "the refused event counts nowhere");
        }
    }
}
