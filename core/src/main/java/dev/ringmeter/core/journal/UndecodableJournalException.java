package dev.ringmeter.core.journal;

/**
 * The journal holds a record that recovery cannot decode without guessing: an id that no dictionary record before
 * it (nor the snapshot) names, or one beyond its dimension's limit. The message names the cycle file and the
 * document's index, and says what to do; the store does not open.
 */
public final class UndecodableJournalException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what was found where, and what to do.
     */
    public UndecodableJournalException(final String message) {
        super(message);
    }
}
