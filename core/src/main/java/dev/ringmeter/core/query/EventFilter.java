package dev.ringmeter.core.query;

import dev.ringmeter.Status;
import dev.ringmeter.core.dictionary.Dimension;

/**
 * The events a comparison or a journal scan keeps: for each event field ({@link Dimension#EVENT_FIELDS}) the value
 * it must have, a status, and a tag (key and value), each optional; an event must match every one given. Held by
 * name, so a filter means the same whatever ids the dictionary gives the values; the in-memory comparisons and the
 * journal scan both read it, so a filter is spelt once.
 * <p>
 * Threading: filled by one thread, then read by the query that runs it; not changed while a query runs.
 */
public final class EventFilter {
    private final String[] values = new String[Dimension.VALUES.length];
    private int status = -1;
    private String tagKey;
    private String tagValue;

    /**
     * @param dimension one of {@link Dimension#EVENT_FIELDS}.
     * @param value     the value events must have.
     * @return this.
     * @throws IllegalArgumentException if the dimension is not an event's own field.
     */
    public EventFilter where(final Dimension dimension, final String value) {
        GroupKey.of(dimension);
        values[dimension.ordinal()] = value;
        return this;
    }

    /**
     * @param status the status events must have.
     * @return this.
     */
    public EventFilter whereStatus(final Status status) {
        this.status = status.ordinal();
        return this;
    }

    /**
     * @param key   of a tag events must carry.
     * @param value of that tag.
     * @return this.
     */
    public EventFilter whereTag(final String key, final String value) {
        this.tagKey = key;
        this.tagValue = value;
        return this;
    }

    /**
     * @param dimension a dimension.
     * @return the value events must have, or null for any.
     */
    public String value(final Dimension dimension) {
        return values[dimension.ordinal()];
    }

    /** @return the status ordinal events must have, or -1 for any. */
    public int status() {
        return status;
    }

    /** @return the key of the tag events must carry, or null for none. */
    public String tagKey() {
        return tagKey;
    }

    /** @return the value of that tag, or null. */
    public String tagValue() {
        return tagValue;
    }
}
