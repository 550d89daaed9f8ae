package dev.ringmeter.core.dictionary;

import dev.ringmeter.InvalidEventException;

/**
 * An item of a batch breaks a rule of the {@link Dictionary}: says which item, and why. Nothing of the batch was
 * registered.
 */
public final class RefusedItemException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int index;

    /**
     * @param index  of the item in the batch, from 0.
     * @param reason the rule it breaks, naming the field.
     */
    RefusedItemException(final int index, final InvalidEventException reason) {
        super(reason.getMessage(), reason, false, false);   // an answer, not a fault: no stack trace
        this.index = index;
    }

    /** @return the index of the item in the batch, from 0. */
    public int index() {
        return index;
    }

    /** @return the rule the item breaks, naming the field (a {@code CardinalityLimitException} for a full one). */
    public InvalidEventException reason() {
        return (InvalidEventException)getCause();
    }
}
