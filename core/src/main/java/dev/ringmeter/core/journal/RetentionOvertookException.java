package dev.ringmeter.core.journal;

/**
 * Ends a streamed read of the journal ({@link JournalScan#stream}) when retention is due to delete a cycle file the
 * read still needs, or has already deleted it. {@link #cursor()} is the journal index of the first document the
 * read did not deliver: reading again from it gives exactly the records not yet delivered, as long as its cycle is
 * still kept; {@link #lost()} says that cycle is already gone.
 * <p>
 * Threading: immutable.
 */
public final class RetentionOvertookException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long cursor;
    private final boolean lost;

    RetentionOvertookException(final String message, final long cursor, final boolean lost) {
        super(message, null, false, false);
        this.cursor = cursor;
        this.lost = lost;
    }

    /** @return the journal index of the first document not delivered; resume from it. */
    public long cursor() {
        return cursor;
    }

    /** @return whether retention already deleted records from the cursor on (they can no longer be read). */
    public boolean lost() {
        return lost;
    }
}
