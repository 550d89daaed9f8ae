package dev.ringmeter.server.http;

import io.javalin.http.Context;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Checks {@code Authorization: Bearer <token>} against the configured token in constant time: both sides are
 * hashed to SHA-256 first, so {@link MessageDigest#isEqual} compares equal lengths and the time taken tells nothing
 * of the token, not even its length. The token is never logged nor echoed.
 * <p>
 * Threading: immutable; any request thread.
 */
public final class BearerAuth {
    private static final String PREFIX = "Bearer ";

    private final byte[] expectedHash;

    /**
     * @param token the token every request must carry.
     */
    public BearerAuth(final String token) {
        this.expectedHash = sha256(token);
    }

    /**
     * @param ctx the request.
     * @throws ApiException 401 unless the request carries the token.
     */
    public void check(final Context ctx) {
        final String header = ctx.header("Authorization");
        final String given = header != null && header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())
            ? header.substring(PREFIX.length()).trim() : "";
        final boolean ok = MessageDigest.isEqual(expectedHash, sha256(given));
        if (!ok || given.isEmpty()) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"ringmeter\"");
            throw ApiException.unauthorized();
        }
    }

    private static byte[] sha256(final String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from the JVM", e);
        }
    }
}
