package dev.ringmeter.server.ingest;

import dev.ringmeter.server.http.Json;
import dev.ringmeter.server.http.QueryParams;
import io.javalin.http.Context;

import java.io.IOException;

/**
 * The write routes of /api/v1: POST events and POST custom metric samples. Thin: the work is in
 * {@link IngestService}.
 * <p>
 * Threading: any request thread.
 */
public final class IngestController {
    private final IngestService ingest;

    /**
     * @param ingest the ingest logic.
     */
    public IngestController(final IngestService ingest) {
        this.ingest = ingest;
    }

    /** POST /api/v1/events: a JSON array or NDJSON of events; 202 {"accepted": n} once acknowledged. */
    public void events(final Context ctx) throws IOException {
        QueryParams.of(ctx);
        accepted(ctx, ingest.events(ctx));
    }

    /** POST /api/v1/metrics: a JSON array or NDJSON of metric samples; 202 {"accepted": n} once acknowledged. */
    public void metrics(final Context ctx) throws IOException {
        QueryParams.of(ctx);
        accepted(ctx, ingest.samples(ctx));
    }

    private static void accepted(final Context ctx, final int n) {
        ctx.status(202).contentType(Json.APPLICATION_JSON).result("{\"accepted\":" + n + "}");
    }
}
