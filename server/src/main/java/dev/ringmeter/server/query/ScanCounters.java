package dev.ringmeter.server.query;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How the server's journal scans ended early: past their time limit (answered 503), or stopped because their
 * client had gone. Counted by the {@link QueryController}, shown in /api/v1/system.
 * <p>
 * Threading: any thread.
 */
public final class ScanCounters {
    private final AtomicLong timedOut = new AtomicLong();
    private final AtomicLong cancelled = new AtomicLong();

    void timedOut() {
        timedOut.incrementAndGet();
    }

    void cancelled() {
        cancelled.incrementAndGet();
    }

    /**
     * @return scans that passed their time limit since the server started.
     */
    public long timedOutCount() {
        return timedOut.get();
    }

    /**
     * @return scans stopped because their client had gone, since the server started.
     */
    public long cancelledCount() {
        return cancelled.get();
    }
}
