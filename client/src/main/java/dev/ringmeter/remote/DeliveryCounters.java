package dev.ringmeter.remote;

import java.util.concurrent.atomic.LongAdder;

/**
 * The counters of a {@link RemoteRecorder}, each since it opened, and the last failure; read together as a
 * {@link RemoteRecorder.Stats}.
 * <p>
 * Threading: {@link #addDropped()} is called by any number of recording threads at once (a {@link LongAdder}, so
 * that producers that drop together do not contend on one word). Every other counter and the last error have one
 * writer, the sender thread, which updates them with plain read-modify-writes of volatile fields; any thread may
 * read them. Nothing here allocates but {@link #snapshot}.
 */
final class DeliveryCounters {
    private final LongAdder dropped = new LongAdder();

    private volatile long sent;
    private volatile long acknowledged;
    private volatile long rejected;
    private volatile long failed;
    private volatile long retried;
    private volatile long batches;
    private volatile String lastError;

    /** An item {@code record()} refused because the buffer was full. Any thread. */
    void addDropped() {
        dropped.increment();
    }

    /** @param items written to the server in one attempt. Sender thread only. */
    void addSent(final int items) {
        sent += items;
    }

    /** @param items of one request the server acknowledged. Sender thread only. */
    void addAcknowledged(final int items) {
        acknowledged += items;
        batches++;
    }

    /** @param items the server refused, not to be retried. Sender thread only. */
    void addRejected(final int items) {
        rejected += items;
    }

    /** @param items given up. Sender thread only. */
    void addFailed(final long items) {
        failed += items;
    }

    /** An attempt that is a retry. Sender thread only. */
    void addRetry() {
        retried++;
    }

    /** @param error the failure, for {@link RemoteRecorder.Stats#lastError()}. Sender thread only. */
    void lastError(final String error) {
        lastError = error;
    }

    /** @return items rejected or failed so far: those that will never be acknowledged. */
    long lost() {
        return rejected + failed;
    }

    /**
     * Reads the settled counters before the ring's tail: every item they count was recorded before the tail is
     * read, so {@code pending} cannot come out below zero.
     *
     * @param ring whose tail counts the items recorded.
     * @return the counters; each is read once.
     */
    RemoteRecorder.Stats snapshot(final ManyToOneItemRing ring) {
        final long ack = acknowledged;
        final long rej = rejected;
        final long fail = failed;
        final long recorded = ring.tail();
        return new RemoteRecorder.Stats(recorded, sent, ack, dropped.sum(), rej, fail, retried, batches,
            Math.max(0, recorded - ack - rej - fail), lastError);
    }
}
