package dev.ringmeter.server.llmbench;

import dev.ringmeter.Event;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.run.RunStatus;

/**
 * A {@link BenchmarkSink} into an {@link EmbeddedStore}: each cell is a run ({@code store.runs()}), as
 * {@link CellRun} makes it; each measured request is an event
 * of that run recorded with {@code store.record}, so run comparisons, compare, best, reports, exports and the
 * dashboard read a benchmark as any other run. Quality scores travel on the events.
 * <p>
 * Threading: safe for the benchmark's threads (the store's calls are). Memory: none of its own.
 */
public final class StoreSink implements BenchmarkSink {
    private final EmbeddedStore store;

    /** @param store where runs and events go; the caller keeps it open while the benchmark runs, and closes it. */
    public StoreSink(final EmbeddedStore store) {
        this.store = store;
    }

    @Override
    public String startRun(final String benchmarkId, final BenchmarkSpec spec, final BenchmarkCell cell,
                           final long expected) {
        final CellRun run = CellRun.of(benchmarkId, spec, cell);
        return store.runs().create(run.id(), run.name(), run.parameters(), run.tags(), expected).id();
    }

    @Override
    public boolean record(final String runId, final Event event) {
        return store.record(event);
    }

    @Override
    public void finishRun(final String runId, final RunStatus status, final String reason) {
        store.runs().finish(runId, status, reason);
    }
}
