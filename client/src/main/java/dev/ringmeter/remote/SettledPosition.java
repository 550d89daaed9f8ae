package dev.ringmeter.remote;

import java.util.concurrent.TimeUnit;

/**
 * How far the sender has settled the ring, and the handshake by which {@link RemoteRecorder#flush} waits for it:
 * every position before the settled one is acknowledged, rejected or failed. A flush asks for a target position
 * (so the sender sends at once instead of lingering) and waits until the settled position reaches it.
 * <p>
 * Threading: one writer of the settled position, the sender thread ({@link #advanceTo}), which takes this object's
 * monitor only to wake the waiters, once per batch. Any number of threads request a flush and wait
 * ({@link #requestFlush}, {@link #awaitSettled}); the sender reads the requested target without a lock
 * ({@link #isFlushRequestedBeyond}).
 */
final class SettledPosition {
    private final Object monitor = new Object();
    /** Every position before it is acknowledged, rejected or failed. Written by the sender only. */
    private volatile long settled;
    /** The highest position a flush waits for; only grows. Written under the monitor. */
    private volatile long flushTarget;

    /** @return the first position not yet settled. */
    long value() {
        return settled;
    }

    /**
     * @param target a position.
     * @return true if every position before it is settled.
     */
    boolean isSettled(final long target) {
        return settled >= target;
    }

    /**
     * Asks the sender to send everything before a position without waiting for the linger.
     *
     * @param target position that a flush waits for.
     */
    void requestFlush(final long target) {
        synchronized (monitor) {
            if (flushTarget < target) {
                flushTarget = target;
            }
        }
    }

    /**
     * @param position the sender's next position to take.
     * @return true if a flush waits for items at or beyond it.
     */
    boolean isFlushRequestedBeyond(final long position) {
        return flushTarget > position;
    }

    /**
     * Moves the settled position and wakes every waiting flush. Sender thread only.
     *
     * @param position first position not settled.
     */
    void advanceTo(final long position) {
        settled = position;
        synchronized (monitor) {
            monitor.notifyAll();
        }
    }

    /**
     * @param target     position to wait for.
     * @param deadlineNs {@link System#nanoTime()} by which to give up.
     * @param sender     the thread that settles; waiting stops if it has died.
     * @return true once every position before the target is settled; false on the deadline or a dead sender.
     * @throws InterruptedException if interrupted while waiting.
     */
    boolean awaitSettled(final long target, final long deadlineNs, final Thread sender) throws InterruptedException {
        synchronized (monitor) {
            while (settled < target) {
                final long leftNs = deadlineNs - System.nanoTime();
                if (leftNs <= 0 || !sender.isAlive()) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(monitor, leftNs);
            }
        }
        return true;
    }
}
