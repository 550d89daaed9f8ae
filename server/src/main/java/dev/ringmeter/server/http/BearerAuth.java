package dev.ringmeter.server.http;

import io.javalin.http.Context;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Checks {@code Authorization: Bearer <token>} against the configured token in constant time: both sides are
 * hashed to SHA-256 first, so {@link MessageDigest#isEqual} compares equal lengths and the time taken tells nothing
 * of the token, not even its length. The token is never logged nor echoed. A request without the header passes
 * with a live session cookie instead ({@link Sessions}, made by POST /api/v1/session in exchange for the token).
 * <p>
 * Threading: immutable (the session table is thread-safe); any request thread.
 */
public final class BearerAuth {
    private static final String PREFIX = "Bearer ";

    private final byte[] expectedHash;
    private final Sessions sessions;

    /**
     * @param token    the token every request must carry.
     * @param sessions the live sessions, whose cookie stands in for the token.
     */
    public BearerAuth(final String token, final Sessions sessions) {
        this.expectedHash = sha256(token);
        this.sessions = sessions;
    }

    /**
     * @param ctx the request.
     * @throws ApiException 401 unless the request carries the token or a live session cookie.
     */
    public void check(final Context ctx) {
        if (!hasToken(ctx) && sessions.expiresAtMs(ctx.cookie(Sessions.COOKIE)) < 0) {
            throw refused(ctx);
        }
    }

    /**
     * @param ctx the request.
     * @return whether it carries the token in its Authorization header (a session cookie does not count).
     */
    public boolean hasToken(final Context ctx) {
        final String header = ctx.header("Authorization");
        final String given = header != null && header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())
            ? header.substring(PREFIX.length()).trim() : "";
        return MessageDigest.isEqual(expectedHash, sha256(given)) && !given.isEmpty();
    }

    /**
     * @param ctx the request refused.
     * @return the 401 to throw, its challenge header set.
     */
    public static ApiException refused(final Context ctx) {
        ctx.header("WWW-Authenticate", "Bearer realm=\"ringmeter\"");
        return ApiException.unauthorized();
    }

    /** @return the SHA-256 of a string's UTF-8 bytes (also what {@link Sessions} keys a session by). */
    static byte[] sha256(final String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from the JVM", e);
        }
    }
}
