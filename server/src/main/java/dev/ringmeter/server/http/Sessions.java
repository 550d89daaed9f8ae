package dev.ringmeter.server.http;

import org.agrona.concurrent.EpochClock;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The browser sessions a token was exchanged for (the dashboard's {@code EventSource} cannot send an Authorization
 * header): at most {@link #MAX_SESSIONS} live at once, the oldest evicted past it, each expiring a fixed time after
 * it was made. An id is 256 random bits from {@link SecureRandom}, base64url; the table keys sessions by the
 * SHA-256 of the id, so a look-up compares hashes, never the secret, and the ids themselves are not kept. Memory:
 * at most {@link #MAX_SESSIONS} entries of about 200 bytes (200 KB). Sessions live in memory only: a restart ends
 * them all.
 * <p>
 * Threading: thread-safe; every method synchronises on the table (a few microseconds each).
 */
public final class Sessions {
    /** The name of the session cookie. */
    public static final String COOKIE = "ringmeter_session";
    /** The most sessions live at once; making one more evicts the oldest. */
    public static final int MAX_SESSIONS = 1_000;

    private final SecureRandom random = new SecureRandom();
    private final EpochClock clock;
    private final long ttlMs;
    /** SHA-256 of the id (base64url) to the expiry in epoch ms, oldest first. */
    private final LinkedHashMap<String, Long> table = new LinkedHashMap<>();

    /**
     * @param clock the server's clock.
     * @param ttlMs how long a session lives.
     */
    public Sessions(final EpochClock clock, final long ttlMs) {
        this.clock = clock;
        this.ttlMs = ttlMs;
    }

    /** A session made: its secret id and when it expires. */
    public record Session(String id, long expiresAtMs) {
    }

    /**
     * @return a new session, the oldest evicted if {@link #MAX_SESSIONS} were live.
     */
    public Session create() {
        final byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        final String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        final long expires = clock.time() + ttlMs;
        synchronized (table) {
            purgeExpired();
            while (table.size() >= MAX_SESSIONS) {
                final Iterator<String> oldest = table.keySet().iterator();
                oldest.next();
                oldest.remove();
            }
            table.put(key(id), expires);
        }
        return new Session(id, expires);
    }

    /**
     * @param id a session id from a cookie, or null.
     * @return when the session expires, or -1 if it is unknown, ended or expired.
     */
    public long expiresAtMs(final String id) {
        if (id == null || id.isEmpty() || id.length() > 100) {
            return -1;
        }
        final String key = key(id);
        synchronized (table) {
            final Long expires = table.get(key);
            if (expires == null) {
                return -1;
            }
            if (expires <= clock.time()) {
                table.remove(key);
                return -1;
            }
            return expires;
        }
    }

    /**
     * Ends a session; nothing if it is unknown.
     *
     * @param id a session id from a cookie, or null.
     */
    public void end(final String id) {
        if (id != null && id.length() <= 100) {
            final String key = key(id);
            synchronized (table) {
                table.remove(key);
            }
        }
    }

    /** @return the sessions held (expired ones not yet purged included). */
    public int size() {
        synchronized (table) {
            return table.size();
        }
    }

    /** @return how long a session lives, ms. */
    public long ttlMs() {
        return ttlMs;
    }

    /** Drops the expired sessions at the head: all made with one ttl, so they are the oldest. Under the lock. */
    private void purgeExpired() {
        final long now = clock.time();
        final Iterator<Map.Entry<String, Long>> it = table.entrySet().iterator();
        while (it.hasNext() && it.next().getValue() <= now) {
            it.remove();
        }
    }

    private static String key(final String id) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(BearerAuth.sha256(id));
    }
}
