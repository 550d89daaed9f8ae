package dev.ringmeter.server.llmbench;

/**
 * Where a benchmark stands. Immutable, a snapshot taken by {@link LlmBenchmark#progress()}.
 *
 * @param id           the benchmark's id.
 * @param phase        warm-up, measuring, cool-down or done.
 * @param status       running, or the final status once done.
 * @param cell         the current cell, from 1 (0 before the first starts).
 * @param cells        cells in all.
 * @param cellLabel    the current cell's label, or null.
 * @param done         requests ended in the current cell (warm-up and cool-down included).
 * @param inFlight     requests in flight now.
 * @param failed       requests failed in the current cell.
 * @param elapsedMs    since the benchmark started.
 * @param etaMs        time left when the stop conditions make it computable (durations, or a request count at the
 *                     achieved rate), else -1.
 * @param achievedRps  requests ended per second in the current cell's measuring phase so far.
 */
public record BenchmarkProgress(String id, Phase phase, BenchmarkResult.Status status, int cell, int cells,
                                String cellLabel, long done, long inFlight, long failed, long elapsedMs, long etaMs,
                                double achievedRps) {
    /** A cell's phase. */
    public enum Phase {
        /** Sending requests excluded from results, before measuring. */
        WARMUP("warm-up"),
        /** Sending measured requests. */
        MEASURING("measuring"),
        /** Keeping the load on while measured requests finish; excluded. */
        COOLDOWN("cool-down"),
        /** The benchmark has ended. */
        DONE("done");

        private final String wireName;

        Phase(final String wireName) {
            this.wireName = wireName;
        }

        /** @return its name in JSON. */
        public String wireName() {
            return wireName;
        }
    }
}
