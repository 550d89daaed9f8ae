package dev.ringmeter.remote;

/**
 * Whether an attempt to deliver a batch is retried, and after how long. A 2xx reply acknowledges; a 408, a 429,
 * a 5xx, a connection error or a timeout is retried, up to {@link RemoteConfig#maxRetries} times, after the waits of
 * a {@link Backoff} (or the server's {@code Retry-After}); any other status refuses the batch, which is not retried.
 * <p>
 * Threading: not thread-safe (the backoff's jitter has state); owned by the sender thread.
 */
final class RetryPolicy {
    private final Backoff backoff;
    private final int maxRetries;

    /**
     * @param config concluded options: {@code maxRetries}, {@code initialBackoffMs}, {@code maxBackoffMs}.
     * @param seed   of the backoff's jitter.
     */
    RetryPolicy(final RemoteConfig config, final long seed) {
        this.backoff = new Backoff(config.initialBackoffMs(), config.maxBackoffMs(), seed);
        this.maxRetries = config.maxRetries();
    }

    /**
     * @param status of the server's reply.
     * @return true if the server acknowledged the batch (2xx: journaled).
     */
    static boolean isAcknowledged(final int status) {
        return status >= 200 && status < 300;
    }

    /**
     * @param status of a reply that is not an acknowledgement.
     * @return true if the failure may pass (408, 429, 5xx); false if the server refused the batch itself.
     */
    static boolean isRetryable(final int status) {
        return status == 408 || status == 429 || status >= 500;
    }

    /**
     * @param retries retries of the batch so far.
     * @return true if a retryable failure may be retried once more; false if the batch is to be given up.
     */
    boolean mayRetry(final int retries) {
        return retries < maxRetries;
    }

    /**
     * @param attempt    failed attempts so far, from 1.
     * @param retryAfter the {@code Retry-After} header of the reply, or null.
     * @param nowMs      the current time, for an HTTP-date header.
     * @return the wait before the next attempt in milliseconds.
     */
    long delayMs(final int attempt, final String retryAfter, final long nowMs) {
        return backoff.delayMs(attempt, retryAfter, nowMs);
    }
}
