package dev.ringmeter.examples.embedded;

import dev.ringmeter.Event;
import dev.ringmeter.Status;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.query.WindowStats;

import java.io.PrintStream;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The README's example: record model calls into an embedded store, then ask for the last five minutes' analytics
 * of each model. Compiled and run by the build, so the README cannot drift from the API.
 */
public final class QuickStart {
    private QuickStart() {
    }

    public static void main(final String[] args) throws InterruptedException {
        run(System.out, 30_000);
    }

    /**
     * @param out    where to print the table.
     * @param events how many model calls to simulate.
     * @return the analytics of the last model, for the test that runs this example.
     * @throws InterruptedException if interrupted while flushing.
     */
    public static WindowStats run(final PrintStream out, final int events) throws InterruptedException {
        // README:begin
        final WindowStats stats = new WindowStats();          // a reusable result
        try (EmbeddedStore store = EmbeddedStore.open(new StoreConfig())) {
            store.setPrice("gpt-4o", 2.50, 10.00);          // USD per million input / output tokens
            store.setPrice("claude-sonnet", 3.00, 15.00);

            final Event event = new Event();                  // reuse one per thread: no allocation per call
            final SplittableRandom random = new SplittableRandom(1);
            for (int i = 0; i < events; i++) {
                final boolean failed = random.nextInt(50) == 0;
                store.record(event.reset()
                    .model(i % 3 == 0 ? "claude-sonnet" : "gpt-4o")
                    .operation("chat")
                    .pipeline("support-bot").step("answer")
                    .latencyMs(200 + random.nextInt(1_800))
                    .ttftMs(80 + random.nextInt(300))
                    .promptTokens(500 + random.nextInt(1_500))
                    .completionTokens(100 + random.nextInt(400))
                    .status(failed ? Status.ERROR : Status.OK)
                    .errorType(failed ? "rate_limit" : null));
            }
            store.flush(5, TimeUnit.SECONDS);                 // wait until everything is applied

            final long now = System.currentTimeMillis();
            out.printf("%-14s %8s %9s %9s %9s %10s %8s %10s%n",
                "model", "count", "p50 ms", "p95 ms", "p99 ms", "tokens/s", "errors", "cost $");
            for (final String model : store.aggregates().models()) {
                store.aggregates().window(model, now - TimeUnit.MINUTES.toMillis(5), now + 1, stats);
                out.printf("%-14s %8d %9.1f %9.1f %9.1f %10.0f %7.2f%% %10.4f%n",
                    model, stats.count(), stats.latencyMs(50), stats.latencyMs(95), stats.latencyMs(99),
                    stats.tokensPerSecond(), 100 * stats.errorRate(), stats.costUsd());
            }
        }
        // README:end
        return stats;
    }
}
