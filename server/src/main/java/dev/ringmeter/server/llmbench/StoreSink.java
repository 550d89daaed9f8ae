package dev.ringmeter.server.llmbench;

import dev.ringmeter.Event;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.run.RunStatus;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@link BenchmarkSink} into an {@link EmbeddedStore}: each cell is a run ({@code store.runs()}) whose id is
 * {@code <benchmark id>-<cell index>}, name {@code <spec name> <cell label>}, parameters the cell's
 * ({@link BenchmarkCell#parameters()}) and tags the spec's plus {@code llm-bench}; each measured request is an event
 * of that run recorded with {@code store.record}, so run comparisons, compare, best, reports, exports and the
 * dashboard read a benchmark as any other run. Quality scores travel on the events.
 * <p>
 * Threading: safe for the benchmark's threads (the store's calls are). Memory: none of its own.
 */
public final class StoreSink implements BenchmarkSink {
    /** The tag every benchmark run carries. */
    public static final String TAG = "llm-bench";

    private final EmbeddedStore store;

    /** @param store where runs and events go; the caller keeps it open while the benchmark runs, and closes it. */
    public StoreSink(final EmbeddedStore store) {
        this.store = store;
    }

    @Override
    public String startRun(final String benchmarkId, final BenchmarkSpec spec, final BenchmarkCell cell,
                           final long expected) {
        final List<String> tags = new ArrayList<>(spec.tags());
        tags.add(TAG);
        final String name = spec.name() + " " + cell.label();
        return store.runs().create(benchmarkId + "-" + cell.index(), name.length() > 256 ? name.substring(0, 256)
            : name, cell.parameters(), tags, expected).id();
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
