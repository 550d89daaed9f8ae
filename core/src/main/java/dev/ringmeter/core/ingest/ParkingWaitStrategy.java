package dev.ringmeter.core.ingest;

import com.lmax.disruptor.AlertException;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.SequenceBarrier;
import com.lmax.disruptor.WaitStrategy;

import java.util.concurrent.locks.LockSupport;

/**
 * A wait strategy for the store's consumers that costs producers nothing: they never signal, take no lock and make
 * no system call. An idle consumer spins 16 times, then parks for a fixed interval between checks (50 ms by
 * default: a timed park costs tens of microseconds of CPU on a virtual machine, so waking every millisecond alone
 * would cost 2 % of a core). Whoever needs the consumer sooner unparks it ({@link RingPublisher}): a waiting
 * {@code flush()}, producers every quarter of the ring so that it never fills while the consumer sleeps, and a
 * producer that finds the ring full.
 * <p>
 * Threading: one instance may serve all consumers of a ring; {@link #waitFor} runs on each consumer's thread.
 */
public final class ParkingWaitStrategy implements WaitStrategy {
    private static final int SPIN_TRIES = 16;

    private final long parkNanos;

    /**
     * @param parkNanos how long an idle consumer parks between checks.
     */
    public ParkingWaitStrategy(final long parkNanos) {
        this.parkNanos = parkNanos;
    }

    @Override
    public long waitFor(final long sequence, final Sequence cursor, final Sequence dependentSequence,
                        final SequenceBarrier barrier) throws AlertException {
        long available;
        int spins = SPIN_TRIES;
        while ((available = dependentSequence.get()) < sequence) {
            barrier.checkAlert();
            if (spins > 0) {
                spins--;
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(this, parkNanos);
            }
        }
        return available;
    }

    @Override
    public void signalAllWhenBlocking() {
        // Producers never signal: consumers wake on their own within parkNanos, or when unparked.
    }
}
