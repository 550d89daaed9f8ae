package dev.ringmeter.server.query;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The server's journal scans: the permits that let at most {@value #MAX_SCANS} run at once (the rest get 429), and
 * how they ended early: past their time limit (answered 503), or stopped because their client had gone. Used by the
 * {@link QueryController} and the {@link CompareController}, counts shown in /api/v1/system.
 * <p>
 * Threading: any thread.
 */
public final class ScanCounters {
    private final AtomicLong timedOut = new AtomicLong();
    private final AtomicLong cancelled = new AtomicLong();
    /** Journal scans read up to the whole journal: at most this many run at once. */
    static final int MAX_SCANS = 2;
    private final java.util.concurrent.Semaphore running = new java.util.concurrent.Semaphore(MAX_SCANS);

    /** @return whether a scan may start now; if true, call {@link #end()} when it ends. */
    boolean tryStart() {
        return running.tryAcquire();
    }

    /** A scan started by {@link #tryStart()} has ended. */
    void end() {
        running.release();
    }

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
