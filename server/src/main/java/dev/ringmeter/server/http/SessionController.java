package dev.ringmeter.server.http;

import io.javalin.http.Context;

/**
 * The routes of /api/v1/session, which exchange the bearer token for a session cookie a browser sends by itself
 * (an {@code EventSource} cannot send an Authorization header): POST makes one, GET tells whether the caller is
 * authorised and until when, DELETE ends it. The cookie is {@code HttpOnly; SameSite=Strict; Path=/} with a
 * {@code Max-Age} of the session's life; it is not {@code Secure}, since the server speaks plain HTTP (put a TLS
 * proxy in front beyond loopback). Without a token the server is open, and no session is made.
 * <p>
 * Threading: any request thread; the state is in {@link Sessions}.
 */
public final class SessionController {
    private final BearerAuth auth;
    private final Sessions sessions;

    /**
     * @param auth     the token check, or null when the server runs without a token.
     * @param sessions the session table.
     */
    public SessionController(final BearerAuth auth, final Sessions sessions) {
        this.auth = auth;
        this.sessions = sessions;
    }

    /** POST /api/v1/session: with the token in the Authorization header, 200 {expiresAtMs} and the cookie. */
    public void create(final Context ctx) {
        QueryParams.of(ctx);
        if (auth == null) {
            Json.reply(ctx, 200, g -> {
                g.writeStartObject();
                g.writeNullField("expiresAtMs");
                g.writeEndObject();
            });
            return;
        }
        if (!auth.hasToken(ctx)) {
            throw BearerAuth.refused(ctx);   // a cookie alone does not make another session
        }
        final Sessions.Session s = sessions.create();
        ctx.header("Set-Cookie", cookie(s.id(), sessions.ttlMs() / 1000));
        ctx.header("Cache-Control", "no-store");
        Json.reply(ctx, 200, g -> {
            g.writeStartObject();
            g.writeNumberField("expiresAtMs", s.expiresAtMs());
            g.writeEndObject();
        });
    }

    /** GET /api/v1/session: 200 {authRequired, expiresAtMs} to an authorised caller (the filter refuses others). */
    public void get(final Context ctx) {
        QueryParams.of(ctx);
        final long expires = auth == null || auth.hasToken(ctx) ? -1 : sessions.expiresAtMs(ctx.cookie(Sessions.COOKIE));
        Json.reply(ctx, 200, g -> {
            g.writeStartObject();
            g.writeBooleanField("authRequired", auth != null);
            if (expires < 0) {
                g.writeNullField("expiresAtMs");
            } else {
                g.writeNumberField("expiresAtMs", expires);
            }
            g.writeEndObject();
        });
    }

    /** DELETE /api/v1/session: ends the caller's session and clears its cookie; 204. */
    public void delete(final Context ctx) {
        QueryParams.of(ctx);
        sessions.end(ctx.cookie(Sessions.COOKIE));
        ctx.header("Set-Cookie", cookie("", 0));
        ctx.status(204);
    }

    private static String cookie(final String value, final long maxAgeSeconds) {
        return Sessions.COOKIE + "=" + value + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + maxAgeSeconds;
    }
}
