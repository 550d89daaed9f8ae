package dev.ringmeter.core.ingest;

import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import dev.ringmeter.core.StoreConfig;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * The producer side of the store's ring: claims a slot under the full-ring policy (DROP counts and refuses, BLOCK
 * waits), hands it out to be filled, publishes it, and waits in {@link #flush} until every consumer has passed what
 * was published. A BLOCK wait ends after the block timeout, counted and refused as a DROP is. It wakes the
 * consumers whenever they must not wait out their park (see
 * {@link ParkingWaitStrategy}): every quarter of the ring on publish, at once when the ring is full, and while a
 * flush waits. After {@link #close()}, or once the journal has failed, every claim throws.
 * <p>
 * Threading: any number of producer threads may claim, publish and flush at once (the ring is multi-producer); the
 * slot a thread claims is filled and published by that thread alone, and every claimed slot must be published.
 * Claims and publishes take no lock and allocate nothing (a full BLOCK ring parks the caller). The consumer threads
 * are taken from the started {@link RingConsumers} at construction and kept in a final array, so every producer
 * that is handed this object wakes all of them.
 */
public final class RingPublisher {
    /** How long a claim waiting on a full ring parks between tries, after waking the consumers. */
    private static final long FULL_RING_PARK_NS = 10_000;
    /** How long a flush parks between checks once it has spun {@link #FLUSH_SPINS} times. */
    private static final long FLUSH_PARK_NS = 20_000;
    private static final int FLUSH_SPINS = 100;
    /** A waiting flush wakes the consumers every this many checks (a power of two). */
    private static final int FLUSH_WAKE_EVERY = 8;

    private final RingBuffer<EventSlot> ring;
    private final Thread[] consumers;
    private final boolean dropWhenFull;
    private final long blockTimeoutNs;
    private final long wakeMask;
    private final Supplier<Throwable> journalFailure;
    private final LongAdder dropped = new LongAdder();
    private volatile boolean closed;

    /**
     * @param consumers      of the ring, started.
     * @param policy         when the ring is full.
     * @param blockTimeoutMs how long a claim waits for a free slot before it gives up (BLOCK, and
     *                       {@link #claimWaiting()} under either policy).
     * @param journalFailure the failure that stopped the journal, or null while it works (always null without a
     *                       journal); called on every claim and flush, so it must be cheap and allocation-free.
     */
    public RingPublisher(final RingConsumers consumers, final StoreConfig.FullRingPolicy policy,
                         final long blockTimeoutMs, final Supplier<Throwable> journalFailure) {
        this.ring = consumers.ring();
        this.consumers = consumers.threads();
        this.dropWhenFull = policy == StoreConfig.FullRingPolicy.DROP;
        this.blockTimeoutNs = TimeUnit.MILLISECONDS.toNanos(blockTimeoutMs);
        this.wakeMask = Math.max(1, ring.getBufferSize() / 4) - 1;
        this.journalFailure = journalFailure;
    }

    /**
     * Claims a slot under the full-ring policy.
     *
     * @return the slot's sequence, or -1 if the ring is full (DROP) or stayed full for the block timeout (BLOCK);
     * the drop is counted.
     * @throws IllegalStateException if closed or the journal cannot write.
     */
    public long claim() {
        return claim(1);
    }

    /**
     * Claims n consecutive slots at once under the full-ring policy: one claim on the ring for all of them.
     *
     * @param n slots, from 1 to a quarter of the ring ({@link #maxClaim()}).
     * @return the last slot's sequence (the first is n - 1 before it), or -1 if the ring has not n free slots (DROP)
     * or had not for the block timeout (BLOCK); that counts one drop, the first event that found no room, as a
     * caller claiming one slot at a time would have stopped there.
     * @throws IllegalStateException if closed or the journal cannot write.
     */
    public long claim(final int n) {
        ensureOpen();
        final long sequence;
        if (dropWhenFull) {
            try {
                return ring.tryNext(n);
            } catch (final InsufficientCapacityException e) {
                wakeConsumers();   // a parked consumer drains the ring now, not at the end of its park
                sequence = -1;
            }
        } else {
            sequence = claimWaiting(n);
        }
        if (sequence < 0) {
            dropped.increment();
        }
        return sequence;
    }

    /** @return the most slots one {@link #claim(int)} takes: a quarter of the ring. */
    public int maxClaim() {
        return (int)wakeMask + 1;
    }

    /**
     * Claims a slot, waiting while the ring is full whatever the policy, for at most the block timeout. Unlike
     * {@code RingBuffer.next()}, it wakes the consumers while it waits, so a full ring never waits for a parked
     * consumer's interval to end. The clock is read only once the ring is found full.
     *
     * @return the slot's sequence, or -1 if the ring stayed full for the block timeout, or the caller was
     * interrupted while it waited (not counted here).
     * @throws IllegalStateException if the publisher is closed, or the journal fails, while it waits.
     */
    public long claimWaiting() {
        return claimWaiting(1);
    }

    private long claimWaiting(final int n) {
        long deadline = 0;
        boolean waiting = false;
        while (true) {
            try {
                return ring.tryNext(n);
            } catch (final InsufficientCapacityException e) {
                final long now = System.nanoTime();
                if (!waiting) {
                    waiting = true;
                    deadline = now + blockTimeoutNs;
                } else if (now - deadline >= 0 || Thread.currentThread().isInterrupted()) {
                    return -1;   // an interrupted caller gives up at once, its interrupt status kept
                }
                wakeConsumers();
                LockSupport.parkNanos(FULL_RING_PARK_NS);
                ensureOpen();
            }
        }
    }

    /**
     * @param sequence a claimed slot's.
     * @return the slot, to fill before {@link #publish}.
     */
    public EventSlot slot(final long sequence) {
        return ring.get(sequence);
    }

    /**
     * Publishes a claimed slot; every quarter of the ring, also wakes the consumers, so that a consumer parked for
     * a long interval never lets the ring fill up.
     *
     * @param sequence of the slot.
     */
    public void publish(final long sequence) {
        ring.publish(sequence);
        if ((sequence & wakeMask) == 0) {
            wakeConsumers();
        }
    }

    /**
     * Publishes the slots of one {@link #claim(int)}, each filled (or left {@link EventSlot#KIND_VOID}); wakes the
     * consumers as {@link #publish(long)} does, if the range holds a slot at a quarter of the ring.
     *
     * @param first the first slot's sequence.
     * @param last  the last slot's sequence.
     */
    public void publish(final long first, final long last) {
        ring.publish(first, last);
        if ((first & wakeMask) == 0 || (first & ~wakeMask) != (last & ~wakeMask)) {
            wakeConsumers();
        }
    }

    /**
     * Waits until every consumer has passed every slot published before this call, waking them as it waits.
     *
     * @param timeout to wait.
     * @param unit    of the timeout.
     * @return true if they did and the journal has not failed; false on timeout or journal failure.
     * @throws InterruptedException if the calling thread is interrupted while waiting.
     */
    public boolean flush(final long timeout, final TimeUnit unit) throws InterruptedException {
        final long target = ring.getCursor();
        final long deadline = System.nanoTime() + unit.toNanos(timeout);
        int rounds = 0;
        while (ring.getMinimumGatingSequence() < target) {
            if (journalFailure.get() != null) {
                return false;
            }
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            if ((rounds++ & (FLUSH_WAKE_EVERY - 1)) == 0) {
                wakeConsumers();
            }
            if (rounds < FLUSH_SPINS) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(FLUSH_PARK_NS);
            }
        }
        return journalFailure.get() == null;
    }

    private void wakeConsumers() {
        for (final Thread t : consumers) {
            LockSupport.unpark(t);
        }
    }

    /**
     * @throws IllegalStateException if closed, or the journal cannot write now (naming why).
     */
    public void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("store is closed");
        }
        final Throwable failure = journalFailure.get();
        if (failure != null) {
            throw new IllegalStateException("the journal cannot write; events are refused until it can: "
                + failure.getMessage(), failure);
        }
    }

    /**
     * Refuses every claim from now on; slots already claimed may still be published, and {@link #flush} still
     * works. Idempotent.
     */
    public void close() {
        closed = true;
    }

    /**
     * @return whether {@link #close()} was called.
     */
    public boolean isClosed() {
        return closed;
    }

    /**
     * @return claims refused because the ring was full: at once (DROP) or after the block timeout (BLOCK).
     */
    public long dropped() {
        return dropped.sum();
    }

    /**
     * @return the sequence of the last slot claimed, -1 if none; slots claimed = this + 1.
     */
    public long cursor() {
        return ring.getCursor();
    }

    /**
     * @return the sequence every consumer has passed.
     */
    public long consumedSequence() {
        return ring.getMinimumGatingSequence();
    }

    /**
     * @return slots in the ring.
     */
    public int capacity() {
        return ring.getBufferSize();
    }
}
