package dev.ringmeter.remote;

import java.io.IOException;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Delivers one batch until every item of it is settled: acknowledged (a 2xx reply), rejected (a refusal that is not
 * retried; when the reply names the one bad item, only that item, and the rest is sent again), or failed (retries
 * used up, the recorder stopping, or the sender interrupted while waiting for a reply). A retryable failure is
 * retried after the policy's wait, for as long as the policy allows; while it waits, the batch is held and nothing
 * else is sent. Each outcome is counted in {@link DeliveryCounters}.
 * <p>
 * Logging (under {@link RemoteRecorder}'s logger name, so that one name configures the whole recorder): the first
 * failure of a streak at WARNING, the next ones at DEBUG, the recovery at INFO; every refusal at WARNING with the
 * server's error body, abbreviated.
 * <p>
 * Threading: not thread-safe; owned by the sender thread. The stop flag is set by the thread that closes the
 * recorder, which then interrupts the sender: a wait between attempts ends at once, and the batch is counted as
 * failed before the next attempt.
 */
final class BatchDelivery {
    private static final System.Logger LOG = System.getLogger(RemoteRecorder.class.getName());
    private static final int MAX_LOGGED_BODY_CHARS = 1_000;

    private final HttpBatchPoster poster;
    private final RetryPolicy retryPolicy;
    private final RejectedItemCutter cutter;
    private final DeliveryCounters counters;
    private final AtomicBoolean stopping;
    /** Whether the last attempt failed: a streak of failures is logged once at WARNING. */
    private boolean failing;

    /**
     * @param poster      sends one request.
     * @param retryPolicy decides whether and when to retry.
     * @param cutter      cuts a refused item out of a batch.
     * @param counters    where outcomes are counted.
     * @param stopping    set when the recorder stops: give up what is not delivered.
     */
    BatchDelivery(final HttpBatchPoster poster, final RetryPolicy retryPolicy, final RejectedItemCutter cutter,
                  final DeliveryCounters counters, final AtomicBoolean stopping) {
        this.poster = poster;
        this.retryPolicy = retryPolicy;
        this.cutter = cutter;
        this.counters = counters;
        this.stopping = stopping;
    }

    /** @return where event batches go. */
    URI eventsUri() {
        return poster.eventsUri();
    }

    /** @return where metric sample batches go. */
    URI metricsUri() {
        return poster.metricsUri();
    }

    /**
     * Delivers a batch: returns once every item of it is acknowledged, rejected or failed. An empty batch sends
     * nothing.
     *
     * @param batch the items; items the server refuses one by one are cut out of it.
     * @param uri   {@link #eventsUri()} or {@link #metricsUri()}, as the batch's kind.
     */
    void deliver(final NdjsonBatch batch, final URI uri) {
        int attempt = 0;
        cutter.startBatch();
        while (batch.count() > 0) {
            if (stopping.get()) {
                counters.addFailed(batch.count());
                return;
            }
            final int items = batch.count();
            counters.addSent(items);
            String retryAfter = null;
            String error;
            try {
                final HttpBatchPoster.Reply reply = poster.post(batch, uri);
                final int status = reply.status();
                if (RetryPolicy.isAcknowledged(status)) {
                    counters.addAcknowledged(items);
                    if (failing) {
                        failing = false;
                        LOG.log(System.Logger.Level.INFO, "delivering again to " + uri + " after " + attempt
                            + " retries");
                    }
                    return;
                }
                error = "HTTP " + status + " from " + uri + ": " + abbreviated(reply.body());
                counters.lastError(error);
                if (!RetryPolicy.isRetryable(status)) {
                    final int index = cutter.cut(batch, reply.body());
                    if (index >= 0) {
                        counters.addRejected(1);
                        LOG.log(System.Logger.Level.WARNING, error + "; rejected the item at index " + index
                            + ", sending the other " + batch.count() + " again");
                        continue;
                    }
                    counters.addRejected(items);
                    LOG.log(System.Logger.Level.WARNING, error + "; rejected " + items + " items, not retried");
                    return;
                }
                retryAfter = reply.retryAfter();
            } catch (final IOException e) {
                error = e.getClass().getSimpleName() + " posting to " + uri + ": " + e.getMessage();
                counters.lastError(error);
            } catch (final InterruptedException e) {
                counters.addFailed(items);
                counters.lastError("interrupted while posting to " + uri);
                return;
            }
            if (!retryPolicy.mayRetry(attempt)) {
                counters.addFailed(items);
                LOG.log(System.Logger.Level.WARNING, error + "; gave up " + items + " items after " + attempt
                    + " retries");
                return;
            }
            if (!failing) {
                failing = true;
                LOG.log(System.Logger.Level.WARNING, error + "; retrying with backoff (further failures are logged "
                    + "at DEBUG)");
            } else {
                LOG.log(System.Logger.Level.DEBUG, error);
            }
            attempt++;
            counters.addRetry();
            pause(retryPolicy.delayMs(attempt, retryAfter, System.currentTimeMillis()));
        }
    }

    /** Waits between attempts; ends early when the recorder stops. */
    private void pause(final long ms) {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        long leftNs;
        while (!stopping.get() && (leftNs = deadlineNs - System.nanoTime()) > 0) {
            LockSupport.parkNanos(leftNs);
            Thread.interrupted();   // only close() interrupts, and it sets stopping first
        }
    }

    private static String abbreviated(final String body) {
        if (body == null) {
            return "";
        }
        return body.length() <= MAX_LOGGED_BODY_CHARS ? body : body.substring(0, MAX_LOGGED_BODY_CHARS) + "...";
    }
}
