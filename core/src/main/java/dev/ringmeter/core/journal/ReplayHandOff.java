package dev.ringmeter.core.journal;

import dev.ringmeter.core.ingest.EventSlot;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Recovery's replay across two threads: the reading thread reads and decodes the journal ({@link Journal#read}, the
 * one decoder) straight into slots of this hand-off, and an apply thread it starts hands each record, in the
 * journal's order, to the visitor that applies it to the aggregates. Decoding the next batch then overlaps applying
 * the last one.
 * <p>
 * The hand-off is a single-producer single-consumer ring of {@value #BATCHES} batches of {@value #BATCH} slots,
 * allocated once per replay: no allocation per record, and the reader runs at most that many batches ahead. A
 * batch is published whole; the apply thread hands it back once every record in it is applied.
 * <p>
 * Two things must not run ahead of the apply thread, and the reader {@link #drain() drains} (waits until every
 * record handed off is applied) before them: a dictionary record that gives an id a different name than it has
 * (records before it still mean the old name when applied: {@link Journal#replay}), and anything after a recompute
 * (its visitor scans the journal with the dictionary as it stands at that record).
 * <p>
 * A failure on either thread ends the replay with that failure: the apply thread's reaches the reading thread (as an
 * {@link ApplyFailed}) the next time it publishes or waits, and a failure of the reader {@link #abort() stops} the
 * apply thread before it propagates. Neither thread waits forever for the other.
 * <p>
 * Memory: {@value #BATCHES} &times; {@value #BATCH} event slots (a few hundred bytes each), for the replay only.
 * <p>
 * Threading: {@link #first}, {@link #handOff}, {@link #drain}, {@link #finish} and {@link #abort} on the reading
 * thread only; the apply thread is this class's own and touches only the batches published to it.
 */
final class ReplayHandOff implements Journal.RecordVisitor {
    /** Records per batch. */
    static final int BATCH = 128;
    /** Batches in the ring (a power of two). */
    static final int BATCHES = 16;

    private final Journal.RecordVisitor apply;
    private final EventSlot[][] batches = new EventSlot[BATCHES][BATCH];
    private final int[] sizes = new int[BATCHES];
    /** Batches published by the reader; written by the reader only. */
    private final AtomicLong published = new AtomicLong();
    /** Batches applied and handed back; written by the apply thread only. */
    private final AtomicLong applied = new AtomicLong();
    private final IdleStrategy readerIdle = new BackoffIdleStrategy(100, 10, 1_000, 100_000);
    private final Thread thread;
    private volatile boolean finished;
    private volatile boolean stopped;
    private volatile Throwable failure;
    /** The reader's batch being filled and the number of slots filled in it. */
    private long batch;
    private int filled;

    /**
     * Starts the apply thread.
     *
     * @param apply told of each record, in order, on the apply thread.
     */
    ReplayHandOff(final Journal.RecordVisitor apply) {
        this.apply = apply;
        for (final EventSlot[] b : batches) {
            for (int i = 0; i < BATCH; i++) {
                b[i] = new EventSlot();
            }
        }
        this.thread = new Thread(this::applyAll, "ringmeter-replay-apply");
        thread.setDaemon(true);
        thread.start();
    }

    /** @return the slot the reader decodes the first record into. */
    EventSlot first() {
        return batches[0][0];
    }

    @Override
    public void onRecord(final EventSlot slot) {
        throw new UnsupportedOperationException("the reader hands slots off through handOff");
    }

    /**
     * Hands off a decoded record.
     *
     * @param slot the slot {@link #first} or the last call returned, decoded.
     * @return the slot to decode the next record into.
     */
    @Override
    public EventSlot handOff(final EventSlot slot) {
        filled++;
        if (slot.kind == EventSlot.KIND_RECOMPUTE) {
            publish();
            awaitApplied();
        } else if (filled == BATCH) {
            publish();
        }
        return batches[(int)(batch & (BATCHES - 1))][filled];
    }

    /**
     * Waits until every record handed off is applied (rethrowing a failure of the apply thread), while the reader
     * is decoding a record into the slot {@link #first} or the last {@link #handOff} returned: that slot object
     * becomes the first of the next batch, so the reader goes on with it.
     */
    void drain() {
        final int from = (int)(batch & (BATCHES - 1));
        final int at = filled;
        publish();
        final int to = (int)(batch & (BATCHES - 1));
        if (to != from) {
            final EventSlot decoding = batches[from][at];
            batches[from][at] = batches[to][0];
            batches[to][0] = decoding;
        }
        awaitApplied();
    }

    private void awaitApplied() {
        readerIdle.reset();
        while (applied.get() < batch) {
            idle();
        }
    }

    /**
     * Ends the replay: waits for the apply thread to apply every record handed off and to end.
     *
     * @throws ApplyFailed carrying the apply thread's failure, if it failed.
     */
    void finish() {
        publish();
        finished = true;
        join();
        rethrow();
    }

    /** Stops the apply thread after the reader failed, without applying what is left, and waits for it to end. */
    void abort() {
        stopped = true;
        join();
    }

    /** Publishes the batch being filled, if any, and waits for a free one to fill next. */
    private void publish() {
        rethrow();
        if (filled == 0) {
            return;
        }
        sizes[(int)(batch & (BATCHES - 1))] = filled;
        published.lazySet(++batch);
        filled = 0;
        readerIdle.reset();
        while (batch - applied.get() >= BATCHES) {
            idle();
        }
    }

    private void idle() {
        rethrow();
        if (!thread.isAlive() && failure == null) {
            throw new ApplyFailed(new IllegalStateException(
                "the journal replay's apply thread ended before the replay"));
        }
        readerIdle.idle();
    }

    private void rethrow() {
        final Throwable f = failure;
        if (f != null) {
            throw new ApplyFailed(f);
        }
    }

    /**
     * The apply thread's failure, carried through the reader (whose handling of damaged documents it must not meet)
     * to {@link Journal#replay}, which throws the failure itself.
     */
    static final class ApplyFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ApplyFailed(final Throwable cause) {
            super(cause.toString(), cause, false, false);
        }

        /** @return the apply thread's failure, to throw (an Error is thrown here). */
        RuntimeException failure() {
            if (getCause() instanceof Error e) {
                throw e;
            }
            return (RuntimeException)getCause();
        }
    }

    private void join() {
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (final InterruptedException e) {
                interrupted = true;
                stopped = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void applyAll() {
        final IdleStrategy idle = new BackoffIdleStrategy(100, 10, 1_000, 100_000);
        long next = 0;
        try {
            while (!stopped) {
                if (next < published.get()) {
                    final int b = (int)(next & (BATCHES - 1));
                    final EventSlot[] slots = batches[b];
                    for (int i = 0, n = sizes[b]; i < n; i++) {
                        apply.onRecord(slots[i]);
                    }
                    applied.lazySet(++next);
                    idle.reset();
                } else if (finished && next == published.get()) {
                    return;
                } else {
                    idle.idle();
                }
            }
        } catch (final RuntimeException | Error e) {
            failure = e;
        }
    }
}
