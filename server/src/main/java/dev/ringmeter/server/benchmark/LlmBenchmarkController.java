package dev.ringmeter.server.benchmark;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.ringmeter.server.http.ApiException;
import dev.ringmeter.server.http.Json;
import dev.ringmeter.server.http.QueryParams;
import dev.ringmeter.server.http.RequestBody;
import dev.ringmeter.server.llmbench.BenchmarkProgress;
import dev.ringmeter.server.llmbench.BenchmarkSpec;
import dev.ringmeter.server.llmbench.BenchmarkSpecException;
import io.javalin.http.Context;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The LLM benchmark routes: start one from its spec, list them, read one (its progress, then its result) and cancel
 * one. Thin: the spec's rules are {@link BenchmarkSpec#fromJson}'s (a bad field is a 400 naming it), the bounds and
 * the state {@link LlmBenchmarks}'. A spec over HTTP may not name a prompts file (the server reads no file a request
 * names: give the prompts inline), and never carries an API key: a target names the server's environment variable
 * that holds it ({@code apiKeyEnv}), and a field {@code apiKey} is refused as unknown.
 * <p>
 * Threading: any request thread; stateless beyond its final fields.
 */
public final class LlmBenchmarkController {
    /** The largest spec body: inline prompts make it large, {@link BenchmarkSpec#MAX_PROMPTS} at most. */
    public static final long MAX_BODY_BYTES = 16L << 20;

    private final LlmBenchmarks benchmarks;
    private final long bodyTimeoutMs;
    private final long maxBodyBytes;

    /**
     * @param benchmarks    the server's benchmarks.
     * @param bodyTimeoutMs how long a body may take to arrive.
     * @param maxBodyBytes  the largest spec body taken (at most {@link #MAX_BODY_BYTES}).
     */
    public LlmBenchmarkController(final LlmBenchmarks benchmarks, final long bodyTimeoutMs, final long maxBodyBytes) {
        this.benchmarks = benchmarks;
        this.bodyTimeoutMs = bodyTimeoutMs;
        this.maxBodyBytes = maxBodyBytes;
    }

    /** POST /api/v1/llm-benchmarks with the spec: 202 and the benchmark, running. */
    public void start(final Context ctx) throws IOException {
        QueryParams.of(ctx);
        final String body;
        try (InputStream in = RequestBody.read(ctx, maxBodyBytes, bodyTimeoutMs)) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        final LlmBenchmarks.Entry e;
        try {
            final BenchmarkSpec spec = BenchmarkSpec.fromJson(body);
            if (spec.promptsFile() != null) {
                throw new BenchmarkSpecException("work.promptsFile", "the server reads no file a request names; give"
                    + " the prompts inline (work.prompts)");
            }
            e = benchmarks.start(spec);
        } catch (final BenchmarkSpecException x) {
            throw ApiException.badParameter(x.field(), x.getMessage());
        } catch (final LlmBenchmarks.TooManyRunning x) {
            throw ApiException.tooManyRequests(x.getMessage(), 5);
        } catch (final IllegalStateException x) {
            throw ApiException.unavailable(x.getMessage(), 1);
        }
        ctx.header("Location", "/api/v1/llm-benchmarks/" + e.id());
        Json.reply(ctx, 202, g -> entry(g, e, false));
    }

    /** GET /api/v1/llm-benchmarks: every benchmark kept, oldest first, with its progress. */
    public void list(final Context ctx) {
        QueryParams.of(ctx);
        Json.reply(ctx, 200, g -> {
            g.writeStartObject();
            g.writeNumberField("maxRunning", benchmarks.maxRunning());
            g.writeNumberField("maxKept", benchmarks.maxKept());
            g.writeArrayFieldStart("benchmarks");
            for (final LlmBenchmarks.Entry e : benchmarks.list()) {
                entry(g, e, false);
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /** GET /api/v1/llm-benchmarks/{id}: its spec and progress, and its result once it has ended. */
    public void get(final Context ctx) {
        QueryParams.of(ctx);
        final LlmBenchmarks.Entry e = found(benchmarks.get(ctx.pathParam("id")), ctx);
        Json.reply(ctx, 200, g -> entry(g, e, true));
    }

    /** POST /api/v1/llm-benchmarks/{id}/cancel: cancels it (nothing if it has ended); what it measured is kept. */
    public void cancel(final Context ctx) {
        QueryParams.of(ctx);
        final LlmBenchmarks.Entry e = found(benchmarks.cancel(ctx.pathParam("id")), ctx);
        Json.reply(ctx, 202, g -> entry(g, e, false));
    }

    private static LlmBenchmarks.Entry found(final LlmBenchmarks.Entry e, final Context ctx) {
        if (e == null) {
            throw ApiException.notFound("id", "no LLM benchmark " + ctx.pathParam("id") + " (unknown, or dropped"
                + " as the oldest of the finished ones kept)");
        }
        return e;
    }

    private static void entry(final JsonGenerator g, final LlmBenchmarks.Entry e, final boolean full)
        throws IOException {
        final BenchmarkProgress p = e.progress();
        g.writeStartObject();
        g.writeStringField("id", e.id());
        g.writeStringField("name", e.spec().name());
        g.writeStringField("status", e.result() != null ? e.result().status().wireName() : p.status().wireName());
        g.writeObjectFieldStart("progress");
        g.writeStringField("phase", p.phase().wireName());
        g.writeNumberField("cell", p.cell());
        g.writeNumberField("cells", p.cells());
        if (p.cellLabel() != null) {
            g.writeStringField("cellLabel", p.cellLabel());
        }
        g.writeNumberField("done", p.done());
        g.writeNumberField("inFlight", p.inFlight());
        g.writeNumberField("failed", p.failed());
        g.writeNumberField("elapsedMs", p.elapsedMs());
        g.writeNumberField("etaMs", p.etaMs());
        Json.number(g, "achievedRps", p.achievedRps());
        g.writeEndObject();
        if (full) {
            g.writeFieldName("spec");
            g.writeRawValue(e.spec().toJson());
            if (e.result() != null) {
                g.writeFieldName("result");
                g.writeRawValue(e.result().toJson());
            }
        }
        g.writeEndObject();
    }
}
