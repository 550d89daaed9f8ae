package dev.ringmeter.core.watch.alert;

/**
 * How {@link NoticeDispatcher} delivers: its timeouts, its retry backoff, how long it keeps trying, how many
 * deliveries it holds and how often it re-posts firing alerts to Alertmanager. docs/alerts.md ("Notifications")
 * and docs/reliability.md give the defaults and why.
 * <p>
 * Threading: an immutable value; any thread.
 *
 * @param connectTimeoutMs    the longest wait for a connection.
 * @param requestTimeoutMs    the longest wait for a response once connected.
 * @param initialDelayMs      the first retry's delay, before jitter.
 * @param backoffFactor       each further retry's delay is the last one's times this (at least 1).
 * @param maxDelayMs          the longest delay between two attempts (a Retry-After is capped at it too).
 * @param maxAgeMs            a delivery still failing this long after it was submitted is abandoned.
 * @param maxPending          the most deliveries held (queued, in flight or waiting to retry) over all targets;
 *                            past it {@link NoticeDispatcher#submit} refuses.
 * @param alertmanagerRepostMs how often a firing alert is re-posted to an Alertmanager target; its {@code endsAt}
 *                            is set {@link #ALERTMANAGER_ENDS_AHEAD} times this ahead, so Alertmanager keeps it
 *                            active through a few missed re-posts and resolves it by itself if they stop.
 */
public record DeliverySettings(long connectTimeoutMs, long requestTimeoutMs, long initialDelayMs,
                               double backoffFactor, long maxDelayMs, long maxAgeMs, int maxPending,
                               long alertmanagerRepostMs) {
    /** How many re-post intervals ahead a firing alert's {@code endsAt} is set for Alertmanager. */
    public static final int ALERTMANAGER_ENDS_AHEAD = 4;
    /**
     * 5 s connect, 10 s request, retries from 1 s doubling up to 5 min for 24 h, 10,000 pending, re-post every 60 s.
     */
    public static final DeliverySettings DEFAULTS =
        new DeliverySettings(5_000, 10_000, 1_000, 2.0, 300_000, 86_400_000L, 10_000, 60_000);

    /** @throws IllegalArgumentException naming the field and the problem. */
    public DeliverySettings {
        positive("connectTimeoutMs", connectTimeoutMs);
        positive("requestTimeoutMs", requestTimeoutMs);
        positive("initialDelayMs", initialDelayMs);
        if (!(backoffFactor >= 1.0) || Double.isInfinite(backoffFactor)) {
            throw new IllegalArgumentException("backoffFactor must be at least 1: " + backoffFactor);
        }
        if (maxDelayMs < initialDelayMs) {
            throw new IllegalArgumentException("maxDelayMs must be at least initialDelayMs: " + maxDelayMs);
        }
        positive("maxAgeMs", maxAgeMs);
        positive("maxPending", maxPending);
        positive("alertmanagerRepostMs", alertmanagerRepostMs);
    }

    /** @return a copy with these timeouts. */
    public DeliverySettings withTimeouts(final long connectMs, final long requestMs) {
        return new DeliverySettings(connectMs, requestMs, initialDelayMs, backoffFactor, maxDelayMs, maxAgeMs,
            maxPending, alertmanagerRepostMs);
    }

    /** @return a copy with this backoff. */
    public DeliverySettings withBackoff(final long initialMs, final double factor, final long maxMs) {
        return new DeliverySettings(connectTimeoutMs, requestTimeoutMs, initialMs, factor, maxMs, maxAgeMs,
            maxPending, alertmanagerRepostMs);
    }

    /** @return a copy with this longest time to keep trying. */
    public DeliverySettings withMaxAgeMs(final long ms) {
        return new DeliverySettings(connectTimeoutMs, requestTimeoutMs, initialDelayMs, backoffFactor, maxDelayMs, ms,
            maxPending, alertmanagerRepostMs);
    }

    /** @return a copy holding at most this many deliveries. */
    public DeliverySettings withMaxPending(final int max) {
        return new DeliverySettings(connectTimeoutMs, requestTimeoutMs, initialDelayMs, backoffFactor, maxDelayMs,
            maxAgeMs, max, alertmanagerRepostMs);
    }

    /** @return a copy re-posting firing alerts to Alertmanager this often. */
    public DeliverySettings withAlertmanagerRepostMs(final long ms) {
        return new DeliverySettings(connectTimeoutMs, requestTimeoutMs, initialDelayMs, backoffFactor, maxDelayMs,
            maxAgeMs, maxPending, ms);
    }

    /**
     * @param retry      1 for the first retry.
     * @param unitRandom a uniform number in [0, 1).
     * @return the delay before that retry: {@code initial x factor^(retry-1)} capped at the maximum, then a random
     *         part of it in [half, all] so that many senders failing together do not retry together.
     */
    public long backoffMs(final int retry, final double unitRandom) {
        final double full = Math.min(maxDelayMs, initialDelayMs * Math.pow(backoffFactor, Math.max(0, retry - 1)));
        return Math.max(1, (long)(full * (0.5 + 0.5 * unitRandom)));
    }

    private static void positive(final String name, final long v) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be positive: " + v);
        }
    }
}
