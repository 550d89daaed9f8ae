package dev.ringmeter.remote;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.SplittableRandom;

/**
 * The waits of {@link RemoteRecorder} between attempts: exponential (initial x 2^attempt, capped) with "equal
 * jitter" (a uniformly random wait between half the step and the step, so that many clients that failed together
 * do not retry together), unless the server said how long to wait ({@code Retry-After}, seconds or an HTTP date),
 * which is honoured up to {@link #MAX_RETRY_AFTER_MS}.
 * <p>
 * Threading: not thread-safe; owned by the sender thread.
 */
final class Backoff {
    /** The longest {@code Retry-After} honoured, so a misconfigured proxy cannot stall the client for hours. */
    static final long MAX_RETRY_AFTER_MS = 300_000;

    private final long initialMs;
    private final long maxMs;
    private final SplittableRandom random;

    /**
     * @param initialMs wait after the first failure (before jitter).
     * @param maxMs     longest wait.
     * @param seed      of the jitter.
     */
    Backoff(final long initialMs, final long maxMs, final long seed) {
        this.initialMs = initialMs;
        this.maxMs = maxMs;
        this.random = new SplittableRandom(seed);
    }

    /**
     * @param attempt failed attempts so far, from 1.
     * @return the wait before the next attempt, in milliseconds: between half the step and the step.
     */
    long delayMs(final int attempt) {
        final int shift = Math.min(Math.max(attempt - 1, 0), 30);
        final long step = Math.min(maxMs, initialMs << shift);
        final long half = step / 2;
        return half + random.nextLong(step - half + 1);
    }

    /**
     * @param attempt    failed attempts so far, from 1.
     * @param retryAfter the {@code Retry-After} header of the reply, or null.
     * @param nowMs      the current time, for an HTTP-date header.
     * @return the wait before the next attempt in milliseconds: what the server asked for if it did, else
     * {@link #delayMs(int)}.
     */
    long delayMs(final int attempt, final String retryAfter, final long nowMs) {
        final long asked = retryAfterMs(retryAfter, nowMs);
        return asked >= 0 ? Math.min(asked, MAX_RETRY_AFTER_MS) : delayMs(attempt);
    }

    /**
     * @param header the {@code Retry-After} value: delay-seconds or an HTTP date (RFC 9110).
     * @param nowMs  the current time.
     * @return the wait in milliseconds, or -1 if absent or unreadable.
     */
    static long retryAfterMs(final String header, final long nowMs) {
        if (header == null || header.isBlank()) {
            return -1;
        }
        final String h = header.trim();
        try {
            final long seconds = Long.parseLong(h);
            return seconds < 0 ? -1 : Math.min(seconds, MAX_RETRY_AFTER_MS / 1000) * 1000;
        } catch (final NumberFormatException notSeconds) {
            try {
                final long at = ZonedDateTime.parse(h, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
                return Math.max(0, Duration.ofMillis(at - nowMs).toMillis());
            } catch (final DateTimeParseException notDate) {
                return -1;
            }
        }
    }
}
