package dev.ringmeter;

/**
 * A new distinct value of a dimension (model, pipeline, tag value, ...) would exceed the dimension's configured
 * cardinality limit. Nothing of the event was stored.
 */
public final class CardinalityLimitException extends InvalidEventException {
    private static final long serialVersionUID = 1L;

    private final int limit;

    /**
     * @param field the dimension's field name.
     * @param limit the configured number of distinct values.
     */
    public CardinalityLimitException(final String field, final int limit) {
        this(field, limit, "has reached its cardinality limit of " + limit + " distinct values");
    }

    /**
     * @param field   the dimension's field name.
     * @param limit   the configured number of distinct values.
     * @param message what the limit counts and how to raise it, after the field's name.
     */
    public CardinalityLimitException(final String field, final int limit, final String message) {
        super(field, message);
        this.limit = limit;
    }

    /**
     * @return the configured number of distinct values of the dimension.
     */
    public int limit() {
        return limit;
    }
}
