package dev.ringmeter.server.http;

import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns every failure of a request into the API's error body {@code {"error": ..., "field": ..., "index": n}}:
 * {@link ApiException}s as they say, Javalin's own (404, 405, ...) with their status, anything else as a logged
 * 500 that reveals nothing of the cause to the caller.
 * <p>
 * Threading: any request thread.
 */
public final class ErrorReplies {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorReplies.class);

    /** Replies to a refusal the API defines. */
    public void api(final ApiException e, final Context ctx) {
        if (e.retryAfterSeconds() > 0) {
            ctx.header("Retry-After", Integer.toString(e.retryAfterSeconds()));
        }
        if (e.status() == 408) {   // the rest of the body may still come: end the connection rather than read it
            ctx.header("Connection", "close");
        }
        if (e.status() >= 500 || e.status() == 429) {
            LOG.warn("event=refused status={} method={} path={} reason=\"{}\"", e.status(), ctx.method(), ctx.path(),
                e.getMessage());
        } else if (LOG.isDebugEnabled()) {
            LOG.debug("event=refused status={} method={} path={} field={} index={}", e.status(), ctx.method(),
                ctx.path(), e.field(), e.index());
        }
        Json.reply(ctx, e.status(), g -> {
            g.writeStartObject();
            g.writeStringField("error", e.getMessage());
            if (e.field() != null) {
                g.writeStringField("field", e.field());
            }
            if (e.index() >= 0) {
                g.writeNumberField("index", e.index());
            }
            if (e.line() >= 0) {
                g.writeNumberField("line", e.line());
                g.writeNumberField("column", e.column());
                g.writeNumberField("offset", e.offset());
            }
            if (e.valid() != null) {
                g.writeArrayFieldStart("valid");
                for (final String v : e.valid()) {
                    g.writeString(v);
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        });
    }

    /** Replies to one of Javalin's own refusals (no route, wrong method, ...). */
    public void http(final HttpResponseException e, final Context ctx) {
        final int status = e.getStatus();
        final String message = status == 404 ? "no such route: " + ctx.method() + " " + ctx.path() : e.getMessage();
        Json.reply(ctx, status, g -> {
            g.writeStartObject();
            g.writeStringField("error", message);
            g.writeEndObject();
        });
    }

    /** Replies 500 to anything unforeseen, and logs it with its stack trace. */
    public void unexpected(final Exception e, final Context ctx) {
        LOG.error("event=error status=500 method={} path={}", ctx.method(), ctx.path(), e);
        Json.reply(ctx, 500, g -> {
            g.writeStartObject();
            g.writeStringField("error", "internal error; see the server's log");
            g.writeEndObject();
        });
    }
}
