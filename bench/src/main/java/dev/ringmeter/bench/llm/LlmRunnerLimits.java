package dev.ringmeter.bench.llm;

import dev.ringmeter.Event;
import dev.ringmeter.core.run.RunStatus;
import dev.ringmeter.server.llmbench.BenchmarkCell;
import dev.ringmeter.server.llmbench.BenchmarkResult;
import dev.ringmeter.server.llmbench.BenchmarkSink;
import dev.ringmeter.server.llmbench.BenchmarkSpec;
import dev.ringmeter.server.llmbench.LlmBenchmark;
import dev.ringmeter.server.mockllm.Distribution;
import dev.ringmeter.server.mockllm.MockLlm;
import dev.ringmeter.server.mockllm.MockLlmConfig;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

/**
 * The LLM benchmark runner's own limits on this machine (docs/performance.md, "The LLM benchmark runner's limits"):
 * against a mock-llm with a fixed TTFT and inter-token delay, open-loop constant-rate steps (doubling from
 * {@code --from}) until the achieved rate falls below 95 % of the asked one, a request fails, or the median schedule
 * lag passes {@code --max-lag-ms} (the median: on a machine shared with other work the p99 is the machine's); per step the achieved requests/s, the schedule lag, and the timing error: the runner's TTFT
 * minus mock-llm's injected TTFT, median and p99 (the runner counts TTFT from the scheduled send, so its error
 * includes the lag, the loopback and mock-llm's own pacing). Requests go to a sink that keeps nothing, so the
 * store's cost is not in the figures.
 * <p>
 * Run: {@code java -cp bench/target/benchmarks.jar dev.ringmeter.bench.llm.LlmRunnerLimits [--ttft-ms 20]
 * [--itl-ms 2] [--output-tokens 8] [--from 50] [--seconds 10] [--warmup-seconds 2] [--max-lag-ms 5]
 * [--mock-url URL]} (with {@code --mock-url}, a mock-llm started elsewhere, e.g. {@code ringmeter mock-llm} in
 * another JVM; else one in this JVM). Sends only to the mock.
 * <p>
 * Threading: the main thread drives; the runner's and mock-llm's threads do the work.
 */
public final class LlmRunnerLimits {
    private static final PrintStream OUT = System.out;

    private LlmRunnerLimits() {
    }

    /** Keeps nothing: only the runner is measured. */
    private static final class NullSink implements BenchmarkSink {
        @Override
        public String startRun(final String benchmarkId, final BenchmarkSpec spec, final BenchmarkCell cell,
                               final long expected) {
            return benchmarkId + "-" + cell.index();
        }

        @Override
        public boolean record(final String runId, final Event event) {
            return true;
        }

        @Override
        public void finishRun(final String runId, final RunStatus status, final String reason) {
            // nothing kept
        }
    }

    public static void main(final String[] args) throws Exception {
        double ttftMs = 20;
        double itlMs = 2;
        int outputTokens = 8;
        double rate = 50;
        long seconds = 10;
        long warmupSeconds = 2;
        double maxLagMs = 5;
        String mockUrl = null;
        for (int i = 0; i < args.length; i += 2) {
            final String v = args[i + 1];
            switch (args[i]) {
                case "--ttft-ms" -> ttftMs = Double.parseDouble(v);
                case "--itl-ms" -> itlMs = Double.parseDouble(v);
                case "--output-tokens" -> outputTokens = Integer.parseInt(v);
                case "--from" -> rate = Double.parseDouble(v);
                case "--seconds" -> seconds = Long.parseLong(v);
                case "--warmup-seconds" -> warmupSeconds = Long.parseLong(v);
                case "--max-lag-ms" -> maxLagMs = Double.parseDouble(v);
                case "--mock-url" -> mockUrl = v;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        final MockLlm mock = mockUrl != null ? null : MockLlm.start(MockLlmConfig.builder()
            .ttft(Distribution.fixed(ttftMs)).interToken(Distribution.fixed(itlMs)).defaultOutputTokens(outputTokens)
            .maxConcurrentStreams(4096).build());
        final String url = mockUrl != null ? mockUrl : mock.baseUrl();
        OUT.printf(Locale.ROOT, "mock-llm %s: TTFT %.1f ms, ITL %.1f ms, %d tokens; %d s a step after %d s warm-up%n",
            url, ttftMs, itlMs, outputTokens, seconds, warmupSeconds);
        OUT.println("asked/s  achieved/s  lag p50 ms  lag p99 ms  TTFT err p50 ms  TTFT err p99 ms  e2e p50 ms  failed");
        try {
            double best = 0;
            for (int step = 0; step < 12; step++, rate *= 2) {
                final BenchmarkSpec spec = BenchmarkSpec.builder().name("runner-limits")
                    .target(BenchmarkSpec.Target.chat(url)).model("mock-llm")
                    .synthetic(new BenchmarkSpec.Synthetic(16, outputTokens, 100, true))
                    .load(BenchmarkSpec.Load.constantRate(rate).withMaxInFlight(BenchmarkSpec.MAX_IN_FLIGHT)
                        .withWarmup(new BenchmarkSpec.Phase(warmupSeconds * 1000, 0)))
                    .stop(BenchmarkSpec.Stop.after(Duration.ofSeconds(seconds)))
                    .requestTimeout(Duration.ofSeconds(10)).build();
                final BenchmarkResult r;
                try (LlmBenchmark b = LlmBenchmark.start(spec, new NullSink())) {
                    r = b.await();
                }
                final BenchmarkResult.CellResult c = r.cells().get(0);
                OUT.printf(Locale.ROOT, "%7.0f  %10.1f  %10.2f  %10.2f  %15.2f  %15.2f  %10.2f  %6d%n", rate,
                    c.requestsPerSec(), c.scheduleLag().p50(), c.scheduleLag().p99(), c.ttft().p50() - ttftMs,
                    c.ttft().p99() - ttftMs, c.e2e().p50(), c.failed());
                final boolean kept = c.requestsPerSec() >= 0.95 * rate && c.scheduleLag().p50() <= maxLagMs
                    && c.failed() == 0;
                if (c.failed() > 0) {
                    OUT.println("errors by type: " + c.errorsByType());
                }
                if (!kept) {
                    OUT.printf(Locale.ROOT, "stopped: %s%n", c.failed() > 0 ? "failures"
                        : c.requestsPerSec() < 0.95 * rate ? "achieved below 95 % of asked" : "median schedule lag above "
                        + maxLagMs + " ms");
                    break;
                }
                best = rate;
            }
            OUT.printf(Locale.ROOT, "highest rate kept: %.0f requests/s%n", best);
        } finally {
            if (mock != null) {
                mock.close();
            }
        }
    }
}
