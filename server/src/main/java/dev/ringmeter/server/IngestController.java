package dev.ringmeter.server;

import io.javalin.http.Context;

import java.io.IOException;

/**
 * The write routes of /api/v1: POST events and POST custom metric samples. Thin: the work is in
 * {@link IngestService}.
 * <p>
 * Threading: any request thread.
 */
final class IngestController {
    private final IngestService ingest;

    /**
     * @param ingest the ingest logic.
     */
    IngestController(final IngestService ingest) {
        this.ingest = ingest;
    }

    /** POST /api/v1/events: a JSON array or NDJSON of events; 202 {"accepted": n} once acknowledged. */
    void events(final Context ctx) throws IOException {
        QueryParams.of(ctx);
        accepted(ctx, ingest.events(ctx));
    }

    /** POST /api/v1/metrics: a JSON array or NDJSON of metric samples; 202 {"accepted": n} once acknowledged. */
    void metrics(final Context ctx) throws IOException {
        QueryParams.of(ctx);
        accepted(ctx, ingest.samples(ctx));
    }

    private static void accepted(final Context ctx, final int n) {
        ctx.status(202).contentType(Json.APPLICATION_JSON).result("{\"accepted\":" + n + "}");
    }
}
