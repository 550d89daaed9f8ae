package dev.ringmeter.remote;

import dev.ringmeter.Event;
import dev.ringmeter.EventRecorder;
import dev.ringmeter.InvalidEventException;
import dev.ringmeter.MetricSample;

import java.net.URI;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Records to a Ringmeter server over HTTP ({@code POST /api/v1/events} and {@code /api/v1/metrics}, NDJSON), with
 * the same contract as the embedded store: {@link #record(Event)} checks the event, copies it into a bounded,
 * pre-allocated buffer ({@link ManyToOneItemRing}) and returns at once. It never blocks, never does I/O and
 * allocates nothing; when the buffer is full it drops the event, counts it, and returns false.
 * <p>
 * One daemon thread, {@value #SENDER_THREAD_NAME} ({@link SenderLoop}), takes up to {@link RemoteConfig#batchSize}
 * items (or {@link RemoteConfig#maxBatchBytes}) at a time, waiting at most {@link RemoteConfig#lingerMs} for a batch
 * to fill, and has {@link BatchDelivery} post them. A 2xx reply acknowledges the batch (the server answers 202 only
 * once the batch is journaled). 5xx, 429, 408, a connection error or a timeout is retried with exponential backoff
 * and jitter, honouring {@code Retry-After} ({@link RetryPolicy}), while the buffer goes on filling. Any other 4xx is
 * not retried: the server's error body is logged and the items are counted as rejected; when the reply names the
 * index of the one bad item (a bad value, a string too long, a dimension past its cardinality limit), only that item
 * is rejected and the rest of the batch is sent again ({@link RejectedItemCutter}).
 * <p>
 * Delivery is at-least-once for what is acknowledged: an attempt that times out after the server received it may
 * have been stored, and its retry stores it again. Every accepted item ends as exactly one of acknowledged,
 * rejected or failed ({@link Stats}).
 * <p>
 * This class is the recording API and the wiring; each job is in a class of its own: the buffer
 * ({@link ManyToOneItemRing}), the sender thread ({@link SenderLoop}), one batch until it is settled
 * ({@link BatchDelivery}), one HTTP request ({@link HttpBatchPoster}), whether and when to retry
 * ({@link RetryPolicy}, {@link Backoff}), cutting out a refused item ({@link RejectedItemCutter}), the counters
 * ({@link DeliveryCounters}) and what {@code flush} waits for ({@link SettledPosition}).
 * <p>
 * Threading: {@code record}, {@code flush}, {@code stats} and {@code close} may be called from any number of
 * threads at once. {@code record} takes no lock and makes no system call, except that one record in every
 * power-of-two near the batch size wakes the sender ({@link LockSupport#unpark}).
 */
public final class RemoteRecorder implements EventRecorder {
    /** The name of the sender thread. */
    static final String SENDER_THREAD_NAME = "ringmeter-remote-sender";

    private static final System.Logger LOG = System.getLogger(RemoteRecorder.class.getName());

    /**
     * The counters of a recorder, each since it opened. Items are events and metric samples.
     *
     * @param recorded     items {@code record()} accepted.
     * @param sent         items written to the server, counting every attempt (a retried batch counts again).
     * @param acknowledged items the server acknowledged (2xx: journaled).
     * @param dropped      items {@code record()} refused because the buffer was full (it returned false).
     * @param rejected     items the server refused with a 4xx other than 408 and 429; not retried.
     * @param failed       items given up after {@link RemoteConfig#maxRetries}, or still unsent when
     *                     {@code close()} ran out of time.
     * @param retried      attempts that were retries.
     * @param batches      requests the server acknowledged.
     * @param pending      items accepted and not yet acknowledged, rejected or failed:
     *                     {@code recorded - acknowledged - rejected - failed}.
     * @param lastError    the last failure (status and the server's message, or the exception), or null.
     */
    public record Stats(long recorded, long sent, long acknowledged, long dropped, long rejected, long failed,
                        long retried, long batches, long pending, String lastError) {
    }

    private final RemoteConfig config;
    private final ManyToOneItemRing ring;
    private final DeliveryCounters counters = new DeliveryCounters();
    private final SettledPosition settled = new SettledPosition();
    private final SenderLoop sender;
    private final long wakeMask;

    private volatile boolean closed;

    /**
     * Opens a recorder and starts its sender thread. Nothing is sent until something is recorded, and a server that
     * is not up yet is not an error: the buffer holds events until it answers.
     *
     * @param config options; concluded here.
     * @throws IllegalArgumentException naming a bad option.
     */
    public RemoteRecorder(final RemoteConfig config) {
        this.config = config.conclude();
        final AtomicBoolean stopping = new AtomicBoolean();
        final BatchDelivery delivery = new BatchDelivery(new HttpBatchPoster(config),
            new RetryPolicy(config, System.nanoTime()), new RejectedItemCutter(), counters, stopping);
        this.ring = new ManyToOneItemRing(config.bufferCapacity());
        this.wakeMask = Integer.highestOneBit(Math.min(config.batchSize(), config.bufferCapacity() / 2)) - 1;
        this.sender = new SenderLoop(config, ring, delivery, counters, settled, stopping);
        sender.start();
    }

    /**
     * @param uri of the server, e.g. {@code http://127.0.0.1:8080}; options may follow as query parameters
     *            ({@link RemoteConfig#fromUri(URI)}).
     * @return a running recorder with the default options.
     */
    public static RemoteRecorder open(final URI uri) {
        return new RemoteRecorder(RemoteConfig.fromUri(uri));
    }

    /**
     * Checks the event ({@link Event#validate()}), stamps it with the current time if it carries none (so an event
     * delivered late still lands at the time it was recorded), and copies it into the buffer.
     *
     * @param event to record; the caller may reuse it at once.
     * @return true if buffered, false if the buffer is full (the drop is counted).
     * @throws InvalidEventException if a required field is missing.
     * @throws IllegalStateException if the recorder is closed.
     */
    @Override
    public boolean record(final Event event) {
        ensureOpen();
        event.validate();
        return published(ring.offer(event, System.currentTimeMillis()));
    }

    /**
     * @param sample to record; copied.
     * @return true if buffered, false if the buffer is full (the drop is counted).
     * @throws InvalidEventException if the name or value is missing.
     * @throws IllegalStateException if the recorder is closed.
     */
    @Override
    public boolean record(final MetricSample sample) {
        ensureOpen();
        sample.validate();
        return published(ring.offer(sample, System.currentTimeMillis()));
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the recorder is closed");
        }
    }

    private boolean published(final long position) {
        if (position < 0) {
            counters.addDropped();
            return false;
        }
        if ((position & wakeMask) == wakeMask) {
            sender.wake();
        }
        return true;
    }

    /**
     * Sends what is buffered without waiting for the linger, and waits until every item recorded before this call
     * is settled: acknowledged by the server (journaled), rejected, or given up.
     *
     * @param timeout how long to wait at most.
     * @param unit    of the timeout.
     * @return true if every one of them was acknowledged in time; false on timeout or if some were rejected or
     * failed meanwhile ({@link #stats()} says which).
     * @throws InterruptedException if interrupted while waiting.
     */
    @Override
    public boolean flush(final long timeout, final TimeUnit unit) throws InterruptedException {
        final long target = ring.tail();
        final long lostBefore = counters.lost();
        if (settled.isSettled(target)) {
            return true;
        }
        settled.requestFlush(target);
        sender.wake();
        final long deadlineNs = System.nanoTime() + unit.toNanos(timeout);
        if (!settled.awaitSettled(target, deadlineNs, sender.thread())) {
            return false;
        }
        return counters.lost() == lostBefore;
    }

    /**
     * @return the counters; a consistent-enough snapshot (each counter is read once).
     */
    public Stats stats() {
        return counters.snapshot(ring);
    }

    /** @return the options in force. */
    public RemoteConfig config() {
        return config;
    }

    /**
     * Refuses further records, waits up to {@link RemoteConfig#closeTimeoutMs} for what is buffered to be
     * delivered, then stops the sender; what is still unsent is counted as failed. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        sender.drain();
        boolean interrupted = false;
        try {
            flush(config.closeTimeoutMs(), TimeUnit.MILLISECONDS);
        } catch (final InterruptedException e) {
            interrupted = true;
        }
        sender.stop();
        try {
            sender.join(Math.max(1_000, config.requestTimeoutMs()));
        } catch (final InterruptedException e) {
            interrupted = true;
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        final Stats s = stats();
        if (s.failed() > 0 || s.dropped() > 0 || s.rejected() > 0) {
            LOG.log(System.Logger.Level.WARNING, "closed with losses: " + s);
        } else {
            LOG.log(System.Logger.Level.DEBUG, "closed: " + s);
        }
    }

    @Override
    public String toString() {
        return "RemoteRecorder{" + RemoteConfig.redacted(config.uri()) + ", " + stats() + '}';
    }
}
