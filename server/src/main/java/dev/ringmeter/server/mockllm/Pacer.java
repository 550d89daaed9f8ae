package dev.ringmeter.server.mockllm;

import java.util.concurrent.locks.LockSupport;

/**
 * Waits until an absolute instant of {@link System#nanoTime()}: parks until {@link #SPIN_NS} before it, then spins.
 * Deadlines are absolute, so a late wake-up never shifts the chunks after it.
 * <p>
 * Threading: stateless; each stream's thread calls it for itself.
 */
final class Pacer {
    /** How long before a deadline parking gives way to spinning: the wake-up latency of a park on Linux. */
    static final long SPIN_NS = 200_000;

    private Pacer() {
    }

    /**
     * @param deadlineNs an instant of {@link System#nanoTime()}.
     * @throws InterruptedException if the thread is interrupted (the server closes).
     */
    static void awaitUntil(final long deadlineNs) throws InterruptedException {
        while (true) {
            final long remaining = deadlineNs - System.nanoTime();
            if (remaining <= 0) {
                return;
            }
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            if (remaining > SPIN_NS) {
                LockSupport.parkNanos(remaining - SPIN_NS);
            } else {
                Thread.onSpinWait();
            }
        }
    }
}
