package dev.ringmeter.core;

import dev.ringmeter.core.query.WindowStats;
import dev.ringmeter.examples.embedded.QuickStart;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

@Timeout(30)
class QuickStartTest {
    private static final int EVENTS = 3000;

    /** What QuickStart records for one model, drawn again from its seeded generator. */
    private static final class Calls {
        final double inputUsdPerMillion;
        final double outputUsdPerMillion;
        final long[] latencyMs = new long[EVENTS];
        int count;
        int errors;
        long promptTokens;
        long completionTokens;
        double costUsd;

        Calls(final double inputUsdPerMillion, final double outputUsdPerMillion) {
            this.inputUsdPerMillion = inputUsdPerMillion;
            this.outputUsdPerMillion = outputUsdPerMillion;
        }

        void add(final boolean failed, final long latencyMs, final long prompt, final long completion) {
            this.latencyMs[count++] = latencyMs;
            errors += failed ? 1 : 0;
            promptTokens += prompt;
            completionTokens += completion;
            costUsd += (prompt * inputUsdPerMillion + completion * outputUsdPerMillion) / 1e6;
        }

        /** The smallest latency with at least p % of the calls at or below it (HdrHistogram's definition). */
        double latencyMs(final double percentile) {
            final long[] sorted = Arrays.copyOf(latencyMs, count);
            Arrays.sort(sorted);
            return sorted[(int)Math.max(1, Math.ceil(percentile / 100.0 * count)) - 1];
        }
    }

    /** QuickStart's generator, call for call: the same seed, the same draws in the same order. */
    private static Map<String, Calls> expected() {
        final Map<String, Calls> byModel = Map.of("gpt-4o", new Calls(2.50, 10.00),
            "claude-sonnet", new Calls(3.00, 15.00));
        final SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < EVENTS; i++) {
            final boolean failed = random.nextInt(50) == 0;
            final long latencyMs = 200 + random.nextInt(1_800);
            random.nextInt(300);   // the time to first token, which the table does not show
            final long prompt = 500 + random.nextInt(1_500);
            final long completion = 100 + random.nextInt(400);
            byModel.get(i % 3 == 0 ? "claude-sonnet" : "gpt-4o").add(failed, latencyMs, prompt, completion);
        }
        return byModel;
    }

    @Test
    void shouldPrintTheAnalyticsOfTheCallsItRecordedForEveryModel() throws Exception {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final WindowStats last = QuickStart.run(new PrintStream(bytes, true, StandardCharsets.UTF_8), EVENTS);
        final String table = bytes.toString(StandardCharsets.UTF_8);
        final Map<String, Calls> expected = expected();

        // the last model's result, at full precision
        assertEquals("claude-sonnet", last.model(), "models are listed in the order the store first saw them");
        final Calls claude = expected.get("claude-sonnet");
        assertEquals(1000, claude.count);
        assertEquals(claude.count, last.count());
        assertEquals(claude.errors, last.errorCount());
        assertEquals(claude.promptTokens, last.promptTokens());
        assertEquals(claude.completionTokens, last.completionTokens());
        assertEquals(claude.costUsd, last.costUsd(), 1e-9, "priced from the price table");
        for (final double p : new double[] {50, 95, 99}) {
            final double exactMs = claude.latencyMs(p);
            assertEquals(exactMs, last.latencyMs(p), exactMs * 0.01, "P" + p + " within the histogram's 1 %");
        }

        // every model's row of the table, at the precision it is printed with
        final List<String> rows = table.lines().toList();
        assertEquals(List.of("model", "count", "p50", "ms", "p95", "ms", "p99", "ms", "tokens/s", "errors", "cost",
            "$"), Arrays.asList(rows.get(0).trim().split("\\s+")), table);
        assertEquals(3, rows.size(), table);
        final Map<String, String[]> printed = new HashMap<>();
        for (final String row : rows.subList(1, rows.size())) {
            final String[] cells = row.trim().split("\\s+");
            printed.put(cells[0], cells);
        }
        assertEquals("gpt-4o", rows.get(1).trim().split("\\s+")[0], table);
        for (final Map.Entry<String, Calls> model : expected.entrySet()) {
            final String[] cells = printed.get(model.getKey());
            assertNotNull(cells, () -> model.getKey() + " in\n" + table);
            final Calls calls = model.getValue();
            assertEquals(calls.count, Long.parseLong(cells[1]), table);
            for (int i = 0; i < 3; i++) {
                final double exactMs = calls.latencyMs(new double[] {50, 95, 99}[i]);
                assertEquals(exactMs, number(cells[2 + i]), exactMs * 0.01 + 0.05, table);
            }
            assertEquals(100.0 * calls.errors / calls.count, number(cells[6].replace("%", "")), 0.005, table);
            assertEquals(calls.costUsd, number(cells[7]), 0.00005, table);
        }
    }

    /** A number as printf wrote it, whatever the default locale's decimal separator. */
    private static double number(final String cell) {
        return Double.parseDouble(cell.replace(',', '.'));
    }
}
