package dev.ringmeter.core.export;

import dev.ringmeter.CacheResult;
import dev.ringmeter.Event;
import dev.ringmeter.Status;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Events of every shape for the export tests, and the row each must export as, spelt out here (not by the code
 * under test): column names as documented in docs/export.md.
 */
final class ExportFixture {
    static final long T0 = 1_760_000_400_000L;

    private ExportFixture() {
    }

    /** Event i: one a second from T0, every field present or absent in turn. */
    static Event event(final int i, final Event e) {
        e.reset().timestampMs(T0 + i * 1_000L).model("acme-m" + i % 3).provider(i % 2 == 0 ? "acme" : null)
            .operation(i % 2 == 0 ? "chat" : "embed").pipeline(i % 5 == 0 ? null : "rag")
            .step(i % 4 == 0 ? "retrieve" : "generate").tool(i % 3 == 0 ? "search" : null)
            .agent(i % 4 == 1 ? "planner" : null).run("run-" + i % 7).task("task-" + i).config("c" + i % 2)
            .retries(i % 3).cache(CacheResult.of(i % 3)).latencyNs(1_000_000L + i * 1_234L);
        if (i % 10 == 3) {
            e.status(Status.ERROR).errorType("rate_limit");
        } else if (i % 10 == 7) {
            e.status(Status.TIMEOUT);
        }
        if (i % 2 == 0) {
            e.ttftNs(500_000L + i).queueWaitNs(i * 10L).promptTokens(100 + i).completionTokens(10 + i % 50)
                .cachedTokens(i % 20).cacheWriteTokens(i % 5).reasoningTokens(i % 7).memoryBytes(4_096L + i)
                .cpuNs(2_000_000L + i);
        }
        if (i % 4 != 0) {
            e.costUsd(i * 0.001);
        }
        if (i % 2 == 1) {
            e.quality("accuracy", (i % 10) / 10.0).quality("faithful", 1.0);
        }
        e.tag("env", i % 3 == 0 ? "prod" : "dev");
        if (i % 6 == 0) {
            e.tag("note", "a,\"b\" c");
        }
        return e;
    }

    /** The row event i exports as, column by column, in order. */
    static Map<String, Object> row(final int i) {
        final Event e = event(i, new Event());
        final Map<String, Object> r = new LinkedHashMap<>();
        r.put("timestamp", e.timestampMs());
        r.put("model", e.model());
        r.put("provider", e.provider());
        r.put("operation", e.operation());
        r.put("pipeline", e.pipeline());
        r.put("step", e.step());
        r.put("tool", e.tool());
        r.put("agent", e.agent());
        r.put("run", e.run());
        r.put("task", e.task());
        r.put("config", e.config());
        r.put("status", i % 10 == 3 ? "error" : i % 10 == 7 ? "timeout" : "ok");
        r.put("errorType", i % 10 == 3 ? "rate_limit" : null);
        r.put("retries", i % 3);
        r.put("cacheHit", i % 3 == 0 ? null : i % 3 == 1);
        r.put("latencyMs", (1_000_000L + i * 1_234L) / 1e6);
        final boolean even = i % 2 == 0;
        r.put("ttftMs", even ? (500_000L + i) / 1e6 : null);
        r.put("queueWaitMs", even ? i * 10L / 1e6 : null);
        r.put("promptTokens", even ? 100L + i : null);
        r.put("completionTokens", even ? 10L + i % 50 : null);
        r.put("cachedTokens", even ? (long)(i % 20) : null);
        r.put("cacheWriteTokens", even ? (long)(i % 5) : null);
        r.put("reasoningTokens", even ? (long)(i % 7) : null);
        r.put("costUsd", i % 4 != 0 ? i * 0.001 : null);
        r.put("memoryBytes", even ? 4_096L + i : null);
        r.put("cpuMs", even ? (2_000_000L + i) / 1e6 : null);
        final Map<String, Object> quality = new LinkedHashMap<>();
        if (!even) {
            quality.put("accuracy", (i % 10) / 10.0);
            quality.put("faithful", 1.0);
        }
        r.put("quality", quality);
        final Map<String, Object> tags = new LinkedHashMap<>();
        tags.put("env", i % 3 == 0 ? "prod" : "dev");
        if (i % 6 == 0) {
            tags.put("note", "a,\"b\" c");
        }
        r.put("tags", tags);
        return r;
    }
}
