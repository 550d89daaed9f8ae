package dev.ringmeter.core.run;

import dev.ringmeter.Event;
import dev.ringmeter.Status;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.test.RunWorkload;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A run's lifecycle through a real in-memory store: created with typed parameters, counted from the events that
 * carry its id, updated and finished; each figure of its summary against the test's own sums.
 */
@Timeout(60)
class RunLifecycleTest {
    static final long T0 = 1_700_000_000_000L;

    private static EmbeddedStore open(final CachedEpochClock clock, final StoreConfig config) {
        return EmbeddedStore.open(config.clock(clock).fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK));
    }

    @Test
    void shouldSummariseACreatedRunWithTheFiguresOfItsEvents() throws Exception {
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(T0);
        try (EmbeddedStore store = open(clock, new StoreConfig())) {
            final RunSummary created = store.runs().create("eval-1", "nightly eval",
                Map.of("temperature", 0.7, "promptVersion", "v3", "maxTokens", 512, "cot", true), List.of("nightly"),
                200);
            assertEquals(RunStatus.RUNNING, created.status());
            assertEquals(0.7, created.parameters().get("temperature"));
            assertEquals(512L, created.parameters().get("maxTokens"));
            assertEquals(Boolean.TRUE, created.parameters().get("cot"));
            assertEquals("v3", created.parameters().get("promptVersion"));

            final RunWorkload w = new RunWorkload().record(store, "eval-1", 0, 100, 4);
            store.record(new Event().model("m").run("not-created").operation("task").task("x").latencyMs(1));
            assertTrue(store.flush(10, TimeUnit.SECONDS));
            clock.update(T0 + 50_000);

            final RunSummary s = store.runs().get("eval-1");
            assertEquals(w.events, s.events());
            assertEquals(w.ok, s.byStatus().get("ok"));
            assertEquals(w.errors, s.byStatus().get("error"));
            assertEquals(Map.of("bad_json", w.errors), s.byErrorType());
            assertEquals(w.calls, s.latency().count());
            assertEquals(w.latencyNsSum / 1e6 / w.calls, s.latency().meanMs(), 1e-9);
            assertEquals(50.0, s.latency().maxMs(), 1e-9);
            assertEquals(w.promptTokens, s.tokens().prompt());
            assertEquals(w.completionTokens, s.tokens().completion());
            assertEquals(w.cachedTokens, s.tokens().cached());
            assertEquals(w.reasoningTokens, s.tokens().reasoning());
            assertEquals(w.costUsd, s.cost().usd(), 1e-12);
            assertEquals(w.costUnknown, s.cost().unknownEvents());
            assertTrue(w.costUnknown > 0, "the workload leaves some costs unknown");
            assertTrue(Double.isNaN(s.cost().perSuccessfulTaskUsd()), "no cost per task from a partial sum");
            assertEquals(w.retries, s.retries());
            assertEquals(100, s.tasks().done());
            assertEquals(w.tasksSucceeded, s.tasks().succeeded());
            assertEquals(75, w.tasksSucceeded);
            assertEquals(w.firstTimeRight, s.tasks().firstTimeRight());
            assertEquals((double)w.firstTimeRight / 100, s.tasks().firstTimeRightRate(), 1e-12);
            assertEquals((double)w.taskRetries / 100, s.tasks().debuggingCycles(), 1e-12);
            assertEquals(w.qualityCount, s.quality().get("accuracy").count());
            assertEquals(w.qualitySum / w.qualityCount, s.quality().get("accuracy").mean(), 1e-12);
            assertEquals(w.retrieveCount, s.steps().get("retrieve").count());
            assertEquals(w.retrieveNsSum / 1e6 / w.retrieveCount, s.steps().get("retrieve").meanMs(), 1e-9);
            // progress: 100 of 200 tasks in 50 s, every one of them (stamped at T0) outside the last minute? no:
            // the events carry no time, so they were stamped T0, within the minute before T0 + 50 s
            assertEquals(100, s.progress().done());
            assertEquals(200, s.progress().expected());
            assertEquals(0.5, s.progress().fraction(), 1e-12);
            assertEquals(100 / 60.0, s.progress().tasksPerSecondLastMinute(), 1e-12);
            assertEquals(100 / 50.0, s.progress().tasksPerSecondOverall(), 1e-12);
            assertEquals((long)Math.ceil(100 * 1e3 / (100 / 60.0)), s.progress().etaMs());

            final RunSummary updated = store.runs().update("eval-1", "nightly eval 2", Map.of("temperature", 0.2),
                List.of("nightly", "rerun"), 300);
            assertEquals("nightly eval 2", updated.name());
            assertEquals(0.2, updated.parameters().get("temperature"));
            assertEquals("v3", updated.parameters().get("promptVersion"), "parameters are merged");
            assertEquals(300, updated.progress().expected());

            final RunSummary finished = store.runs().finish("eval-1", RunStatus.COMPLETED, "all done");
            assertEquals(RunStatus.COMPLETED, finished.status());
            assertEquals("all done", finished.reason());
            assertEquals(T0 + 50_000, finished.finishedAtMs());
            assertEquals(-1, finished.progress().etaMs());
        }
    }

    @Test
    void shouldGiveTheCostPerSuccessfulTaskOnceEveryCostIsKnownCountingToolCallsWithoutAModelAsFree()
        throws Exception {
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(T0);
        try (EmbeddedStore store = open(clock, new StoreConfig())) {
            store.runs().create("priced", "priced", Map.of(), List.of(), 3);
            for (int t = 0; t < 3; t++) {
                store.record(new Event().model("m").operation("chat").run("priced").task("t" + t).latencyMs(5)
                    .costUsd(0.01 * (t + 1)));
                store.record(new Event().operation("execute_tool").tool("search").run("priced").task("t" + t)
                    .latencyMs(2));   // no model, no cost given: it costs nothing, it is not unknown
                store.record(new Event().operation("task").run("priced").task("t" + t).latencyMs(9)
                    .status(t == 2 ? Status.ERROR : Status.OK));
            }
            assertTrue(store.flush(10, TimeUnit.SECONDS));
            final RunSummary s = store.runs().get("priced");
            assertEquals(0, s.cost().unknownEvents());
            assertEquals(0.06, s.cost().usd(), 1e-12);
            assertEquals(0.06 / 2, s.cost().perSuccessfulTaskUsd(), 1e-12, "two tasks succeeded");
        }
    }

    @Test
    void shouldCountOnlyTheEventsRecordedAfterTheRunWasCreated() throws Exception {
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(T0);
        try (EmbeddedStore store = open(clock, new StoreConfig())) {
            new RunWorkload().record(store, "late", 0, 10, 0);
            assertTrue(store.flush(10, TimeUnit.SECONDS));
            store.runs().create("late", null, null, null, RunCommand.NO_COUNT);
            final RunWorkload after = new RunWorkload().record(store, "late", 10, 15, 0);
            assertTrue(store.flush(10, TimeUnit.SECONDS));
            final RunSummary s = store.runs().get("late");
            assertEquals(after.events, s.events());
            assertEquals(5, s.tasks().done());
            assertEquals("late", s.name(), "the name defaults to the id");
            assertEquals(after.events + 30, store.stats().aggregatedEvents(), "every event counts in the store");
        }
    }

    @Test
    void shouldCountATaskRecordedAgainOnceByItsLastOutcome() throws Exception {
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(T0);
        try (EmbeddedStore store = open(clock, new StoreConfig().maxTasksPerRun(2))) {
            store.runs().create("r", "r", null, null, 3);
            final Event e = new Event();
            store.record(e.reset().model("m").operation("task").run("r").task("a").latencyMs(1).status(Status.ERROR));
            store.record(e.reset().model("m").operation("task").run("r").task("a").latencyMs(1).retries(1));
            store.record(e.reset().model("m").operation("task").run("r").task("b").latencyMs(1));
            store.record(e.reset().model("m").operation("task").run("r").task("c").latencyMs(1));
            store.record(e.reset().model("m").operation("task").run("r").task("c").latencyMs(1));
            assertTrue(store.flush(10, TimeUnit.SECONDS));
            final RunSummary.Tasks t = store.runs().get("r").tasks();
            // a: error then ok with a retry (one task, succeeded, not first time right); b: ok; c is past the
            // limit of 2 tracked tasks, so each of its events counts as a task
            assertEquals(4, t.done());
            assertEquals(4, t.succeeded());
            assertEquals(3, t.firstTimeRight());
            assertEquals(1, t.retries());
            assertEquals(2, t.untracked());
        }
    }

    @Test
    void shouldRefuseBadRequestsNamingTheField() {
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(T0);
        try (EmbeddedStore store = open(clock, new StoreConfig().maxRuns(2))) {
            final Runs runs = store.runs();
            assertRefused(RunException.Kind.NOT_FOUND, "id", () -> runs.get("nope"));
            assertRefused(RunException.Kind.NOT_FOUND, "id", () -> runs.finish("nope", RunStatus.FAILED, null));
            assertRefused(RunException.Kind.INVALID, "expectedTasks", () -> runs.create("a", null, null, null, -5));
            assertRefused(RunException.Kind.INVALID, "parameters.t",
                () -> runs.create("a", null, Map.of("t", Double.NaN), null, -1));
            assertRefused(RunException.Kind.INVALID, "parameters.t",
                () -> runs.create("a", null, Map.of("t", List.of()), null, -1));
            assertRefused(RunException.Kind.INVALID, "id", () -> runs.create("", null, null, null, -1));
            runs.create("a", null, null, null, -1);
            assertRefused(RunException.Kind.CONFLICT, "id", () -> runs.create("a", null, null, null, -1));
            assertRefused(RunException.Kind.INVALID, "status", () -> runs.finish("a", RunStatus.RUNNING, null));
            runs.finish("a", RunStatus.FAILED, "boom");
            assertRefused(RunException.Kind.CONFLICT, "status", () -> runs.finish("a", RunStatus.COMPLETED, null));
            assertRefused(RunException.Kind.CONFLICT, "parameters",
                () -> runs.update("a", null, Map.of("t", 1), null, -1));
            runs.create("b", null, null, null, -1);
            runs.create("c", null, null, null, -1);   // pushes out a, the oldest finished run
            assertRefused(RunException.Kind.NOT_FOUND, "id", () -> runs.get("a"));
            assertEquals(1, runs.evicted());
            assertRefused(RunException.Kind.CONFLICT, "id", () -> runs.create("d", null, null, null, -1));
            assertRefused(RunException.Kind.INVALID, "ids", () -> runs.compare(List.of("b")));
            assertRefused(RunException.Kind.INVALID, "ids", () -> runs.compare(List.of("b", "b")));
        }
    }

    private static void assertRefused(final RunException.Kind kind, final String field, final Runnable call) {
        final RunException e = assertThrows(RunException.class, call::run);
        assertEquals(kind, e.kind(), e.getMessage());
        assertEquals(field, e.field(), e.getMessage());
    }

    @Test
    void shouldListWithFiltersSortAndPages() {
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(T0);
        try (EmbeddedStore store = open(clock, new StoreConfig())) {
            for (int i = 0; i < 7; i++) {
                clock.update(T0 + i * 1000L);
                store.runs().create("r" + i, (i % 2 == 0 ? "even " : "odd ") + i, null,
                    i < 3 ? List.of("first") : List.of(), -1);
            }
            store.runs().finish("r1", RunStatus.COMPLETED, null);
            final RunPage evens = store.runs().list(new RunQuery(null, "EVEN", null, 0, Long.MAX_VALUE,
                RunQuery.Sort.NAME, false, 0, 2));
            assertEquals(4, evens.total());
            assertEquals(List.of("r0", "r2"), evens.runs().stream().map(RunSummary::id).toList());
            assertEquals(2, evens.nextOffset());
            final RunPage next = store.runs().list(new RunQuery(null, "even", null, 0, Long.MAX_VALUE,
                RunQuery.Sort.NAME, false, evens.nextOffset(), 2));
            assertEquals(List.of("r4", "r6"), next.runs().stream().map(RunSummary::id).toList());
            assertEquals(-1, next.nextOffset());
            assertEquals(List.of("r1"), store.runs().list(new RunQuery(RunStatus.COMPLETED, null, null, 0,
                Long.MAX_VALUE, null, true, 0, 10)).runs().stream().map(RunSummary::id).toList());
            assertEquals(List.of("r2", "r1", "r0"), store.runs().list(new RunQuery(null, null, "first", 0,
                Long.MAX_VALUE, RunQuery.Sort.CREATED, true, 0, 10)).runs().stream().map(RunSummary::id).toList());
            assertEquals(List.of("r3", "r4"), store.runs().list(new RunQuery(null, null, null, T0 + 3000,
                T0 + 5000, RunQuery.Sort.CREATED, false, 0, 10)).runs().stream().map(RunSummary::id).toList());
        }
    }
}
