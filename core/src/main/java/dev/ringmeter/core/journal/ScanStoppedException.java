package dev.ringmeter.core.journal;

/**
 * A {@link JournalScan} that ended before it read what it had to: it passed its time limit, or its cancel condition
 * turned true. Nothing of its result is kept.
 */
public final class ScanStoppedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final boolean timedOut;

    /**
     * @param message  what happened, for an operator.
     * @param timedOut true if the time limit passed, false if the scan was cancelled.
     */
    ScanStoppedException(final String message, final boolean timedOut) {
        super(message, null, false, false);
        this.timedOut = timedOut;
    }

    /**
     * @return true if the scan passed its time limit, false if it was cancelled.
     */
    public boolean timedOut() {
        return timedOut;
    }
}
