package dev.ringmeter.server.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ringmeter.Event;
import dev.ringmeter.EventRecorder;
import dev.ringmeter.InvalidEventException;
import dev.ringmeter.Ringmeter;
import dev.ringmeter.core.run.RunStatus;
import dev.ringmeter.server.llmbench.BenchmarkCell;
import dev.ringmeter.server.llmbench.BenchmarkSink;
import dev.ringmeter.server.llmbench.BenchmarkSpec;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A {@link BenchmarkSink} into a running server, for {@code bench-llm --url}: each cell's run is created and finished
 * through {@code /api/v1/runs} ({@link Api}) as {@link BenchmarkSink.CellRun} makes it, as in an embedded store; the
 * requests are recorded through the remote client ({@link Ringmeter#open(String, String)}), which
 * batches them. Before a run is finished the client is flushed, so the server holds every event of the run when it is
 * marked finished.
 * <p>
 * Threading: {@link #record} from the benchmark's results thread, {@link #startRun} and {@link #finishRun} from its
 * driver; the client is safe for that and {@link Api} keeps no state between calls. Memory: the client's bounded
 * buffer (see docs/client.md).
 */
final class RemoteBenchmarkSink implements BenchmarkSink, AutoCloseable {
    private static final long FLUSH_TIMEOUT_S = 30;

    private final Api api;
    private final EventRecorder recorder;

    /**
     * @param api   the server's API, for the runs.
     * @param token its bearer token, or null.
     */
    RemoteBenchmarkSink(final Api api, final String token) {
        this.api = api;
        this.recorder = token == null ? Ringmeter.open(api.baseUrl()) : Ringmeter.open(api.baseUrl(), token);
    }

    @Override
    public String startRun(final String benchmarkId, final BenchmarkSpec spec, final BenchmarkCell cell,
                           final long expected) {
        final ObjectNode body = Api.MAPPER.createObjectNode();
        final BenchmarkSink.CellRun run = BenchmarkSink.CellRun.of(benchmarkId, spec, cell);
        body.put("id", run.id());
        body.put("name", run.name());
        body.set("parameters", Api.MAPPER.valueToTree(run.parameters()));
        final ArrayNode tags = body.putArray("tags");
        run.tags().forEach(tags::add);
        if (expected >= 0) {
            body.put("expectedTasks", expected);
        }
        return api.post("/api/v1/runs", "application/json", bytes(body)).get("id").asText();
    }

    @Override
    public boolean record(final String runId, final Event event) {
        try {
            return recorder.record(event);
        } catch (final InvalidEventException e) {
            return false;
        }
    }

    @Override
    public void finishRun(final String runId, final RunStatus status, final String reason) {
        try {
            if (!recorder.flush(FLUSH_TIMEOUT_S, TimeUnit.SECONDS)) {
                throw new CliException(RingmeterCommand.EXIT_FAILED, "the server at " + api.baseUrl()
                    + " did not acknowledge the requests of run " + runId + " within " + FLUSH_TIMEOUT_S + " s");
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        final ObjectNode body = Api.MAPPER.createObjectNode().put("status", status.wireName());
        if (reason != null) {
            body.put("reason", reason);
        }
        api.post("/api/v1/runs/" + runId + "/finish", "application/json", bytes(body));
    }

    private static byte[] bytes(final ObjectNode node) {
        return node.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Drains what is recorded and closes the client. */
    @Override
    public void close() {
        recorder.close();
    }
}
