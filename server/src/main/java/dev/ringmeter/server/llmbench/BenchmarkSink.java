package dev.ringmeter.server.llmbench;

import dev.ringmeter.Event;
import dev.ringmeter.core.run.RunStatus;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where a benchmark's results go: one run per matrix cell, one event per measured request. {@link StoreSink} writes
 * to an embedded store; a remote one may write over HTTP.
 * <p>
 * Threading: {@link #startRun} and {@link #finishRun} are called from the benchmark's driver thread, one cell at a
 * time; {@link #record} and {@link #recordQuality} from the threads that complete requests, concurrently. An
 * implementation must be safe for that. The {@link Event} passed is reused once the call returns: copy what must be
 * kept.
 */
public interface BenchmarkSink {
    /** The tag every benchmark's runs carry. */
    String TAG = "llm-bench";

    /**
     * A cell's run as every sink makes it, so a benchmark's runs look the same in an embedded store and on a server.
     *
     * @param id         {@code <benchmark id>-<cell index>}.
     * @param name       {@code <spec name> <cell label>}, cut to the 256 characters a run's name may have.
     * @param parameters the cell's ({@link BenchmarkCell#parameters()}): the run's configuration.
     * @param tags       the spec's, then {@link #TAG}.
     */
    record CellRun(String id, String name, Map<String, Object> parameters, List<String> tags) {
        /**
         * @param benchmarkId the benchmark's id.
         * @param spec        the benchmark's spec.
         * @param cell        the cell.
         * @return the cell's run.
         */
        public static CellRun of(final String benchmarkId, final BenchmarkSpec spec, final BenchmarkCell cell) {
            final String name = spec.name() + " " + cell.label();
            final List<String> tags = new ArrayList<>(spec.tags());
            tags.add(TAG);
            return new CellRun(benchmarkId + "-" + cell.index(), name.length() > 256 ? name.substring(0, 256) : name,
                cell.parameters(), List.copyOf(tags));
        }
    }

    /**
     * Starts the run of a cell.
     *
     * @param benchmarkId the benchmark's id.
     * @param spec        the benchmark's spec (its name and tags).
     * @param cell        the cell; its {@link BenchmarkCell#parameters()} are the run's configuration.
     * @param expected    the measured requests the cell expects, or -1 if its stop condition does not say.
     * @return the run's id.
     */
    String startRun(String benchmarkId, BenchmarkSpec spec, BenchmarkCell cell, long expected);

    /**
     * Records one measured request: its {@code run} is the cell's run, its {@code operation} the target's API
     * ({@code chat} or {@code completions}), its {@code task} the request's number in the cell, and its latency, TTFT, schedule lag (queue wait), tokens, status and error
     * type are set; quality scores, if the prompt has an expected answer, are already on it.
     *
     * @param runId the cell's run.
     * @param event the request.
     * @return whether the sink took it (false: dropped, counted in the result).
     */
    boolean record(String runId, Event event);

    /**
     * Called after {@link #record} for a request whose prompt has an expected answer, with its scores (also on the
     * event). A sink whose {@link #record} keeps the event's quality scores needs do nothing here.
     *
     * @param runId  the cell's run.
     * @param task   the request's task id.
     * @param name   the score's name, e.g. {@code match_f1}.
     * @param value  the score, 0 to 1.
     */
    default void recordQuality(final String runId, final String task, final String name, final double value) {
        // the event carried the score already: nothing more to send.
    }

    /**
     * Finishes the run of a cell.
     *
     * @param runId  the cell's run.
     * @param status completed, failed or cancelled.
     * @param reason why, or null.
     */
    void finishRun(String runId, RunStatus status, String reason);
}
